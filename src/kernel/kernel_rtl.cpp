// Critical sections and TLS (kernel-objects.md §8, threading-timing.md §3).
#include <algorithm>

#include "kernel/kernel.h"

namespace xdet::kernel {

void Kernel::cs_initialize(uint32_t cs, uint32_t spin_count) {
  mem_.write8(cs + layout::kHeaderType, kTypeEventSynchronization);
  mem_.write8(cs + layout::kHeaderAbsolute, static_cast<uint8_t>(std::min<uint32_t>(255, (spin_count + 255) / 256)));
  mem_.write8(cs + layout::kHeaderSize, 0);
  mem_.write8(cs + layout::kHeaderInserted, 0);
  mem_.write32(cs + layout::kHeaderSignalState, 0);
  mem_.write32(cs + layout::kHeaderWaitListFlink, cs + layout::kHeaderWaitListFlink);
  mem_.write32(cs + layout::kHeaderWaitListBlink, cs + layout::kHeaderWaitListFlink);
  mem_.write32(cs + layout::kCsLockCount, 0xFFFFFFFFu);
  mem_.write32(cs + layout::kCsRecursionCount, 0);
  mem_.write32(cs + layout::kCsOwningThread, 0);
}

// lock_count is kept big-endian in guest memory (xenia keeps it host-order).
// Spinning is not modelled: with one guest thread executing at a time, a
// spin can never observe the owner release, so it would only burn guest
// time; the contended path blocks on the embedded auto-reset event at once.
NtStatus Kernel::cs_enter(Thread& t, uint32_t cs) {
  uint32_t owner = mem_.read32(cs + layout::kCsOwningThread);
  int32_t lock = static_cast<int32_t>(mem_.read32(cs + layout::kCsLockCount)) + 1;
  mem_.write32(cs + layout::kCsLockCount, static_cast<uint32_t>(lock));
  if (owner == t.kthread) {
    mem_.write32(cs + layout::kCsRecursionCount, mem_.read32(cs + layout::kCsRecursionCount) + 1);
    return kStatusSuccess;
  }
  if (lock == 0) {
    mem_.write32(cs + layout::kCsOwningThread, t.kthread);
    mem_.write32(cs + layout::kCsRecursionCount, 1);
    return kStatusSuccess;
  }
  // Contended. The embedded header is an auto-reset event; sections that
  // were never initialised (zeroed .data) get the type set here.
  if (mem_.read8(cs + layout::kHeaderType) != kTypeEventSynchronization) {
    mem_.write8(cs + layout::kHeaderType, kTypeEventSynchronization);
    if (auto it = objects_.find(cs); it != objects_.end()) it->second.type = kTypeEventSynchronization;
  }
  if (config_.contention_all || config_.contention_watch.count(cs)) {
    emit(&t, TraceKind::kContentionObserved,
         {{"cs_ptr", TraceValue::hex32(cs)},
          {"site_sid", TraceValue::sid(semantic_id(static_cast<uint32_t>(t.ctx.lr), t.tid, 0, kTypeEventSynchronization))},
          {"spin_count", TraceValue::uinteger(mem_.read8(cs + layout::kHeaderAbsolute) * 256u)}});
  }
  return wait_internal(t, &cs, 1, WaitType::kAny, false, nullptr, WaitContinuation::kCriticalSectionAcquire, cs);
}

bool Kernel::cs_try_enter(Thread& t, uint32_t cs) {
  int32_t lock = static_cast<int32_t>(mem_.read32(cs + layout::kCsLockCount));
  if (lock == -1) {
    mem_.write32(cs + layout::kCsLockCount, 0);
    mem_.write32(cs + layout::kCsOwningThread, t.kthread);
    mem_.write32(cs + layout::kCsRecursionCount, 1);
    return true;
  }
  if (mem_.read32(cs + layout::kCsOwningThread) == t.kthread) {
    mem_.write32(cs + layout::kCsLockCount, static_cast<uint32_t>(lock + 1));
    mem_.write32(cs + layout::kCsRecursionCount, mem_.read32(cs + layout::kCsRecursionCount) + 1);
    return true;
  }
  return false;
}

void Kernel::cs_leave(Thread& t, uint32_t cs) {
  int32_t recursion = static_cast<int32_t>(mem_.read32(cs + layout::kCsRecursionCount)) - 1;
  mem_.write32(cs + layout::kCsRecursionCount, static_cast<uint32_t>(recursion));
  int32_t lock = static_cast<int32_t>(mem_.read32(cs + layout::kCsLockCount)) - 1;
  mem_.write32(cs + layout::kCsLockCount, static_cast<uint32_t>(lock));
  if (recursion > 0) return;
  mem_.write32(cs + layout::kCsOwningThread, 0);
  if (lock != -1) {
    // Someone is queued: hand over through the embedded event (exactly one
    // waiter wakes and becomes the owner).
    write_signal(cs, 1);
    touch_object(&t, cs).last_signaler_tid = t.tid;
    ++progress_;
    wake_waiters(&t, cs, false);
  }
}

uint32_t Kernel::tls_alloc() {
  for (uint32_t i = 0; i < tls_used_.size(); ++i) {
    if (!tls_used_[i]) {
      tls_used_[i] = true;
      if (current_ && i < config_.tls_slot_count) mem_.write32(current_->tls_slots + 4 * i, 0);
      return i;
    }
  }
  return 0xFFFFFFFFu;
}

bool Kernel::tls_free(uint32_t slot) {
  if (slot >= tls_used_.size() || !tls_used_[slot]) return false;
  tls_used_[slot] = false;
  if (slot < config_.tls_slot_count) {
    for (const auto& t : threads_) {
      if (t->state != ThreadState::kTerminated) mem_.write32(t->tls_slots + 4 * slot, 0);
    }
  }
  return true;
}

uint32_t Kernel::tls_get(Thread& t, uint32_t slot) {
  if (slot >= config_.tls_slot_count) return 0;
  return mem_.read32(t.tls_slots + 4 * slot);
}

bool Kernel::tls_set(Thread& t, uint32_t slot, uint32_t value) {
  if (slot >= config_.tls_slot_count) return false;
  mem_.write32(t.tls_slots + 4 * slot, value);
  return true;
}

}  // namespace xdet::kernel
