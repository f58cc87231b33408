#pragma once
// Parallel schedule runs in worker processes: `jobs` copies of xdet itself
// (fork + exec of /proc/self/exe with the worker's argv), each reading seeds
// from its stdin and answering one line per seed on its stdout. Seeds are
// handed out in increasing order as workers become free; the results are
// keyed by seed, so which worker ran which seed never shows in a summary.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "explore/schedule_run.h"

namespace xdet::explore {

// One line of the worker protocol (tab-separated, no tabs or newlines in
// the fields).
std::string format_outcome_line(const ScheduleOutcome& o);
bool parse_outcome_line(const std::string& line, ScheduleOutcome* o);

// The worker side: reads seeds (one decimal number per line) from `in`
// until EOF, runs each, writes its line to `out` and flushes.
int serve_worker(const RunSpec& spec, std::FILE* in, std::FILE* out);

struct PoolOptions {
  std::vector<std::string> worker_argv;  // argv[0] is ignored; the binary is /proc/self/exe
  unsigned jobs = 1;
  uint64_t first_seed = 0;
  uint64_t last_seed = 0;                // inclusive
  double time_budget_s = 0;              // 0 = none: stop handing out seeds after it
  std::function<void(const ScheduleOutcome&)> on_result;  // called in completion order
};

// Runs seeds first_seed.. in worker processes. Returns the number of
// seeds completed: always the whole prefix first_seed..first_seed+n-1 (a
// time budget only stops handing out new seeds). Throws Error on a worker
// that dies or answers garbage.
uint64_t run_pool(const PoolOptions& opts);

}  // namespace xdet::explore
