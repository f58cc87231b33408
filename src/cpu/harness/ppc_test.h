#pragma once
// The annotated instruction-test runner behind `xdet ppc-test`
// (format: shared/ppc-tests/FORMAT.md).
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace xdet::cpu {

class Cpu;

struct PpcTestAnnotation {
  enum class Kind { kRegisterIn, kRegisterOut, kMemoryIn, kMemoryOut } kind;
  std::string target;  // register name or hex address
  std::string value;
  int line;
};

struct PpcTestCase {
  std::string name;  // label without "test_"
  int line;
  std::vector<PpcTestAnnotation> annotations;
};

struct PpcTestFile {
  std::string path;
  std::vector<PpcTestCase> tests;
};

// Parses the annotations of a test file's text. Throws InputError (with
// file:line) for an annotation before the first test label or an unknown key.
PpcTestFile parse_ppc_test_source(const std::string& path, const std::string& text);

struct PpcTestOptions {
  uint64_t max_instructions = 1'000'000;  // per test
  bool verbose = false;                    // also print passing tests
  // Called on each test's fresh Cpu (e.g. to install an execution engine).
  std::function<void(Cpu&)> configure_cpu;
};

struct PpcTestTotals {
  int passed = 0;
  int failed = 0;
  int files = 0;
  int files_failed_to_build = 0;
  std::vector<std::string> files_without_tests;  // parsed fine, but no test_ label
};

// Runs every test of the given files (directories are expanded to their
// *.s files, sorted). Writes one line per failing test to `out`.
PpcTestTotals run_ppc_tests(const std::vector<std::string>& paths, const PpcTestOptions& options, FILE* out);

}  // namespace xdet::cpu
