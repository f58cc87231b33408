// Threads, priorities, affinity, delays, TLS, process type and time.
#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

// ExCreateThread flag: *phandle receives the KTHREAD pointer, not a handle.
constexpr uint32_t kCreateReturnKThread = 0x80;

void ex_create_thread(ExportCall& c) {
  uint32_t phandle = c.arg(0), stack_size = c.arg(1), pthread_id = c.arg(2), xapi_startup = c.arg(3),
           start = c.arg(4), ctx = c.arg(5), flags = c.arg(6);
  ThreadParams p;
  p.entry_pc = start;
  p.start_context = ctx;
  p.xapi_startup = xapi_startup;
  p.stack_size = stack_size;
  p.creation_flags = flags;
  p.create_site_pc = static_cast<uint32_t>(c.t.ctx.lr);
  uint32_t handle = 0;
  Thread* nt = c.k.create_thread(&c.t, p, &handle);
  if (!nt) return c.ret(kStatusNoMemory);
  if (phandle) c.mem().write32(phandle, (flags & kCreateReturnKThread) ? nt->kthread : handle);
  if (pthread_id) c.mem().write32(pthread_id, nt->tid);
  c.ret(kStatusSuccess);
}

void ex_terminate_thread(ExportCall& c) { c.k.exit_thread(c.t, c.arg(0)); }

void nt_resume_thread(ExportCall& c) {
  NtStatus st;
  Thread* t = thread_from_handle(c, c.arg(0), &st);
  if (!t) return c.ret(st);
  uint32_t prev = 0;
  st = c.k.resume_thread(*t, &prev);
  if (c.arg(1)) c.mem().write32(c.arg(1), prev);
  c.ret(st);
}

void nt_suspend_thread(ExportCall& c) {
  NtStatus st;
  Thread* t = thread_from_handle(c, c.arg(0), &st);
  if (!t) return c.ret(st);
  uint32_t prev = 0;
  st = c.k.suspend_thread(*t, &prev);
  if (c.arg(1)) c.mem().write32(c.arg(1), prev);
  c.ret(st);
}

Thread* kthread_arg(ExportCall& c, int n) {
  Thread* t = c.k.thread_by_kthread(c.arg(n));
  return t;
}

void ke_resume_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  if (!t) return c.ret(kStatusInvalidHandle);
  uint32_t prev = 0;
  c.k.resume_thread(*t, &prev);
  c.ret(prev);
}

void ke_suspend_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  if (!t) return c.ret(kStatusInvalidHandle);
  uint32_t prev = 0;
  c.k.suspend_thread(*t, &prev);
  c.ret(prev);
}

void ke_set_affinity_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  if (!t) return c.ret(kStatusInvalidHandle);
  uint32_t prev = 0;
  NtStatus st = c.k.set_affinity(*t, c.arg(1), &prev);
  if (st == kStatusSuccess && c.arg(2)) c.mem().write32(c.arg(2), prev);
  c.ret(st);
}

void ke_query_base_priority_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  c.ret(t ? t->base_priority : 0);
}

// xdet's priority model: KeSetBasePriorityThread / KeSetPriorityThread set
// the scheduler's base priority directly (clamped to 0..31) and return the
// previous one. (xenia maps the value to a host priority class and ignores
// it by default.)
void ke_set_base_priority_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  if (!t) return c.ret(0);
  c.ret(static_cast<uint32_t>(c.k.set_base_priority(*t, static_cast<int32_t>(c.arg(1)))));
}

void ke_set_disable_boost_thread(ExportCall& c) { c.ret(0); }

void ke_delay_execution_thread(ExportCall& c) {
  int64_t interval = 0;
  if (!read_timeout(c.mem(), c.arg(2), &interval)) return c.ret(kStatusInvalidParameter);
  c.ret_status(c.k.delay(c.t, interval, c.arg(1) != 0));
}

void resolve_delay(ExportCall& c) {
  if (c.arg(2)) c.resolve("interval_100ns", TraceValue::integer(static_cast<int64_t>(c.mem().read64(c.arg(2)))));
}

void nt_yield_execution(ExportCall& c) {
  c.k.yield(c.t);
  c.ret(kStatusSuccess);
}

