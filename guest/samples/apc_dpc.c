/* Conformance: APCs, DPCs, IRQL and read-write locks.
 * - user APCs (NtQueueApcThread) run FIFO only in alertable waits and
 *   delays, which then return STATUS_USER_APC; queueing one alerts a thread
 *   blocked in an alertable wait; a new thread runs its queued APCs first;
 * - KeInitializeApc/KeInsertQueueApc/KeRemoveQueueApc: the kernel routine
 *   runs before the normal routine and may change its context; kernel-mode
 *   APCs run at once at PASSIVE_LEVEL, but not inside a critical region;
 * - NtSetTimerEx APC routines get (context, time low, time high);
 * - DPCs run when IRQL drops below DISPATCH_LEVEL, at DISPATCH_LEVEL;
 *   preemption is held back while IRQL is raised;
 * - ExInitializeReadWriteLock & co: shared readers, exclusive writers. */
#include "sample_util.h"

static volatile int g_log[32], g_log_n;
static void log_value(int v) {
  if (g_log_n < 32) g_log[g_log_n++] = v;
}

static KIRQL current_irql(void) {
  char* kpcr;
  __asm__ volatile("mr %0, 13" : "=r"(kpcr));
  return *(volatile KIRQL*)(kpcr + 0x18);
}

static void user_apc(PVOID ctx, PVOID a1, PVOID a2) { log_value((int)ctx * 100 + (int)a1 * 10 + (int)a2); }

static void kernel_routine(KAPC* apc, PVOID* normal, PVOID* context, PVOID* a1, PVOID* a2) {
  (void)apc, (void)normal, (void)a2;
  log_value(1000 + current_irql());
  *context = (PVOID)((int)*context + 1);
  *a1 = (PVOID)7;
}

static void normal_routine(PVOID ctx, PVOID a1, PVOID a2) {
  (void)a2;
  log_value(2000 + (int)ctx * 10 + (int)a1 + 100 * current_irql());
}

static volatile int g_timer_apcs;
static volatile ULONG g_timer_hi;
static void timer_apc(PVOID ctx, PVOID lo, PVOID hi) {
  (void)lo;
  g_timer_apcs += (int)ctx;
  g_timer_hi = (ULONG)hi;
}

static volatile int g_dpc_runs, g_dpc_irql = -1, g_dpc_ctx;
static void dpc_routine(KDPC* dpc, PVOID ctx, PVOID a1, PVOID a2) {
  (void)dpc;
  ++g_dpc_runs;
  g_dpc_irql = current_irql();
  g_dpc_ctx = (int)ctx + (int)a1 + (int)a2;
}

/* KeSetTimerEx takes its due time as one 64-bit register (the console's
 * 64-bit ABI); a negative constant that `li` loads is sign-extended to all
 * 64 bits, so a LONG parameter passes a relative due time correctly. */
BOOLEAN KeSetTimerEx(KTIMER* timer, LONG relative_due_time, LONG period_ms, KDPC* dpc);

static KEVENT g_dpc_done;
static volatile int g_timer_dpc_irql = -1;
static void timer_dpc(KDPC* dpc, PVOID ctx, PVOID a1, PVOID a2) {
  (void)dpc, (void)ctx, (void)a1, (void)a2;
  g_timer_dpc_irql = current_irql();
  KeSetEvent(&g_dpc_done, 0, FALSE);
}

static HANDLE g_worker_go;
static volatile int g_worker_status = -1, g_worker_log_at = -1;
static ULONG alertable_worker(PVOID ctx) {
  (void)ctx;
  g_worker_status = NtWaitForSingleObjectEx(g_worker_go, 1, TRUE, 0);
  g_worker_log_at = g_log_n;
  return 0;
}

static volatile int g_start_apc_first = -1;
static ULONG starts_with_apc(PVOID ctx) {
  (void)ctx;
  g_start_apc_first = g_log_n;
  return 0;
}

static KEVENT g_go;
static volatile int g_marker, g_seen = -1;
static ULONG high_waiter(PVOID ctx) {
  (void)ctx;
  KeWaitForSingleObject(&g_go, 0, 1, FALSE, 0);
  g_seen = g_marker;
  return 0;
}

static EX_READ_WRITE_LOCK g_rw;
static volatile int g_writer_has_it;
static ULONG writer(PVOID ctx) {
  (void)ctx;
  ExAcquireReadWriteLockExclusive(&g_rw);
  g_writer_has_it = 1;
  ExReleaseReadWriteLock(&g_rw);
  return 0;
}

