/* A priority inversion that wedges only under strict priority.
 *
 * `low` (priority 2, CPU 3) holds a mutant for ~3000 instructions; `high`
 * (priority 20, CPU 4) needs the mutant; `medium` (priority 10, CPU 3)
 * sleeps briefly, then busy-waits for high's result. In the default
 * schedule medium's sleep leaves CPU 3 to low, which releases the mutant
 * inside its first slice, and everything finishes. If low's slice ends while it holds the mutant, medium takes CPU
 * 3: under strict priority low never runs again, high waits forever and
 * medium spins forever (a livelock); with priority aging low's effective
 * priority overtakes medium's after a few rounds and the run completes. */
#include <stdio.h>

#include "sample_util.h"

enum { kWindow = 600 };

static HANDLE g_lock;
static volatile int g_result;
static volatile int g_sink;

static void work(int n) {
  for (int i = 0; i < n; ++i) g_sink += i;
}

static ULONG low(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_lock, 1, FALSE, 0);
  work(kWindow);
  NtReleaseMutant(g_lock, 0);
  return 0;
}

static ULONG high(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_lock, 1, FALSE, 0);
  g_result = 1;
  NtReleaseMutant(g_lock, 0);
  return 0;
}

static ULONG medium(PVOID ctx) {
  (void)ctx;
  sleep_100ns(1); /* until the next round */
  while (!g_result) ++g_sink; /* busy-waits for high */
  return 0;
}

int main(void) {
  NtCreateMutant(&g_lock, 0, FALSE);
  HANDLE threads[3];
  threads[0] = spawn_named("low", low, 0, 3, 2);
  threads[1] = spawn_named("high", high, 0, 4, 20);
  threads[2] = spawn_named("medium", medium, 0, 3, 10);
  NtWaitForMultipleObjectsEx(3, threads, WaitAll, 1, FALSE, 0);
  printf("bug_priority_inversion: all threads finished\n");
  for (int i = 0; i < 3; ++i) NtClose(threads[i]);
  NtClose(g_lock);
  return g_failures;
}
