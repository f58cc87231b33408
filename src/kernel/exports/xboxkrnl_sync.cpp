// Events, semaphores, mutants, timers and waits (Ke* by pointer, Nt* by
// handle).
#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

bool is_event(uint8_t t) { return t == kTypeEventNotification || t == kTypeEventSynchronization; }
bool is_timer(uint8_t t) { return t == kTypeTimerNotification || t == kTypeTimerSynchronization; }

// Resolves a handle that must name an object of an accepted type.
bool handle_object(ExportCall& c, uint32_t handle, bool (*accept)(uint8_t), uint32_t* obj) {
  uint8_t type;
  NtStatus st = c.k.resolve_handle(c.t, handle, obj, &type);
  if (st != kStatusSuccess) {
    c.ret(st);
    return false;
  }
  if (accept && !accept(type)) {
    c.ret(kStatusObjectTypeMismatch);
    return false;
  }
  return true;
}

void write_handle(ExportCall& c, uint32_t phandle, uint32_t handle, NtStatus st) {
  if (phandle && (st == kStatusSuccess || st == kStatusObjectNameExists)) c.mem().write32(phandle, handle);
  c.ret(st);
}

// ---- events
void ke_initialize_event(ExportCall& c) { c.k.initialize_event(c.arg(0), c.arg(1) ? 1 : 0, c.arg(2) != 0); }
void ke_set_event(ExportCall& c) { c.ret(static_cast<uint32_t>(c.k.set_event(&c.t, c.arg(0)))); }
void ke_reset_event(ExportCall& c) { c.ret(static_cast<uint32_t>(c.k.reset_event(c.arg(0)))); }
void ke_pulse_event(ExportCall& c) { c.ret(static_cast<uint32_t>(c.k.pulse_event(&c.t, c.arg(0)))); }

void nt_create_event(ExportCall& c) {
  uint32_t h = 0;
  NtStatus st = c.k.create_event(c.t, &h, c.arg(2) ? 1 : 0, c.arg(3) != 0, object_attributes_name(c.mem(), c.arg(1)));
  write_handle(c, c.arg(0), h, st);
}

void nt_set_event(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), is_event, &obj)) return;
  int32_t prev = c.k.set_event(&c.t, obj);
  if (c.arg(1)) c.mem().write32(c.arg(1), static_cast<uint32_t>(prev));
  c.ret(kStatusSuccess);
}

void nt_clear_event(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), is_event, &obj)) return;
  c.k.reset_event(obj);
  c.ret(kStatusSuccess);
}

void nt_pulse_event(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), is_event, &obj)) return;
  int32_t prev = c.k.pulse_event(&c.t, obj);
  if (c.arg(1)) c.mem().write32(c.arg(1), static_cast<uint32_t>(prev));
  c.ret(kStatusSuccess);
}

// ---- semaphores
void ke_initialize_semaphore(ExportCall& c) {
  c.k.initialize_semaphore(c.arg(0), static_cast<int32_t>(c.arg(1)), static_cast<int32_t>(c.arg(2)));
}

void ke_release_semaphore(ExportCall& c) {
  int32_t prev = 0;
  c.k.release_semaphore(&c.t, c.arg(0), static_cast<int32_t>(c.arg(2)), &prev);
  c.ret(static_cast<uint32_t>(prev));
}

void nt_create_semaphore(ExportCall& c) {
  uint32_t h = 0;
  NtStatus st = c.k.create_semaphore(c.t, &h, static_cast<int32_t>(c.arg(2)), static_cast<int32_t>(c.arg(3)),
                                     object_attributes_name(c.mem(), c.arg(1)));
  write_handle(c, c.arg(0), h, st);
}

void nt_release_semaphore(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), [](uint8_t t) { return t == kTypeSemaphore; }, &obj)) return;
  int32_t prev = 0;
  NtStatus st = c.k.release_semaphore(&c.t, obj, static_cast<int32_t>(c.arg(1)), &prev);
  if (c.arg(2)) c.mem().write32(c.arg(2), static_cast<uint32_t>(prev));
  c.ret(st);
}

// ---- mutants
void ke_initialize_mutant(ExportCall& c) { c.k.initialize_mutant(&c.t, c.arg(0), c.arg(1) != 0); }

void ke_release_mutant(ExportCall& c) {
  int32_t prev = 0;
  NtStatus st = c.k.release_mutant(&c.t, c.arg(0), c.arg(2) != 0, &prev);
  // NT raises STATUS_MUTANT_NOT_OWNED as an exception here; xdet returns it.
  c.ret(st == kStatusSuccess ? static_cast<uint32_t>(prev) : st);
}

