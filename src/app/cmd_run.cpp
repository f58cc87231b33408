// xdet run FILE.xex: boots a title on the HLE kernel and runs it under the
// deterministic scheduler until the process exits, a limit is reached, the
// scheduler detects a wedge, the guest faults or calls something xdet does
// not implement, or SIGINT/SIGTERM arrives. The trace (--trace) and the
// exit-thread-state.json are complete and valid on every one of those paths.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "app/cpu_engine.h"
#include "app/progress_line.h"
#include "base/error.h"
#include "base/output_file.h"
#include "explore/schedule_run.h"
#include "explore/seeded_perturber.h"
#include "kernel/exports/import_stubs.h"
#include "kernel/runtime/process.h"
#include "kernel/scheduler/scheduler.h"
#include "loader/symbols.h"
#include "trace/exit_state.h"
#include "trace/jsonl_writer.h"
#include "trace/state_dump.h"
#include "trace/stop_signal.h"

namespace xdet::app {
namespace {

// Reads a contention manifest: one guest address per line, '#' starts a comment.
void read_contention_manifest(const std::string& path, std::set<uint32_t>* out) {
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
    out->insert(static_cast<uint32_t>(v));
  }
}

uint32_t parse_guest_address(const std::string& v) {
  char* end = nullptr;
  unsigned long long x = std::strtoull(v.c_str(), &end, 0);
  if (v.empty() || !end || *end || x > 0xFFFFFFFFull) {
    throw Error(ExitCode::kUsage, "--contention-watch: not a guest address: " + v);
  }
  return static_cast<uint32_t>(x);
}

std::string file_name_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int run_run(int argc, char** argv) {
  std::string xex, trace_path, exit_path;
  kernel::SchedulerConfig sched;
  kernel::KernelConfig kcfg;
  uint64_t seed = 0;
  std::string policy = "aging";
  uint32_t quantum = sched.quantum;
  uint64_t max_guest_ms = 60000;
  uint64_t device_wedge_ms = 2000;
  std::vector<std::string> watch;
  std::vector<std::string> manifests;
  kernel::TitleOptions title;
  bool no_profile = false;
  std::string input_script, launch_data;
  std::string engine = default_cpu_engine();
  std::string display = "1280x720";
  uint64_t schedule_seed = 0;
  bool check_exit_code = false;
  std::string expect_output_path;
  std::string stop_at, state_dump_path;
  double stop_at_guest_ms = -1;

  CLI::App app{"Runs an Xbox 360 XEX on the HLE kernel with the deterministic 6-CPU scheduler.\n"
               "Guest time: 1 retired instruction = 10 ns. Exit codes: 0 process exited, 3 bad XEX,\n"
               "4 guest fault, 5 trap, 6 limit reached, 7 wedge (deadlock/livelock),\n"
               "8 unimplemented import, 10 output not writable, 11 nonzero title exit (--check-exit-code),\n"
               "12 output differs (--expect-output), 130 interrupted.",
               "xdet run"};
  configure_app(app);
  app.add_option("xex", xex, "the XEX2 file to run")->required();
  CLI::Option* trace_opt = app.add_option("--trace", trace_path, "write the schema-v1 JSONL event trace");
  app.add_flag("--trace-sched", kcfg.trace_sched,
               "also trace scheduling (engine-local sched.slice.begin/end and sched.ready events on stream tid -1)")
      ->needs(trace_opt);
  app.add_option("--exit-state", exit_path,
                 "where to write the exit state (default: NAME.exit-thread-state.json beside the trace NAME.jsonl; "
                 "none without --trace)");
  app.add_option("--sched-policy", policy, "priority aging or strict priority")
      ->check(CLI::IsMember({"aging", "strict"}));
  app.add_option("--quantum", quantum, "instructions per scheduler slice")->check(kNonNegative & CLI::Range(1u, 0xFFFFFFFFu));
  app.add_option("--max-instructions", sched.max_instructions, "stop after N retired instructions (exit 6; 0 = none)")
      ->check(kNonNegative);
  app.add_option("--max-guest-ms", max_guest_ms, "stop after N ms of guest time (exit 6)")
      ->check(kNonNegative);
  app.add_option("--livelock-rounds", sched.livelock_rounds,
                 "rounds without kernel progress that count as a livelock (exit 7)")
      ->check(kNonNegative);
  app.add_option("--device-wedge-ms", device_wedge_ms,
                 "guest ms in which only device callbacks run while every title thread waits with no timeout "
                 "that count as a deadlock (exit 7; 0 = off)")
      ->check(kNonNegative);
  app.add_option("--schedule-seed", schedule_seed,
                 "run the schedule `xdet explore` calls seed S (0 = the default schedule)")
      ->check(kNonNegative);
  app.add_flag("--check-exit-code", check_exit_code, "exit 11 when the title exits with a nonzero code");
  app.add_option("--expect-output", expect_output_path,
                 "exit 12 when the guest's output differs from FILE (the output is still printed)");
  auto* stop_event_opt = app.add_option("--stop-at", stop_at,
                 "stop right after trace event TID:IDX (tid, tid_event_idx; the kernel call emitting it completes) "
                 "and write a state dump");
  app.add_option("--stop-at-guest-ms", stop_at_guest_ms,
                 "stop every CPU exactly at guest time T ms and write a state dump")
      ->check(CLI::NonNegativeNumber)
      ->excludes(stop_event_opt);
  app.add_option("--state-dump", state_dump_path,
                 "where the --stop-at state dump goes (default: NAME.state-dump.txt beside NAME.jsonl, else stderr)");
  app.add_option("--contention-watch", watch,
                 "emit contention.observed for this critical section address (repeatable; 'all' = every section)");
  app.add_option("--contention-manifest", manifests,
                 "the same for every address listed in FILE (one per line, '#' starts a comment)");
  app.add_option("--seed", seed, "recorded in the trace header; seeds XeCryptRandom")
      ->check(kNonNegative);
  app.add_option("--args", title.command_line_args,
                 "the title's command line arguments (ExLoadedCommandLine is \"NAME.xex\" ARGS)");
  app.add_flag("--no-profile", no_profile, "no signed-in profile (default: one offline profile in slot 0)");
  app.add_option("--gamertag", title.gamertag, "name of the signed-in profile");
  app.add_option("--input", input_script,
                 "connect controller 0 and play this per-frame controller script (format: docs/kernel.md)");
  app.add_option("--language", title.language, "XGetLanguage / XCONFIG language (1 English, 2 Japanese, 3 German, ...)")
      ->check(CLI::Range(1u, 255u));
  app.add_option("--game-region", title.game_region, "XGetGameRegion (0xFFFF all regions, 0x00FF North America, 0x02FE Europe, ...)")
      ->check(kNonNegative & CLI::Range(0u, 0xFFFFu));
  app.add_option("--av-pack", title.av_pack, "XGetAVPack (6 VGA; titles treat values other than 3, 4, 6, 8 as PAL-only)")
      ->check(kNonNegative & CLI::Range(0u, 255u));
  app.add_flag("--widescreen", title.widescreen, "XCONFIG video flags report a widescreen display");
  app.add_option("--launch-data", launch_data,
                 "the bytes of FILE are the launch data XamLoaderGetLaunchData returns (default: none)");
  app.add_option("--game-dir", kcfg.game_dir,
                 "the title's folder behind game:\\ and d:\\ (read-only; default: the XEX's directory)")
      ->check(CLI::ExistingDirectory);
  std::vector<std::string> stub_specs;
  bool stub_all_missing = false;
  app.add_option("--stub", stub_specs,
                 "NAME[=STATUS]: a call of the unimplemented export NAME returns STATUS (default 0) instead of "
                 "stopping the run (repeatable)");
  app.add_flag("--stub-all-missing", stub_all_missing,
               "every unimplemented import returns 0 (or its --stub STATUS) instead of stopping the run");
  std::string symbols_path;
  app.add_option("--symbols", symbols_path,
                 "guest symbols (an ELF or an nm-style map) for PCs in reports; default: NAME.elf beside NAME.xex");
  app.add_flag("--keep-scratch", kcfg.keep_scratch,
               "keep the per-run scratch directory behind cache: and the hard disk (its path goes to stderr)");
  app.add_option("--content-dir", kcfg.content_dir,
                 "keep XAM content packages (saved games, DLC) in DIR across runs (default: the run's scratch directory)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--license-mask", title.license_mask,
                 "XamContentGetLicenseMask and the licenses of marketplace content (0: none, a trial)");
  kernel::DeviceOptions& dev = kcfg.devices;
  app.add_option("--display", display, "the display mode titles see (WIDTHxHEIGHT)");
  app.add_option("--refresh-hz", dev.refresh_hz, "vblank rate in Hz of guest time")->check(CLI::Range(1u, 240u));
  app.add_flag("--gpu-lenient", dev.gpu_lenient,
               "skip (and count) unknown GPU command packets instead of stopping with a dump");
  app.add_option("--max-frames", dev.max_frames, "stop cleanly after N swapped frames (exit 0; 0 = no limit)");
  app.add_option("--dump-frames", dev.dump_frames_dir, "write each swapped front buffer as DIR/frame-NNNNNN.png");
  app.add_option("--audio-out", dev.audio_out, "write the submitted audio frames as a WAV file (float, 6 ch, 48 kHz)");
  app.add_option("--cpu", engine, "execution engine (identical traces; interp is the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  if (auto rc = parse_cli(app, "run", argc, argv)) return *rc;
  install_cpu_engine_check(engine);
  {
    unsigned w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(display.c_str(), "%u%c%u%c", &w, &x, &h, &extra) != 3 || x != 'x' || w < 64 || h < 64 ||
        w > 8192 || h > 8192) {
      throw Error(ExitCode::kUsage, "--display: expected WIDTHxHEIGHT (64-8192 each), e.g. 1280x720");
    }
    dev.width = w;
    dev.height = h;
  }
  sched.policy = policy == "strict" ? kernel::SchedPolicy::kStrict : kernel::SchedPolicy::kAging;
  sched.quantum = quantum;
  sched.max_guest_units = kernel::units_from_ms(max_guest_ms);
  sched.device_wedge_units = kernel::units_from_ms(device_wedge_ms);
  for (const std::string& w : watch) {
    if (w == "all") kcfg.contention_all = true;
    else kcfg.contention_watch.insert(parse_guest_address(w));
  }
  for (const std::string& m : manifests) read_contention_manifest(m, &kcfg.contention_watch);
  if (exit_path.empty() && !trace_path.empty()) exit_path = trace::exit_state_path_for(trace_path);
  trace::ExitStateContext exit_context{file_name_of(trace_path)};

  if (title.gamertag.empty() || title.gamertag.size() > 15) {
    throw Error(ExitCode::kUsage, "--gamertag: 1 to 15 characters");
  }
  title.seed = seed;
  title.profile_signed_in = !no_profile;
  if (!input_script.empty()) {
    std::ifstream in(input_script, std::ios::binary);
    if (!in) throw Error(ExitCode::kUsage, "--input: cannot read " + input_script);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    title.input = kernel::parse_input_script(text, input_script);
    title.controller_connected = true;
  }

  if (!launch_data.empty()) {
    std::ifstream in(launch_data, std::ios::binary);
    if (!in) throw Error(ExitCode::kUsage, "--launch-data: cannot read " + launch_data);
    title.launch_data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (title.launch_data.empty() || title.launch_data.size() > 0x10000) {
      throw Error(ExitCode::kUsage, "--launch-data: the file must hold 1 to 65536 bytes");
    }
  }

  kernel::ImportStubs stubs;
  for (const std::string& spec : stub_specs) stubs.add(spec);
  stubs.set_all_missing(stub_all_missing);
  if (stubs.active()) kcfg.stubs = &stubs;

  loader::SymbolTable symbols = loader::SymbolTable::beside_xex(xex);
  if (!symbols_path.empty()) symbols.merge(loader::SymbolTable::load_file(symbols_path));
  if (!symbols.empty()) sched.symbols = &symbols;

  kernel::Process process(xex, kcfg, std::move(title));
  install_cpu_engine(process.cpu(), engine);
  std::unique_ptr<trace::JsonlTraceWriter> writer;
  if (!trace_path.empty()) {
    writer = std::make_unique<trace::JsonlTraceWriter>(trace_path, trace::TraceHeader{process.title_id(), seed});
    process.kernel().set_trace_sink(writer.get());
  }
  std::string expected_output, output;
  if (!expect_output_path.empty()) {
    std::ifstream in(expect_output_path, std::ios::binary);
    if (!in) throw Error(ExitCode::kUsage, "--expect-output: cannot read " + expect_output_path);
    expected_output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    process.kernel().set_debug_output([&output](std::string_view s) {
      output.append(s);
      std::fwrite(s.data(), 1, s.size(), stdout);
    });
  }
  std::unique_ptr<explore::SeededPerturber> perturber;
  if (schedule_seed != 0) {
    perturber = std::make_unique<explore::SeededPerturber>(schedule_seed, sched.quantum);
    process.kernel().set_perturber(perturber.get());
  }
  std::unique_ptr<trace::StopAtEventSink> stop_sink;
  if (!stop_at.empty()) {
    size_t colon = stop_at.find(':');
    auto digits = [](const std::string& v) { return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos; };
    if (colon == std::string::npos || !digits(stop_at.substr(0, colon)) || !digits(stop_at.substr(colon + 1))) {
      throw Error(ExitCode::kUsage, "--stop-at: expected TID:IDX (tid and tid_event_idx of a trace event), got " + stop_at);
    }
    stop_sink = std::make_unique<trace::StopAtEventSink>(
        process.kernel(), writer.get(), static_cast<uint32_t>(std::stoul(stop_at.substr(0, colon))),
        std::stoull(stop_at.substr(colon + 1)));
    process.kernel().set_trace_sink(stop_sink.get());
    sched.stop_at_request = stop_sink->fired_flag();
  }
  if (stop_at_guest_ms >= 0) {
    sched.stop_at_units = static_cast<uint64_t>(stop_at_guest_ms * 1e6 / 10.0 + 0.5);
  }
  sched.stop_flag = trace::install_stop_signal_handlers();
  ProgressLine progress(stderr);
  if (progress.active()) {
    sched.on_progress = &ProgressLine::callback;
    sched.progress_user = &progress;
  }
  process.boot();
  kernel::RunOutcome o = process.run(sched);
  progress.finish();
  std::fflush(stdout);
  if (writer) writer->flush();
  if (std::string err = process.kernel().devices().finish_outputs(); !err.empty()) {
    std::fprintf(stderr, "xdet run: --audio-out: %s\n", err.c_str());
  }
  if (kcfg.keep_scratch) std::fprintf(stderr, "xdet run: scratch directory kept at %s\n", process.scratch_path().c_str());
  exit_context.symbols = sched.symbols;
  exit_context.memory = &process.memory();
  exit_context.stubs = kcfg.stubs;
  if (!exit_path.empty()) trace::write_exit_state(exit_path, process.kernel(), o, exit_context);
  if (!stop_at.empty() || stop_at_guest_ms >= 0) {
    std::string where = !stop_at.empty()
                            ? (o.reason == kernel::StopReason::kStopAt
                                   ? fmt::format("after trace event {} ({})", stop_at, stop_sink->fired_kind())
                                   : fmt::format("trace event {} was never reached", stop_at))
                            : fmt::format("at guest time {} ms", stop_at_guest_ms);
    std::string dump = trace::render_state_dump(process.kernel(), o, where);
    if (state_dump_path.empty() && !trace_path.empty()) state_dump_path = trace::trace_sibling_path(trace_path, ".state-dump.txt");
    if (state_dump_path.empty()) {
      std::fputs(dump.c_str(), stderr);
    } else {
      write_output_file(state_dump_path, dump.data(), dump.size(), "state dump");
      std::fprintf(stderr, "xdet run: state dump written to %s\n", state_dump_path.c_str());
    }
  }

  explore::Verdict verdict = explore::judge_run(process.kernel(), o, check_exit_code,
                                                expect_output_path.empty() ? nullptr : &expected_output, output);
  process.kernel().set_perturber(nullptr);
  ExitCode code = static_cast<ExitCode>(verdict.exit_code);
  if (o.reason == kernel::StopReason::kProcessExit && code != ExitCode::kOk) {
    std::fprintf(stderr, "xdet run: %s: %s\n", explore::failure_kind_name(verdict.kind), verdict.detail.c_str());
  }
  if (kernel::exit_code_for(o.reason) != ExitCode::kOk) {
    std::fprintf(stderr, "xdet run: %s: %s\n", kernel::stop_reason_name(o.reason), o.message.c_str());
    if (const kernel::Thread* t = o.tid ? process.kernel().thread_by_tid(o.tid) : nullptr) {
      std::fprintf(stderr, "  tid %u pc %s\n  backtrace: %s\n", t->tid,
                   sched.symbols ? symbols.describe_pc(t->ctx.pc).c_str() : fmt::format("0x{:08x}", t->ctx.pc).c_str(),
                   kernel::format_backtrace(process.memory(), *t, sched.symbols).c_str());
    }
    if (!o.report.empty()) std::fputs(o.report.c_str(), stderr);
  }
  for (const kernel::ImportStubs::Stubbed& st : stubs.called()) {
    std::fprintf(stderr, "xdet run: stubbed %s!%s (ordinal %u): %llu call(s) returned 0x%08X\n", st.module.c_str(),
                 st.name.c_str(), st.ordinal, static_cast<unsigned long long>(st.calls), st.status);
  }
  std::fprintf(stderr, "xdet run: %s after %llu instructions, %llu rounds, %.3f ms guest time\n",
               kernel::stop_reason_name(o.reason), static_cast<unsigned long long>(o.instructions),
               static_cast<unsigned long long>(o.rounds),
               static_cast<double>(kernel::ns_from_units(o.guest_units)) / 1e6);
  return to_int(code);
}

}  // namespace xdet::app
