/* Double-precision matrix multiply (i-k-j order) repeated. */
#include "rt.h"

#define N 96
#ifndef ROUNDS
#define ROUNDS 12
#endif
static double a[N][N], b[N][N], c[N][N];

int main(void) {
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      a[i][j] = (double)((i * 7 + j * 3) % 17) * 0.25 - 1.5;
      b[i][j] = (double)((i * 5 + j * 11) % 13) * 0.5 + 0.125;
    }
  }
  double trace = 0;
  for (int rep = 0; rep < ROUNDS; ++rep) {
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) c[i][j] = 0;
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < N; ++k) {
        double aik = a[i][k];
        for (int j = 0; j < N; ++j) c[i][j] += aik * b[k][j];
      }
    for (int i = 0; i < N; ++i) trace += c[i][i];
    a[rep % N][(rep * 5) % N] += 1.0;
  }
  union {
    double d;
    u64 u;
  } v = {trace};
  print_hex64("matmul checksum ", v.u);
  return 0;
}
