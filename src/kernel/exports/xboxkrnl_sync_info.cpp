// What a title can ask about its synchronisation objects: NtQueryEvent,
// NtQuerySemaphore, NtQueryMutant, NtQueryTimer (all (handle, pinfo) with
// the NT *_BASIC_INFORMATION layouts), the interrupt time, and
// KeSetEventBoostPriority. Everything is read from the objects' dispatcher
// headers in guest memory and from virtual time.
#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

// Resolves `handle` to an object whose type `accept` allows; returns false
// after setting the status otherwise.
bool object_of(ExportCall& c, uint32_t handle, bool (*accept)(uint8_t), uint32_t* obj, uint8_t* type) {
  NtStatus st = c.k.resolve_handle(c.t, handle, obj, type);
  if (st != kStatusSuccess) {
    c.ret(st);
    return false;
  }
  if (!accept(*type)) {
    c.ret(kStatusObjectTypeMismatch);
    return false;
  }
  return true;
}

int32_t signal_state(ExportCall& c, uint32_t obj) {
  return static_cast<int32_t>(c.mem().read32(obj + layout::kHeaderSignalState));
}

// EVENT_BASIC_INFORMATION: +0 EventType (0 notification, 1 synchronization),
// +4 EventState.
void nt_query_event(ExportCall& c) {
  uint32_t obj, info = c.arg(1);
  uint8_t type;
  if (!object_of(c, c.arg(0), [](uint8_t t) { return t == kTypeEventNotification || t == kTypeEventSynchronization; },
                 &obj, &type)) {
    return;
  }
  c.mem().write32(info, type == kTypeEventSynchronization ? 1 : 0);
  c.mem().write32(info + 4, static_cast<uint32_t>(signal_state(c, obj)));
  c.ret(kStatusSuccess);
}

// SEMAPHORE_BASIC_INFORMATION: +0 CurrentCount, +4 MaximumCount.
void nt_query_semaphore(ExportCall& c) {
  uint32_t obj, info = c.arg(1);
  uint8_t type;
  if (!object_of(c, c.arg(0), [](uint8_t t) { return t == kTypeSemaphore; }, &obj, &type)) return;
  c.mem().write32(info, static_cast<uint32_t>(signal_state(c, obj)));
  c.mem().write32(info + 4, c.mem().read32(obj + layout::kSemaphoreLimit));
  c.ret(kStatusSuccess);
}

// MUTANT_BASIC_INFORMATION: +0 CurrentCount (1 free, <= 0 held that many
// times), +4 OwnedByCaller, +5 AbandonedState.
void nt_query_mutant(ExportCall& c) {
  uint32_t obj, info = c.arg(1);
  uint8_t type;
  if (!object_of(c, c.arg(0), [](uint8_t t) { return t == kTypeMutant; }, &obj, &type)) return;
  int32_t count = signal_state(c, obj);
  c.mem().write32(info, static_cast<uint32_t>(count));
  c.mem().write8(info + 4, count <= 0 && c.mem().read32(obj + layout::kMutantOwner) == c.t.kthread ? 1 : 0);
  c.mem().write8(info + 5, c.mem().read8(obj + layout::kMutantAbandoned) ? 1 : 0);
  c.ret(kStatusSuccess);
}

// TIMER_BASIC_INFORMATION: +0 RemainingTime (100 ns until the due time, 0
// when not armed), +8 TimerState (signalled).
void nt_query_timer(ExportCall& c) {
  uint32_t obj, info = c.arg(1);
  uint8_t type;
  if (!object_of(c, c.arg(0), [](uint8_t t) { return t == kTypeTimerNotification || t == kTypeTimerSynchronization; },
                 &obj, &type)) {
    return;
  }
  uint64_t remaining = 0;
  if (c.k.timer_armed(obj)) {
    uint64_t due = c.mem().read64(obj + layout::kTimerDueTime), now = c.k.system_time();
    remaining = due > now ? due - now : 0;
  }
  c.mem().write64(info, remaining);
  c.mem().write8(info + 8, signal_state(c, obj) ? 1 : 0);
  c.ret(kStatusSuccess);
}

// (): 100 ns units since boot, from virtual time (KeTimeStampBundle's
// interrupt time, exact rather than as of the last slice).
void ke_query_interrupt_time(ExportCall& c) {
  uint64_t t = c.k.now() / kInstructionsPer100ns;
  c.t.ctx.gpr[3] = t;
}

// (kevent, pkthread): sets the event; the boost the console gives the woken
// thread is what the scheduler's wake already models.
void ke_set_event_boost_priority(ExportCall& c) { c.k.set_event(&c.t, c.arg(0)); }

const ExportInfo kExports[] = {
    {0x082, "KeQueryInterruptTime", 0, ke_query_interrupt_time},
    {0x09E, "KeSetEventBoostPriority", 2, ke_set_event_boost_priority},
    {0x0E6, "NtQueryEvent", 2, nt_query_event},
    {0x0EA, "NtQueryMutant", 2, nt_query_mutant},
    {0x0EB, "NtQuerySemaphore", 2, nt_query_semaphore},
    {0x0ED, "NtQueryTimer", 2, nt_query_timer},
};

}  // namespace

ExportTable sync_info_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
