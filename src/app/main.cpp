// xdet: deterministic Xbox 360 guest-execution engine. Dispatches to the
// subcommands; each reports its own errors and exit codes.
#include <cstdio>
#include <cstring>
#include <exception>

#include "app/cli.h"
#include "app/commands.h"
#include "app/version.h"
#include "base/error.h"

namespace xdet::app {
namespace {

const Command kCommands[] = {
    {"ppc-test", "run annotated PowerPC instruction tests", run_ppc_test},
    {"run", "run an XEX on the HLE kernel and deterministic scheduler", run_run},
    {"run-elf", "run a static PowerPC ELF with a minimal syscall shim", run_run_elf},
    {"inspect", "summarise an XEX2 file, disassemble part of it, list import coverage", run_inspect},
    {"explore", "run many seeded schedules of an XEX and report every distinct failure", run_explore},
    {"explain", "explain a stopped run: wait-for graph, cycles, starvation, spinners", run_explain},
    {"exports", "list the kernel and XAM exports xdet implements", run_exports},
    {"pack", "build an XEX2 file from a linked guest ELF", run_pack},
    {"diff", "compare two schema-v1 traces, report first divergence per thread", run_diff},
    {"timeline", "draw a trace: self-contained HTML or Perfetto JSON", run_timeline},
    {"db", "load a trace into SQLite for queries", run_db},
    {"gen-traces", "generate a realistic canary/ours trace pair", run_gen_traces},
    {nullptr, nullptr, nullptr},
};

void print_usage(FILE* out) {
  std::fprintf(out, "usage: xdet <command> [options]\n       xdet --version\n\ncommands:\n");
  for (const Command& c : kCommands) {
    if (c.name) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
  }
  std::fprintf(out, "\nRun 'xdet <command> --help' for a command's options.\n");
}

}  // namespace
}  // namespace xdet::app

int main(int argc, char** argv) {
  using namespace xdet::app;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    print_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? xdet::to_int(xdet::ExitCode::kUsage) : 0;
  }
  if (!std::strcmp(argv[1], "--version") || !std::strcmp(argv[1], "-V")) {
    print_version(stdout);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (c.name && !std::strcmp(argv[1], c.name)) {
      try {
        return c.run(argc - 1, argv + 1);
      } catch (const xdet::Error& e) {
        std::fprintf(stderr, "xdet %s: error: %s\n", c.name, e.what());
        return xdet::to_int(e.code());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "xdet %s: internal error: %s\n", c.name, e.what());
        return xdet::to_int(xdet::ExitCode::kInternal);
      }
    }
  }
  const char* closest = nullptr;
  size_t closest_d = 3;  // suggest only near misses
  for (const Command& c : kCommands) {
    if (!c.name) continue;
    size_t d = detail::edit_distance(argv[1], c.name);
    if (d < closest_d) {
      closest_d = d;
      closest = c.name;
    }
  }
  if (closest) {
    std::fprintf(stderr, "xdet: unknown command '%s'; did you mean '%s'?\n\n", argv[1], closest);
  } else {
    std::fprintf(stderr, "xdet: unknown command '%s'\n\n", argv[1]);
  }
  print_usage(stderr);
  return xdet::to_int(xdet::ExitCode::kUsage);
}