void nt_create_mutant(ExportCall& c) {
  uint32_t h = 0;
  NtStatus st = c.k.create_mutant(c.t, &h, c.arg(2) != 0, object_attributes_name(c.mem(), c.arg(1)));
  write_handle(c, c.arg(0), h, st);
}

void nt_release_mutant(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), [](uint8_t t) { return t == kTypeMutant; }, &obj)) return;
  int32_t prev = 0;
  NtStatus st = c.k.release_mutant(&c.t, obj, false, &prev);
  if (st == kStatusSuccess && c.arg(1)) c.mem().write32(c.arg(1), static_cast<uint32_t>(prev));
  c.ret(st);
}

// ---- timers
void ke_initialize_timer_ex(ExportCall& c) { c.k.initialize_timer(c.arg(0), c.arg(1) ? 1 : 0); }

// The DPC (KTIMER+0x20) is queued at each expiry with the expiry FILETIME
// as its two arguments and runs when a thread is below DISPATCH_LEVEL.
void ke_set_timer(ExportCall& c) {
  bool was = c.k.set_timer(&c.t, c.arg(0), static_cast<int64_t>(c.arg64(1)), 0);
  c.mem().write32(c.arg(0) + layout::kTimerDpc, c.arg(2));
  c.ret(was ? 1 : 0);
}

void ke_set_timer_ex(ExportCall& c) {
  bool was = c.k.set_timer(&c.t, c.arg(0), static_cast<int64_t>(c.arg64(1)), c.arg(2));
  c.mem().write32(c.arg(0) + layout::kTimerDpc, c.arg(3));
  c.ret(was ? 1 : 0);
}

void ke_cancel_timer(ExportCall& c) { c.ret(c.k.cancel_timer(c.arg(0)) ? 1 : 0); }

void nt_create_timer(ExportCall& c) {
  uint32_t h = 0;
  NtStatus st = c.k.create_timer(c.t, &h, c.arg(2) ? 1 : 0, object_attributes_name(c.mem(), c.arg(1)));
  write_handle(c, c.arg(0), h, st);
}

void nt_set_timer_ex(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), is_timer, &obj)) return;
  int64_t due = 0;
  if (!read_timeout(c.mem(), c.arg(1), &due)) return c.ret(kStatusInvalidParameter);
  c.k.set_timer(&c.t, obj, due, c.arg(6));
  // The APC routine(context, time_lo, time_hi) goes to the calling thread
  // at each expiry, as a user APC (delivered in its alertable waits).
  c.k.set_timer_apc(obj, &c.t, c.arg(2), c.arg(4));
  // NT arms the timer and reports that the resume flag is ignored.
  c.ret(c.arg(5) ? kStatusTimerResumeIgnored : kStatusSuccess);
}

void nt_cancel_timer(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), is_timer, &obj)) return;
  int32_t state = static_cast<int32_t>(c.mem().read32(obj + layout::kHeaderSignalState));
  c.k.cancel_timer(obj);
  c.k.set_timer_apc(obj, nullptr, 0, 0);
  if (c.arg(1)) c.mem().write32(c.arg(1), state ? 1 : 0);
  c.ret(kStatusSuccess);
}

// ---- waits
void ke_wait_for_single_object(ExportCall& c) {
  int64_t timeout;
  bool has = read_timeout(c.mem(), c.arg(4), &timeout);
  uint32_t obj = c.arg(0);
  c.ret_status(c.k.wait(c.t, &obj, 1, WaitType::kAny, c.arg(3) != 0, has ? &timeout : nullptr));
}

void ke_wait_for_multiple_objects(ExportCall& c) {
  uint32_t count = c.arg(0), array = c.arg(1), type = c.arg(2);
  if (count == 0 || count > kMaxWaitObjects || type > 1) return c.ret(kStatusInvalidParameter);
  uint32_t objs[kMaxWaitObjects];
  for (uint32_t i = 0; i < count; ++i) objs[i] = c.mem().read32(array + 4 * i);
  int64_t timeout;
  bool has = read_timeout(c.mem(), c.arg(6), &timeout);
  c.ret_status(c.k.wait(c.t, objs, count, type ? WaitType::kAny : WaitType::kAll, c.arg(5) != 0,
                        has ? &timeout : nullptr));
}

