/* Conformance: signed priority increments (KeSetBasePriorityThread returns
 * the previous increment, KeQueryBasePriorityThread the current one, and
 * negative increments order threads below NORMAL), preemption when a call
 * readies a higher-priority thread that may run on the caller's CPU (the
 * caller stops when the call returns), and the reuse of exited threads'
 * stacks once their handles are closed. */
#include "sample_util.h"

#define THREAD_PRIORITY_IDLE (-15)
#define THREAD_PRIORITY_LOWEST (-2)
#define THREAD_PRIORITY_BELOW_NORMAL (-1)
#define THREAD_PRIORITY_NORMAL 0
#define THREAD_PRIORITY_ABOVE_NORMAL 1
#define THREAD_PRIORITY_HIGHEST 2
#define THREAD_PRIORITY_TIME_CRITICAL 15

static volatile int g_order[4], g_order_n;
static volatile int g_marker;
static volatile int g_seen_high = -1, g_seen_other_cpu = -1;
static KEVENT g_go;

static ULONG record(PVOID ctx) {
  g_order[g_order_n++] = (int)(LONG)ctx;
  return 0;
}

static ULONG wait_then_look(PVOID ctx) {
  KeWaitForSingleObject(&g_go, 0, 1, FALSE, 0);
  if (ctx) g_seen_other_cpu = g_marker;
  else g_seen_high = g_marker;
  return 0;
}

static ULONG nothing(PVOID ctx) { return (ULONG)ctx; }

int main(void) {
  PVOID me = XdetCurrentKThread();
  ULONG prev;
  KeSetAffinityThread(me, 1u << 1, &prev);

  /* Round trip of the console's increments. */
  CHECK_EQ(KeQueryBasePriorityThread(me), THREAD_PRIORITY_NORMAL);
  LONG incs[] = {THREAD_PRIORITY_LOWEST, THREAD_PRIORITY_BELOW_NORMAL, THREAD_PRIORITY_IDLE,
                 THREAD_PRIORITY_HIGHEST, THREAD_PRIORITY_TIME_CRITICAL, THREAD_PRIORITY_ABOVE_NORMAL,
                 THREAD_PRIORITY_NORMAL};
  LONG expect_prev = THREAD_PRIORITY_NORMAL;
  for (int i = 0; i < 7; ++i) {
    CHECK_EQ(KeSetBasePriorityThread(me, incs[i]), expect_prev);
    CHECK_EQ(KeQueryBasePriorityThread(me), incs[i]);
    expect_prev = incs[i];
  }

  /* Four threads ready on CPU 3 at once: NORMAL, BELOW_NORMAL, LOWEST, IDLE. */
  HANDLE h[4];
  LONG prios[4] = {THREAD_PRIORITY_LOWEST, THREAD_PRIORITY_IDLE, THREAD_PRIORITY_NORMAL,
                   THREAD_PRIORITY_BELOW_NORMAL};
  for (int i = 0; i < 4; ++i) {
    ULONG tid;
    ExCreateThread(&h[i], 0, &tid, 0, record, (PVOID)prios[i], XDET_CREATE_SUSPENDED | XDET_CREATE_PROCESSOR(3));
    PVOID k = 0;
    ObReferenceObjectByHandle(h[i], 0, &k);
    KeSetBasePriorityThread(k, prios[i]);
    CHECK_EQ(KeQueryBasePriorityThread(k), prios[i]);
    ObDereferenceObject(k);
  }
  for (int i = 0; i < 4; ++i) NtResumeThread(h[i], 0);
  NtWaitForMultipleObjectsEx(4, h, WaitAll, 1, FALSE, 0);
  CHECK_EQ(g_order[0], THREAD_PRIORITY_NORMAL);
  CHECK_EQ(g_order[1], THREAD_PRIORITY_BELOW_NORMAL);
  CHECK_EQ(g_order[2], THREAD_PRIORITY_LOWEST);
  CHECK_EQ(g_order[3], THREAD_PRIORITY_IDLE);
  for (int i = 0; i < 4; ++i) NtClose(h[i]);

  /* Preemption: a HIGHEST waiter on this CPU runs as soon as KeSetEvent
   * returns, before the caller's next statement. */
  KeInitializeEvent(&g_go, NotificationEvent, FALSE);
  HANDLE high = spawn(wait_then_look, 0, 1, THREAD_PRIORITY_HIGHEST);
  sleep_100ns(20000); /* it is blocked on the event now */
  g_marker = 0;
  KeSetEvent(&g_go, 0, FALSE);
  g_marker = 1;
  NtWaitForSingleObjectEx(high, 1, FALSE, 0);
  CHECK_EQ(g_seen_high, 0);
  NtClose(high);

  /* A TIME_CRITICAL waiter whose affinity excludes this CPU does not stop
   * the caller: it runs on CPU 4 after CPU 1's slice in the same round. */
  KeResetEvent(&g_go);
  HANDLE other = spawn(wait_then_look, (PVOID)1, 4, THREAD_PRIORITY_TIME_CRITICAL);
  sleep_100ns(20000);
  g_marker = 0;
  KeSetEvent(&g_go, 0, FALSE);
  g_marker = 1;
  NtWaitForSingleObjectEx(other, 1, FALSE, 0);
  CHECK_EQ(g_seen_other_cpu, 1);
  NtClose(other);

  /* A lower thread readied on this CPU does not preempt. */
  g_seen_high = -1;
  KeResetEvent(&g_go);
  HANDLE low = spawn(wait_then_look, 0, 1, THREAD_PRIORITY_LOWEST);
  sleep_100ns(20000);
  g_marker = 2;
  KeSetEvent(&g_go, 0, FALSE);
  g_marker = 3;
  NtWaitForSingleObjectEx(low, 1, FALSE, 0);
  CHECK_EQ(g_seen_high, 3);
  NtClose(low);

  /* 400 threads with 1 MB stacks exceed the 240 MB stack range unless the
   * exited ones are freed when their handle closes. */
  int created = 0;
  for (int i = 0; i < 400; ++i) {
    HANDLE t;
    ULONG tid;
    if (ExCreateThread(&t, 1024 * 1024, &tid, 0, nothing, (PVOID)i, 0) != STATUS_SUCCESS) break;
    NtWaitForSingleObjectEx(t, 1, FALSE, 0);
    NtClose(t);
    ++created;
  }
  CHECK_EQ(created, 400);

  printf("sched_priority_preempt: %d failure(s)\n", g_failures);
  return g_failures;
}
