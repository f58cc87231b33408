#pragma once
// A SchedulePerturber that is a pure function of a 64-bit seed.
//
// The seed first draws a profile (which perturbations are on and how hard
// they push), then every hook draws from its own counter-based stream
// (splitmix64 of seed, stream and call number), so the decisions of one
// hook do not shift when another hook is called more or less often.
//
//   CPU order      each round, with probability order_p, the six CPUs run in
//                  a shuffled order instead of 0..5.
//   quantum        each slice, with probability budget_p, the budget is cut
//                  to a uniform 1..remaining instructions (a slice may then
//                  end inside any few-thousand-instruction window); the
//                  preempted thread stays ready and its CPU idles for the
//                  rest of the round, so priorities still hold.
//   change points  PCT-style: `change_points` (0-3) slice numbers drawn in
//                  the first kChangePointHorizon picks; the thread picked at
//                  one loses its turn for 1-8 rounds (a temporary priority
//                  drop below every other ready thread of its CPU).
//   kernel calls   after each kernel call, with probability preempt_p, the
//                  caller is preempted the same way.
//   timeouts       each relative timeout or timer due time is late by
//                  0..jitter_max units (at most two slices: 200 us at the
//                  default quantum; never early).
//
// Seed 0 is reserved for the unperturbed schedule: callers install no
// perturber for it.
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/scheduler/perturbation.h"

namespace xdet::explore {

inline constexpr uint64_t kChangePointHorizon = 4096;

struct PerturbationProfile {
  uint32_t order_p_16 = 0;    // probability x 16
  uint32_t budget_p_16 = 0;
  uint32_t preempt_p_64 = 0;  // probability x 64
  uint32_t change_points = 0;
  uint64_t change_at[3] = {};
  uint32_t change_rounds[3] = {};
  uint64_t jitter_max = 0;    // instruction units
  std::string describe() const;
};

class SeededPerturber final : public kernel::SchedulePerturber {
 public:
  SeededPerturber(uint64_t seed, uint32_t quantum);
  const PerturbationProfile& profile() const { return profile_; }

  void cpu_order(uint64_t round, int order[kernel::kCpuCount]) override;
  bool defer(const kernel::Thread& t, int cpu, uint64_t round) override;
  uint64_t slice_budget(const kernel::Thread& t, int cpu, uint64_t remaining) override;
  bool preempt_after_call(const kernel::Thread& t) override;
  uint64_t deadline_jitter(uint64_t units) override;

 private:
  enum Stream : uint64_t { kOrder = 1, kBudget, kPreempt, kJitter };
  uint64_t draw(Stream s);

  uint64_t seed_;
  PerturbationProfile profile_;
  uint64_t counters_[5] = {};
  uint64_t picks_ = 0;
  struct Demotion {
    uint32_t tid;
    uint64_t until_round;  // exclusive
  };
  std::vector<Demotion> demoted_;
};

// splitmix64's output function (also the stream mixer).
uint64_t mix64(uint64_t x);

}  // namespace xdet::explore
