#include "kernel/scheduler/scheduler.h"

#include <algorithm>

#include <fmt/format.h>

namespace xdet::kernel {

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::kProcessExit: return "process-exit";
    case StopReason::kDeadlock: return "deadlock";
    case StopReason::kLivelock: return "livelock";
    case StopReason::kInstructionLimit: return "instruction-limit";
    case StopReason::kGuestTimeLimit: return "guest-time-limit";
    case StopReason::kGuestFault: return "guest-fault";
    case StopReason::kGuestTrap: return "guest-trap";
    case StopReason::kUnimplemented: return "unimplemented";
    case StopReason::kInterrupted: return "interrupted";
    case StopReason::kFrameLimit: return "frame-limit";
    case StopReason::kStopAt: return "stop-at";
  }
  return "?";
}

ExitCode exit_code_for(StopReason r) {
  switch (r) {
    case StopReason::kProcessExit:
    case StopReason::kFrameLimit:
    case StopReason::kStopAt: return ExitCode::kOk;
    case StopReason::kDeadlock:
    case StopReason::kLivelock: return ExitCode::kWedge;
    case StopReason::kInstructionLimit:
    case StopReason::kGuestTimeLimit: return ExitCode::kLimitReached;
    case StopReason::kGuestFault: return ExitCode::kGuestFault;
    case StopReason::kGuestTrap: return ExitCode::kGuestTrap;
    case StopReason::kUnimplemented: return ExitCode::kUnimplemented;
    case StopReason::kInterrupted: return ExitCode::kInterrupted;
  }
  return ExitCode::kInternal;
}

Scheduler::Scheduler(Kernel& kernel, ThreadRunner& runner, SchedulerConfig config)
    : kernel_(kernel), runner_(runner), config_(config) {
  if (config_.quantum == 0) config_.quantum = 1;
  kernel_.set_policy(config_.policy);
}

