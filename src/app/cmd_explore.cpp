// xdet explore FILE.xex: runs many seeded schedules of a title (each a pure
// function of its seed, see src/explore) in worker processes and reports
// every distinct failure with its smallest seed and replay command.
// xdet explore --merge a.json b.json ...: merges summaries of disjoint seed
// ranges (shards explored on other machines).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "base/error.h"
#include "explore/schedule_run.h"
#include "explore/summary.h"
#include "explore/worker_pool.h"
#include "kernel/runtime/process.h"

namespace xdet::app {
namespace {

std::string read_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ExitCode::kUsage, fmt::format("{}: cannot read {}", what, path));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw Error(ExitCode::kUsage, "cannot write " + path);
}

bool parse_seed_range(const std::string& v, uint64_t* a, uint64_t* b) {
  size_t colon = v.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) return false;
  auto num = [](const std::string& s, uint64_t* out) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    *out = std::strtoull(s.c_str(), nullptr, 10);
    return errno == 0;
  };
  return num(v.substr(0, colon), a) && num(v.substr(colon + 1), b) && *a <= *b;
}

int finish_summary(const explore::Summary& s, const std::string& json_path) {
  std::fputs(s.to_text().c_str(), stdout);
  if (!json_path.empty()) write_text(json_path, s.to_json());
  return s.failures.empty() ? 0 : to_int(ExitCode::kTestFailure);
}

}  // namespace

