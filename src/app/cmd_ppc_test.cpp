// xdet ppc-test FILE|DIR...: runs annotated PowerPC instruction tests.
#include <cstdio>
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
               "(format: shared/ppc-tests/FORMAT.md). Prints one line per failing test\n"
               "and 'N passed, N failed'. Exit 0 only if no test failed.",
               "xdet ppc-test"};
  app.option_defaults()->always_capture_default();
  app.add_option("paths", paths, "test files or directories of *.s files")->required();
  app.add_flag("-v,--verbose", options.verbose, "also print passing tests");
  app.add_option("--max-instructions", options.max_instructions, "instruction budget per test")->check(kNonNegative);
  app.add_option("--cpu", engine, "execution engine (identical results; interp is the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  if (auto rc = parse_cli(app, "ppc-test", argc, argv)) return *rc;
  install_cpu_engine_check(engine);
  options.configure_cpu = [&engine](cpu::Cpu& core) { install_cpu_engine(core, engine); };
  cpu::PpcTestTotals t = cpu::run_ppc_tests(paths, options, stdout);
  std::printf("%d passed, %d failed\n", t.passed, t.failed);
  std::fflush(stdout);
  return t.failed == 0 ? 0 : to_int(ExitCode::kTestFailure);
}

}  // namespace xdet::app
