// xdet db TRACE -o FILE.sqlite: the trace as a SQLite database, for the
// questions a time line cannot answer at a glance (docs/analysis.md).
#include <cstdio>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "db/trace_db.h"
#include "trace/trace_reader.h"

namespace xdet::app {

int run_db(int argc, char** argv) {
  std::string trace_path, out_path, exit_path;
  CLI::App app{"Loads a schema-v1 trace (and its exit-thread-state.json) into a fresh SQLite database:\n"
               "events, threads, objects, waits, calls, signals and, with --trace-sched, slices and\n"
               "ready periods. Ready queries: docs/analysis.md.",
               "xdet db"};
  app.option_defaults()->always_capture_default();
  app.add_option("trace", trace_path, "the schema-v1 JSONL trace")->required();
  app.add_option("-o,--output", out_path, "the database file to write (replaced if it exists)")->required();
  app.add_option("--exit-state", exit_path,
                 "exit-thread-state.json for thread names and the stop point (default: beside the trace, if present)");
  if (auto rc = parse_cli(app, "db", argc, argv)) return *rc;
  if (exit_path.empty()) exit_path = trace::default_exit_state_path(trace_path);
  db::LoadStats st;
  try {
    st = db::load_trace_db(trace_path, exit_path, out_path);
  } catch (...) {
    std::remove(out_path.c_str());  // no half-loaded database left behind
    throw;
  }
  double rate = st.load_seconds > 0 ? static_cast<double>(st.events) / st.load_seconds : 0;
  std::fprintf(stderr,
               "xdet db: %llu events (%llu threads, %llu objects, %llu waits, %llu calls, %llu signals, %llu slices) "
               "loaded in %.3f s (%.0f events/s; CPU %.3f s, %.0f events/s; parse %.3f s, insert %.3f s), "
               "indexed in %.3f s (CPU %.3f s) -> %s\n",
               static_cast<unsigned long long>(st.events), static_cast<unsigned long long>(st.threads),
               static_cast<unsigned long long>(st.objects), static_cast<unsigned long long>(st.waits),
               static_cast<unsigned long long>(st.calls), static_cast<unsigned long long>(st.signals),
               static_cast<unsigned long long>(st.slices), st.load_seconds, rate, st.load_cpu_seconds,
               st.load_cpu_seconds > 0 ? static_cast<double>(st.events) / st.load_cpu_seconds : 0,
               st.reader_cpu_seconds, st.writer_cpu_seconds, st.index_seconds,
               st.index_cpu_seconds,
               out_path.c_str());
  return 0;
}

}  // namespace xdet::app
