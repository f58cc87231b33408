/* Freestanding runtime for the CPU benchmark kernels: _start, write, exit.
 * Linux PowerPC system call convention: number in r0, args r3..r5, sc. */
#ifndef XDET_BENCH_RT_H
#define XDET_BENCH_RT_H

typedef unsigned long size_t;
typedef unsigned int u32;
typedef unsigned long long u64;

static inline long sys3(long n, long a, long b, long c) {
  register long r0 __asm__("r0") = n;
  register long r3 __asm__("r3") = a;
  register long r4 __asm__("r4") = b;
  register long r5 __asm__("r5") = c;
  __asm__ volatile("sc"
                   : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5)
                   :
                   : "memory", "cr0", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "ctr", "xer");
  return r3;
}

static inline void write_out(const char* s, size_t n) { sys3(4, 1, (long)s, (long)n); }
static inline __attribute__((noreturn)) void exit_with(int code) {
  sys3(234, code, 0, 0);
  for (;;) {
  }
}

static void print_str(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  write_out(s, n);
}

static void print_hex64(const char* label, u64 v) {
  char buf[64];
  size_t n = 0;
  while (label[n] && n < 40) {
    buf[n] = label[n];
    ++n;
  }
  buf[n++] = '0';
  buf[n++] = 'x';
  for (int i = 15; i >= 0; --i) buf[n++] = "0123456789abcdef"[(v >> (4 * i)) & 15];
  buf[n++] = '\n';
  write_out(buf, n);
}

int main(void);

void _start(void) { exit_with(main()); }

#endif
