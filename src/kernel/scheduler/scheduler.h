#pragma once
// The deterministic 6-CPU round scheduler.
//
// Time advances in rounds. In round r, CPUs 0..5 run one after another (a
// fixed order, so the interleaving is a pure function of the input): each
// CPU repeatedly picks the best runnable thread allowed on it
// (ReadyQueue::pick_runnable, aging or strict) and runs it for the rest of
// its `quantum` retired instructions, or until the thread blocks, yields,
// exits or faults. A thread runs at most one slice per round. The guest
// clock inside a slice is round_start + instructions already used on that
// CPU this round; a round lasts as long as its busiest CPU (the quantum
// when a slice was cut by it or by a perturbation), so a quantum that cuts
// no slice changes no time. When no CPU has anything to run, time jumps to
// the next timeout/timer/device due time exactly.
//
// Stops: all threads (or the main thread) exited; deadlock (nothing
// runnable and no timeout or timer pending); livelock (no state-changing
// kernel event for `livelock_rounds` rounds in which threads still ran);
// instruction or guest-time limit (default 60 s of guest time); guest
// fault; unimplemented import; SIGINT/SIGTERM (stop_flag); a requested
// stop at a guest time or trace event (stop_at_units, stop_at_request).
//
// No host thread, host clock, pointer value or unordered container
// influences any decision here.
#include <csignal>
#include <cstdint>
#include <string>

#include "base/error.h"
#include "kernel/kernel.h"
#include "kernel/scheduler/diagnosis.h"
#include "loader/symbols.h"

namespace xdet::kernel {

enum class SliceStop : uint8_t {
  kBudget,         // used its whole budget (or its state changed: checked by the scheduler)
  kKernel,         // a kernel call ended the slice (blocked, yielded, exited)
  kFault,          // guest fault (message says where)
  kUnimplemented,  // unimplemented import / system call
  kTrap,           // trap instruction taken
  kPreempted,      // SchedulePerturber::preempt_after_call (explore only)
};

struct SliceResult {
  uint64_t retired = 0;
  SliceStop stop = SliceStop::kBudget;
  std::string message;
};

// Executes guest code for one thread. The CPU-backed runner interprets
// instructions and dispatches `sc` to HLE exports; tests use scripted
// runners. Must stop as soon as kernel.slice_must_end(t) after a kernel call.
class ThreadRunner {
 public:
  virtual ~ThreadRunner() = default;
  virtual SliceResult run_slice(Kernel& kernel, Thread& t, uint64_t budget) = 0;
};

enum class StopReason : uint8_t {
  kProcessExit,
  kDeadlock,
  kLivelock,
  kInstructionLimit,
  kGuestTimeLimit,
  kGuestFault,
  kGuestTrap,
  kUnimplemented,
  kInterrupted,
  kFrameLimit,   // --max-frames swaps completed (a clean stop)
  kStopAt,       // --stop-at / --stop-at-guest-ms reached
};
const char* stop_reason_name(StopReason r);
ExitCode exit_code_for(StopReason r);

inline constexpr uint64_t kDefaultMaxGuestMs = 60'000;

struct SchedulerConfig {
  SchedPolicy policy = SchedPolicy::kAging;
  uint32_t quantum = 10'000;                 // retired instructions per slice
  uint64_t max_instructions = 0;             // total over all threads; 0 = none
  uint64_t max_guest_units = units_from_ms(kDefaultMaxGuestMs);
  uint64_t livelock_rounds = 20'000;         // rounds without kernel progress
  // Deadlock behind device callbacks: every title thread blocked with no
  // timeout, nothing but the vblank/audio cadences left that could wake one,
  // and no title thread run for this much guest time (0 = never).
  uint64_t device_wedge_units = units_from_ms(2000);
  uint64_t starved_rounds = 8;               // "ready but starved" threshold in reports
  const volatile std::sig_atomic_t* stop_flag = nullptr;
  bool end_on_main_exit = true;
  // Deterministic stops for state dumps: every CPU stops exactly at guest
  // time `stop_at_units` (kNever = none); `stop_at_request` set by whoever
  // watches for a trace event (the current slice ends after the kernel call
  // that emitted it).
  uint64_t stop_at_units = kNever;
  const bool* stop_at_request = nullptr;
  // Guest symbols for the stop report (function+0xoff, backtraces); may be null.
  const loader::SymbolTable* symbols = nullptr;
  // Called every 256 rounds (e.g. a progress line on a terminal). It only
  // observes: nothing it does may reach guest state.
  void (*on_progress)(void* user, const Kernel& kernel, uint64_t round, uint64_t instructions) = nullptr;
  void* progress_user = nullptr;
};

struct RunOutcome {
  StopReason reason = StopReason::kProcessExit;
  std::string message;      // fault / unimplemented detail, or wedge summary
  std::string report;       // stop report: every live thread and its diagnosis (not on a clean exit)
  std::vector<ThreadDiagnosis> threads;  // each thread's diagnosis, in thread_reports() order
  uint32_t tid = 0;         // thread that faulted / hit an unimplemented call
  uint64_t rounds = 0;
  uint64_t instructions = 0;
  uint64_t guest_units = 0;
};

class Scheduler {
 public:
  Scheduler(Kernel& kernel, ThreadRunner& runner, SchedulerConfig config);
  RunOutcome run();
  const SchedulerConfig& config() const { return config_; }

 private:
  std::string stop_report(StopReason reason, const std::vector<ThreadDiagnosis>& threads) const;
  // Every live title thread (not a device context) waits with no timeout or
  // is suspended, and no deadline but the device cadences is pending.
  bool title_blocked_forever() const;
  // sched.slice.begin / sched.slice.end (only when the kernel traces them).
  void emit_slice_begin(const Thread& t, int cpu, uint64_t round, uint64_t at_units, uint64_t budget);
  void emit_slice_end(const Thread& t, int cpu, uint64_t round, uint64_t at_units, uint64_t retired, uint64_t budget,
                      SliceStop stop);

  Kernel& kernel_;
  ThreadRunner& runner_;
  SchedulerConfig config_;
  uint64_t total_retired_ = 0;
  CpuHolders cpu_holders_{};  // per CPU, the thread that ran there last
};

}  // namespace xdet::kernel
