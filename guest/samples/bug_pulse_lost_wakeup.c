/* A lost wakeup through PulseEvent.
 *
 * `consumer` (CPU 1) checks `g_data`; when it is not there yet it does ~3000
 * instructions of bookkeeping and then waits on a notification event.
 * `producer` (CPU 2) publishes `g_data` and pulses the event. A pulse only
 * releases threads already waiting, so if the producer's pulse lands between
 * the consumer's check and its wait, the wakeup is lost and the consumer
 * waits forever. In the default schedule the consumer is waiting before the
 * producer runs and the run completes. */
#include <stdio.h>

#include "sample_util.h"

enum { kWindow = 600, kPrepare = 200 };

static HANDLE g_ready;
static volatile int g_data;
static volatile int g_sink;

static void work(int n) {
  for (int i = 0; i < n; ++i) g_sink += i;
}

static ULONG consumer(PVOID ctx) {
  (void)ctx;
  if (!g_data) {
    work(kWindow);
    NtWaitForSingleObjectEx(g_ready, 1, FALSE, 0);
  }
  printf("consumer: got %d\n", g_data);
  return 0;
}

static ULONG producer(PVOID ctx) {
  (void)ctx;
  work(kPrepare);
  g_data = 42;
  NtPulseEvent(g_ready, 0);
  return 0;
}

int main(void) {
  NtCreateEvent(&g_ready, 0, NotificationEvent, FALSE);
  HANDLE threads[2];
  threads[0] = spawn_named("consumer", consumer, 0, 1, 0);
  threads[1] = spawn_named("producer", producer, 0, 2, 0);
  NtWaitForMultipleObjectsEx(2, threads, WaitAll, 1, FALSE, 0);
  printf("bug_pulse_lost_wakeup: both threads finished\n");
  for (int i = 0; i < 2; ++i) NtClose(threads[i]);
  NtClose(g_ready);
  return g_failures;
}
