// xdet ppc-test FILE|DIR...: runs annotated PowerPC instruction tests.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "app/commands.h"
#include "base/error.h"
#include "cpu/harness/ppc_test.h"

namespace xdet::app {

int run_ppc_test(int argc, char** argv) {
  cpu::PpcTestOptions options;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf(
          "usage: xdet ppc-test [--verbose] [--max-instructions N] FILE|DIR...\n"
          "Assembles each instr_*.s / seq_*.s test file and runs its test_ labels\n"
          "(format: shared/ppc-tests/FORMAT.md). Prints one line per failing test\n"
          "and 'N passed, N failed'. Exit 0 only if no test failed.\n");
      return 0;
    } else if (a == "--verbose" || a == "-v") {
      options.verbose = true;
    } else if (a == "--max-instructions" && i + 1 < argc) {
      options.max_instructions = std::strtoull(argv[++i], nullptr, 0);
    } else if (!a.empty() && a[0] == '-') {
      throw Error(ExitCode::kUsage, "unknown option " + a);
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) throw Error(ExitCode::kUsage, "no test files given (usage: xdet ppc-test FILE|DIR...)");
  cpu::PpcTestTotals t = cpu::run_ppc_tests(paths, options, stdout);
  std::printf("%d passed, %d failed\n", t.passed, t.failed);
  std::fflush(stdout);
  return t.failed == 0 ? 0 : to_int(ExitCode::kTestFailure);
}

}  // namespace xdet::app
