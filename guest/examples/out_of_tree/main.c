/* Out-of-tree example: two worker threads sum halves of an array; main waits
 * for both and prints the total. Built with the installed guest SDK. */
#include <stdio.h>

#include "xdet/xboxkrnl.h"

enum { kCount = 1000 };

static unsigned g_values[kCount];
static unsigned g_sums[2];

static ULONG worker(PVOID ctx) {
  unsigned half = (unsigned)(unsigned long)ctx;
  unsigned sum = 0;
  for (unsigned i = half * (kCount / 2); i < (half + 1) * (kCount / 2); ++i) sum += g_values[i];
  g_sums[half] = sum;
  return 0;
}

int main(void) {
  for (unsigned i = 0; i < kCount; ++i) g_values[i] = i + 1;
  HANDLE threads[2];
  for (unsigned h = 0; h < 2; ++h) {
    ExCreateThread(&threads[h], 0, NULL, NULL, worker, (PVOID)(unsigned long)h, 0);
  }
  NtWaitForMultipleObjectsEx(2, threads, WaitAll, 0, FALSE, NULL);
  for (unsigned h = 0; h < 2; ++h) NtClose(threads[h]);
  printf("worker_sum: %u + %u = %u\n", g_sums[0], g_sums[1], g_sums[0] + g_sums[1]);
  return g_sums[0] + g_sums[1] == kCount * (kCount + 1) / 2 ? 0 : 1;
}
