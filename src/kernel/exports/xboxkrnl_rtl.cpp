// Critical sections, read-write locks, spin locks / IRQL and interlocked singly-linked lists.
#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

void rtl_initialize_critical_section(ExportCall& c) { c.k.cs_initialize(c.arg(0), 0); }
void rtl_initialize_critical_section_and_spin_count(ExportCall& c) {
  c.k.cs_initialize(c.arg(0), c.arg(1));
  c.ret(kStatusSuccess);
}
void rtl_enter_critical_section(ExportCall& c) {
  NtStatus st = c.k.cs_enter(c.t, c.arg(0));
  if (st == kStatusPending) c.blocked = true;
  // void function: r3 is left as the guest passed it (the pointer).
}
void rtl_try_enter_critical_section(ExportCall& c) { c.ret(c.k.cs_try_enter(c.t, c.arg(0)) ? 1 : 0); }
void rtl_leave_critical_section(ExportCall& c) { c.k.cs_leave(c.t, c.arg(0)); }
void resolve_cs(ExportCall& c) { c.resolve("cs_ptr", TraceValue::hex32(c.arg(0))); }

// Spin locks hold the owner's KTHREAD pointer (big-endian). With one guest
// thread executing at a time, a busy lock can only be released by another
// thread, so the caller yields and re-issues the call next time it runs.
// IRQL lives in the calling thread's KPCR (+0x18): xdet gives every thread
// its own KPCR, as xenia does.
// Raising IRQL to DISPATCH_LEVEL holds back preemption; lowering it below
// applies a held-back preemption and lets pending DPCs (and, at PASSIVE,
// kernel APCs) run as the call returns.
uint8_t irql(ExportCall& c) { return c.k.irql(c.t); }
void set_irql(ExportCall& c, uint8_t v) { c.k.set_irql(c.t, v); }

bool try_lock(ExportCall& c, uint32_t lock) {
  uint32_t v = c.mem().read32(lock);
  if (v != 0 && v != c.t.kthread) return false;
  c.mem().write32(lock, c.t.kthread);
  return true;
}

void kf_acquire_spin_lock(ExportCall& c) {
  if (!try_lock(c, c.arg(0))) return c.retry();
  uint8_t old = irql(c);
  set_irql(c, 2);
  c.ret(old);
}
void kf_release_spin_lock(ExportCall& c) {
  c.mem().write32(c.arg(0), 0);
  set_irql(c, static_cast<uint8_t>(c.arg(1)));
}
void ke_acquire_spin_lock_at_raised_irql(ExportCall& c) {
  if (!try_lock(c, c.arg(0))) c.retry();
}
void ke_try_to_acquire_spin_lock_at_raised_irql(ExportCall& c) { c.ret(try_lock(c, c.arg(0)) ? 1 : 0); }
void ke_release_spin_lock_from_raised_irql(ExportCall& c) { c.mem().write32(c.arg(0), 0); }
void ke_raise_irql_to_dpc_level(ExportCall& c) {
  uint8_t old = irql(c);
  set_irql(c, 2);
  c.ret(old);
}
void kf_lower_irql(ExportCall& c) { set_irql(c, static_cast<uint8_t>(c.arg(0))); }
void kf_raise_irql(ExportCall& c) {
  uint8_t old = irql(c);
  set_irql(c, static_cast<uint8_t>(c.arg(0)));
  c.ret(old);
}

// ERWLOCK (0x38): lock_count (-1 free; holders + waiters - 1),
// writers_waiting, readers_waiting, readers_entry_count (readers holding
// it), an auto-reset writer event at +0x10 and a reader semaphore at +0x20.
// A releasing writer hands the lock to all waiting readers if there are any,
// else to the first waiting writer; the last releasing reader hands it to
// the first waiting writer. A waiter owns the lock when its wait returns.
constexpr uint32_t kRwLockCount = 0x00;
constexpr uint32_t kRwWritersWaiting = 0x04;
constexpr uint32_t kRwReadersWaiting = 0x08;
constexpr uint32_t kRwReadersEntry = 0x0C;
constexpr uint32_t kRwWriterEvent = 0x10;
constexpr uint32_t kRwReaderSemaphore = 0x20;
constexpr uint32_t kRwSpinLock = 0x34;

