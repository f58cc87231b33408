/* Conformance: wait rules. WaitAny returns WAIT_0 + the lowest signalled
 * index and consumes only that object; WaitAll waits until every object is
 * signalled at once and then takes them all atomically; relative timeouts
 * return STATUS_TIMEOUT after the interval; a thread handle is signalled when
 * the thread exits; NtSignalAndWaitForSingleObjectEx signals then waits. */
#include "sample_util.h"

static KSEMAPHORE g_s1, g_s2;
static KEVENT g_ev;
static volatile int g_all_done;
static volatile NTSTATUS g_all_status = -1;

static ULONG wait_all(PVOID ctx) {
  (void)ctx;
  PVOID objs[2] = {&g_s1, &g_ev};
  g_all_status = KeWaitForMultipleObjects(2, objs, WaitAll, 0, 1, FALSE, 0, 0);
  g_all_done = 1;
  return 0;
}

static ULONG quick(PVOID ctx) { return (ULONG)ctx; }

static HANDLE g_ping, g_pong;
static ULONG ponger(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_ping, 1, FALSE, 0);
  NtSetEvent(g_pong, 0);
  return 0;
}

int main(void) {
  LARGE_INTEGER poll, rel;
  poll.QuadPart = 0;
  KeInitializeSemaphore(&g_s1, 0, 10);
  KeInitializeSemaphore(&g_s2, 1, 10);
  KeInitializeEvent(&g_ev, SynchronizationEvent, FALSE);

  /* WaitAny: lowest signalled index, only it is consumed. */
  KeReleaseSemaphore(&g_s1, 0, 1, FALSE);
  PVOID any[3] = {&g_ev, &g_s1, &g_s2};
  CHECK_EQ(KeWaitForMultipleObjects(3, any, WaitAny, 0, 1, FALSE, &poll, 0), STATUS_WAIT_0 + 1);
  CHECK_EQ(g_s1.Header.SignalState, 0);
  CHECK_EQ(g_s2.Header.SignalState, 1);
  CHECK_EQ(KeWaitForMultipleObjects(3, any, WaitAny, 0, 1, FALSE, &poll, 0), STATUS_WAIT_0 + 2);
  CHECK_EQ(KeWaitForMultipleObjects(3, any, WaitAny, 0, 1, FALSE, &poll, 0), STATUS_TIMEOUT);

  /* WaitAll is atomic: one of two signalled takes nothing. */
  spawn(wait_all, 0, 2, 0);
  sleep_100ns(10000);
  KeReleaseSemaphore(&g_s1, 0, 1, FALSE);
  sleep_100ns(10000);
  CHECK_EQ(g_all_done, 0);
  CHECK_EQ(g_s1.Header.SignalState, 1); /* not taken by the WaitAll */
  KeSetEvent(&g_ev, 0, FALSE);
  sleep_100ns(10000);
  CHECK_EQ(g_all_done, 1);
  CHECK_EQ(g_all_status, STATUS_SUCCESS);
  CHECK_EQ(g_s1.Header.SignalState, 0);
  CHECK_EQ(g_ev.Header.SignalState, 0);

  /* Relative timeout: 3 ms of guest time pass. */
  rel.QuadPart = -30000;
  CHECK_EQ(KeWaitForSingleObject(&g_ev, 0, 1, FALSE, &rel), STATUS_TIMEOUT);

  /* Thread handles are signalled at exit. */
  HANDLE t = spawn(quick, (PVOID)42, 3, 0);
  CHECK_EQ(NtWaitForSingleObjectEx(t, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(NtWaitForSingleObjectEx(t, 1, FALSE, &poll), STATUS_SUCCESS); /* stays signalled */
  NtClose(t);

  /* Signal-and-wait round trip. */
  NtCreateEvent(&g_ping, 0, SynchronizationEvent, FALSE);
  NtCreateEvent(&g_pong, 0, SynchronizationEvent, FALSE);
  HANDLE p = spawn(ponger, 0, 4, 0);
  CHECK_EQ(NtSignalAndWaitForSingleObjectEx(g_ping, g_pong, FALSE, 0, 0), STATUS_SUCCESS);
  NtWaitForSingleObjectEx(p, 1, FALSE, 0);

  /* Bad arguments give statuses, not crashes. */
  HANDLE bad[1] = {0xF8007FF0u};
  CHECK_EQ(NtWaitForMultipleObjectsEx(1, bad, WaitAny, 1, FALSE, &poll), STATUS_INVALID_HANDLE);
  CHECK_EQ(NtWaitForMultipleObjectsEx(0, bad, WaitAny, 1, FALSE, &poll), STATUS_INVALID_PARAMETER);

  printf("sync_waits: %d failure(s)\n", g_failures);
  return g_failures;
}
