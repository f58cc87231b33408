// Critical sections, spin locks / IRQL and interlocked singly-linked lists.
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
uint8_t irql(ExportCall& c) { return c.mem().read8(c.t.kpcr + layout::kPcrIrql); }
void set_irql(ExportCall& c, uint8_t v) { c.mem().write8(c.t.kpcr + layout::kPcrIrql, v); }

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
    {43, "InterlockedFlushSList", 1, interlocked_flush_slist},
    {44, "InterlockedPopEntrySList", 1, interlocked_pop_entry_slist},
    {45, "InterlockedPushEntrySList", 2, interlocked_push_entry_slist},
    {77, "KeAcquireSpinLockAtRaisedIrql", 1, ke_acquire_spin_lock_at_raised_irql},
    {133, "KeRaiseIrqlToDpcLevel", 0, ke_raise_irql_to_dpc_level},
    {137, "KeReleaseSpinLockFromRaisedIrql", 1, ke_release_spin_lock_from_raised_irql},
    {174, "KeTryToAcquireSpinLockAtRaisedIrql", 1, ke_try_to_acquire_spin_lock_at_raised_irql},
    {177, "KfAcquireSpinLock", 1, kf_acquire_spin_lock},
    {179, "KfLowerIrql", 1, kf_lower_irql},
    {180, "KfReleaseSpinLock", 2, kf_release_spin_lock},
    {293, "RtlEnterCriticalSection", 1, rtl_enter_critical_section, resolve_cs},
    {302, "RtlInitializeCriticalSection", 1, rtl_initialize_critical_section, resolve_cs},
    {303, "RtlInitializeCriticalSectionAndSpinCount", 2, rtl_initialize_critical_section_and_spin_count, resolve_cs},
    {304, "RtlLeaveCriticalSection", 1, rtl_leave_critical_section, resolve_cs},
    {321, "RtlTryEnterCriticalSection", 1, rtl_try_enter_critical_section, resolve_cs},
};

}  // namespace

ExportTable rtl_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
