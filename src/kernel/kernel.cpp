// Kernel core: construction, threads, virtual-time deadlines, tracing and
// reports. Dispatcher objects and waits are in kernel_dispatch.cpp, handles
// in kernel_handles.cpp, critical sections and TLS in kernel_rtl.cpp.
#include "kernel/kernel.h"

#include <algorithm>
#include <bit>
#include <cstdio>

#include "base/error.h"
#include "kernel/title_state.h"
#include "kernel/io/io_state.h"

namespace xdet::kernel {

const char* thread_state_name(ThreadState s) {
  switch (s) {
    case ThreadState::kReady: return "ready";
    case ThreadState::kRunning: return "running";
    case ThreadState::kWaiting: return "waiting";
    case ThreadState::kTerminated: return "terminated";
  }
  return "?";
}

const char* dispatcher_type_name(uint8_t type) {
  switch (type) {
    case kTypeEventNotification: return "event_notification";
    case kTypeEventSynchronization: return "event_synchronization";
    case kTypeMutant: return "mutant";
    case kTypeProcess: return "process";
    case kTypeQueue: return "queue";
    case kTypeSemaphore: return "semaphore";
    case kTypeThread: return "thread";
    case kTypeGate: return "gate";
    case kTypeTimerNotification: return "timer_notification";
    case kTypeTimerSynchronization: return "timer_synchronization";
    case kTypeFile: return "file";
    case kTypeSymbolicLink: return "symbolic_link";
  }
  return "unknown";
}

Kernel::Kernel(GuestMemory& mem, GuestAllocator& pool, StackAllocator& stacks, KernelConfig config)
    : mem_(mem), pool_(pool), stacks_(stacks), config_(std::move(config)), title_(std::make_unique<TitleState>()) {
  process_ = pool_.allocate(layout::kProcessSize, 16);
  if (!process_) throw Error(ExitCode::kInternal, "kernel pool exhausted allocating the process block");
  mem_.write32(process_ + 0x0C, 0x7F);
  mem_.write32(process_ + 0x10, 0x001F0000);
  mem_.write8(process_ + 0x1B, 6);
  mem_.write32(process_ + 0x1C, 16 * 1024);
  mem_.write32(process_ + 0x24, config_.tls_data_size);
  mem_.write32(process_ + 0x28, config_.tls_raw_size);
  mem_.write16(process_ + 0x2C, static_cast<uint16_t>(std::min<uint32_t>(config_.tls_slot_count * 4, 0xFFFF)));
  mem_.write8(process_ + layout::kProcessType, 1);
  wake_scratch_.reserve(64);
  woken_tids_.reserve(64);
  io_ = std::make_unique<IoState>(*this);
  devices_ = std::make_unique<DeviceState>(*this);
}

Kernel::~Kernel() = default;

// ---------------------------------------------------------------- tracing

void Kernel::emit(Thread* t, TraceKind kind, std::initializer_list<TraceField> fields) {
  emit(t, kind, fields.begin(), static_cast<uint32_t>(fields.size()));
}

void Kernel::emit(Thread* t, TraceKind kind, const TraceField* fields, uint32_t count) {
  uint64_t idx = t ? t->event_idx++ : kernel_event_idx_++;
  if (!sink_) return;
  TraceEvent ev{kind, t ? t->tid : 0, idx, timebase(), ns_from_units(now_), fields, count};
  sink_->emit(ev);
}

void Kernel::emit_sched(TraceKind kind, uint64_t at_units, std::initializer_list<TraceField> fields) {
  if (!sched_tracing()) return;
  TraceEvent ev{kind,      kSchedStreamTid,       sched_event_idx_++,
                timebase_from_units(at_units), ns_from_units(at_units), fields.begin(),
                static_cast<uint32_t>(fields.size())};
  sink_->emit(ev);
}

void Kernel::emit_ready(const Thread& t, const char* cause) {
  emit_sched(TraceKind::kSchedReady, now_,
             {{"thread", TraceValue::uinteger(t.tid)},
              {"round", TraceValue::uinteger(round_)},
              {"cause", TraceValue::string(cause)}});
}

void Kernel::emit_pending_return(Thread& t) {
  if (!t.pending_return.name) return;
  uint32_t r3 = static_cast<uint32_t>(t.ctx.gpr[3]);
  emit(&t, TraceKind::kKernelReturn,
       {{"name", TraceValue::string(t.pending_return.name)},
        {"return_value", TraceValue::hex32(r3)},
        {"status", TraceValue::hex32(r3)}});
  t.pending_return.name = nullptr;
}

void Kernel::debug_print(std::string_view text) {
  if (debug_output_) {
    debug_output_(text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
}

// ---------------------------------------------------------------- threads

Thread* Kernel::thread_by_tid(uint32_t tid) const {
  if (tid == 0 || tid > threads_.size()) return nullptr;
  return threads_[tid - 1].get();
}

Thread* Kernel::thread_by_kthread(uint32_t kthread) const {
  const ObjectRecord* rec = find_object(kthread);
  if (!rec || rec->type != kTypeThread) return nullptr;
  for (const auto& t : threads_) {
    if (t->kthread == kthread && !t->resources_freed) return t.get();
  }
  return nullptr;
}

Thread* Kernel::create_thread(Thread* parent, const ThreadParams& p, uint32_t* out_handle) {
  auto owned = std::make_unique<Thread>();
  Thread& t = *owned;
  t.tid = static_cast<uint32_t>(threads_.size() + 1);
  t.name = p.name;
  t.entry_pc = p.entry_pc;
  t.start_context = p.start_context;
  t.parent_tid = parent ? parent->tid : 0;
  t.priority_increment = static_cast<int8_t>(std::clamp<int>(p.priority, kMinPriorityIncrement, kMaxPriorityIncrement));
  t.base_priority = static_cast<uint8_t>(kPriorityBaseLevel + t.priority_increment);

  // Stack: [64 KB guard][stack][64 KB guard], 0xBE-filled (as xenia).
  uint32_t stack_size = p.stack_size ? p.stack_size : config_.default_stack_size;
  stack_size = std::max<uint32_t>((stack_size + 0xFFF) & ~0xFFFu, 16 * 1024);
  StackRange stack = stacks_.allocate_stack(stack_size);
  uint32_t kthread_alloc = pool_.allocate(layout::kObjectHeaderSize + layout::kThreadSize, 16);
  t.kpcr = pool_.allocate(layout::kPcrSize, 16);
  uint32_t tls_size = config_.tls_slot_count * 4 + config_.tls_data_size;
  t.tls_block = pool_.allocate(tls_size ? tls_size : 4, 16);
  if (!stack.valid() || !kthread_alloc || !t.kpcr || !t.tls_block) {
    // Out of guest memory: undo and let the caller report STATUS_NO_MEMORY.
    if (kthread_alloc) pool_.release(kthread_alloc);
    if (t.kpcr) pool_.release(t.kpcr);
    if (t.tls_block) pool_.release(t.tls_block);
    if (stack.valid()) stacks_.release_stack(stack);
    return nullptr;
  }
  t.stack_alloc = stack.allocation;
  t.stack_limit = stack.limit;
  t.stack_base = stack.base;

  // TLS: [static data][dynamic slots].
  if (config_.tls_raw_size && config_.tls_raw_address) {
    std::vector<uint8_t> raw(config_.tls_raw_size);
    mem_.read_bytes(config_.tls_raw_address, raw.data(), raw.size());
    mem_.write_bytes(t.tls_block, raw.data(), raw.size());
  }
  t.tls_slots = t.tls_block + config_.tls_data_size;

  // Affinity: creation_flags bits 24-31 one-hot (or multi-bit) CPU mask;
  // none given -> inherit the parent's mask (all CPUs for the boot thread).
  uint32_t cpu_mask = (p.creation_flags >> 24) & kAllCpusMask;
  t.affinity_mask = cpu_mask ? cpu_mask : (parent ? parent->affinity_mask : kAllCpusMask);
  int first_cpu = 31 - std::countl_zero(t.affinity_mask);
  t.suspend_count = (p.creation_flags & kCreateSuspended) ? 1 : 0;
  // Eligible at once (even later in the creating round, on another CPU).
  t.last_run_round = round_ - 1;

  // KTHREAD.
  t.kthread = kthread_alloc + layout::kObjectHeaderSize;
  mem_.write32(kthread_alloc + 0x00, 1);  // pointer_count
  mem_.write32(kthread_alloc + 0x04, 1);  // handle_count
  uint32_t k = t.kthread;
  mem_.write8(k + layout::kHeaderType, kTypeThread);
  mem_.write8(k + layout::kHeaderSize, static_cast<uint8_t>(layout::kThreadSize / 4));
  mem_.write32(k + layout::kHeaderSignalState, 0);
  mem_.write32(k + layout::kHeaderWaitListFlink, k + layout::kHeaderWaitListFlink);
  mem_.write32(k + layout::kHeaderWaitListBlink, k + layout::kHeaderWaitListFlink);
  for (uint32_t head : {layout::kThreadMutantListHead, layout::kThreadApcListKernel, layout::kThreadApcListUser,
                        layout::kThreadTimerListHead, layout::kThreadListHead}) {
    mem_.write32(k + head, k + head);
    mem_.write32(k + head + 4, k + head);
  }
  mem_.write32(k + layout::kThreadStackBase, t.stack_base);
  mem_.write32(k + layout::kThreadStackLimit, t.stack_limit);
  mem_.write32(k + layout::kThreadTlsAddress, t.tls_block);
  mem_.write8(k + layout::kThreadPriority, t.base_priority);
  mem_.write32(k + layout::kThreadProcess, process_);
  mem_.write8(k + layout::kThreadMayQueueApcs, 1);
  mem_.write32(k + layout::kThreadMsrMask, 0xFDFFD7FF);
  mem_.write8(k + layout::kThreadSuspendCount, static_cast<uint8_t>(t.suspend_count));
  mem_.write8(k + layout::kThreadCurrentCpu, static_cast<uint8_t>(first_cpu));
  mem_.write32(k + layout::kThreadStackAllocBase, t.stack_base);
  mem_.write64(k + layout::kThreadCreateTime, system_time());
  mem_.write32(k + layout::kThreadId, t.tid);
  mem_.write32(k + layout::kThreadStartAddress, p.entry_pc);
  mem_.write32(k + layout::kThreadCreationFlags, p.creation_flags);
  mem_.write32(k + layout::kThreadUnknown17C, 1);

  // KPCR (r13).
  mem_.write32(t.kpcr + layout::kPcrTls, t.tls_block);
  mem_.write32(t.kpcr + layout::kPcrSelf, t.kpcr);
  mem_.write32(t.kpcr + layout::kPcrStackBase, t.stack_base);
  mem_.write32(t.kpcr + layout::kPcrStackLimit, t.stack_limit);
  mem_.write32(t.kpcr + layout::kPcrCurrentThread, t.kthread);
  mem_.write8(t.kpcr + layout::kPcrCurrentCpu, static_cast<uint8_t>(first_cpu));
  mem_.write32(t.kpcr + layout::kPcrDpcActive, 0);

  // Registers: all zero except r1, r13, the start arguments and LR.
  t.ctx.mem = &mem_;
  t.ctx.gpr[1] = t.stack_base - kInitialStackAdjust;
  t.ctx.gpr[13] = t.kpcr;
  t.ctx.lr = kReturnSentinelLr;
  if (p.xapi_startup) {
    t.ctx.pc = p.xapi_startup;
    t.ctx.gpr[3] = p.entry_pc;
    t.ctx.gpr[4] = p.start_context;
  } else {
    t.ctx.pc = p.entry_pc;
    t.ctx.gpr[3] = p.start_context;
  }

  threads_.push_back(std::move(owned));
  ++live_threads_;
  if (!main_tid_) main_tid_ = t.tid;

  // Thread object: the creator's handle plus the thread's self reference
  // (dropped at exit).
  t.handle = handles_.add(t.kthread, kTypeThread);
  ObjectRecord& rec = objects_[t.kthread];
  rec.address = t.kthread;
  rec.type = kTypeThread;
  rec.alloc = kthread_alloc;
  rec.handle_count = 1;
  rec.ref_count = 1;
  rec.creator_tid = t.parent_tid;
  if (parent) {
    // The boot thread has no creator stream; its first events are its own.
    rec.sid = semantic_id(p.create_site_pc, parent->tid, parent->event_idx, kTypeThread);
    emit(parent, TraceKind::kHandleCreate,
         {{"raw_handle_id", TraceValue::hex32(t.handle)},
          {"handle_semantic_id", TraceValue::sid(rec.sid)},
          {"object_type", TraceValue::uinteger(kTypeThread)},
          {"create_site_pc", TraceValue::hex32(p.create_site_pc)}});
    emit(parent, TraceKind::kThreadCreate,
         {{"entry_pc", TraceValue::hex32(p.entry_pc)},
          {"ctx_ptr", TraceValue::hex32(p.start_context)},
          {"priority", TraceValue::integer(t.priority_increment)},
          {"affinity", TraceValue::uinteger(t.affinity_mask)},
          {"stack_size", TraceValue::uinteger(stack_size)},
          {"suspended", TraceValue::boolean(t.suspend_count > 0)},
          {"parent_tid", TraceValue::uinteger(parent->tid)},
          {"handle_semantic_id", TraceValue::sid(rec.sid)}});
  } else {
    rec.sid = semantic_id(p.create_site_pc, 0, t.tid, kTypeThread);
  }
  t.sid = rec.sid;
  ++progress_;
  if (out_handle) *out_handle = t.handle;
  make_ready(t, "create");
  return &t;
}

void Kernel::make_ready(Thread& t, const char* cause) {
  t.state = ThreadState::kReady;
  if (t.suspend_count == 0) {
    ready_.insert(&t);
    emit_ready(t, cause);
    preempt_for(t);
  }
}

// A call of the running thread made `readied` runnable: if it outranks the
// caller (effective priority under the current policy, the caller's as it
// was when it was picked) and may run on the caller's CPU, the caller's
// slice ends when the call returns, as the console's dispatcher preempts.
void Kernel::preempt_for(const Thread& readied) {
  Thread* c = current_;
  if (!c || c == &readied || c->state != ThreadState::kRunning || c->last_cpu < 0) return;
  if (!(readied.affinity_mask & (1u << c->last_cpu))) return;
  if (effective_priority(readied, round_, policy_) <= effective_priority(*c, round_, policy_)) return;
  // No rescheduling at DISPATCH_LEVEL or above: it happens when IRQL drops.
  if (irql(*c) >= kDispatchLevel) {
    c->deferred_preempt = true;
  } else {
    c->yield_requested = true;
  }
}

void Kernel::exit_thread(Thread& t, uint32_t exit_code) {
  if (t.state == ThreadState::kTerminated) return;
  if (!t.exiting) {
    t.exiting = true;
    t.pending_exit_code = exit_code;
  }
  finish_exit(t);
}

// Runs the next APC rundown routine, or, when none is left, ends the thread.
void Kernel::finish_exit(Thread& t) {
  if (t.state == ThreadState::kTerminated) return;
  if (rundown_apcs(t)) return;
  uint32_t exit_code = t.pending_exit_code;
  emit(&t, TraceKind::kThreadExit, {{"exit_code", TraceValue::hex32(exit_code)}});
  if (t.wait.active) unlink_wait(t);
  ready_.remove(&t);
  t.state = ThreadState::kTerminated;
  t.exit_code = exit_code;
  t.pending_return.name = nullptr;
  mem_.write32(t.kthread + layout::kThreadExitStatus, exit_code);
  mem_.write64(t.kthread + layout::kThreadExitTime, system_time());
  mem_.write8(t.kthread + layout::kThreadTerminated, 1);
  write_signal(t.kthread, 1);
  --live_threads_;
  ++progress_;
  abandon_mutants(t);
  wake_waiters(&t, t.kthread, false);
  ObjectRecord& rec = objects_[t.kthread];
  if (rec.ref_count) --rec.ref_count;
  maybe_free_object(t.kthread);
}

// The thread object's last handle and reference are gone and the thread has
// exited: its stack, KTHREAD (with object header), KPCR and TLS block go
// back to the pools. The Thread record stays (reports, tids are not reused).
void Kernel::free_thread_resources(Thread& t) {
  if (t.resources_freed || t.state != ThreadState::kTerminated) return;
  t.resources_freed = true;
  auto it = objects_.find(t.kthread);
  if (it != objects_.end()) {
    pool_.release(it->second.alloc);
    objects_.erase(it);
  }
  pool_.release(t.kpcr);
  pool_.release(t.tls_block);
  StackRange stack;
  stack.allocation = t.stack_alloc;
  stack.limit = t.stack_limit;
  stack.base = t.stack_base;
  stacks_.release_stack(stack);
  t.runner_data = nullptr;
}

NtStatus Kernel::suspend_thread(Thread& t, uint32_t* prev_count) {
  if (t.state == ThreadState::kTerminated) return kStatusUnsuccessful;
  if (prev_count) *prev_count = t.suspend_count;
  if (t.suspend_count == 127) return kStatusUnsuccessful;  // NT: SUSPEND_COUNT_EXCEEDED
  ++t.suspend_count;
  ready_.remove(&t);
  mem_.write8(t.kthread + layout::kThreadSuspendCount, static_cast<uint8_t>(t.suspend_count));
  return kStatusSuccess;
}

NtStatus Kernel::resume_thread(Thread& t, uint32_t* prev_count) {
  if (prev_count) *prev_count = t.suspend_count;
  if (t.state == ThreadState::kTerminated) return kStatusUnsuccessful;
  if (t.suspend_count > 0) {
    --t.suspend_count;
    mem_.write8(t.kthread + layout::kThreadSuspendCount, static_cast<uint8_t>(t.suspend_count));
    if (t.suspend_count == 0 && t.state == ThreadState::kReady) {
      ready_.insert(&t);
      emit_ready(t, "resume");
      ++progress_;
      preempt_for(t);
    }
  }
  return kStatusSuccess;
}

NtStatus Kernel::set_affinity(Thread& t, uint32_t mask, uint32_t* prev_mask) {
  mask &= kAllCpusMask;
  if (!mask) return kStatusInvalidParameter;
  if (prev_mask) *prev_mask = t.affinity_mask;
  bool queued = t.queued;
  if (queued) ready_.remove(&t);
  t.affinity_mask = mask;
  if (queued) ready_.insert(&t);
  // A running thread that lost its current CPU ends its slice.
  if (t.state == ThreadState::kRunning && t.last_cpu >= 0 && !(mask & (1u << t.last_cpu))) t.yield_requested = true;
  return kStatusSuccess;
}

int32_t Kernel::set_base_priority(Thread& t, int32_t increment) {
  int32_t prev = t.priority_increment;
  set_priority_level(t, kPriorityBaseLevel + std::clamp(increment, kMinPriorityIncrement, kMaxPriorityIncrement));
  return prev;
}

int32_t Kernel::set_priority_level(Thread& t, int32_t level) {
  int32_t prev = t.base_priority;
  int32_t clamped = std::clamp(level, 0, kMaxPriority);
  bool queued = t.queued;
  if (queued) ready_.remove(&t);
  t.base_priority = static_cast<uint8_t>(clamped);
  t.priority_increment = static_cast<int8_t>(clamped - kPriorityBaseLevel);
  if (queued) {
    ready_.insert(&t);
    preempt_for(t);
  }
  mem_.write8(t.kthread + layout::kThreadPriority, t.base_priority);
  // Lowering the running thread below a ready one that may use its CPU
  // ends its slice too.
  if (&t == current_ && t.state == ThreadState::kRunning && t.last_cpu >= 0 && clamped < prev) {
    if (Thread* best = ready_.pick_runnable(t.last_cpu, round_, policy_)) preempt_for(*best);
  }
  return prev;
}

void Kernel::yield(Thread& t) { t.yield_requested = true; }

NtStatus Kernel::delay(Thread& t, int64_t interval_100ns, bool alertable) {
  if (alertable && !t.user_apcs.empty()) {
    t.user_apc_delivery = true;
    return kStatusUserApc;
  }
  if (interval_100ns == 0) {
    yield(t);
    return kStatusSuccess;
  }
  uint64_t deadline = wait_deadline(&interval_100ns);
  if (deadline <= now_) {
    yield(t);
    return kStatusSuccess;
  }
  t.wait = WaitState{};
  t.wait.active = true;
  t.wait.is_delay = true;
  t.wait.alertable = alertable;
  t.wait.has_timeout = true;
  t.wait.timeout_100ns = interval_100ns;
  t.wait.deadline = deadline;
  t.wait.since_round = round_;
  t.wait.since_time = now_;
  t.state = ThreadState::kWaiting;
  timed_waits_.insert({deadline, t.tid});
  return kStatusPending;
}

uint64_t Kernel::wait_deadline(const int64_t* timeout) const {
  if (!timeout) return kNever;
  int64_t v = *timeout;
  if (v == 0) return now_;
  if (v < 0) {
    uint64_t rel = static_cast<uint64_t>(-(v + 1)) + 1;
    if (rel > (kNever - now_) / kInstructionsPer100ns) return kNever - 1;
    uint64_t units = units_from_100ns(rel);
    if (perturber_ && units < kNever / 2) units += perturber_->deadline_jitter(units);
    return now_ + units;
  }
  // Absolute FILETIME.
  uint64_t abs = static_cast<uint64_t>(v);
  if (abs <= kBootFileTime) return now_;
  uint64_t units = units_from_100ns(abs - kBootFileTime);
  if (perturber_ && units > now_ && units < kNever / 2) units += perturber_->deadline_jitter(units - now_);
  return std::max(units, now_);
}

uint64_t Kernel::next_deadline() const {
  uint64_t d = kNever;
  if (!timed_waits_.empty()) d = std::min(d, timed_waits_.begin()->first);
  if (!armed_timers_.empty()) d = std::min(d, armed_timers_.begin()->first);
  d = std::min(d, io_->next_deadline());
  d = std::min(d, devices_->next_deadline());
  return d;
}

uint64_t Kernel::next_wake_deadline() const {
  uint64_t d = kNever;
  if (!timed_waits_.empty()) d = std::min(d, timed_waits_.begin()->first);
  if (!armed_timers_.empty()) d = std::min(d, armed_timers_.begin()->first);
  d = std::min(d, io_->next_deadline());
  d = std::min(d, devices_->next_work_deadline());
  return d;
}

// ---------------------------------------------------------------- variables

uint32_t Kernel::kernel_variable(uint16_t ordinal) {
  if (auto it = variables_.find(ordinal); it != variables_.end()) return it->second;
  uint32_t size = 0;
  switch (ordinal) {
    case 0x00C: size = 4; break;   // ExConsoleGameRegion
    case 0x059: size = 4; break;   // KeDebugMonitorData
    case 0x0AD: size = 24; break;  // KeTimeStampBundle
    case 0x156: size = 16; break;  // XboxHardwareInfo
    case 0x158: size = 8; break;   // XboxKrnlVersion
    case 0x266: size = 4; break;   // KeCertMonitorData
    case 0x1BE: size = 4; break;   // VdGlobalDevice
    case 0x1BF: size = 4; break;   // VdGlobalXamDevice
    case 0x1C0: size = 4; break;   // VdGpuClockInMHz
    case 0x1C1: size = 28; break;  // VdHSIOCalibrationLock (a critical section)
    default: return title_->variable(*this, ordinal);
  }
  // The video variables live in physical memory (vE) on the console.
  bool video = ordinal >= 0x1BE && ordinal <= 0x1C1;
  uint32_t a = video && map_ ? map_->system_alloc(size, 16, true) : pool_.allocate(size, 16);
  if (!a) return 0;
  switch (ordinal) {
    case 0x00C: mem_.write32(a, 0xFFFFFFFFu); break;  // all regions (xenia)
    case 0x0AD: timestamp_bundle_ = a; break;
    case 0x156:
      mem_.write32(a, 0x20);  // flags (xenia)
      mem_.write8(a + 4, kCpuCount);
      break;
    case 0x158:  // 2.0.0xFFFF.0x80 is not a real build; xenia reports 2.0xFFFF.0xFFFF.0x80
      mem_.write16(a + 0, 2);
      mem_.write16(a + 2, 0xFFFF);
      mem_.write16(a + 4, 0xFFFF);
      mem_.write16(a + 6, 0x80);
      break;
    case 0x1BE:
    case 0x1BF: mem_.write32(a, 0); break;
    case 0x1C0: mem_.write32(a, 500); break;  // the GPU's 500 MHz
    case 0x1C1: cs_initialize(a, 0); break;
    default: break;  // debugger/cert monitor pointers: 0
  }
  variables_[ordinal] = a;
  return a;
}

// ---------------------------------------------------------------- reports

std::vector<ThreadReport> Kernel::thread_reports() const {
  std::vector<ThreadReport> out;
  out.reserve(threads_.size());
  for (const auto& tp : threads_) {
    const Thread& t = *tp;
    ThreadReport r{&t, static_cast<int32_t>(effective_priority(t, round_, policy_)) - kPriorityBaseLevel, {}};
    if (t.wait.active) {
      for (uint32_t i = 0; i < t.wait.count; ++i) {
        uint32_t obj = t.wait.objects[i];
        ThreadReport::WaitObject w{obj, 0, t.wait.sids[i], handles_.find_first(obj), {}};
        const ObjectRecord* rec = find_object(obj);
        w.type = rec ? rec->type : read_type(obj);
        if (w.type == kTypeMutant) {
          uint32_t owner = mem_.read32(obj + layout::kMutantOwner);
          if (Thread* o = owner ? thread_by_kthread(owner) : nullptr) w.possible_signalers.push_back(o->tid);
        } else if (w.type == kTypeThread) {
          if (Thread* o = thread_by_kthread(obj)) w.possible_signalers.push_back(o->tid);
        } else if (w.type == kTypeEventSynchronization && t.wait.continuation == WaitContinuation::kCriticalSectionAcquire) {
          uint32_t owner = mem_.read32(obj + layout::kCsOwningThread);
          if (Thread* o = owner ? thread_by_kthread(owner) : nullptr) w.possible_signalers.push_back(o->tid);
        } else if (rec && rec->last_signaler_tid) {
          w.possible_signalers.push_back(rec->last_signaler_tid);
        }
        r.wait_objects.push_back(std::move(w));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace xdet::kernel
