/* The seed's wedge, as a guest program (shared/seed/000_*.txt).
 *
 * Three threads share CPU 5:
 *   consumer (priority 8)  takes kItems items from a semaphore, waiting with
 *                          a 5 ms timeout (each timeout is printed), then
 *                          sets `done`;
 *   producer (priority 0)  releases the semaphore kItems times, with some
 *                          work before each release;
 *   mixer    (priority 15) the "audio mixer": spin-waits on `done`.
 * Main (CPU 0) starts the consumer, sleeps 1 ms so it blocks first, starts
 * producer and mixer, and waits for all three.
 *
 * Under strict priority the mixer always wins CPU 5, the producer never runs,
 * the consumer never gets an item and the mixer spins forever: the
 * scheduler's livelock detector stops the run (exit 7) and
 * exit-thread-state.json shows the cycle. With priority aging the starved
 * producer's effective priority climbs one level per round until it runs, so
 * the program completes (exit 0). */
#include <stdio.h>

#include "sample_util.h"

enum { kItems = 8, kWork = 2000 };

static HANDLE g_items;
static volatile int g_done;
static volatile int g_sink;

static ULONG consumer(PVOID ctx) {
  (void)ctx;
  LARGE_INTEGER timeout;
  timeout.QuadPart = -50000; /* 5 ms */
  int got = 0, timeouts = 0;
  while (got < kItems) {
    NTSTATUS st = NtWaitForSingleObjectEx(g_items, 1, FALSE, &timeout);
    if (st == STATUS_TIMEOUT) {
      ++timeouts;
      printf("consumer: timeout waiting for item %d\n", got);
    } else if (st == STATUS_SUCCESS) {
      ++got;
    } else {
      printf("consumer: wait failed 0x%08lx\n", (unsigned long)st);
      return 1;
    }
  }
  printf("consumer: got %d items (%d timeouts)\n", got, timeouts);
  g_done = 1;
  return 0;
}

static ULONG producer(PVOID ctx) {
  (void)ctx;
  for (int i = 0; i < kItems; ++i) {
    for (int w = 0; w < kWork; ++w) g_sink += w;
    NtReleaseSemaphore(g_items, 1, 0);
  }
  printf("producer: released %d items\n", kItems);
  return 0;
}

static ULONG mixer(PVOID ctx) {
  (void)ctx;
  unsigned long spins = 0;
  while (!g_done) ++spins; /* spin-wait, as the audio mixer did */
  printf("mixer: done after %lu spins\n", spins);
  return 0;
}

int main(void) {
  ULONG prev;
  KeSetAffinityThread(XdetCurrentKThread(), 1u << 0, &prev);
  NtCreateSemaphore(&g_items, 0, 0, 100);
  HANDLE threads[3];
  threads[0] = spawn_named("consumer", consumer, 0, 5, 8);
  sleep_100ns(10000); /* 1 ms: the consumer blocks on the empty semaphore */
  threads[1] = spawn_named("producer", producer, 0, 5, 0);
  threads[2] = spawn_named("mixer", mixer, 0, 5, 15);
  NtWaitForMultipleObjectsEx(3, threads, WaitAll, 1, FALSE, 0);
  printf("starvation: all threads finished\n");
  for (int i = 0; i < 3; ++i) NtClose(threads[i]);
  NtClose(g_items);
  return g_failures;
}