RunOutcome Scheduler::run() {
  RunOutcome out;
  uint64_t round = kernel_.round();
  uint64_t round_start = kernel_.now();
  uint64_t last_progress = kernel_.progress_epoch();
  uint64_t idle_progress_rounds = 0;
  uint64_t device_only_since = kNever;  // title blocked for good, callbacks still running
  auto finish = [&](StopReason reason, std::string message, uint32_t tid) {
    out.reason = reason;
    out.message = std::move(message);
    out.tid = tid;
    out.rounds = round;
    out.instructions = total_retired_;
    out.guest_units = kernel_.now();
    out.threads = diagnose_threads(kernel_, kernel_.memory(), kernel_.round(), config_.starved_rounds,
                                   reason == StopReason::kLivelock, cpu_holders_);
    if (reason != StopReason::kProcessExit) out.report = stop_report(reason, out.threads);
    kernel_.set_current(nullptr);
    if (TraceSink* s = kernel_.trace_sink()) s->flush();
    return out;
  };

  for (;;) {
    kernel_.set_round(round);
    kernel_.set_now(round_start);
    if (config_.stop_flag && *config_.stop_flag) return finish(StopReason::kInterrupted, "interrupted by signal", 0);
    if (kernel_.live_thread_count() == 0) return finish(StopReason::kProcessExit, "all threads exited", 0);
    if (config_.end_on_main_exit) {
      Thread* main = kernel_.thread_by_tid(kernel_.main_tid());
      if (main && main->state == ThreadState::kTerminated) return finish(StopReason::kProcessExit, "main thread exited", 0);
    }
    if (round_start >= config_.stop_at_units) {
      kernel_.set_now(config_.stop_at_units);
      return finish(StopReason::kStopAt,
                    fmt::format("stopped at guest time {} ns", ns_from_units(config_.stop_at_units)), 0);
    }
    if (round_start >= config_.max_guest_units) {
      return finish(StopReason::kGuestTimeLimit,
                    fmt::format("guest-time limit reached ({} ms)", ns_from_units(config_.max_guest_units) / 1'000'000), 0);
    }
    kernel_.expire_deadlines();
    if (auto& stop = kernel_.devices().stop()) {
      return finish(stop->frame_limit ? StopReason::kFrameLimit : StopReason::kGuestFault, stop->message, 0);
    }

    bool ran = false;
    // The round lasts as long as its busiest CPU: a CPU that ran out of
    // threads before its quantum does not burn the rest of it, so time (and
    // every timestamp) does not depend on the quantum unless a slice is cut
    // by it. A perturbed preemption keeps the whole quantum.
    uint64_t busiest = 0;
    bool cut_by_perturber = false;
    bool title_ran = false;
    SchedulePerturber* perturber = kernel_.perturber();
    int cpu_order[kCpuCount] = {0, 1, 2, 3, 4, 5};
    if (perturber) perturber->cpu_order(round, cpu_order);
    // A stop inside this round: every CPU runs up to that instant only.
    const uint64_t cpu_limit = config_.stop_at_units - round_start < config_.quantum
                                   ? config_.stop_at_units - round_start
                                   : config_.quantum;
    for (int cpu_index = 0; cpu_index < kCpuCount; ++cpu_index) {
      const int cpu = cpu_order[cpu_index];
      uint64_t used = 0;
      while (used < cpu_limit) {
        kernel_.set_now(round_start + used);
        kernel_.expire_deadlines();
        if (auto& stop = kernel_.devices().stop()) {
          return finish(stop->frame_limit ? StopReason::kFrameLimit : StopReason::kGuestFault, stop->message, 0);
        }
        if (config_.stop_at_request && *config_.stop_at_request) {
          return finish(StopReason::kStopAt, "stopped at the requested trace event", 0);
        }
        // Pending device callbacks run before any title thread on this CPU.
        Thread* t = kernel_.devices().ready_context(cpu, round);
        if (!t) t = kernel_.ready_queue().pick_runnable(cpu, round, config_.policy);
        if (!t) break;
        uint64_t budget = cpu_limit - used;
        uint64_t preempt_at = 0;  // a perturbed slice end (perturbation.h)
        if (perturber) {
          if (!t->device_context && perturber->defer(*t, cpu, round)) {
            // Loses this round: requeued as if it had run (0 instructions).
            kernel_.ready_queue().remove(t);
            t->last_run_round = round;
            kernel_.ready_queue().insert(t);
            ran = true;
            continue;
          }
          uint64_t cut = std::clamp<uint64_t>(perturber->slice_budget(*t, cpu, budget), 1, budget);
          preempt_at = cut < budget ? cut : 0;
          budget = cut;
        }
        if (config_.max_instructions) {
          if (total_retired_ >= config_.max_instructions) {
            return finish(StopReason::kInstructionLimit,
                          fmt::format("instruction limit reached ({})", config_.max_instructions), 0);
          }
          budget = std::min(budget, config_.max_instructions - total_retired_);
        }
        if (kernel_.sched_tracing()) emit_slice_begin(*t, cpu, round, round_start + used, budget);
        kernel_.ready_queue().remove(t);
        t->state = ThreadState::kRunning;
        t->last_cpu = cpu;
        t->yield_requested = false;
        GuestMemory& mem = kernel_.memory();
        mem.write8(t->kthread + layout::kThreadCurrentCpu, static_cast<uint8_t>(cpu));
        mem.write8(t->kpcr + layout::kPcrCurrentCpu, static_cast<uint8_t>(cpu));
        mem.write8(t->kthread + layout::kThreadState, 2);  // NT "Running"
        kernel_.set_current(t);
        SliceResult r = runner_.run_slice(kernel_, *t, budget);
        kernel_.set_current(nullptr);
        uint64_t retired = std::min<uint64_t>(r.retired, budget);
        if (kernel_.sched_tracing()) emit_slice_end(*t, cpu, round, round_start + used + retired, retired, budget, r.stop);
        used += retired;
        total_retired_ += retired;
        t->retired += retired;
        t->last_run_round = round;
        t->ever_ran = true;
        cpu_holders_[cpu] = t->tid;
        t->yield_requested = false;
        ran = true;
        title_ran |= !t->device_context;
        if (r.stop == SliceStop::kFault) return finish(StopReason::kGuestFault, std::move(r.message), t->tid);
        if (r.stop == SliceStop::kTrap) return finish(StopReason::kGuestTrap, std::move(r.message), t->tid);
        if (r.stop == SliceStop::kUnimplemented) return finish(StopReason::kUnimplemented, std::move(r.message), t->tid);
        if (t->state == ThreadState::kRunning) {
          t->state = ThreadState::kReady;
          mem.write8(t->kthread + layout::kThreadState, 1);
          if (t->suspend_count == 0 && !t->device_context) kernel_.ready_queue().insert(t);
          if (perturber && ((preempt_at && retired >= preempt_at) || r.stop == SliceStop::kPreempted)) {
            if (config_.stop_at_request && *config_.stop_at_request) {
              return finish(StopReason::kStopAt, "stopped at the requested trace event", t->tid);
            }
            cut_by_perturber = true;
            break;
          }
        }
        if (config_.stop_at_request && *config_.stop_at_request) {
          return finish(StopReason::kStopAt, "stopped at the requested trace event", t->tid);
        }
      }
      busiest = std::max(busiest, used);
    }

    // A title whose threads all wait for good while only device callbacks
    // (vblank, audio) still run is deadlocked: those callbacks would keep it
    // alive until the time limit.
    if (config_.device_wedge_units && !title_ran && title_blocked_forever()) {
      if (device_only_since == kNever) {
        device_only_since = round_start;
      } else if (round_start - device_only_since >= config_.device_wedge_units) {
        return finish(StopReason::kDeadlock,
                      fmt::format("every title thread waits with no timeout; for {} ms of guest time only device "
                                  "callbacks ran and none woke a title thread",
                                  ns_from_units(round_start - device_only_since) / 1'000'000),
                      0);
      }
    } else {
      device_only_since = kNever;
    }

    if (config_.on_progress && (round & 255) == 0) {
      config_.on_progress(config_.progress_user, kernel_, round, total_retired_);
    }
    uint64_t progress = kernel_.progress_epoch();
    if (ran) {
      if (progress != last_progress) {
        last_progress = progress;
        idle_progress_rounds = 0;
      } else if (++idle_progress_rounds >= config_.livelock_rounds) {
        ++round;
        return finish(StopReason::kLivelock,
                      fmt::format("no kernel progress for {} rounds while threads still run",
                                  idle_progress_rounds),
                      0);
      }
      const uint64_t length = cut_by_perturber ? cpu_limit : std::max<uint64_t>(busiest, 1);
      if (cpu_limit < config_.quantum && length >= cpu_limit) {
        kernel_.set_now(config_.stop_at_units);
        return finish(StopReason::kStopAt,
                      fmt::format("stopped at guest time {} ns", ns_from_units(config_.stop_at_units)), 0);
      }
      round_start += length;
    } else {
      uint64_t next = kernel_.next_deadline();
      if (next == kNever) {
        return finish(StopReason::kDeadlock, "no runnable thread and no pending timeout or timer", 0);
      }
      // Idle: jump to the next due time exactly.
      uint64_t target = std::max(next, round_start + 1);
      round_start = std::min(target, std::max(config_.stop_at_units, round_start + 1));
    }
    ++round;
  }
}

