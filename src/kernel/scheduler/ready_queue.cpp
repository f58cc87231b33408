#include "kernel/scheduler/ready_queue.h"

#include <bit>

namespace xdet::kernel {

const char* sched_policy_name(SchedPolicy p) { return p == SchedPolicy::kAging ? "aging" : "strict"; }

void ReadyQueue::insert(Thread* t) {
  if (t->queued) return;
  t->queued = true;
  t->queued_key_round = t->last_run_round;
  uint32_t prio = t->base_priority;
  for (int cpu = 0; cpu < kCpuCount; ++cpu) {
    if (!(t->affinity_mask & (1u << cpu))) continue;
    buckets_[cpu][prio].insert(Key{t->queued_key_round, t->tid, t});
    nonempty_[cpu] |= 1u << prio;
  }
  ++size_;
}

void ReadyQueue::remove(Thread* t) {
  if (!t->queued) return;
  t->queued = false;
  uint32_t prio = t->base_priority;
  for (int cpu = 0; cpu < kCpuCount; ++cpu) {
    if (!(t->affinity_mask & (1u << cpu))) continue;
    auto& b = buckets_[cpu][prio];
    b.erase(Key{t->queued_key_round, t->tid, t});
    if (b.empty()) nonempty_[cpu] &= ~(1u << prio);
  }
  --size_;
}

Thread* ReadyQueue::pick_runnable(int cpu, uint64_t now_round, SchedPolicy policy) const {
  Thread* best = nullptr;
  uint32_t best_eff = 0;
  uint64_t best_round = 0;
  uint32_t mask = nonempty_[cpu];
  while (mask) {
    int prio = 31 - std::countl_zero(mask);
    mask &= ~(1u << prio);
    const Key& front = *buckets_[cpu][prio].begin();
    if (front.round >= now_round) continue;  // everyone in this bucket already ran this round
    uint32_t eff = effective_priority(*front.thread, now_round, policy);
    if (!best || eff > best_eff || (eff == best_eff && (front.round < best_round ||
                                                        (front.round == best_round && front.tid < best->tid)))) {
      best = front.thread;
      best_eff = eff;
      best_round = front.round;
    }
    // Strict: buckets are visited in descending priority, so the first
    // eligible bucket wins.
    if (policy == SchedPolicy::kStrict) break;
  }
  return best;
}

}  // namespace xdet::kernel
