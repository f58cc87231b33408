// xdet timeline TRACE -o FILE: draws a run. The default output is one
// self-contained HTML page (lanes per CPU and per thread, waits, calls,
// signal -> wake arrows, the stop point); --format perfetto writes the
// Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing open.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "base/error.h"
#include "timeline/timeline_model.h"
#include "timeline/timeline_writers.h"
#include "trace/trace_reader.h"

namespace xdet::app {

int run_timeline(int argc, char** argv) {
  std::string trace_path, out_path, exit_path, format = "html";
  CLI::App app{"Draws a schema-v1 trace: one lane per CPU (needs a trace recorded with xdet run --trace-sched)\n"
               "and per thread, with waits, kernel calls, signal -> wake arrows and the stop point.",
               "xdet timeline"};
  app.option_defaults()->always_capture_default();
  app.add_option("trace", trace_path, "the schema-v1 JSONL trace")->required();
  app.add_option("-o,--output", out_path, "the file to write")->required();
  app.add_option("--format", format, "html (self-contained page) or perfetto (Chrome trace-event JSON)")
      ->check(CLI::IsMember({"html", "perfetto"}));
  app.add_option("--exit-state", exit_path,
                 "exit-thread-state.json for the stop point and thread names (default: beside the trace, if present)");
  if (auto rc = parse_cli(app, "timeline", argc, argv)) return *rc;
  if (exit_path.empty()) exit_path = trace::default_exit_state_path(trace_path);

  timeline::Model model = timeline::build_model(trace_path, exit_path);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(out_path.c_str(), "wb"), std::fclose);
  if (!out) throw Error(ExitCode::kUsage, fmt::format("cannot write {}: {}", out_path, std::strerror(errno)));
  if (format == "perfetto") timeline::write_perfetto(model, out.get());
  else timeline::write_html(model, out.get());
  if (std::ferror(out.get())) throw Error(ExitCode::kInternal, fmt::format("writing {} failed", out_path));
  std::fprintf(stderr, "xdet timeline: %llu events, %zu threads, %zu slices, %zu waits, %zu calls -> %s\n",
               static_cast<unsigned long long>(model.event_count), model.threads.size(), model.slices.size(),
               model.waits.size(), model.calls.size(), out_path.c_str());
  return 0;
}

}  // namespace xdet::app