bool Scheduler::title_blocked_forever() const {
  if (kernel_.next_wake_deadline() != kNever) return false;
  bool any = false;
  for (const auto& tp : kernel_.threads()) {
    const Thread& t = *tp;
    if (t.device_context || t.state == ThreadState::kTerminated) continue;
    any = true;
    const bool waits_for_good = t.state == ThreadState::kWaiting && !t.wait.is_delay && !t.wait.has_timeout;
    if (!waits_for_good && t.suspend_count == 0) return false;
  }
  return any;
}

void Scheduler::emit_slice_begin(const Thread& t, int cpu, uint64_t round, uint64_t at_units, uint64_t budget) {
  kernel_.emit_sched(TraceKind::kSchedSliceBegin, at_units,
                     {{"cpu", TraceValue::uinteger(static_cast<uint64_t>(cpu))},
                      {"thread", TraceValue::uinteger(t.tid)},
                      {"round", TraceValue::uinteger(round)},
                      {"priority", TraceValue::uinteger(t.base_priority)},
                      {"effective_priority", TraceValue::uinteger(effective_priority(t, round, config_.policy))},
                      {"budget", TraceValue::uinteger(budget)},
                      {"pc", TraceValue::hex32(t.ctx.pc)}});
}

static const char* slice_end_reason(const Thread& t, SliceStop stop, uint64_t retired, uint64_t budget) {
  switch (stop) {
    case SliceStop::kFault: return "fault";
    case SliceStop::kTrap: return "trap";
    case SliceStop::kUnimplemented: return "unimplemented";
    case SliceStop::kPreempted: return "preempted";
    case SliceStop::kBudget:
    case SliceStop::kKernel: break;
  }
  if (t.state == ThreadState::kTerminated) return "exit";
  if (t.state == ThreadState::kWaiting) return t.wait.is_delay ? "delay" : "wait";
  if (t.suspend_count > 0) return "suspend";
  if (t.yield_requested) return "yield";
  if (retired >= budget) return "quantum";
  return "kernel";
}