int main(void) {
  HANDLE self = (HANDLE)0xFFFFFFFE;
  PVOID me = XdetCurrentKThread();
  ULONG prev;
  KeSetAffinityThread(me, 1u << 0, &prev);

  /* User APCs: queued, not run by a non-alertable delay, run FIFO by an
   * alertable one. */
  CHECK_EQ(NtQueueApcThread(self, user_apc, (PVOID)1, (PVOID)2, (PVOID)3), STATUS_SUCCESS);
  CHECK_EQ(NtQueueApcThread(self, user_apc, (PVOID)4, (PVOID)5, (PVOID)6), STATUS_SUCCESS);
  sleep_100ns(1000);
  CHECK_EQ(g_log_n, 0);
  LARGE_INTEGER li;
  li.QuadPart = -10000;
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &li), STATUS_USER_APC);
  CHECK_EQ(g_log_n, 2);
  CHECK_EQ(g_log[0], 123);
  CHECK_EQ(g_log[1], 456);
  /* Nothing queued: an alertable delay sleeps its time. */
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &li), STATUS_SUCCESS);

  /* A thread blocked in an alertable wait is alerted by a queued APC. */
  g_log_n = 0;
  NtCreateEvent(&g_worker_go, 0, NotificationEvent, FALSE);
  HANDLE w = spawn(alertable_worker, 0, 2, 0);
  sleep_100ns(20000);
  CHECK_EQ(NtQueueApcThread(w, user_apc, (PVOID)7, (PVOID)8, (PVOID)9), STATUS_SUCCESS);
  NtWaitForSingleObjectEx(w, 1, FALSE, 0);
  CHECK_EQ(g_worker_status, STATUS_USER_APC);
  CHECK_EQ(g_worker_log_at, 1); /* the APC ran before the wait returned */
  CHECK_EQ(g_log[0], 789);
  NtClose(w);

  /* APCs queued to a suspended new thread run before its first instruction. */
  g_log_n = 0;
  HANDLE s;
  ULONG tid;
  ExCreateThread(&s, 0, &tid, 0, starts_with_apc, 0, XDET_CREATE_SUSPENDED | XDET_CREATE_PROCESSOR(3));
  NtQueueApcThread(s, user_apc, (PVOID)1, (PVOID)1, (PVOID)1);
  NtResumeThread(s, 0);
  NtWaitForSingleObjectEx(s, 1, FALSE, 0);
  CHECK_EQ(g_start_apc_first, 1);
  NtClose(s);

  /* A KAPC with a kernel routine (user mode): kernel routine first at
   * APC_LEVEL, then the normal routine with what the kernel routine left. */
  g_log_n = 0;
  KAPC apc;
  KeInitializeApc(&apc, me, kernel_routine, 0, normal_routine, 1, (PVOID)3);
  CHECK_EQ(KeInsertQueueApc(&apc, (PVOID)1, (PVOID)2, 0), TRUE);
  CHECK_EQ(KeInsertQueueApc(&apc, (PVOID)1, (PVOID)2, 0), FALSE);
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &li), STATUS_USER_APC);
  CHECK_EQ(g_log_n, 2);
  CHECK_EQ(g_log[0], 1001);
  CHECK_EQ(g_log[1], 2047);
  /* Removed before delivery: never runs. */
  CHECK_EQ(KeInsertQueueApc(&apc, 0, 0, 0), TRUE);
  CHECK_EQ(KeRemoveQueueApc(&apc), TRUE);
  CHECK_EQ(KeRemoveQueueApc(&apc), FALSE);
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &li), STATUS_SUCCESS);
  CHECK_EQ(g_log_n, 2);

  /* A kernel-mode KAPC runs as soon as the thread is at PASSIVE_LEVEL
   * outside a critical region. */
  g_log_n = 0;
  KeInitializeApc(&apc, me, 0, 0, normal_routine, 0, (PVOID)5);
  KeEnterCriticalRegion();
  KeInsertQueueApc(&apc, (PVOID)1, 0, 0);
  CHECK_EQ(g_log_n, 0);
  KeLeaveCriticalRegion();
  CHECK_EQ(g_log_n, 1);
  CHECK_EQ(g_log[0], 2051);
  KeInitializeApc(&apc, me, 0, 0, KiApcNormalRoutineNop, 0, 0);
  KeInsertQueueApc(&apc, 0, 0, 0);
  CHECK_EQ(g_log_n, 1);

  /* Timer APCs: a 1 ms periodic timer, its routine in alertable sleeps. */
  HANDLE timer;
  NtCreateTimer(&timer, 0, NotificationTimer);
  LARGE_INTEGER due;
  due.QuadPart = -10000;
  CHECK_EQ(NtSetTimerEx(timer, &due, timer_apc, 1, (PVOID)1, FALSE, 1, 0), STATUS_SUCCESS);
  int alerts = 0;
  for (int i = 0; i < 3; ++i) {
    li.QuadPart = -50000;
    if (KeDelayExecutionThread(1, TRUE, &li) == STATUS_USER_APC) ++alerts;
  }
  CHECK_EQ(alerts, 3);
  CHECK_EQ(g_timer_apcs, 3);
  CHECK(g_timer_hi != 0); /* FILETIME high word: 2020 */
  NtCancelTimer(timer, 0);
  li.QuadPart = -50000;
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &li), STATUS_SUCCESS);
  CHECK_EQ(g_timer_apcs, 3);
  NtClose(timer);

  /* DPCs: at PASSIVE_LEVEL one runs when KeInsertQueueDpc returns; at
   * DISPATCH_LEVEL it waits for KfLowerIrql and runs at DISPATCH_LEVEL. */
  KDPC dpc;
  KeInitializeDpc(&dpc, dpc_routine, (PVOID)100);
  CHECK_EQ(current_irql(), 0);
  CHECK_EQ(KeInsertQueueDpc(&dpc, (PVOID)10, (PVOID)1), TRUE);
  CHECK_EQ(g_dpc_runs, 1);
  CHECK_EQ(g_dpc_irql, 2);
  CHECK_EQ(g_dpc_ctx, 111);
  CHECK_EQ(current_irql(), 0);
  KIRQL old = KeRaiseIrqlToDpcLevel();
  CHECK_EQ(old, 0);
  CHECK_EQ(current_irql(), 2);
  CHECK_EQ(KeInsertQueueDpc(&dpc, 0, 0), TRUE);
  CHECK_EQ(KeInsertQueueDpc(&dpc, 0, 0), FALSE);
  CHECK_EQ(g_dpc_runs, 1);
  KfLowerIrql(old);
  CHECK_EQ(g_dpc_runs, 2);
  CHECK_EQ(KfRaiseIrql(2), 0);
  KeInsertQueueDpc(&dpc, 0, 0);
  CHECK_EQ(KeRemoveQueueDpc(&dpc), TRUE);
  KfLowerIrql(0);
  CHECK_EQ(g_dpc_runs, 2);

  /* A timer DPC while every thread is blocked: it runs on a blocked thread
   * (here the one waiting for what the DPC signals), which then waits again. */
  KTIMER ktimer;
  KDPC tdpc;
  KeInitializeTimerEx(&ktimer, NotificationTimer);
  KeInitializeDpc(&tdpc, timer_dpc, 0);
  KeInitializeEvent(&g_dpc_done, NotificationEvent, FALSE);
  CHECK_EQ(KeSetTimerEx(&ktimer, -20000, 0, &tdpc), FALSE);
  CHECK_EQ(KeWaitForSingleObject(&g_dpc_done, 0, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(g_timer_dpc_irql, 2);
  CHECK_EQ(current_irql(), 0);

  /* Spin locks raise to DISPATCH_LEVEL; readying a higher thread on this
   * CPU at DISPATCH_LEVEL preempts only when the lock is released. */
  ULONG lock = 0;
  KeInitializeEvent(&g_go, NotificationEvent, FALSE);
  HANDLE hw = spawn(high_waiter, 0, 0, 2);
  sleep_100ns(20000);
  g_marker = 0;
  KIRQL li2 = KfAcquireSpinLock(&lock);
  CHECK_EQ(li2, 0);
  KeSetEvent(&g_go, 0, FALSE);
  g_marker = 1;
  KfReleaseSpinLock(&lock, li2);
  g_marker = 2;
  NtWaitForSingleObjectEx(hw, 1, FALSE, 0);
  CHECK_EQ(g_seen, 1);
  NtClose(hw);

  /* Read-write lock: two shared holders; a writer waits for both; while it
   * waits new readers are refused. */
  ExInitializeReadWriteLock(&g_rw);
  CHECK_EQ(g_rw.LockCount, -1);
  ExAcquireReadWriteLockShared(&g_rw);
  CHECK_EQ(ExTryToAcquireReadWriteLockShared(&g_rw), TRUE);
  CHECK_EQ(ExTryToAcquireReadWriteLockExclusive(&g_rw), FALSE);
  HANDLE wr = spawn(writer, 0, 4, 0);
  sleep_100ns(20000);
  CHECK_EQ(g_writer_has_it, 0);
  CHECK_EQ(ExTryToAcquireReadWriteLockShared(&g_rw), FALSE);
  ExReleaseReadWriteLock(&g_rw);
  sleep_100ns(20000);
  CHECK_EQ(g_writer_has_it, 0);
  ExReleaseReadWriteLock(&g_rw);
  NtWaitForSingleObjectEx(wr, 1, FALSE, 0);
  CHECK_EQ(g_writer_has_it, 1);
  CHECK_EQ(g_rw.LockCount, -1);
  NtClose(wr);

  printf("apc_dpc: %d failure(s)\n", g_failures);
  return g_failures;
}
