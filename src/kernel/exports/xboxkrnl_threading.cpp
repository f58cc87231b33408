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
  c.ret(t ? static_cast<uint32_t>(static_cast<int32_t>(t->priority_increment)) : 0);
}

// Priorities are signed increments over the process base, as on the
// console: KeSetBasePriorityThread(thread, increment) takes
// THREAD_PRIORITY_LOWEST (-2), IDLE (-15), TIME_CRITICAL (15) and the rest,
// returns the previous increment, and the scheduler orders threads by
// 16 + increment. (xenia maps the increment to a host priority class and
// ignores it by default.) KeSetPriorityThread sets the absolute level
// (0..31) and returns the previous level.
void ke_set_base_priority_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  if (!t) return c.ret(0);
  c.ret(static_cast<uint32_t>(c.k.set_base_priority(*t, static_cast<int32_t>(c.arg(1)))));
}

void ke_set_priority_thread(ExportCall& c) {
  Thread* t = kthread_arg(c, 0);
  if (!t) return c.ret(0);
  c.ret(static_cast<uint32_t>(c.k.set_priority_level(*t, static_cast<int32_t>(c.arg(1)))));
}

void resolve_priority(ExportCall& c) { c.resolve("increment", TraceValue::integer(static_cast<int32_t>(c.arg(1)))); }

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

// KTHREAD+0xB0 counts down per KeEnterCriticalRegion; normal kernel APCs
// wait while it is non-zero and run when KeLeaveCriticalRegion brings it
// back to 0 (the runner delivers them as the call returns).
void ke_enter_critical_region(ExportCall& c) {
  uint32_t a = c.t.kthread + layout::kThreadApcDisable;
  c.mem().write32(a, c.mem().read32(a) - 1);
}

void ke_leave_critical_region(ExportCall& c) {
  uint32_t a = c.t.kthread + layout::kThreadApcDisable;
  c.mem().write32(a, c.mem().read32(a) + 1);
}

// KeSetCurrentStackPointers(sp, kthread, alloc_base, base, limit): a fiber
// switch. The thread continues on the new stack when the call returns.
void ke_set_current_stack_pointers(ExportCall& c) {
  Thread* t = kthread_arg(c, 1);
  if (!t) t = &c.t;
  uint32_t k = t->kthread;
  c.mem().write32(k + layout::kThreadStackAllocBase, c.arg(2));
  c.mem().write32(k + layout::kThreadStackBase, c.arg(3));
  c.mem().write32(k + layout::kThreadStackLimit, c.arg(4));
  c.mem().write32(t->kpcr + layout::kPcrStackBase, c.arg(3));
  c.mem().write32(t->kpcr + layout::kPcrStackLimit, c.arg(4));
  if (t == &c.t) c.t.ctx.gpr[1] = c.arg(0);
}

// ---- APCs and DPCs (kernel_apc.cpp has the delivery rules)

// NtQueueApcThread(handle, routine, context, arg1, arg2): a user APC,
// routine(context, arg1, arg2) at the thread's next alertable point.
void nt_queue_apc_thread(ExportCall& c) {
  NtStatus st;
  Thread* t = thread_from_handle(c, c.arg(0), &st);
  if (!t) return c.ret(st);
  if (!c.arg(1)) return c.ret(kStatusInvalidParameter);
  if (!c.k.queue_user_apc(&c.t, *t, c.arg(1), c.arg(2), c.arg(3), c.arg(4))) {
    return c.ret(t->state == ThreadState::kTerminated ? kStatusUnsuccessful : kStatusNoMemory);
  }
  c.ret(kStatusSuccess);
}

void resolve_queue_apc(ExportCall& c) {
  c.resolve("routine", TraceValue::hex32(c.arg(1)));
  c.resolve("context", TraceValue::hex32(c.arg(2)));
}

// KeInitializeApc(apc, kthread, kernel_routine, rundown_routine, normal_routine, mode, normal_context)
void ke_initialize_apc(ExportCall& c) {
  c.k.initialize_apc(c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4), static_cast<uint8_t>(c.arg(5)), c.arg(6));
}

// KeInsertQueueApc(apc, arg1, arg2, priority_increment): 1 queued, 0 not.
void ke_insert_queue_apc(ExportCall& c) { c.ret(c.k.insert_queue_apc(&c.t, c.arg(0), c.arg(1), c.arg(2)) ? 1 : 0); }
void ke_remove_queue_apc(ExportCall& c) { c.ret(c.k.remove_queue_apc(c.arg(0)) ? 1 : 0); }
// The exported no-op normal routine titles put in KAPCs.
void ki_apc_normal_routine_nop(ExportCall&) {}

void ke_initialize_dpc(ExportCall& c) { c.k.initialize_dpc(c.arg(0), c.arg(1), c.arg(2)); }
void ke_insert_queue_dpc(ExportCall& c) { c.ret(c.k.insert_queue_dpc(c.arg(0), c.arg(1), c.arg(2)) ? 1 : 0); }
void ke_remove_queue_dpc(ExportCall& c) { c.ret(c.k.remove_queue_dpc(c.arg(0)) ? 1 : 0); }

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
    {109, "KeInitializeApc", 7, ke_initialize_apc},
    {111, "KeInitializeDpc", 3, ke_initialize_dpc},
    {122, "KeInsertQueueApc", 4, ke_insert_queue_apc},
    {123, "KeInsertQueueDpc", 3, ke_insert_queue_dpc},
    {102, "KeGetCurrentProcessType", 0, ke_get_current_process_type},
    {125, "KeLeaveCriticalRegion", 0, ke_leave_critical_region},
    {129, "KeQueryBasePriorityThread", 1, ke_query_base_priority_thread},
    {131, "KeQueryPerformanceFrequency", 0, ke_query_performance_frequency},
    {142, "KeRemoveQueueDpc", 1, ke_remove_queue_dpc},
    {132, "KeQuerySystemTime", 1, ke_query_system_time},
    {146, "KeResumeThread", 1, ke_resume_thread},
    {151, "KeSetAffinityThread", 3, ke_set_affinity_thread},
    {153, "KeSetBasePriorityThread", 2, ke_set_base_priority_thread, resolve_priority},
    {154, "KeSetCurrentProcessType", 1, ke_set_current_process_type},
    {155, "KeSetCurrentStackPointers", 5, ke_set_current_stack_pointers},
    {156, "KeSetDisableBoostThread", 2, ke_set_disable_boost_thread},
    {163, "KeSetPriorityThread", 2, ke_set_priority_thread},
    {169, "KeSuspendThread", 1, ke_suspend_thread},
    {227, "NtQueueApcThread", 5, nt_queue_apc_thread, resolve_queue_apc},
    {245, "NtResumeThread", 2, nt_resume_thread},
    {252, "NtSuspendThread", 2, nt_suspend_thread},
    {257, "NtYieldExecution", 0, nt_yield_execution},
    {267, "ObLookupThreadByThreadId", 2, ob_lookup_thread_by_thread_id},
    {338, "KeTlsAlloc", 0, ke_tls_alloc},
    {339, "KeTlsFree", 1, ke_tls_free},
    {340, "KeTlsGetValue", 1, ke_tls_get_value},
    {341, "KeTlsSetValue", 2, ke_tls_set_value},
    {479, "KiApcNormalRoutineNop", 0, ki_apc_normal_routine_nop},
    {752, "KeRemoveQueueApc", 1, ke_remove_queue_apc},
};

}  // namespace

ExportTable threading_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