void nt_wait_for_single_object_ex(ExportCall& c) {
  uint32_t obj;
  if (!handle_object(c, c.arg(0), nullptr, &obj)) return;
  int64_t timeout;
  bool has = read_timeout(c.mem(), c.arg(3), &timeout);
  c.ret_status(c.k.wait(c.t, &obj, 1, WaitType::kAny, c.arg(2) != 0, has ? &timeout : nullptr));
}

void nt_wait_for_multiple_objects_ex(ExportCall& c) {
  uint32_t count = c.arg(0), array = c.arg(1), type = c.arg(2);
  if (count == 0 || count > kMaxWaitObjects || type > 1) return c.ret(kStatusInvalidParameter);
  uint32_t objs[kMaxWaitObjects];
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t t;
    NtStatus st = c.k.resolve_handle(c.t, c.mem().read32(array + 4 * i), &objs[i], &t);
    if (st != kStatusSuccess) return c.ret(st);
  }
  int64_t timeout;
  bool has = read_timeout(c.mem(), c.arg(5), &timeout);
  c.ret_status(c.k.wait(c.t, objs, count, type ? WaitType::kAny : WaitType::kAll, c.arg(4) != 0,
                        has ? &timeout : nullptr));
}

void nt_signal_and_wait_for_single_object_ex(ExportCall& c) {
  uint32_t sig, obj;
  if (!handle_object(c, c.arg(0), nullptr, &sig)) return;
  if (!handle_object(c, c.arg(1), nullptr, &obj)) return;
  int64_t timeout;
  bool has = read_timeout(c.mem(), c.arg(4), &timeout);
  c.ret_status(c.k.signal_and_wait(c.t, sig, obj, c.arg(2) != 0, has ? &timeout : nullptr));
}

// args_resolved for waits: the timeout value (null = infinite).
template <int kTimeoutArg>
void resolve_timeout(ExportCall& c) {
  uint32_t p = c.arg(kTimeoutArg);
  c.resolve("timeout_100ns", p ? TraceValue::integer(static_cast<int64_t>(c.mem().read64(p))) : TraceValue::null());
}

const ExportInfo kExports[] = {
    {84, "KeCancelTimer", 1, ke_cancel_timer},
    {112, "KeInitializeEvent", 3, ke_initialize_event},
    {114, "KeInitializeMutant", 2, ke_initialize_mutant},
    {116, "KeInitializeSemaphore", 3, ke_initialize_semaphore},
    {117, "KeInitializeTimerEx", 2, ke_initialize_timer_ex},
    {127, "KePulseEvent", 3, ke_pulse_event},
    {135, "KeReleaseMutant", 4, ke_release_mutant},
    {136, "KeReleaseSemaphore", 4, ke_release_semaphore},
    {143, "KeResetEvent", 1, ke_reset_event},
    {157, "KeSetEvent", 3, ke_set_event},
    {166, "KeSetTimer", 3, ke_set_timer},
    {167, "KeSetTimerEx", 4, ke_set_timer_ex},
    {175, "KeWaitForMultipleObjects", 8, ke_wait_for_multiple_objects, resolve_timeout<6>},
    {176, "KeWaitForSingleObject", 5, ke_wait_for_single_object, resolve_timeout<4>},
    {205, "NtCancelTimer", 2, nt_cancel_timer},
    {206, "NtClearEvent", 1, nt_clear_event},
    {209, "NtCreateEvent", 4, nt_create_event},
    {212, "NtCreateMutant", 3, nt_create_mutant},
    {213, "NtCreateSemaphore", 4, nt_create_semaphore},
    {215, "NtCreateTimer", 3, nt_create_timer},
    {226, "NtPulseEvent", 2, nt_pulse_event},
    {242, "NtReleaseMutant", 2, nt_release_mutant},
    {243, "NtReleaseSemaphore", 3, nt_release_semaphore},
    {246, "NtSetEvent", 2, nt_set_event},
    {250, "NtSetTimerEx", 8, nt_set_timer_ex},
    {251, "NtSignalAndWaitForSingleObjectEx", 5, nt_signal_and_wait_for_single_object_ex, resolve_timeout<4>},
    {253, "NtWaitForSingleObjectEx", 4, nt_wait_for_single_object_ex, resolve_timeout<3>},
    {254, "NtWaitForMultipleObjectsEx", 6, nt_wait_for_multiple_objects_ex, resolve_timeout<5>},
};

}  // namespace

ExportTable sync_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