void ke_get_current_process_type(ExportCall& c) { c.ret(c.mem().read8(c.k.process_block() + layout::kProcessType)); }

void ke_set_current_process_type(ExportCall& c) {
  if (c.arg(0) <= 2) c.mem().write8(c.k.process_block() + layout::kProcessType, static_cast<uint8_t>(c.arg(0)));
  c.ret(0);
}

void ke_tls_alloc(ExportCall& c) { c.ret(c.k.tls_alloc()); }
void ke_tls_free(ExportCall& c) { c.ret(c.k.tls_free(c.arg(0)) ? 1 : 0); }
void ke_tls_get_value(ExportCall& c) { c.ret(c.k.tls_get(c.t, c.arg(0))); }
void ke_tls_set_value(ExportCall& c) { c.ret(c.k.tls_set(c.t, c.arg(0), c.arg(1)) ? 1 : 0); }

void ke_query_performance_frequency(ExportCall& c) { c.t.ctx.gpr[3] = kTimebaseFrequency; }

void ke_query_system_time(ExportCall& c) {
  if (c.arg(0)) c.mem().write64(c.arg(0), c.k.system_time());
}

void ob_lookup_thread_by_thread_id(ExportCall& c) {
  Thread* t = c.k.thread_by_tid(c.arg(0));
  if (!t) return c.ret(kStatusInvalidParameter);
  if (c.arg(1)) c.mem().write32(c.arg(1), t->kthread);
  c.ret(kStatusSuccess);
}

void ke_enter_critical_region(ExportCall& c) {
  uint32_t a = c.t.kthread + layout::kThreadApcDisable;
  c.mem().write32(a, c.mem().read32(a) - 1);
}

void ke_leave_critical_region(ExportCall& c) {
  uint32_t a = c.t.kthread + layout::kThreadApcDisable;
  c.mem().write32(a, c.mem().read32(a) + 1);
}

void resolve_create_thread(ExportCall& c) {
  c.resolve("stack_size", TraceValue::uinteger(c.arg(1)));
  c.resolve("start_address", TraceValue::hex32(c.arg(4)));
  c.resolve("start_context", TraceValue::hex32(c.arg(5)));
  c.resolve("creation_flags", TraceValue::hex32(c.arg(6)));
}

const ExportInfo kExports[] = {
    {13, "ExCreateThread", 7, ex_create_thread, resolve_create_thread},
    {25, "ExTerminateThread", 1, ex_terminate_thread},
    {90, "KeDelayExecutionThread", 3, ke_delay_execution_thread, resolve_delay},
    {95, "KeEnterCriticalRegion", 0, ke_enter_critical_region},
    {102, "KeGetCurrentProcessType", 0, ke_get_current_process_type},
    {125, "KeLeaveCriticalRegion", 0, ke_leave_critical_region},
    {129, "KeQueryBasePriorityThread", 1, ke_query_base_priority_thread},
    {131, "KeQueryPerformanceFrequency", 0, ke_query_performance_frequency},
    {132, "KeQuerySystemTime", 1, ke_query_system_time},
    {146, "KeResumeThread", 1, ke_resume_thread},
    {151, "KeSetAffinityThread", 3, ke_set_affinity_thread},
    {153, "KeSetBasePriorityThread", 2, ke_set_base_priority_thread},
    {154, "KeSetCurrentProcessType", 1, ke_set_current_process_type},
    {156, "KeSetDisableBoostThread", 2, ke_set_disable_boost_thread},
    {163, "KeSetPriorityThread", 2, ke_set_base_priority_thread},
    {169, "KeSuspendThread", 1, ke_suspend_thread},
    {245, "NtResumeThread", 2, nt_resume_thread},
    {252, "NtSuspendThread", 2, nt_suspend_thread},
    {257, "NtYieldExecution", 0, nt_yield_execution},
    {267, "ObLookupThreadByThreadId", 2, ob_lookup_thread_by_thread_id},
    {338, "KeTlsAlloc", 0, ke_tls_alloc},
    {339, "KeTlsFree", 1, ke_tls_free},
    {340, "KeTlsGetValue", 1, ke_tls_get_value},
    {341, "KeTlsSetValue", 2, ke_tls_set_value},
};

}  // namespace

ExportTable threading_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