int32_t rd(ExportCall& c, uint32_t lock, uint32_t off) { return static_cast<int32_t>(c.mem().read32(lock + off)); }
void wr(ExportCall& c, uint32_t lock, uint32_t off, int32_t v) { c.mem().write32(lock + off, static_cast<uint32_t>(v)); }

void ex_initialize_read_write_lock(ExportCall& c) {
  uint32_t l = c.arg(0);
  wr(c, l, kRwLockCount, -1);
  wr(c, l, kRwWritersWaiting, 0);
  wr(c, l, kRwReadersWaiting, 0);
  wr(c, l, kRwReadersEntry, 0);
  c.k.initialize_event(l + kRwWriterEvent, 1, false);
  c.k.initialize_semaphore(l + kRwReaderSemaphore, 0, 0x7FFFFFFF);
  wr(c, l, kRwSpinLock, 0);
}

void ex_acquire_read_write_lock_exclusive(ExportCall& c) {
  uint32_t l = c.arg(0);
  int32_t count = rd(c, l, kRwLockCount) + 1;
  wr(c, l, kRwLockCount, count);
  if (count == 0) return;
  wr(c, l, kRwWritersWaiting, rd(c, l, kRwWritersWaiting) + 1);
  uint32_t ev = l + kRwWriterEvent;
  if (c.k.wait(c.t, &ev, 1, WaitType::kAny, false, nullptr) == kStatusPending) c.blocked = true;
}

void ex_try_to_acquire_read_write_lock_exclusive(ExportCall& c) {
  uint32_t l = c.arg(0);
  if (rd(c, l, kRwLockCount) != -1) return c.ret(0);
  wr(c, l, kRwLockCount, 0);
  c.ret(1);
}

bool try_shared(ExportCall& c, uint32_t l) {
  int32_t count = rd(c, l, kRwLockCount);
  if (count == -1) {
    wr(c, l, kRwLockCount, 0);
    wr(c, l, kRwReadersEntry, 1);
    return true;
  }
  if (rd(c, l, kRwReadersEntry) > 0 && rd(c, l, kRwWritersWaiting) == 0) {
    wr(c, l, kRwLockCount, count + 1);
    wr(c, l, kRwReadersEntry, rd(c, l, kRwReadersEntry) + 1);
    return true;
  }
  return false;
}

void ex_acquire_read_write_lock_shared(ExportCall& c) {
  uint32_t l = c.arg(0);
  if (try_shared(c, l)) return;
  wr(c, l, kRwLockCount, rd(c, l, kRwLockCount) + 1);
  wr(c, l, kRwReadersWaiting, rd(c, l, kRwReadersWaiting) + 1);
  uint32_t sem = l + kRwReaderSemaphore;
  if (c.k.wait(c.t, &sem, 1, WaitType::kAny, false, nullptr) == kStatusPending) c.blocked = true;
}

void ex_try_to_acquire_read_write_lock_shared(ExportCall& c) { c.ret(try_shared(c, c.arg(0)) ? 1 : 0); }

void ex_release_read_write_lock(ExportCall& c) {
  uint32_t l = c.arg(0);
  int32_t readers = rd(c, l, kRwReadersEntry);
  int32_t count = rd(c, l, kRwLockCount);
  if (count < 0) return;  // not held
  wr(c, l, kRwLockCount, count - 1);
  bool reader_left = readers > 0;
  if (reader_left) {
    wr(c, l, kRwReadersEntry, readers - 1);
    if (readers > 1) return;  // other readers still hold it
  }
  if (count - 1 < 0) return;  // free, nobody waiting
  int32_t writers = rd(c, l, kRwWritersWaiting);
  int32_t waiting_readers = rd(c, l, kRwReadersWaiting);
  if (waiting_readers > 0 && (!reader_left || writers == 0)) {
    wr(c, l, kRwReadersWaiting, 0);
    wr(c, l, kRwReadersEntry, waiting_readers);
    int32_t prev;
    c.k.release_semaphore(&c.t, l + kRwReaderSemaphore, waiting_readers, &prev);
    return;
  }
  wr(c, l, kRwWritersWaiting, writers - 1);
  c.k.set_event(&c.t, l + kRwWriterEvent);
}

