#pragma once
// The set of runnable threads, organised for a cheap pick_runnable.
//
// Per CPU, 32 buckets (one per base priority); a bucket is ordered by
// (last_run_round, tid). A thread appears in the bucket of every CPU its
// affinity mask allows. Because the bucket front has the oldest
// last_run_round, it is both the aged-most candidate of that priority and
// the tie-break winner, so a pick inspects at most 32 fronts:
//
//   effective(t) = base(t) + min(31, now_round - last_run_round(t))   [aging]
//   effective(t) = base(t)                                             [strict]
//   AGING_ROUNDS_PER_BONUS = 1
//
// Deterministic tie-break (documented): highest effective priority, then the
// thread that has waited longest (smallest last_run_round), then the lowest
// tid. A thread runs at most one slice per round: fronts whose
// last_run_round == now_round are skipped (the whole bucket ran this round).
// Cost: O(32) per pick + O(k log n) per insert/remove (k = CPUs in mask).
#include <cstddef>
#include <cstdint>
#include <set>

#include "kernel/thread.h"

namespace xdet::kernel {

enum class SchedPolicy : uint8_t { kAging, kStrict };
inline constexpr uint64_t kAgingRoundsPerBonus = 1;
inline constexpr uint32_t kMaxAgingBonus = 31;

const char* sched_policy_name(SchedPolicy p);

inline uint32_t effective_priority(const Thread& t, uint64_t now_round, SchedPolicy policy) {
  if (policy == SchedPolicy::kStrict) return t.base_priority;
  uint64_t age = now_round > t.last_run_round ? (now_round - t.last_run_round) / kAgingRoundsPerBonus : 0;
  return t.base_priority + static_cast<uint32_t>(age < kMaxAgingBonus ? age : kMaxAgingBonus);
}

class ReadyQueue {
 public:
  void insert(Thread* t);
  void remove(Thread* t);
  // Best thread for `cpu` under `policy`, or null. Does not remove it.
  Thread* pick_runnable(int cpu, uint64_t now_round, SchedPolicy policy) const;
  size_t size() const { return size_; }

 private:
  struct Key {
    uint64_t round;
    uint32_t tid;
    Thread* thread;
    bool operator<(const Key& o) const { return round != o.round ? round < o.round : tid < o.tid; }
  };
  std::set<Key> buckets_[kCpuCount][kMaxPriority + 1];
  uint32_t nonempty_[kCpuCount] = {};
  size_t size_ = 0;
};

}  // namespace xdet::kernel