void Scheduler::emit_slice_end(const Thread& t, int cpu, uint64_t round, uint64_t at_units, uint64_t retired,
                               uint64_t budget, SliceStop stop) {
  kernel_.emit_sched(TraceKind::kSchedSliceEnd, at_units,
                     {{"cpu", TraceValue::uinteger(static_cast<uint64_t>(cpu))},
                      {"thread", TraceValue::uinteger(t.tid)},
                      {"round", TraceValue::uinteger(round)},
                      {"instructions", TraceValue::uinteger(retired)},
                      {"reason", TraceValue::string(slice_end_reason(t, stop, retired, budget))},
                      // A thread still running goes back to the ready queue right after.
                      {"state", TraceValue::string(t.state == ThreadState::kRunning ? "ready"
                                                                                     : thread_state_name(t.state))},
                      {"pc", TraceValue::hex32(t.ctx.pc)}});
}

std::string Scheduler::stop_report(StopReason reason, const std::vector<ThreadDiagnosis>& threads) const {
  bool wedge = reason == StopReason::kDeadlock || reason == StopReason::kLivelock;
  std::string s = fmt::format("{} ({}) at round {}, guest time {} us, policy {}\n", wedge ? "wedge" : "threads at stop",
                              stop_reason_name(reason), kernel_.round(), ns_from_units(kernel_.now()) / 1000,
                              sched_policy_name(config_.policy));
  std::vector<ThreadReport> reports = kernel_.thread_reports();
  for (size_t i = 0; i < reports.size() && i < threads.size(); ++i) {
    const Thread& t = *reports[i].thread;
    if (t.state == ThreadState::kTerminated) continue;
    s += fmt::format("  tid {} {:<12} prio {} (effective {}) affinity {:#04x} cpu {}: {}\n", t.tid,
                     t.name.empty() ? "-" : t.name, t.priority_increment, reports[i].effective_priority, t.affinity_mask,
                     t.last_cpu, describe_diagnosis(threads[i], kernel_, kernel_.memory(), config_.symbols));
  }
  return s;
}

}  // namespace xdet::kernel
