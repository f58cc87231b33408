// `xdet gen-traces`: write a realistic canary/ours schema-v1 trace pair
// (see diff/trace_gen.h) for demos, parity tests and benchmarks.
#include <cstdio>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "base/error.h"
#include "base/output_file.h"
#include "diff/trace_gen.h"

namespace xdet::app {

int run_gen_traces(int argc, char** argv) {
  diff::GenOptions o;
  std::string out_dir;
  CLI::App app{"Generate a realistic schema-v1 trace pair (canary.jsonl, ours.jsonl) in --out-dir\n"
               "(created if needed), or at --canary and --ours.",
               "xdet gen-traces"};
  configure_app(app);
  app.add_option("--out-dir", out_dir, "directory for canary.jsonl and ours.jsonl (required unless --canary and --ours)");
  app.add_option("--canary", o.canary_path, "canary trace path (overrides --out-dir)");
  app.add_option("--ours", o.ours_path, "ours trace path (overrides --out-dir)");
  app.add_option("--seed", o.seed, "random seed")->check(kNonNegative);
  app.add_option("--events", o.events, "approximate events per trace")->check(kPositive);
  app.add_option("--threads", o.threads, "guest threads")->check(CLI::Range(1, 64));
  app.add_option("--divergences", o.divergences, "divergences injected into ours (at most one per thread)")
      ->check(CLI::Range(0, 64));
  app.add_option("--noise", o.noise, "0 none, 1 engine-local kinds, 2 +floating create/wait, 3 +nested-cs")
      ->check(CLI::Range(0, 3));
  app.add_option("--exotic-rate", o.exotic_rate, "share of calls with unusual values (unicode, floats, None)")
      ->check(CLI::Range(0.0, 1.0));
  bool no_remap = false;
  app.add_flag("--no-remap", no_remap, "keep ours' worker tids in canary's order");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "print nothing");
  if (auto rc = parse_cli(app, "gen-traces", argc, argv)) return *rc;
  // Never scatter two large files into whatever the current directory is.
  if (out_dir.empty() && (o.canary_path.empty() || o.ours_path.empty())) {
    throw Error(ExitCode::kUsage, "give --out-dir DIR (or both --canary and --ours)");
  }
  o.remap_tids = !no_remap;
  if (o.canary_path.empty()) o.canary_path = out_dir + "/canary.jsonl";
  if (o.ours_path.empty()) o.ours_path = out_dir + "/ours.jsonl";
  create_parent_dirs(o.canary_path);
  create_parent_dirs(o.ours_path);
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
