// src/explore: the seeded perturber is a pure function of its seed, a
// schedule's outcome is reproducible, and summaries do not depend on the
// order results arrive in or on how the seed range was split.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "explore/schedule_run.h"
#include "explore/seeded_perturber.h"
#include "explore/summary.h"
#include "explore/worker_pool.h"

namespace xdet::explore {
namespace {

std::vector<uint64_t> decisions(uint64_t seed) {
  SeededPerturber p(seed, 10'000);
  kernel::Thread t;
  t.tid = 3;
  std::vector<uint64_t> out;
  for (uint64_t round = 1; round < 200; ++round) {
    int order[kernel::kCpuCount] = {0, 1, 2, 3, 4, 5};
    p.cpu_order(round, order);
    for (int c : order) out.push_back(static_cast<uint64_t>(c));
    out.push_back(p.defer(t, 0, round));
    out.push_back(p.slice_budget(t, 0, 10'000));
    out.push_back(p.preempt_after_call(t));
    out.push_back(p.deadline_jitter(500));
  }
  return out;
}

TEST(SeededPerturber, SameSeedSameDecisions) {
  EXPECT_EQ(decisions(17), decisions(17));
  EXPECT_NE(decisions(17), decisions(18));
}

TEST(SeededPerturber, DecisionsStayInBounds) {
  std::set<std::string> profiles;
  for (uint64_t seed = 1; seed < 300; ++seed) {
    SeededPerturber p(seed, 10'000);
    profiles.insert(p.profile().describe());
    kernel::Thread t;
    for (uint64_t round = 1; round < 50; ++round) {
      int order[kernel::kCpuCount] = {0, 1, 2, 3, 4, 5};
      p.cpu_order(round, order);
      std::vector<int> sorted(order, order + kernel::kCpuCount);
      std::sort(sorted.begin(), sorted.end());
      ASSERT_EQ(sorted, (std::vector<int>{0, 1, 2, 3, 4, 5}));
      uint64_t b = p.slice_budget(t, 0, 777);
      ASSERT_GE(b, 1u);
      ASSERT_LE(b, 777u);
      ASSERT_LE(p.deadline_jitter(100), 20'000u);
    }
  }
  EXPECT_GT(profiles.size(), 100u);  // seeds really choose different schedules
}

ScheduleOutcome outcome(uint64_t seed, FailureKind kind, std::string sig) {
  ScheduleOutcome o;
  o.seed = seed;
  o.kind = kind;
  o.exit_code = kind == FailureKind::kNone ? 0 : 7;
  o.signature = std::move(sig);
  o.detail = std::to_string(seed);
  o.detail.insert(0, 1, 'd');
  return o;
}

std::vector<ScheduleOutcome> sample_outcomes() {
  std::vector<ScheduleOutcome> v;
  for (uint64_t s = 0; s < 40; ++s) {
    if (s % 7 == 3) v.push_back(outcome(s, FailureKind::kDeadlock, "deadlock: a blocked"));
    else if (s % 11 == 5) v.push_back(outcome(s, FailureKind::kLivelock, "livelock: b spinning"));
    else v.push_back(outcome(s, FailureKind::kNone, ""));
  }
  return v;
}

TEST(Summary, IndependentOfArrivalOrderAndSmallestSeedWins) {
  RunSpec spec;
  spec.xex = "t.xex";
  std::vector<ScheduleOutcome> v = sample_outcomes();
  Summary a, b;
  for (const auto& o : v) a.add(spec, o);
  std::reverse(v.begin(), v.end());
  for (const auto& o : v) b.add(spec, o);
  a.finish();
  b.finish();
  EXPECT_EQ(a.to_json(), b.to_json());
  ASSERT_EQ(a.failures.size(), 2u);
  EXPECT_EQ(a.failures[0].seed, 3u);
  EXPECT_EQ(a.failures[0].count, 6u);  // 3 10 17 24 31 38
  EXPECT_EQ(a.failures[0].command, "xdet run --schedule-seed 3 t.xex");
  EXPECT_EQ(a.failures[1].seed, 5u);
  EXPECT_EQ(a.schedules, 40u);
  ASSERT_EQ(a.seed_ranges.size(), 1u);
  EXPECT_EQ(a.seed_ranges[0], std::make_pair(uint64_t{0}, uint64_t{39}));
}

TEST(Summary, JsonRoundTripAndMergeOfShards) {
  RunSpec spec;
  spec.xex = "t.xex";
  std::vector<ScheduleOutcome> v = sample_outcomes();
  Summary whole, lo, hi;
  whole.xex = lo.xex = hi.xex = "t.xex";
  for (const auto& o : v) {
    whole.add(spec, o);
    (o.seed < 13 ? lo : hi).add(spec, o);
  }
  whole.finish();
  lo.finish();
  hi.finish();
  Summary lo2 = parse_summary(lo.to_json(), "lo.json");
  EXPECT_EQ(lo2.to_json(), lo.to_json());
  Summary merged = merge_summaries({parse_summary(hi.to_json(), "hi.json"), lo2});
  EXPECT_EQ(merged.to_json(), whole.to_json());
  EXPECT_THROW(merge_summaries({lo, whole}), Error);  // overlapping ranges
  EXPECT_THROW(parse_summary("{\"xex\": 1}", "bad.json"), InputError);
  EXPECT_THROW(parse_summary("not json", "bad.json"), InputError);
}

// Host texts are UTF-8 and must read back as themselves: a title under a
// non-ASCII path replays by that path after --merge (found by
// fuzz_explore_summary: bytes were escaped one by one as \u00XX).
TEST(Summary, NonAsciiTextsReadBackUnchanged) {
  RunSpec spec;
  spec.xex = "/home/jos\xc3\xa9/\xe6\xb8\xac\xe8\xa9\xa6 \"quoted\".xex";
  Summary s;
  s.xex = spec.xex;
  ScheduleOutcome o;
  o.seed = 7;
  o.kind = FailureKind::kDeadlock;
  o.exit_code = 7;
  o.signature = "deadlock: caf\xc3\xa9 \xf0\x9f\x94\x92";
  o.detail = "tab\there\x01";
  s.add(spec, o);
  s.finish();
  std::string json = s.to_json();
  EXPECT_NE(json.find("jos\xc3\xa9"), std::string::npos) << json;
  Summary back = parse_summary(json, "s.json");
  EXPECT_EQ(back.xex, s.xex);
  ASSERT_EQ(back.failures.size(), 1u);
  EXPECT_EQ(back.failures[0].signature, o.signature);
  EXPECT_EQ(back.failures[0].detail, o.detail);
  EXPECT_EQ(back.failures[0].command, s.failures[0].command);
  EXPECT_NE(back.failures[0].command.find(spec.xex), std::string::npos);
  EXPECT_EQ(back.to_json(), json);
}

TEST(WorkerProtocol, OutcomeLineRoundTrip) {
  ScheduleOutcome o = outcome(12345, FailureKind::kOutputMismatch, "sig\twith tab");
  ScheduleOutcome back;
  ASSERT_TRUE(parse_outcome_line(format_outcome_line(o).substr(0, format_outcome_line(o).size() - 1), &back));
  EXPECT_EQ(back.seed, 12345u);
  EXPECT_EQ(back.kind, FailureKind::kOutputMismatch);
  EXPECT_EQ(back.signature, "sig with tab");
  EXPECT_FALSE(parse_outcome_line("1\tnope\t0\t\t", &back));
}

TEST(Verdict, FirstDifferenceLine) {
  EXPECT_EQ(first_difference_line("a\nb\n", "a\nb\n"), 0u);
  EXPECT_EQ(first_difference_line("a\nb\n", "a\nc\n"), 2u);
  EXPECT_EQ(first_difference_line("a\n", "a\nmore\n"), 2u);
}

TEST(RunSchedule, DefaultCleanAndFailingSeedsReproduce) {
  RunSpec spec;
  spec.xex = std::string(XDET_SAMPLES_DIR) + "/bug_abba.xex";
  ScheduleOutcome def = run_schedule(spec, 0);
  EXPECT_EQ(def.kind, FailureKind::kNone) << def.detail;
  uint64_t failing = 0;
  ScheduleOutcome first;
  for (uint64_t s = 1; s <= 200 && !failing; ++s) {
    first = run_schedule(spec, s);
    if (first.kind != FailureKind::kNone) failing = s;
  }
  ASSERT_NE(failing, 0u) << "no failing schedule in seeds 1..200";
  EXPECT_EQ(first.kind, FailureKind::kDeadlock);
  ScheduleOutcome again = run_schedule(spec, failing);
  EXPECT_EQ(again.kind, first.kind);
  EXPECT_EQ(again.signature, first.signature);
  EXPECT_EQ(again.detail, first.detail);
}

}  // namespace
}  // namespace xdet::explore
