/* Self-test of the guest SDK's libc and of 32-bit code semantics on the
 * console CPU. Prints one line per failed check and a summary through
 * DbgPrint; returns the number of failures (0 = all good). Also gives the
 * image .data and .bss pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdet/xboxkrnl.h"

static int failures;
static int checks;
static char scratch[256];                  /* .bss */
static int table[8] = {1, 2, 3, 5, 8, 13, 21, 34};  /* .data */

static void check_str(const char* what, const char* got, const char* want) {
  ++checks;
  if (strcmp(got, want) != 0) {
    ++failures;
    DbgPrint("libc_test FAIL %s: got \"%s\" want \"%s\"\n", what, got, want);
  }
}

static void check_int(const char* what, long long got, long long want) {
  ++checks;
  if (got != want) {
    ++failures;
    DbgPrint("libc_test FAIL %s: got 0x%08X%08X want 0x%08X%08X\n", what, (unsigned)(got >> 32), (unsigned)got,
             (unsigned)(want >> 32), (unsigned)want);
  }
}

int main(void) {
  snprintf(scratch, sizeof scratch, "%d|%5d|%-5d|%05d|%+d|% d", -42, 42, 42, 42, 42, 42);
  check_str("snprintf ints", scratch, "-42|   42|42   |00042|+42| 42");
  snprintf(scratch, sizeof scratch, "%x|%X|%#x|%08x|%o|%u", 0xbeefu, 0xbeefu, 255u, 0x1234u, 8u, 4000000000u);
  check_str("snprintf hex", scratch, "beef|BEEF|0xff|00001234|10|4000000000");
  snprintf(scratch, sizeof scratch, "%s|%.3s|%8s|%-4s|%c|%%", "abc", "abcdef", "right", "l", 'Z');
  check_str("snprintf strings", scratch, "abc|abc|   right|l   |Z|%");
  snprintf(scratch, sizeof scratch, "%lld|%llu|%llx", -1234567890123LL, 18446744073709551615ULL, 0x123456789ALL);
  check_str("snprintf 64-bit", scratch, "-1234567890123|18446744073709551615|123456789a");
  check_int("snprintf truncation", snprintf(scratch, 4, "%s", "abcdef"), 6);
  check_str("snprintf truncated text", scratch, "abc");

  char buf[16];
  memset(buf, 'x', sizeof buf);
  memcpy(buf, "hello", 6);
  check_str("memcpy", buf, "hello");
  memmove(buf + 1, buf, 6);
  check_str("memmove overlap", buf + 1, "hello");
  check_int("memcmp", memcmp("abc", "abd", 3) < 0, 1);
  check_int("strlen", (long long)strlen("four"), 4);
  check_int("strncmp", strncmp("abcX", "abcY", 3), 0);
  check_str("strchr", strchr("a/b/c", '/'), "/b/c");
  check_str("strrchr", strrchr("a/b/c", '/'), "/c");
  check_int("strtol", strtol("-0x1F", 0, 0), -31);
  check_int("strtoul", (long long)strtoul("777", 0, 8), 511);

  /* 64-bit arithmetic through 32-bit register pairs (carry chains). */
  volatile unsigned long long a = 0xFFFFFFFFull, b = 1;
  check_int("64-bit add carry", (long long)(a + b), 0x100000000LL);
  volatile long long c = -5000000000LL, d = 3;
  check_int("64-bit mul", c * d, -15000000000LL);
  check_int("64-bit div", c / d, -1666666666LL);
  check_int("64-bit shift", (long long)(a << 20), 0xFFFFFFFF00000LL);

  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += table[i];
  check_int(".data table", sum, 87);
  table[0] = 100;
  check_int(".data writable", table[0], 100);

  DbgPrint("libc_test: %d checks, %d failed\n", checks, failures);
  return failures;
}
