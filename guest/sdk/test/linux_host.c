/* Runs guest SDK code under qemu-ppc (Linux user mode) to test the SDK's
 * libc without the xdet kernel: DbgPrint becomes a write(2) to stdout and
 * _start exits with main's return value. Only for tests/guest. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static long linux_syscall3(long nr, long a, long b, long c) {
  register long r0 __asm__("r0") = nr;
  register long r3 __asm__("r3") = a;
  register long r4 __asm__("r4") = b;
  register long r5 __asm__("r5") = c;
  __asm__ volatile("sc" : "+r"(r0), "+r"(r3), "+r"(r4), "+r"(r5) : : "cr0", "memory");
  return r3;
}

int DbgPrint(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  linux_syscall3(4 /* write */, 1, (long)buf, n);
  return 0;
}

int main(void);

void _start(void) {
  int rc = main();
  linux_syscall3(1 /* exit */, rc, 0, 0);
  for (;;) {}
}
