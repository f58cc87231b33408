// APCs, DPCs and IRQL: the guest routines the kernel runs on a thread
// between two of its instructions.
//
// A routine starts by saving the thread's registers in a CallbackFrame,
// moving r1 below the interrupted frame (a back-chained 0x100-byte frame
// plus a 0x40-byte block for the kernel routine's out-parameters), and
// jumping to the routine with LR = kCallbackReturnLr. The runner reports
// the return (callback_returned), which continues with the APC's normal
// routine or restores the registers exactly as they were. Everything is
// decided at instruction boundaries the scheduler already has (slice start,
// export return), so delivery is as deterministic as the rest.
#include <algorithm>

#include "kernel/kernel.h"

namespace xdet::kernel {

namespace {
// KAPC (kernel-objects.md).
constexpr uint32_t kApcType = 0x00;
constexpr uint32_t kApcMode = 0x02;
constexpr uint32_t kApcInserted = 0x03;
constexpr uint32_t kApcThread = 0x04;
constexpr uint32_t kApcKernelRoutine = 0x10;
constexpr uint32_t kApcRundownRoutine = 0x14;
constexpr uint32_t kApcNormalRoutine = 0x18;
constexpr uint32_t kApcNormalContext = 0x1C;
constexpr uint32_t kApcArg1 = 0x20;
constexpr uint32_t kApcArg2 = 0x24;
constexpr uint32_t kApcSize = 0x28;
constexpr uint8_t kApcObjectType = 18;
constexpr uint8_t kUserMode = 1;
// KDPC.
constexpr uint32_t kDpcType = 0x00;
constexpr uint32_t kDpcListEntry = 0x04;
constexpr uint32_t kDpcRoutine = 0x0C;
constexpr uint32_t kDpcContext = 0x10;
constexpr uint32_t kDpcArg1 = 0x14;
constexpr uint32_t kDpcArg2 = 0x18;
constexpr uint16_t kDpcObjectType = 19;

constexpr uint32_t kCallbackFrameSize = 0x100;
constexpr uint32_t kCallbackScratchSize = 0x40;

void restore_registers(cpu::PpcContext& ctx, const cpu::PpcContext& saved) {
  std::copy(std::begin(saved.gpr), std::end(saved.gpr), std::begin(ctx.gpr));
  std::copy(std::begin(saved.fpr), std::end(saved.fpr), std::begin(ctx.fpr));
  std::copy(std::begin(saved.vr), std::end(saved.vr), std::begin(ctx.vr));
  ctx.cr = saved.cr;
  ctx.xer = saved.xer;
  ctx.lr = saved.lr;
  ctx.ctr = saved.ctr;
  ctx.fpscr = saved.fpscr;
  ctx.vscr = saved.vscr;
  ctx.vrsave = saved.vrsave;
  ctx.pc = saved.pc;
  ctx.msr = saved.msr;
  ctx.reserve_valid = false;
}
}  // namespace

// ---------------------------------------------------------------- APC objects

void Kernel::initialize_apc(uint32_t apc, uint32_t kthread, uint32_t kernel_routine, uint32_t rundown_routine,
                            uint32_t normal_routine, uint8_t mode, uint32_t normal_context) {
  mem_.write8(apc + kApcType, kApcObjectType);
  mem_.write8(apc + 1, 0);
  // NT: an APC without a normal routine is a kernel-mode (special) APC.
  mem_.write8(apc + kApcMode, normal_routine ? mode : 0);
  mem_.write8(apc + kApcInserted, 0);
  mem_.write32(apc + kApcThread, kthread);
  mem_.write32(apc + 0x08, 0);
  mem_.write32(apc + 0x0C, 0);
  mem_.write32(apc + kApcKernelRoutine, kernel_routine);
  mem_.write32(apc + kApcRundownRoutine, rundown_routine);
  mem_.write32(apc + kApcNormalRoutine, normal_routine);
  mem_.write32(apc + kApcNormalContext, normal_routine ? normal_context : 0);
  mem_.write32(apc + kApcArg1, 0);
  mem_.write32(apc + kApcArg2, 0);
}

bool Kernel::insert_queue_apc(Thread* caller, uint32_t apc, uint32_t arg1, uint32_t arg2) {
  if (mem_.read8(apc + kApcInserted)) return false;
  Thread* t = thread_by_kthread(mem_.read32(apc + kApcThread));
  if (!t || t->state == ThreadState::kTerminated) return false;
  mem_.write32(apc + kApcArg1, arg1);
  mem_.write32(apc + kApcArg2, arg2);
  mem_.write8(apc + kApcInserted, 1);
  ++progress_;
  if (mem_.read8(apc + kApcMode) == kUserMode) {
    t->user_apcs.push_back(apc);
    alert_for_user_apc(caller, *t);
  } else {
    t->kernel_apcs.push_back(apc);
    // NT runs kernel APCs inside a wait (and resumes waiting); normal ones
    // only outside a critical region.
    bool enabled = static_cast<int32_t>(mem_.read32(t->kthread + layout::kThreadApcDisable)) == 0;
    if (t->state == ThreadState::kWaiting && irql(*t) == kPassiveLevel &&
        (enabled || !mem_.read32(apc + kApcNormalRoutine))) {
      interrupt_wait(*t);
    }
  }
  return true;
}

bool Kernel::remove_queue_apc(uint32_t apc) {
  if (!mem_.read8(apc + kApcInserted)) return false;
  mem_.write8(apc + kApcInserted, 0);
  if (Thread* t = thread_by_kthread(mem_.read32(apc + kApcThread))) {
    for (auto* q : {&t->kernel_apcs, &t->user_apcs}) {
      if (auto it = std::find(q->begin(), q->end(), apc); it != q->end()) q->erase(it);
    }
  }
  return true;
}

bool Kernel::queue_user_apc(Thread* caller, Thread& target, uint32_t routine, uint32_t context, uint32_t arg1,
                            uint32_t arg2) {
  if (target.state == ThreadState::kTerminated) return false;
  uint32_t apc = pool_.allocate(kApcSize, 16);
  if (!apc) return false;
  initialize_apc(apc, target.kthread, 0, 0, routine, kUserMode, context);
  kernel_owned_apcs_.insert(apc);
  return insert_queue_apc(caller, apc, arg1, arg2);
}

void Kernel::alert_for_user_apc(Thread* caller, Thread& t) {
  if (t.state != ThreadState::kWaiting || !t.wait.active || !t.wait.alertable || t.user_apcs.empty()) return;
  t.user_apc_delivery = true;
  complete_wait(t, kStatusUserApc, caller, false, 0);
}

// ---------------------------------------------------------------- DPCs

void Kernel::initialize_dpc(uint32_t dpc, uint32_t routine, uint32_t context) {
  mem_.write16(dpc + kDpcType, kDpcObjectType);
  mem_.write8(dpc + 2, 0);
  mem_.write8(dpc + 3, 0);
  mem_.write32(dpc + kDpcListEntry, 0);
  mem_.write32(dpc + kDpcListEntry + 4, 0);
  mem_.write32(dpc + kDpcRoutine, routine);
  mem_.write32(dpc + kDpcContext, context);
  mem_.write32(dpc + kDpcArg1, 0);
  mem_.write32(dpc + kDpcArg2, 0);
}

bool Kernel::insert_queue_dpc(uint32_t dpc, uint32_t arg1, uint32_t arg2) {
  if (std::find(dpcs_.begin(), dpcs_.end(), dpc) != dpcs_.end()) return false;
  mem_.write32(dpc + kDpcArg1, arg1);
  mem_.write32(dpc + kDpcArg2, arg2);
  // The guest sees a queued DPC as a linked entry (self-links: the queue itself is host-side).
  mem_.write32(dpc + kDpcListEntry, dpc + kDpcListEntry);
  mem_.write32(dpc + kDpcListEntry + 4, dpc + kDpcListEntry);
  dpcs_.push_back(dpc);
  ++progress_;
  // Queued outside any thread (a timer) with no thread ready to run it: the
  // lowest-tid blocked thread is interrupted to run it, as a CPU takes a DPC
  // whatever it was doing.
  if (!current_ && ready_.size() == 0) {
    for (const auto& t : threads_) {
      if (t->state == ThreadState::kWaiting && t->suspend_count == 0 && irql(*t) < kDispatchLevel) {
        interrupt_wait(*t);
        break;
      }
    }
  }
  return true;
}

bool Kernel::remove_queue_dpc(uint32_t dpc) {
  auto it = std::find(dpcs_.begin(), dpcs_.end(), dpc);
  if (it == dpcs_.end()) return false;
  dpcs_.erase(it);
  mem_.write32(dpc + kDpcListEntry, 0);
  mem_.write32(dpc + kDpcListEntry + 4, 0);
  return true;
}

// ---------------------------------------------------------------- IRQL

void Kernel::set_irql(Thread& t, uint8_t level) {
  mem_.write8(t.kpcr + layout::kPcrIrql, level);
  if (level < kDispatchLevel && t.deferred_preempt) {
    t.deferred_preempt = false;
    if (&t == current_) t.yield_requested = true;
  }
}

// ---------------------------------------------------------------- timers

void Kernel::set_timer_apc(uint32_t timer, Thread* target, uint32_t routine, uint32_t context) {
  auto it = timer_apcs_.find(timer);
  if (it != timer_apcs_.end()) {
    remove_queue_apc(it->second.apc);
    pool_.release(it->second.apc);
    timer_apcs_.erase(it);
  }
  if (!routine || !target) return;
  uint32_t apc = pool_.allocate(kApcSize, 16);
  if (!apc) return;
  initialize_apc(apc, target->kthread, 0, 0, routine, kUserMode, context);
  timer_apcs_[timer] = {apc, target->tid};
}

// At expiry: the timer's APC (NtSetTimerEx) with the current FILETIME, and
// its DPC (KeSetTimer/KeSetTimerEx) with the same arguments, as NT passes them.
void Kernel::expire_timer_extras(uint32_t timer) {
  uint64_t ft = system_time();
  auto lo = static_cast<uint32_t>(ft), hi = static_cast<uint32_t>(ft >> 32);
  if (auto it = timer_apcs_.find(timer); it != timer_apcs_.end()) {
    Thread* t = thread_by_tid(it->second.tid);
    if (t && t->state != ThreadState::kTerminated) insert_queue_apc(nullptr, it->second.apc, lo, hi);
  }
  // A DPC pointer the guest cannot write (a stale or garbage KTIMER field)
  // is not queued: expiry happens between slices, where a guest fault has
  // no thread to stop.
  uint32_t dpc = mem_.read32(timer + layout::kTimerDpc);
  if (dpc && mem_.is_accessible(dpc, kDpcArg2 + 4, GuestMemory::kProtRW)) insert_queue_dpc(dpc, lo, hi);
}

// ---------------------------------------------------------------- delivery

void Kernel::push_callback(Thread& t, CallbackKind kind, uint32_t object, uint32_t routine, uint8_t level,
                           std::initializer_list<uint32_t> args) {
  CallbackFrame& f = t.callbacks.emplace_back();
  f.saved = t.ctx;
  f.kind = kind;
  f.object = object;
  f.routine = routine;
  f.saved_irql = irql(t);
  uint32_t sp = static_cast<uint32_t>(t.ctx.gpr[1]);
  f.scratch = (sp - kCallbackScratchSize) & ~15u;
  uint32_t frame = f.scratch - kCallbackFrameSize;
  mem_.write32(frame, sp);  // back chain
  t.ctx.gpr[1] = frame;
  int reg = 3;
  for (uint32_t a : args) t.ctx.gpr[reg++] = a;
  t.ctx.lr = kCallbackReturnLr;
  t.ctx.pc = routine;
  mem_.write8(t.kpcr + layout::kPcrIrql, level);
  if (kind == CallbackKind::kDpc) mem_.write32(t.kpcr + layout::kPcrDpcActive, 1);
}

void Kernel::start_apc(Thread& t, uint32_t apc, bool user) {
  mem_.write8(apc + kApcInserted, 0);
  uint32_t kernel_routine = mem_.read32(apc + kApcKernelRoutine);
  uint32_t normal = mem_.read32(apc + kApcNormalRoutine);
  uint32_t context = mem_.read32(apc + kApcNormalContext);
  uint32_t a1 = mem_.read32(apc + kApcArg1), a2 = mem_.read32(apc + kApcArg2);
  bool owned = kernel_owned_apcs_.erase(apc) > 0;
  if (kernel_routine) {
    // kernel_routine(apc, &normal_routine, &normal_context, &arg1, &arg2) at
    // APC_LEVEL; it may change all four before the normal routine runs.
    push_callback(t, CallbackKind::kApcKernelRoutine, apc, kernel_routine, kApcLevel, {});
    CallbackFrame& f = t.callbacks.back();
    f.free_object = owned;
    mem_.write32(f.scratch + 0x0, normal);
    mem_.write32(f.scratch + 0x4, context);
    mem_.write32(f.scratch + 0x8, a1);
    mem_.write32(f.scratch + 0xC, a2);
    for (int i = 0; i < 4; ++i) t.ctx.gpr[4 + i] = f.scratch + 4 * i;
    t.ctx.gpr[3] = apc;
    return;
  }
  push_callback(t, CallbackKind::kApcNormalRoutine, apc, normal, kPassiveLevel, {context, a1, a2});
  t.callbacks.back().free_object = owned;
  (void)user;
}

// Thread exit: queued APCs are run down as NT does at thread termination:
// a kernel APC's rundown routine is called (on the exiting thread, before
// it is gone: exit_thread defers the exit until they have returned);
// user APCs and kernel APCs without one are discarded (the kernel's own
// KAPCs freed). Returns true when a rundown routine was started.
bool Kernel::rundown_apcs(Thread& t) {
  while (!t.kernel_apcs.empty()) {
    uint32_t apc = t.kernel_apcs.front();
    t.kernel_apcs.pop_front();
    mem_.write8(apc + kApcInserted, 0);
    uint32_t rundown = mem_.read32(apc + kApcRundownRoutine);
    if (rundown && &t == current_ && t.state == ThreadState::kRunning) {
      // The routine may free the KAPC; the kernel does not touch it again.
      kernel_owned_apcs_.erase(apc);
      push_callback(t, CallbackKind::kApcRundown, apc, rundown, kPassiveLevel, {apc});
      return true;
    }
    if (kernel_owned_apcs_.erase(apc)) pool_.release(apc);
  }
  for (uint32_t apc : t.user_apcs) {
    mem_.write8(apc + kApcInserted, 0);
    if (kernel_owned_apcs_.erase(apc)) pool_.release(apc);
  }
  t.user_apcs.clear();
  t.user_apc_delivery = false;
  t.wait_interrupted = false;
  for (const CallbackFrame& f : t.callbacks) {
    if (f.free_object) pool_.release(f.object);
  }
  t.callbacks.clear();
  t.exceptions.clear();
  return false;
}

bool Kernel::start_pending_callback(Thread& t) {
  if (t.state != ThreadState::kRunning || t.suspend_count > 0 || t.yield_requested) return false;
  if (deliver_next(t)) return true;
  if (t.wait_interrupted && t.callbacks.size() == t.wait_interrupted_depth) resume_interrupted_wait(t);
  return false;
}

// A blocked thread is needed to run something (a DPC while no thread is
// ready, a kernel APC queued to it): its wait is taken off the objects'
// lists, it runs, and resume_interrupted_wait puts the wait back (at the
// end of the waiter lists, as NT re-inserts an interrupted wait) or
// completes it if it can be satisfied, timed out or was alerted meanwhile.
void Kernel::interrupt_wait(Thread& t) {
  if (t.state != ThreadState::kWaiting || !t.wait.active || t.suspend_count > 0 || t.wait_interrupted) return;
  unlink_wait(t);
  t.wait_interrupted = true;
  t.wait_interrupted_depth = static_cast<uint32_t>(t.callbacks.size());
  mem_.write8(t.kthread + layout::kThreadState, 1);  // NT "Ready"
  make_ready(t, "apc");
}

void Kernel::resume_interrupted_wait(Thread& t) {
  t.wait_interrupted = false;
  WaitState& w = t.wait;
  w.active = true;
  NtStatus st = kStatusPending;
  bool timed_out = false;
  uint64_t sid = 0;
  if (w.alertable && !t.user_apcs.empty()) {
    t.user_apc_delivery = true;
    st = kStatusUserApc;
  } else if (!w.is_delay && (st = try_satisfy(t)) != kStatusPending) {
    sid = w.type == WaitType::kAll ? w.sids[0] : w.sids[w.satisfied_by];
  } else if (w.deadline <= now_) {
    st = w.is_delay ? kStatusSuccess : kStatusTimeout;
    timed_out = true;
  }
  if (st != kStatusPending) {
    // Completes on the running thread: it stays on its CPU.
    complete_wait(t, st, nullptr, timed_out, sid);
    ready_.remove(&t);
    t.state = ThreadState::kRunning;
    mem_.write8(t.kthread + layout::kThreadState, 2);
    return;
  }
  for (uint32_t i = 0; i < w.count; ++i) objects_[w.objects[i]].waiters.push_back(&t);
  if (w.deadline != kNever) timed_waits_.insert({w.deadline, t.tid});
  t.state = ThreadState::kWaiting;
  mem_.write8(t.kthread + layout::kThreadState, 5);
}

bool Kernel::deliver_next(Thread& t) {
  uint8_t level = irql(t);
  if (level < kDispatchLevel && !dpcs_.empty()) {
    uint32_t dpc = dpcs_.front();
    dpcs_.pop_front();
    mem_.write32(dpc + kDpcListEntry, 0);
    mem_.write32(dpc + kDpcListEntry + 4, 0);
    push_callback(t, CallbackKind::kDpc, dpc, mem_.read32(dpc + kDpcRoutine), kDispatchLevel,
                  {dpc, mem_.read32(dpc + kDpcContext), mem_.read32(dpc + kDpcArg1), mem_.read32(dpc + kDpcArg2)});
    return true;
  }
  if (level >= kApcLevel) return false;
  bool apcs_enabled = static_cast<int32_t>(mem_.read32(t.kthread + layout::kThreadApcDisable)) == 0;
  for (auto it = t.kernel_apcs.begin(); it != t.kernel_apcs.end(); ++it) {
    // Special kernel APCs (no normal routine) run even in a critical region.
    if (!apcs_enabled && mem_.read32(*it + kApcNormalRoutine)) continue;
    uint32_t apc = *it;
    t.kernel_apcs.erase(it);
    start_apc(t, apc, false);
    return true;
  }
  if (!t.started) {
    // Before its first instruction a thread takes the user APCs queued to it
    // (the console's thread start is an alertable point, as NT's).
    t.started = true;
    if (!t.user_apcs.empty()) t.user_apc_delivery = true;
  }
  if (t.user_apc_delivery) {
    if (t.user_apcs.empty()) {
      t.user_apc_delivery = false;
      return false;
    }
    uint32_t apc = t.user_apcs.front();
    t.user_apcs.pop_front();
    start_apc(t, apc, true);
    return true;
  }
  return false;
}

void Kernel::callback_returned(Thread& t) {
  if (t.callbacks.empty()) return;
  CallbackFrame& f = t.callbacks.back();
  if (f.kind == CallbackKind::kExceptionHandler) {
    // The dispatcher decides where the thread goes next (another handler,
    // the CONTEXT, the unwind target); the saved registers are not restored.
    CallbackFrame frame = std::move(f);
    t.callbacks.pop_back();
    set_irql(t, frame.saved_irql);
    exception_handler_returned(t, std::move(frame));
    if (t.fatal_stop.empty()) start_pending_callback(t);
    return;
  }
  if (f.kind == CallbackKind::kApcRundown) {
    uint8_t level = f.saved_irql;
    t.callbacks.pop_back();
    set_irql(t, level);
    finish_exit(t);
    return;
  }
  if (f.kind == CallbackKind::kApcKernelRoutine) {
    uint32_t normal = mem_.read32(f.scratch + 0x0);
    if (normal) {
      uint32_t context = mem_.read32(f.scratch + 0x4);
      uint32_t a1 = mem_.read32(f.scratch + 0x8), a2 = mem_.read32(f.scratch + 0xC);
      f.kind = CallbackKind::kApcNormalRoutine;
      f.routine = normal;
      t.ctx.gpr[1] = f.scratch - kCallbackFrameSize;
      t.ctx.gpr[3] = context;
      t.ctx.gpr[4] = a1;
      t.ctx.gpr[5] = a2;
      t.ctx.lr = kCallbackReturnLr;
      t.ctx.pc = normal;
      mem_.write8(t.kpcr + layout::kPcrIrql, kPassiveLevel);
      return;
    }
  }
  if (f.free_object) pool_.release(f.object);
  restore_registers(t.ctx, f.saved);
  uint8_t level = f.saved_irql;
  if (f.kind == CallbackKind::kDpc) mem_.write32(t.kpcr + layout::kPcrDpcActive, 0);
  t.callbacks.pop_back();
  set_irql(t, level);
  start_pending_callback(t);
}

}  // namespace xdet::kernel
