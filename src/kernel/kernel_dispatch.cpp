// Dispatcher objects (events, semaphores, mutants, timers) and the NT wait
// rules. State lives in the guest DISPATCHER_HEADER; waiter lists host-side.
#include <algorithm>

#include "kernel/io/io_state.h"
#include "kernel/kernel.h"

namespace xdet::kernel {

// ---------------------------------------------------------------- objects

ObjectRecord& Kernel::touch_object(Thread* toucher, uint32_t address) {
  auto it = objects_.find(address);
  if (it != objects_.end()) return it->second;
  ObjectRecord& rec = objects_[address];
  rec.address = address;
  rec.type = read_type(address);
  // A dispatcher the kernel did not allocate (KeInitialize* on guest
  // memory, a pre-initialised .data object, a critical section): it is
  // process-global, so it gets the scheduling-invariant shared-global SID.
  rec.sid = shared_global_sid(address, rec.type);
  rec.creator_tid = toucher ? toucher->tid : 0;
  emit(toucher, TraceKind::kHandleCreate,
       {{"raw_handle_id", TraceValue::hex32(address)},
        {"handle_semantic_id", TraceValue::sid(rec.sid)},
        {"object_type", TraceValue::uinteger(rec.type)},
        {"create_site_pc", TraceValue::hex32(kSharedGlobalSidMarker)}});
  return rec;
}

const ObjectRecord* Kernel::find_object(uint32_t address) const {
  auto it = objects_.find(address);
  return it == objects_.end() ? nullptr : &it->second;
}

static void init_header(GuestMemory& mem, uint32_t obj, uint8_t type, uint8_t size_words, int32_t signal) {
  mem.write8(obj + layout::kHeaderType, type);
  mem.write8(obj + layout::kHeaderAbsolute, 0);
  mem.write8(obj + layout::kHeaderSize, size_words);
  mem.write8(obj + layout::kHeaderInserted, 0);
  mem.write32(obj + layout::kHeaderSignalState, static_cast<uint32_t>(signal));
  mem.write32(obj + layout::kHeaderWaitListFlink, obj + layout::kHeaderWaitListFlink);
  mem.write32(obj + layout::kHeaderWaitListBlink, obj + layout::kHeaderWaitListFlink);
}

void Kernel::initialize_event(uint32_t ev, uint8_t type, bool signaled) {
  init_header(mem_, ev, type ? kTypeEventSynchronization : kTypeEventNotification, layout::kEventSize / 4,
              signaled ? 1 : 0);
  if (auto it = objects_.find(ev); it != objects_.end()) it->second.type = read_type(ev);
}

int32_t Kernel::set_event(Thread* caller, uint32_t ev) {
  ObjectRecord& rec = touch_object(caller, ev);
  int32_t prev = read_signal(ev);
  write_signal(ev, 1);
  rec.last_signaler_tid = caller ? caller->tid : 0;
  ++progress_;
  wake_waiters(caller, ev, true);
  return prev;
}

int32_t Kernel::reset_event(uint32_t ev) {
  int32_t prev = read_signal(ev);
  write_signal(ev, 0);
  return prev;
}

int32_t Kernel::pulse_event(Thread* caller, uint32_t ev) {
  int32_t prev = set_event(caller, ev);
  write_signal(ev, 0);
  return prev;
}

void Kernel::initialize_semaphore(uint32_t sem, int32_t count, int32_t limit) {
  init_header(mem_, sem, kTypeSemaphore, layout::kSemaphoreSize / 4, count);
  mem_.write32(sem + layout::kSemaphoreLimit, static_cast<uint32_t>(limit));
}

NtStatus Kernel::release_semaphore(Thread* caller, uint32_t sem, int32_t adjustment, int32_t* prev) {
  ObjectRecord& rec = touch_object(caller, sem);
  int32_t count = read_signal(sem);
  int32_t limit = static_cast<int32_t>(mem_.read32(sem + layout::kSemaphoreLimit));
  if (prev) *prev = count;
  if (adjustment <= 0) return kStatusInvalidParameter;
  if (static_cast<int64_t>(count) + adjustment > limit) return kStatusSemaphoreLimitExceeded;
  write_signal(sem, count + adjustment);
  rec.last_signaler_tid = caller ? caller->tid : 0;
  ++progress_;
  emit(caller, TraceKind::kSemaRelease,
       {{"handle_semantic_id", TraceValue::sid(rec.sid)},
        {"release_count", TraceValue::integer(adjustment)},
        {"previous_count", TraceValue::integer(count)}});
  wake_waiters(caller, sem, true);
  return kStatusSuccess;
}

void Kernel::initialize_mutant(Thread* caller, uint32_t mut, bool initial_owner) {
  bool owned = initial_owner && caller;
  init_header(mem_, mut, kTypeMutant, layout::kMutantSize / 4, owned ? 0 : 1);
  mem_.write32(mut + layout::kMutantListEntry, 0);
  mem_.write32(mut + layout::kMutantListEntry + 4, 0);
  mem_.write32(mut + layout::kMutantOwner, owned ? caller->kthread : 0);
  mem_.write8(mut + layout::kMutantAbandoned, 0);
  if (owned) caller->owned_mutants.push_back(mut);
}

NtStatus Kernel::release_mutant(Thread* caller, uint32_t mut, bool abandon, int32_t* prev) {
  ObjectRecord& rec = touch_object(caller, mut);
  int32_t state = read_signal(mut);
  uint32_t owner = mem_.read32(mut + layout::kMutantOwner);
  if (prev) *prev = state;
  if (!abandon && (!caller || owner != caller->kthread)) return kStatusMutantNotOwned;
  if (abandon) {
    state = 1;
    mem_.write8(mut + layout::kMutantAbandoned, 1);
  } else {
    state += 1;
  }
  write_signal(mut, state);
  if (state == 1) {
    mem_.write32(mut + layout::kMutantOwner, 0);
    if (Thread* o = owner ? thread_by_kthread(owner) : nullptr) {
      auto& v = o->owned_mutants;
      if (auto it = std::find(v.begin(), v.end(), mut); it != v.end()) v.erase(it);
    }
    rec.last_signaler_tid = caller ? caller->tid : 0;
    ++progress_;
    wake_waiters(caller, mut, false);
  }
  return kStatusSuccess;
}

void Kernel::abandon_mutants(Thread& t) {
  std::vector<uint32_t> owned = std::move(t.owned_mutants);
  t.owned_mutants.clear();
  for (uint32_t mut : owned) {
    if (mem_.read32(mut + layout::kMutantOwner) != t.kthread) continue;
    write_signal(mut, 1);
    mem_.write32(mut + layout::kMutantOwner, 0);
    mem_.write8(mut + layout::kMutantAbandoned, 1);
    touch_object(&t, mut).last_signaler_tid = t.tid;
    wake_waiters(&t, mut, false);
  }
}

void Kernel::initialize_timer(uint32_t timer, uint8_t type) {
  init_header(mem_, timer, type ? kTypeTimerSynchronization : kTypeTimerNotification, layout::kTimerSize / 4, 0);
  mem_.write64(timer + layout::kTimerDueTime, 0);
  mem_.write32(timer + layout::kTimerListEntry, 0);
  mem_.write32(timer + layout::kTimerListEntry + 4, 0);
  mem_.write32(timer + layout::kTimerDpc, 0);
  mem_.write32(timer + layout::kTimerPeriod, 0);
}

bool Kernel::set_timer(Thread* caller, uint32_t timer, int64_t due_100ns, uint32_t period_ms) {
  touch_object(caller, timer);
  bool was_armed = cancel_timer(timer);
  uint64_t due = wait_deadline(&due_100ns);
  write_signal(timer, 0);
  mem_.write64(timer + layout::kTimerDueTime, filetime_from_units(due));
  mem_.write32(timer + layout::kTimerPeriod, period_ms);
  armed_timers_.insert({due, timer});
  timer_state_[timer] = {due, period_ms};
  return was_armed;
}

bool Kernel::cancel_timer(uint32_t timer) {
  auto it = timer_state_.find(timer);
  if (it == timer_state_.end()) return false;
  armed_timers_.erase({it->second.first, timer});
  timer_state_.erase(it);
  return true;
}

void Kernel::expire_deadlines() {
  if (timestamp_bundle_) {
    // KeTimeStampBundle: +0 interrupt time and +8 system time (100 ns),
    // +0x10 tick count in ms, all from virtual time.
    mem_.write64(timestamp_bundle_ + 0x00, now_ / kInstructionsPer100ns);
    mem_.write64(timestamp_bundle_ + 0x08, system_time());
    mem_.write32(timestamp_bundle_ + 0x10, static_cast<uint32_t>(ns_from_units(now_) / 1'000'000));
  }
  while (!timed_waits_.empty() && timed_waits_.begin()->first <= now_) {
    Thread* t = thread_by_tid(timed_waits_.begin()->second);
    timed_waits_.erase(timed_waits_.begin());
    if (!t || !t->wait.active) continue;
    complete_wait(*t, t->wait.is_delay ? kStatusSuccess : kStatusTimeout, nullptr, true, 0);
  }
  while (!armed_timers_.empty() && armed_timers_.begin()->first <= now_) {
    auto [due, timer] = *armed_timers_.begin();
    armed_timers_.erase(armed_timers_.begin());
    uint32_t period_ms = timer_state_[timer].second;
    if (period_ms) {
      uint64_t next = due + units_from_ms(period_ms);
      armed_timers_.insert({next, timer});
      timer_state_[timer] = {next, period_ms};
      mem_.write64(timer + layout::kTimerDueTime, filetime_from_units(next));
    } else {
      timer_state_.erase(timer);
    }
    write_signal(timer, 1);
    // Timer expiry is not guest progress for the livelock detector.
    wake_waiters(nullptr, timer, false);
  }
  io_->complete_due(now_);
  devices_->advance(now_);
}

// ---------------------------------------------------------------- waits

bool Kernel::is_signaled(uint32_t obj, uint8_t type, const Thread& t) const {
  if (type == kTypeMutant) {
    return read_signal(obj) > 0 || mem_.read32(obj + layout::kMutantOwner) == t.kthread;
  }
  return read_signal(obj) > 0;
}

bool Kernel::consume(uint32_t obj, uint8_t type, Thread& t) {
  switch (type) {
    case kTypeEventSynchronization:
    case kTypeTimerSynchronization:
      write_signal(obj, 0);
      return false;
    case kTypeSemaphore:
      write_signal(obj, read_signal(obj) - 1);
      return false;
    case kTypeQueue:
      // Only NtRemoveIoCompletion takes an entry; a plain wait does not.
      if (t.wait.continuation == WaitContinuation::kIoCompletionRemove) write_signal(obj, read_signal(obj) - 1);
      return false;
    case kTypeMutant: {
      uint32_t owner = mem_.read32(obj + layout::kMutantOwner);
      write_signal(obj, read_signal(obj) - 1);
      if (owner == t.kthread) return false;
      mem_.write32(obj + layout::kMutantOwner, t.kthread);
      t.owned_mutants.push_back(obj);
      if (mem_.read8(obj + layout::kMutantAbandoned)) {
        mem_.write8(obj + layout::kMutantAbandoned, 0);
        return true;
      }
      return false;
    }
    default:
      return false;  // notification events/timers, threads: stay signalled
  }
}

NtStatus Kernel::try_satisfy(Thread& t) {
  WaitState& w = t.wait;
  if (w.type == WaitType::kAny) {
    for (uint32_t i = 0; i < w.count; ++i) {
      uint32_t obj = w.objects[i];
      uint8_t type = read_type(obj);
      if (!is_signaled(obj, type, t)) continue;
      bool abandoned = consume(obj, type, t);
      w.satisfied_by = i;
      return (abandoned ? kStatusAbandonedWait0 : kStatusWait0) + i;
    }
    return kStatusPending;
  }
  for (uint32_t i = 0; i < w.count; ++i) {
    if (!is_signaled(w.objects[i], read_type(w.objects[i]), t)) return kStatusPending;
  }
  // All signalled at once: acquire every object atomically.
  bool abandoned = false;
  for (uint32_t i = 0; i < w.count; ++i) abandoned |= consume(w.objects[i], read_type(w.objects[i]), t);
  w.satisfied_by = 0;
  return abandoned ? kStatusAbandonedWait0 : kStatusSuccess;
}

NtStatus Kernel::wait(Thread& t, const uint32_t* objects, uint32_t count, WaitType type, bool alertable,
                      const int64_t* timeout) {
  return wait_internal(t, objects, count, type, alertable, timeout, WaitContinuation::kNone, 0);
}

NtStatus Kernel::wait_internal(Thread& t, const uint32_t* objects, uint32_t count, WaitType type, bool alertable,
                               const int64_t* timeout, WaitContinuation cont, uint32_t cont_arg) {
  if (count == 0 || count > kMaxWaitObjects) return kStatusInvalidParameter;
  WaitState& w = t.wait;
  w = WaitState{};
  w.type = type;
  w.alertable = alertable;
  w.count = static_cast<uint8_t>(count);
  w.has_timeout = timeout != nullptr;
  w.timeout_100ns = timeout ? *timeout : 0;
  w.continuation = cont;
  w.continuation_arg = cont_arg;
  for (uint32_t i = 0; i < count; ++i) {
    w.objects[i] = objects[i];
    w.sids[i] = touch_object(&t, objects[i]).sid;
  }
  emit(&t, TraceKind::kWaitBegin,
       {{"handles_semantic_ids", TraceValue::sid_list(w.sids, count)},
        {"wait_type", TraceValue::string(type == WaitType::kAny ? "any" : "all")},
        {"timeout", timeout ? TraceValue::integer(*timeout) : TraceValue::null()},
        {"alertable", TraceValue::boolean(alertable)}});
  w.active = true;
  w.since_round = round_;
  w.since_time = now_;
  NtStatus st = try_satisfy(t);
  uint64_t deadline = wait_deadline(timeout);
  if (st == kStatusPending && deadline <= now_) st = kStatusTimeout;
  if (st != kStatusPending) {
    bool satisfied = st != kStatusTimeout;
    if (satisfied && cont == WaitContinuation::kCriticalSectionAcquire) {
      mem_.write32(cont_arg + layout::kCsOwningThread, t.kthread);
      mem_.write32(cont_arg + layout::kCsRecursionCount, 1);
    }
    if (cont == WaitContinuation::kIoCompletionRemove) io_->finish_remove(t, cont_arg, satisfied);
    emit(&t, TraceKind::kWaitEnd,
         {{"wait_duration_cycles", TraceValue::uinteger(0)},
          {"woken_by_semantic_id", satisfied ? TraceValue::sid(w.sids[w.satisfied_by]) : TraceValue::null()},
          {"status", TraceValue::hex32(st)}});
    w.active = false;
    return st;
  }
  // Block: queue on every object (once each), arm the timeout.
  for (uint32_t i = 0; i < count; ++i) {
    auto& waiters = objects_[objects[i]].waiters;
    if (std::find(waiters.begin(), waiters.end(), &t) == waiters.end()) waiters.push_back(&t);
  }
  w.deadline = deadline;
  if (deadline != kNever) timed_waits_.insert({deadline, t.tid});
  t.state = ThreadState::kWaiting;
  mem_.write8(t.kthread + layout::kThreadState, 5);  // NT "Waiting"
  return kStatusPending;
}

void Kernel::unlink_wait(Thread& t) {
  WaitState& w = t.wait;
  for (uint32_t i = 0; i < w.count; ++i) {
    auto it = objects_.find(w.objects[i]);
    if (it == objects_.end()) continue;
    auto& v = it->second.waiters;
    if (auto p = std::find(v.begin(), v.end(), &t); p != v.end()) v.erase(p);
  }
  if (w.deadline != kNever && w.deadline != 0) timed_waits_.erase({w.deadline, t.tid});
  w.active = false;
}

void Kernel::complete_wait(Thread& t, NtStatus status, Thread* waker, bool timed_out, uint64_t woken_by_sid) {
  WaitState& w = t.wait;
  bool is_delay = w.is_delay;
  unlink_wait(t);
  t.ctx.gpr[3] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(status)));
  mem_.write32(t.kthread + layout::kThreadWaitResult, status);
  mem_.write8(t.kthread + layout::kThreadState, 1);  // NT "Ready"
  if (!timed_out && w.continuation == WaitContinuation::kCriticalSectionAcquire) {
    mem_.write32(w.continuation_arg + layout::kCsOwningThread, t.kthread);
    mem_.write32(w.continuation_arg + layout::kCsRecursionCount, 1);
  }
  if (w.continuation == WaitContinuation::kIoCompletionRemove) io_->finish_remove(t, w.continuation_arg, !timed_out);
  if (!timed_out) {
    emit(waker, TraceKind::kWakeRequested,
         {{"target_tid", TraceValue::uinteger(t.tid)},
          {"transition", TraceValue::string("waiting->ready")},
          {"new_state", TraceValue::string("ready")}});
  }
  if (!is_delay) {
    emit(&t, TraceKind::kWaitEnd,
         {{"wait_duration_cycles", TraceValue::uinteger(timebase_from_units(now_ - w.since_time))},
          {"woken_by_semantic_id", timed_out ? TraceValue::null() : TraceValue::sid(woken_by_sid)},
          {"status", TraceValue::hex32(status)}});
  }
  emit_pending_return(t);
  make_ready(t, is_delay ? "delay" : timed_out ? "timeout" : "wake");
}

