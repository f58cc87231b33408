#pragma once
// Hooks through which a schedule explorer varies the deterministic schedule.
//
// The kernel and the scheduler consult a SchedulePerturber only when one is
// installed (Kernel::set_perturber); without one every hook is a single
// null-pointer test per slice, per kernel call or per timed wait, and the
// schedule is exactly the unperturbed one. An implementation must be a pure
// function of its own seed and of the calls it receives (which are
// themselves deterministic), so a perturbed run is as reproducible as a
// default one. The seeded implementation lives in src/explore.
#include <cstdint>

#include "kernel/thread.h"

namespace xdet::kernel {

class SchedulePerturber {
 public:
  virtual ~SchedulePerturber() = default;
  // Called once at the start of each round with `order` = {0..5}; may
  // permute it (the order in which the CPUs run this round).
  virtual void cpu_order(uint64_t round, int order[kCpuCount]) = 0;
  // True: `t`, just picked for `cpu`, loses its turn this round (a priority
  // change point: it counts as having run, for 0 instructions).
  virtual bool defer(const Thread& t, int cpu, uint64_t round) = 0;
  // The budget of the slice about to start, 1..remaining. A slice that
  // runs out of a shortened budget is preempted: it stays ready and its CPU
  // does nothing else this round (as if an interrupt took the rest of it),
  // so a cut never hands the CPU to a lower-priority thread.
  virtual uint64_t slice_budget(const Thread& t, int cpu, uint64_t remaining) = 0;
  // True: preempt `t` after the kernel call it just made (it stays ready;
  // its CPU's turn ends as above).
  virtual bool preempt_after_call(const Thread& t) = 0;
  // Extra instruction units added to a timeout or timer due `units` from now
  // (late only: a console's timers never fire early).
  virtual uint64_t deadline_jitter(uint64_t units) = 0;
};

}  // namespace xdet::kernel