int run_explore(int argc, char** argv) {
  std::vector<std::string> inputs;
  explore::RunSpec spec;
  std::string policy = "aging", json_path, seed_range;
  uint64_t schedules = 100;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  unsigned jobs = cpus > 0 ? static_cast<unsigned>(cpus) : 1;
  double time_budget = 0;
  bool merge = false, worker = false, progress_flag = false, no_progress = false;

  CLI::App app{"Runs many seeded schedules of a title and reports every distinct failure (deadlock, livelock,\n"
               "fault, trap, nonzero title exit, output mismatch, limit) with the smallest seed showing it and\n"
               "the `xdet run --schedule-seed` command that replays it. Seed 0 is the default schedule.\n"
               "Exit codes: 0 no failure, 9 failures found, 2 bad command line, 3 bad XEX or summary.",
               "xdet explore"};
  app.option_defaults()->always_capture_default();
  app.add_option("inputs", inputs, "the XEX2 file to explore (with --merge: the JSON summaries to merge)")->required();
  app.add_option("--schedules", schedules, "explore seeds 0..N-1")->check(kNonNegative & CLI::Range(uint64_t{1}, UINT64_MAX));
  app.add_option("--seed-range", seed_range, "explore seeds A..B inclusive instead (shards: A:B)");
  app.add_option("--jobs,-j", jobs, "worker processes (the results do not depend on it)")
      ->check(kNonNegative & CLI::Range(1u, 256u));
  app.add_option("--time-budget", time_budget,
                 "stop handing out seeds after SECONDS; the summary covers the seeds run (a prefix of the range)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--json", json_path, "write the summary as JSON");
  app.add_flag("--progress", progress_flag, "show the progress line even when stderr is not a terminal");
  app.add_flag("--no-progress", no_progress, "never show the progress line");
  app.add_flag("--merge", merge, "merge the JSON summaries given as inputs (disjoint seed ranges of one title)");
  app.add_option("--expect-output", spec.expect_output_path, "a schedule whose guest output differs from FILE fails");
  app.add_option("--sched-policy", policy, "priority aging or strict priority")->check(CLI::IsMember({"aging", "strict"}));
  app.add_option("--quantum", spec.quantum, "instructions per scheduler slice")->check(kNonNegative & CLI::Range(1u, 0xFFFFFFFFu));
  app.add_option("--max-instructions", spec.max_instructions, "per schedule (limit failure; 0 = none)")->check(kNonNegative);
  app.add_option("--max-guest-ms", spec.max_guest_ms, "per schedule (limit failure)")->check(kNonNegative);
  app.add_option("--livelock-rounds", spec.livelock_rounds, "rounds without kernel progress that count as a livelock")
      ->check(kNonNegative);
  app.add_option("--game-dir", spec.game_dir, "the title's folder behind game:\\ (default: the XEX's directory)")
      ->check(CLI::ExistingDirectory);
  app.add_flag("--worker", worker, "internal: serve seeds from stdin (used by the worker processes)")->group("");
  if (auto rc = parse_cli(app, "explore", argc, argv)) return *rc;

  if (merge) {
    std::vector<explore::Summary> parts;
    for (const std::string& f : inputs) parts.push_back(explore::parse_summary(read_text(f, "--merge"), f));
    return finish_summary(explore::merge_summaries(parts), json_path);
  }
  if (inputs.size() != 1) throw Error(ExitCode::kUsage, "give one XEX file (or --merge with summaries)");
  spec.xex = inputs[0];
  spec.policy = policy == "strict" ? kernel::SchedPolicy::kStrict : kernel::SchedPolicy::kAging;
  if (!spec.expect_output_path.empty()) spec.expected_output = read_text(spec.expect_output_path, "--expect-output");

  if (worker) return explore::serve_worker(spec, stdin, stdout);

  uint64_t first = 0, last = schedules - 1;
  if (!seed_range.empty() && !parse_seed_range(seed_range, &first, &last)) {
    throw Error(ExitCode::kUsage, "--seed-range: expected A:B with A <= B, got " + seed_range);
  }
  {
    // Fail early, with the loader's message, on a file no worker could run.
    kernel::KernelConfig kc;
    kc.game_dir = spec.game_dir;
    kernel::Process check(spec.xex, kc, kernel::TitleOptions{});
  }

  explore::PoolOptions pool;
  pool.worker_argv.assign(argv, argv + argc);
  pool.worker_argv.insert(pool.worker_argv.begin(), "xdet");
  pool.worker_argv.push_back("--worker");
  pool.jobs = jobs;
  pool.first_seed = first;
  pool.last_seed = last;
  pool.time_budget_s = time_budget;

  const bool show_progress = !no_progress && (progress_flag || ::isatty(2));
  const uint64_t total = last - first + 1;
  const auto start = std::chrono::steady_clock::now();
  auto last_draw = start - std::chrono::seconds(1);
  std::map<uint64_t, explore::ScheduleOutcome> results;
  std::set<std::pair<int, std::string>> distinct;
  pool.on_result = [&](const explore::ScheduleOutcome& o) {
    if (o.kind != explore::FailureKind::kNone) distinct.insert({static_cast<int>(o.kind), o.signature});
    results.emplace(o.seed, o);
    auto now = std::chrono::steady_clock::now();
    if (!show_progress || (now - last_draw < std::chrono::milliseconds(100) && results.size() != total)) return;
    last_draw = now;
    double secs = std::chrono::duration<double>(now - start).count();
    size_t width = 30, filled = static_cast<size_t>(width * results.size() / total);
    std::fprintf(stderr, "\r[%s%s] %zu/%llu schedules, %.1f/s, %zu failure%s ", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), results.size(), static_cast<unsigned long long>(total),
                 secs > 0 ? results.size() / secs : 0.0, distinct.size(), distinct.size() == 1 ? "" : "s");
    std::fflush(stderr);
  };
  uint64_t done = explore::run_pool(pool);
  if (show_progress) std::fputc('\n', stderr);

  explore::Summary summary;
  summary.xex = spec.xex;
  summary.options = explore::replay_command(spec, 0, explore::FailureKind::kNone);
  for (const auto& [seed, o] : results) summary.add(spec, o);
  summary.finish();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "xdet explore: %llu schedules (seeds %llu..%llu) in %.1f s with %u worker%s\n",
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(first),
               static_cast<unsigned long long>(first + done - 1), secs, jobs, jobs == 1 ? "" : "s");
  return finish_summary(summary, json_path);
}

}  // namespace xdet::app
