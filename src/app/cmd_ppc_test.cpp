// xdet ppc-test FILE|DIR...: runs annotated PowerPC instruction tests.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "app/cpu_engine.h"
#include "base/error.h"
#include "cpu/cpu.h"
#include "cpu/harness/ppc_test.h"

namespace xdet::app {

int run_ppc_test(int argc, char** argv) {
  cpu::PpcTestOptions options;
  std::vector<std::string> paths;
  std::string engine = default_cpu_engine();
  CLI::App app{"Assembles each instr_*.s / seq_*.s test file and runs its test_ labels\n"
               "(format: shared/ppc-tests/FORMAT.md). Prints one line per failing test and\n"
               "'N passed, N failed'. Exit 0 only if every test passed; 9 if one failed;\n"
               "3 if a file named on the command line (or all of them) holds no test.",
               "xdet ppc-test"};
  configure_app(app);
  app.add_option("paths", paths, "test files or directories of *.s files")->required();
  app.add_flag("-v,--verbose", options.verbose, "also print passing tests");
  app.add_option("--max-instructions", options.max_instructions, "instructions per test before it counts as a hang")
      ->check(kPositive);
  app.add_option("--cpu", engine, "execution engine (identical results; interp is the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  if (auto rc = parse_cli(app, "ppc-test", argc, argv)) return *rc;
  install_cpu_engine_check(engine);
  options.configure_cpu = [&engine](cpu::Cpu& core) { install_cpu_engine(core, engine); };

  cpu::PpcTestTotals t = cpu::run_ppc_tests(paths, options, stdout);
  std::printf("%d passed, %d failed\n", t.passed, t.failed);
  std::fflush(stdout);
  // A file named explicitly that holds no test is a mistake (a wrong path or
  // a file in another format), not a success with zero tests.
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) continue;
    for (const std::string& empty : t.files_without_tests) {
      if (empty == p) throw InputError(p + ": no test_ label (not an annotated test file: shared/ppc-tests/FORMAT.md)");
    }
  }
  if (t.passed + t.failed == 0) throw InputError("no test_ label in any of the given files");
  return t.failed == 0 ? 0 : to_int(ExitCode::kTestFailure);
}

}  // namespace xdet::app