void Kernel::wake_waiters(Thread* signaler, uint32_t obj, bool emit_signal_match) {
  auto it = objects_.find(obj);
  if (it == objects_.end()) return;
  ObjectRecord& rec = it->second;
  size_t waiter_count = rec.waiters.size();
  wake_scratch_.assign(rec.waiters.begin(), rec.waiters.end());
  woken_.clear();
  // Pass 1: decide and consume, in arrival order, while the object can
  // still satisfy someone. Satisfied waiters leave every wait list now so
  // later objects of this pass do not see them.
  for (Thread* w : wake_scratch_) {
    if (!w->wait.active) continue;
    NtStatus st = try_satisfy(*w);
    if (st == kStatusPending) continue;
    woken_.push_back({w, st, w->wait.sids[w->wait.satisfied_by]});
    if (w->wait.type == WaitType::kAll) woken_.back().sid = rec.sid;
    unlink_wait(*w);
    w->wait.active = true;  // still "in" the wait until completed below
  }
  if (emit_signal_match) {
    woken_tids_.clear();
    for (const auto& wk : woken_) woken_tids_.push_back(wk.thread->tid);
    emit(signaler, TraceKind::kSignalMatch,
         {{"target_handle", TraceValue::sid(rec.sid)},
          {"waiter_count", TraceValue::uinteger(waiter_count)},
          {"waiter_tids", TraceValue::uint_list(woken_tids_.data(), static_cast<uint32_t>(woken_tids_.size()))}});
  }
  // Pass 2: deliver results, wake.requested, wait.end, pending returns.
  // complete_wait never signals, so woken_ is stable here.
  for (const auto& wk : woken_) complete_wait(*wk.thread, wk.status, signaler, false, wk.sid);
}

NtStatus Kernel::signal_and_wait(Thread& t, uint32_t signal_object, uint32_t wait_object, bool alertable,
                                 const int64_t* timeout) {
  uint8_t type = read_type(signal_object);
  switch (type) {
    case kTypeEventNotification:
    case kTypeEventSynchronization:
      set_event(&t, signal_object);
      break;
    case kTypeSemaphore: {
      int32_t prev;
      NtStatus st = release_semaphore(&t, signal_object, 1, &prev);
      if (st != kStatusSuccess) return st;
      break;
    }
    case kTypeMutant: {
      int32_t prev;
      NtStatus st = release_mutant(&t, signal_object, false, &prev);
      if (st != kStatusSuccess) return st;
      break;
    }
    default:
      return kStatusObjectTypeMismatch;
  }
  return wait(t, &wait_object, 1, WaitType::kAny, alertable, timeout);
}

}  // namespace xdet::kernel
