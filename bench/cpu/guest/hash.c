/* Integer hashing: FNV-1a and a multiply-xorshift mix over a generated buffer. */
#include "rt.h"

#define N 65536
#ifndef ROUNDS
#define ROUNDS 300
#endif
static unsigned char buf[N];

int main(void) {
  u32 seed = 12345;
  for (int i = 0; i < N; ++i) {
    seed = seed * 1103515245u + 12345u;
    buf[i] = (unsigned char)(seed >> 16);
  }
  u64 total = 0;
  for (int round = 0; round < ROUNDS; ++round) {
    u32 h = 2166136261u ^ (u32)round;
    for (int i = 0; i < N; ++i) {
      h ^= buf[i];
      h *= 16777619u;
    }
    u32 x = h;
    for (int i = 0; i < N; i += 4) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      x += (u32)buf[i] | ((u32)buf[i + 1] << 8);
    }
    total = total * 31 + h + x;
  }
  print_hex64("hash checksum ", total);
  return 0;
}
