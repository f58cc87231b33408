/* Sorting: repeated quicksort (with insertion sort for small ranges) of
 * pseudo-random 32-bit keys. */
#include "rt.h"

#define N 32768
#ifndef ROUNDS
#define ROUNDS 40
#endif
static u32 a[N];

static void insertion(u32* v, int lo, int hi) {
  for (int i = lo + 1; i <= hi; ++i) {
    u32 x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = x;
  }
}

static void quicksort(u32* v, int lo, int hi) {
  while (hi - lo > 16) {
    u32 p = v[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < p) ++i;
      while (v[j] > p) --j;
      if (i <= j) {
        u32 t = v[i];
        v[i] = v[j];
        v[j] = t;
        ++i;
        --j;
      }
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion(v, lo, hi);
}

int main(void) {
  u32 seed = 42;
  u64 check = 0;
  for (int round = 0; round < ROUNDS; ++round) {
    for (int i = 0; i < N; ++i) {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      a[i] = seed;
    }
    quicksort(a, 0, N - 1);
    for (int i = 1; i < N; ++i) {
      if (a[i - 1] > a[i]) {
        print_str("sort: not sorted\n");
        return 1;
      }
    }
    check = check * 1000003u + a[N / 2] + a[N / 3];
  }
  print_hex64("sort checksum ", check);
  return 0;
}
