/* Conformance: affinity (a thread runs on the CPU its mask names, as its
 * KPCR says; KeSetAffinityThread reports the previous mask, rejects 0) and
 * priority (threads ready on one CPU run highest base priority first;
 * KeQueryBasePriorityThread reads back what was set). */
#include "sample_util.h"

static volatile int g_order[4], g_order_n;
static volatile int g_cpu_seen = -1;

static ULONG record(PVOID ctx) {
  g_order[g_order_n++] = (int)(ULONG)ctx;
  return 0;
}

static ULONG which_cpu(PVOID ctx) {
  (void)ctx;
  PVOID kpcr;
  __asm__ volatile("mr %0, 13" : "=r"(kpcr));
  g_cpu_seen = *((volatile uint8_t*)kpcr + 0x10C);
  return 0;
}

int main(void) {
  ULONG prev = 0;
  PVOID me = XdetCurrentKThread();
  CHECK_EQ(KeSetAffinityThread(me, 1u << 0, &prev), STATUS_SUCCESS);
  CHECK_EQ(prev, 0x3F); /* the boot thread may run anywhere */
  CHECK_EQ(KeSetAffinityThread(me, 0, &prev), STATUS_INVALID_PARAMETER);

  HANDLE t = spawn(which_cpu, 0, 3, 0);
  NtWaitForSingleObjectEx(t, 1, FALSE, 0);
  CHECK_EQ(g_cpu_seen, 3);
  NtClose(t);

  /* Three threads become ready on CPU 2 together: highest priority first. */
  HANDLE h[3];
  LONG prios[3] = {4, 10, 7};
  for (int i = 0; i < 3; ++i) {
    ULONG tid;
    ExCreateThread(&h[i], 0, &tid, 0, record, (PVOID)(ULONG)prios[i],
                   XDET_CREATE_SUSPENDED | XDET_CREATE_PROCESSOR(2));
    PVOID k = 0;
    ObReferenceObjectByHandle(h[i], 0, &k);
    KeSetBasePriorityThread(k, prios[i]);
    CHECK_EQ(KeQueryBasePriorityThread(k), prios[i]);
    ObDereferenceObject(k);
  }
  for (int i = 0; i < 3; ++i) NtResumeThread(h[i], 0);
  NtWaitForMultipleObjectsEx(3, h, WaitAll, 1, FALSE, 0);
  CHECK_EQ(g_order_n, 3);
  CHECK_EQ(g_order[0], 10);
  CHECK_EQ(g_order[1], 7);
  CHECK_EQ(g_order[2], 4);

  CHECK_EQ(NtYieldExecution(), STATUS_SUCCESS);
  CHECK_EQ(KeGetCurrentProcessType(), 1);

  printf("sched_affinity_priority: %d failure(s)\n", g_failures);
  return g_failures;
}
