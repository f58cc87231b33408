/* Conformance: timers (one-shot notification, periodic synchronization,
 * cancel), critical sections (recursion, contention, hand-over to exactly
 * one waiter) and TLS slots (per thread, freed everywhere). */
#include "sample_util.h"

static RTL_CRITICAL_SECTION g_cs;
static volatile int g_in_cs, g_max_in_cs, g_cs_rounds;
static ULONG g_slot;
static volatile ULONG g_other_slot_value = 0xFFFFFFFF;

static ULONG cs_worker(PVOID ctx) {
  (void)ctx;
  for (int i = 0; i < 5; ++i) {
    RtlEnterCriticalSection(&g_cs);
    if (++g_in_cs > g_max_in_cs) g_max_in_cs = g_in_cs;
    sleep_100ns(2000); /* hold it across a sleep: others must block */
    --g_in_cs;
    ++g_cs_rounds;
    RtlLeaveCriticalSection(&g_cs);
  }
  return 0;
}

static ULONG tls_worker(PVOID ctx) {
  (void)ctx;
  g_other_slot_value = (ULONG)KeTlsGetValue(g_slot); /* 0 in a new thread */
  KeTlsSetValue(g_slot, (PVOID)0x2222);
  return 0;
}

int main(void) {
  LARGE_INTEGER due, poll;
  poll.QuadPart = 0;
  HANDLE timer;
  CHECK_EQ(NtCreateTimer(&timer, 0, NotificationTimer), STATUS_SUCCESS);
  due.QuadPart = -20000; /* 2 ms */
  CHECK_EQ(NtSetTimerEx(timer, &due, 0, 0, 0, FALSE, 0, 0), STATUS_SUCCESS);
  CHECK_EQ(NtWaitForSingleObjectEx(timer, 1, FALSE, &poll), STATUS_TIMEOUT);
  CHECK_EQ(NtWaitForSingleObjectEx(timer, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(NtWaitForSingleObjectEx(timer, 1, FALSE, &poll), STATUS_SUCCESS); /* notification stays set */

  HANDLE periodic;
  NtCreateTimer(&periodic, 0, SynchronizationTimer);
  due.QuadPart = -10000;
  NtSetTimerEx(periodic, &due, 0, 0, 0, FALSE, 1 /* ms */, 0);
  for (int i = 0; i < 3; ++i) CHECK_EQ(NtWaitForSingleObjectEx(periodic, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(NtWaitForSingleObjectEx(periodic, 1, FALSE, &poll), STATUS_TIMEOUT); /* auto-reset */
  BOOLEAN state = 9;
  CHECK_EQ(NtCancelTimer(periodic, &state), STATUS_SUCCESS);
  LARGE_INTEGER later;
  later.QuadPart = -50000;
  CHECK_EQ(NtWaitForSingleObjectEx(periodic, 1, FALSE, &later), STATUS_TIMEOUT); /* cancelled */
  NtClose(timer);
  NtClose(periodic);

  RtlInitializeCriticalSectionAndSpinCount(&g_cs, 1000);
  CHECK_EQ(g_cs.LockCount, -1);
  CHECK_EQ(g_cs.Header.Absolute, 4);
  RtlEnterCriticalSection(&g_cs);
  RtlEnterCriticalSection(&g_cs);
  CHECK_EQ(g_cs.RecursionCount, 2);
  CHECK_EQ(g_cs.OwningThread, XdetCurrentKThread());
  CHECK_EQ(RtlTryEnterCriticalSection(&g_cs), 1);
  RtlLeaveCriticalSection(&g_cs);
  RtlLeaveCriticalSection(&g_cs);
  RtlLeaveCriticalSection(&g_cs);
  CHECK_EQ(g_cs.LockCount, -1);
  CHECK_EQ(g_cs.OwningThread, 0);
  HANDLE w[3];
  for (int i = 0; i < 3; ++i) w[i] = spawn(cs_worker, 0, 1 + i, 0);
  NtWaitForMultipleObjectsEx(3, w, WaitAll, 1, FALSE, 0);
  CHECK_EQ(g_cs_rounds, 15);
  CHECK_EQ(g_max_in_cs, 1); /* mutual exclusion held */
  CHECK_EQ(g_cs.LockCount, -1);

  g_slot = KeTlsAlloc();
  CHECK(g_slot != 0xFFFFFFFFu);
  CHECK_EQ(KeTlsSetValue(g_slot, (PVOID)0x1111), 1);
  HANDLE t = spawn(tls_worker, 0, 2, 0);
  NtWaitForSingleObjectEx(t, 1, FALSE, 0);
  CHECK_EQ(g_other_slot_value, 0);
  CHECK_EQ(KeTlsGetValue(g_slot), (PVOID)0x1111);
  CHECK_EQ(KeTlsFree(g_slot), 1);
  CHECK_EQ(KeTlsGetValue(g_slot), 0);

  printf("sync_timer_cs_tls: %d failure(s)\n", g_failures);
  return g_failures;
}
