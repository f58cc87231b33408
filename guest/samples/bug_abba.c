/* A lock-order inversion (ABBA) with a small window.
 *
 * `first` (CPU 1) takes mutant A, does ~3000 instructions of work, then takes
 * B; `second` (CPU 2) takes B, does the same work, then takes A. Each
 * finishes well inside one scheduler slice, so in the default schedule
 * `first` is done before `second` starts and the run completes. If a slice
 * ends inside either thread's window (between its two acquisitions) while
 * the other thread runs, each ends up holding one mutant and waiting for the
 * other: a deadlock. `xdet explore` finds it (README: Finding wedges). */
#include <stdio.h>

#include "sample_util.h"

enum { kWindow = 600 }; /* iterations: ~3000 instructions */

static HANDLE g_a, g_b;
static volatile int g_sink;

static void work(int n) {
  for (int i = 0; i < n; ++i) g_sink += i;
}

static ULONG first(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_a, 1, FALSE, 0);
  work(kWindow);
  NtWaitForSingleObjectEx(g_b, 1, FALSE, 0);
  ++g_sink;
  NtReleaseMutant(g_b, 0);
  NtReleaseMutant(g_a, 0);
  return 0;
}

static ULONG second(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_b, 1, FALSE, 0);
  work(kWindow);
  NtWaitForSingleObjectEx(g_a, 1, FALSE, 0);
  ++g_sink;
  NtReleaseMutant(g_a, 0);
  NtReleaseMutant(g_b, 0);
  return 0;
}

int main(void) {
  NtCreateMutant(&g_a, 0, FALSE);
  NtCreateMutant(&g_b, 0, FALSE);
  HANDLE threads[2];
  threads[0] = spawn_named("first", first, 0, 1, 0);
  threads[1] = spawn_named("second", second, 0, 2, 0);
  NtWaitForMultipleObjectsEx(2, threads, WaitAll, 1, FALSE, 0);
  printf("bug_abba: both threads finished\n");
  for (int i = 0; i < 2; ++i) NtClose(threads[i]);
  NtClose(g_a);
  NtClose(g_b);
  return g_failures;
}
