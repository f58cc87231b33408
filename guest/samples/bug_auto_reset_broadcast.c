/* An auto-reset event used as if it released every waiter.
 *
 * Main starts two workers (CPUs 1 and 2), prepares their work (~3000
 * instructions), publishes `g_go` and sets the start event once, assuming
 * that wakes every worker still waiting. The event is auto-reset
 * (SynchronizationEvent): one set releases one waiter. In the default
 * schedule main publishes `g_go` before either worker looks, neither waits,
 * and the run completes; if main's slice ends inside its preparation, both
 * workers wait, one is released and the other waits forever. */
#include <stdio.h>

#include "sample_util.h"

enum { kPrepare = 600 };

static HANDLE g_start;
static volatile int g_go;
static volatile int g_sink;

static void work(int n) {
  for (int i = 0; i < n; ++i) g_sink += i;
}

static ULONG worker(PVOID ctx) {
  if (!g_go) NtWaitForSingleObjectEx(g_start, 1, FALSE, 0);
  work(100 + (int)ctx);
  return 0;
}

int main(void) {
  NtCreateEvent(&g_start, 0, SynchronizationEvent, FALSE);
  HANDLE threads[2];
  threads[0] = spawn_named("worker1", worker, (PVOID)1, 1, 0);
  threads[1] = spawn_named("worker2", worker, (PVOID)2, 2, 0);
  work(kPrepare);
  g_go = 1;
  NtSetEvent(g_start, 0); /* the bug: releases one waiter, not all */
  NtWaitForMultipleObjectsEx(2, threads, WaitAll, 1, FALSE, 0);
  printf("bug_auto_reset_broadcast: both workers finished\n");
  for (int i = 0; i < 2; ++i) NtClose(threads[i]);
  NtClose(g_start);
  return g_failures;
}
