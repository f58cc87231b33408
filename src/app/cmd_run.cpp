// xdet run FILE.xex: boots a title on the HLE kernel and runs it under the
// deterministic scheduler until the process exits, a limit is reached, the
// scheduler detects a wedge, the guest faults or calls something xdet does
// not implement, or SIGINT/SIGTERM arrives. The trace (--trace) and the
// exit-thread-state.json are complete and valid on every one of those paths.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "app/commands.h"
#include "base/error.h"
#include "kernel/runtime/process.h"
#include "kernel/scheduler/scheduler.h"
#include "trace/exit_state.h"
#include "trace/jsonl_writer.h"
#include "trace/stop_signal.h"

namespace xdet::app {
namespace {

constexpr const char* kUsage =
    "usage: xdet run [options] FILE.xex\n"
    "Runs an Xbox 360 XEX on the HLE kernel with the deterministic 6-CPU scheduler.\n"
    "  --trace PATH              write the schema-v1 JSONL event trace\n"
    "  --exit-state PATH         where to write exit-thread-state.json (default: beside\n"
    "                            the trace, as exit-thread-state.json; none without --trace)\n"
    "  --sched-policy aging|strict   priority aging (default) or strict priority\n"
    "  --quantum N               instructions per scheduler slice (default 10000)\n"
    "  --max-instructions N      stop after N retired instructions (exit 6)\n"
    "  --max-guest-ms N          stop after N ms of guest time (default 60000; exit 6)\n"
    "  --livelock-rounds N       rounds without kernel progress that count as a\n"
    "                            livelock (default 20000; exit 7)\n"
    "  --contention-watch ADDR   emit contention.observed for this critical section\n"
    "                            (repeatable; 'all' watches every section)\n"
    "  --contention-manifest F   the same for every address listed in F (one per line,\n"
    "                            '#' starts a comment)\n"
    "  --seed N                  recorded in the trace header (xdet uses no randomness)\n"
    "Guest time: 1 retired instruction = 10 ns. Exit codes: 0 process exited, 4 guest\n"
    "fault, 5 trap, 6 limit reached, 7 wedge (deadlock/livelock), 8 unimplemented\n"
    "import, 130 interrupted, 3 bad XEX.\n";

uint64_t parse_u64(const std::string& opt, const char* v) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v, &end, 0);
  if (!end || *end || !*v) throw Error(ExitCode::kUsage, "bad value for " + opt + ": " + v);
  return x;
}

std::string sibling_path(const std::string& path, const std::string& name) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? name : path.substr(0, slash + 1) + name;
}

}  // namespace

int run_run(int argc, char** argv) {
  std::string xex, trace_path, exit_path;
  kernel::SchedulerConfig sched;
  kernel::KernelConfig kcfg;
  uint64_t seed = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) throw Error(ExitCode::kUsage, "missing value for " + a);
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--trace") {
      trace_path = value();
    } else if (a == "--exit-state") {
      exit_path = value();
    } else if (a == "--sched-policy") {
      std::string p = value();
      if (p == "aging") sched.policy = kernel::SchedPolicy::kAging;
      else if (p == "strict") sched.policy = kernel::SchedPolicy::kStrict;
      else throw Error(ExitCode::kUsage, "--sched-policy must be aging or strict, not " + p);
    } else if (a == "--quantum") {
      uint64_t q = parse_u64(a, value());
      if (q == 0 || q > 0xFFFFFFFFu) throw Error(ExitCode::kUsage, "--quantum must be 1..4294967295");
      sched.quantum = static_cast<uint32_t>(q);
    } else if (a == "--max-instructions") {
      sched.max_instructions = parse_u64(a, value());
    } else if (a == "--max-guest-ms") {
      sched.max_guest_units = kernel::units_from_ms(parse_u64(a, value()));
    } else if (a == "--livelock-rounds") {
      sched.livelock_rounds = parse_u64(a, value());
    } else if (a == "--contention-watch") {
      std::string v = value();
      if (v == "all") kcfg.contention_all = true;
      else kcfg.contention_watch.insert(static_cast<uint32_t>(parse_u64(a, v.c_str())));
    } else if (a == "--contention-manifest") {
      std::string path = value();
      std::ifstream in(path);
      if (!in) throw Error(ExitCode::kUsage, "cannot read contention manifest " + path);
      int lineno = 0;
      for (std::string line; std::getline(in, line);) {
        ++lineno;
        line = line.substr(0, line.find('#'));
        size_t b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
        if (b == std::string::npos) continue;
        std::string tok = line.substr(b, e - b + 1);
        char* end = nullptr;
        unsigned long long v = std::strtoull(tok.c_str(), &end, 0);
        if (!end || *end || v > 0xFFFFFFFFull) {
          throw InputError(path + ":" + std::to_string(lineno) + ": not a guest address: " + tok);
        }
        kcfg.contention_watch.insert(static_cast<uint32_t>(v));
      }
    } else if (a == "--seed") {
      seed = parse_u64(a, value());
    } else if (!a.empty() && a[0] == '-') {
      throw Error(ExitCode::kUsage, "unknown option " + a + "\n" + kUsage);
    } else if (xex.empty()) {
      xex = a;
    } else {
      throw Error(ExitCode::kUsage, "more than one XEX given");
    }
  }
  if (xex.empty()) throw Error(ExitCode::kUsage, kUsage);
  if (exit_path.empty() && !trace_path.empty()) exit_path = sibling_path(trace_path, "exit-thread-state.json");

  kernel::Process process(xex, kcfg);
  std::unique_ptr<trace::JsonlTraceWriter> writer;
  if (!trace_path.empty()) {
    writer = std::make_unique<trace::JsonlTraceWriter>(trace_path, trace::TraceHeader{process.title_id(), seed});
    process.kernel().set_trace_sink(writer.get());
  }
  sched.stop_flag = trace::install_stop_signal_handlers();
  process.boot();
  kernel::RunOutcome o = process.run(sched);
  if (writer) writer->flush();
  if (!exit_path.empty()) trace::write_exit_state(exit_path, process.kernel(), o);

  ExitCode code = kernel::exit_code_for(o.reason);
  if (code != ExitCode::kOk) {
    std::fprintf(stderr, "xdet run: %s: %s\n", kernel::stop_reason_name(o.reason), o.message.c_str());
    if (!o.report.empty()) std::fputs(o.report.c_str(), stderr);
  }
  std::fprintf(stderr, "xdet run: %s after %llu instructions, %llu rounds, %.3f ms guest time\n",
               kernel::stop_reason_name(o.reason), static_cast<unsigned long long>(o.instructions),
               static_cast<unsigned long long>(o.rounds),
               static_cast<double>(kernel::ns_from_units(o.guest_units)) / 1e6);
  return to_int(code);
}

}  // namespace xdet::app