void resolve_rwlock(ExportCall& c) { c.resolve("lock_ptr", TraceValue::hex32(c.arg(0))); }

// SLIST_HEADER: next (u32), depth (u16), sequence (u16).
void interlocked_push_entry_slist(ExportCall& c) {
  uint32_t h = c.arg(0), entry = c.arg(1);
  uint32_t old = c.mem().read32(h);
  c.mem().write32(entry, old);
  c.mem().write32(h, entry);
  c.mem().write16(h + 4, static_cast<uint16_t>(c.mem().read16(h + 4) + 1));
  c.mem().write16(h + 6, static_cast<uint16_t>(c.mem().read16(h + 6) + 1));
  c.ret(old);
}
void interlocked_pop_entry_slist(ExportCall& c) {
  uint32_t h = c.arg(0);
  uint32_t first = c.mem().read32(h);
  if (first) {
    c.mem().write32(h, c.mem().read32(first));
    c.mem().write16(h + 4, static_cast<uint16_t>(c.mem().read16(h + 4) - 1));
    c.mem().write16(h + 6, static_cast<uint16_t>(c.mem().read16(h + 6) + 1));
  }
  c.ret(first);
}
void interlocked_flush_slist(ExportCall& c) {
  uint32_t h = c.arg(0);
  uint32_t first = c.mem().read32(h);
  c.mem().write32(h, 0);
  c.mem().write16(h + 4, 0);
  c.ret(first);
}

const ExportInfo kExports[] = {
    {7, "ExAcquireReadWriteLockExclusive", 1, ex_acquire_read_write_lock_exclusive, resolve_rwlock},
    {8, "ExAcquireReadWriteLockShared", 1, ex_acquire_read_write_lock_shared, resolve_rwlock},
    {17, "ExInitializeReadWriteLock", 1, ex_initialize_read_write_lock, resolve_rwlock},
    {22, "ExReleaseReadWriteLock", 1, ex_release_read_write_lock, resolve_rwlock},
    {43, "InterlockedFlushSList", 1, interlocked_flush_slist},
    {44, "InterlockedPopEntrySList", 1, interlocked_pop_entry_slist},
    {45, "InterlockedPushEntrySList", 2, interlocked_push_entry_slist},
    {77, "KeAcquireSpinLockAtRaisedIrql", 1, ke_acquire_spin_lock_at_raised_irql},
    {133, "KeRaiseIrqlToDpcLevel", 0, ke_raise_irql_to_dpc_level},
    {137, "KeReleaseSpinLockFromRaisedIrql", 1, ke_release_spin_lock_from_raised_irql},
    {174, "KeTryToAcquireSpinLockAtRaisedIrql", 1, ke_try_to_acquire_spin_lock_at_raised_irql},
    {177, "KfAcquireSpinLock", 1, kf_acquire_spin_lock},
    {178, "KfRaiseIrql", 1, kf_raise_irql},
    {179, "KfLowerIrql", 1, kf_lower_irql},
    {180, "KfReleaseSpinLock", 2, kf_release_spin_lock},
    {293, "RtlEnterCriticalSection", 1, rtl_enter_critical_section, resolve_cs},
    {302, "RtlInitializeCriticalSection", 1, rtl_initialize_critical_section, resolve_cs},
    {303, "RtlInitializeCriticalSectionAndSpinCount", 2, rtl_initialize_critical_section_and_spin_count, resolve_cs},
    {304, "RtlLeaveCriticalSection", 1, rtl_leave_critical_section, resolve_cs},
    {321, "RtlTryEnterCriticalSection", 1, rtl_try_enter_critical_section, resolve_cs},
    {733, "ExTryToAcquireReadWriteLockExclusive", 1, ex_try_to_acquire_read_write_lock_exclusive, resolve_rwlock},
    {734, "ExTryToAcquireReadWriteLockShared", 1, ex_try_to_acquire_read_write_lock_shared, resolve_rwlock},
};

}  // namespace

ExportTable rtl_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
