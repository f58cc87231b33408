// `xdet gen-traces`: write a realistic canary/ours schema-v1 trace pair
// (see diff/trace_gen.h) for demos, parity tests and benchmarks.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "app/commands.h"
#include "base/error.h"
#include "diff/trace_gen.h"

namespace xdet::app {

int run_gen_traces(int argc, char** argv) {
  diff::GenOptions o;
  std::string out_dir = ".";
  CLI::App app{"Generate a realistic schema-v1 trace pair (canary.jsonl, ours.jsonl)", "xdet gen-traces"};
  app.add_option("--out-dir", out_dir, "directory for canary.jsonl and ours.jsonl");
  app.add_option("--canary", o.canary_path, "canary trace path (overrides --out-dir)");
  app.add_option("--ours", o.ours_path, "ours trace path (overrides --out-dir)");
  app.add_option("--seed", o.seed, "random seed");
  app.add_option("--events", o.events, "approximate events per trace");
  app.add_option("--threads", o.threads, "guest threads (1..64)");
  app.add_option("--divergences", o.divergences, "divergences injected into ours (at most one per thread)");
  app.add_option("--noise", o.noise, "0 none, 1 engine-local kinds, 2 +floating create/wait, 3 +nested-cs");
  app.add_option("--exotic-rate", o.exotic_rate, "share of calls with unusual values (unicode, floats, None)");
  bool no_remap = false;
  app.add_flag("--no-remap", no_remap, "keep ours' worker tids in canary's order");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "print nothing");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  o.remap_tids = !no_remap;
  if (o.canary_path.empty()) o.canary_path = out_dir + "/canary.jsonl";
  if (o.ours_path.empty()) o.ours_path = out_dir + "/ours.jsonl";
  diff::GenSummary s = diff::generate_trace_pair(o);
  if (!quiet) {
    std::printf("%s: %llu events, %.1f MB\n", o.canary_path.c_str(), static_cast<unsigned long long>(s.canary_events),
                static_cast<double>(s.canary_bytes) / 1e6);
    std::printf("%s: %llu events, %.1f MB\n", o.ours_path.c_str(), static_cast<unsigned long long>(s.ours_events),
                static_cast<double>(s.ours_bytes) / 1e6);
    for (const std::string& d : s.injected) std::printf("injected: %s\n", d.c_str());
  }
  return 0;
}

}  // namespace xdet::app
