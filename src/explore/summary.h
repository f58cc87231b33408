#pragma once
// Exploration results: per-schedule outcomes grouped into failures by
// (kind, signature), each with the smallest seed that shows it; the JSON
// summary (`--json`), and merging summaries of disjoint seed ranges.
//
// A summary depends only on the set of seeds explored and the run options,
// never on how many workers ran them, in what order they finished, or on
// host time, so shards explored anywhere merge into the summary one run of
// the whole range would give.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "explore/schedule_run.h"

namespace xdet::explore {

struct FailureGroup {
  FailureKind kind = FailureKind::kNone;
  std::string signature;
  uint64_t seed = 0;       // smallest seed showing it
  uint64_t count = 0;      // schedules showing it
  int exit_code = 0;       // exit code of the replay command
  std::string command;     // replays `seed`
  std::string detail;      // stop message of `seed`
};

struct Summary {
  std::string xex;
  std::string options;     // the replay command of seed 0 (identifies the run options)
  std::vector<std::pair<uint64_t, uint64_t>> seed_ranges;  // inclusive, sorted, disjoint
  uint64_t schedules = 0;
  uint64_t clean = 0;
  std::vector<FailureGroup> failures;  // by smallest seed

  void add(const RunSpec& spec, const ScheduleOutcome& o);  // outcomes in any order
  void finish();                                            // sorts failures
  std::string to_json() const;
  std::string to_text() const;
};

// Parses a summary written by Summary::to_json (throws InputError naming
// `path` on anything else).
Summary parse_summary(const std::string& text, const std::string& path);
// Merges summaries of the same title and options over disjoint seed ranges
// (throws Error(kUsage) if they differ or overlap).
Summary merge_summaries(const std::vector<Summary>& parts);

}  // namespace xdet::explore
