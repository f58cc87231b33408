/* Tiny libc: vsnprintf and friends; printf formats into a buffer and hands
 * it to the kernel's DbgPrint with a "%s" format, so the kernel never has to
 * interpret this libc's varargs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdet/xboxkrnl.h"

struct out {
  char* buf;
  size_t size;
  size_t len;
};

static void put(struct out* o, char c) {
  if (o->len + 1 < o->size) o->buf[o->len] = c;
  o->len++;
}

static void put_padded(struct out* o, const char* s, size_t n, int width, int left, char pad) {
  int fill = width > (int)n ? width - (int)n : 0;
  if (!left)
    while (fill-- > 0) put(o, pad);
  for (size_t i = 0; i < n; ++i) put(o, s[i]);
  if (left)
    while (fill-- > 0) put(o, ' ');
}

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
  struct out o = {buf, size, 0};
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    ++fmt;
    int left = 0, zero = 0, plus = 0, space = 0, alt = 0;
    for (;; ++fmt) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else if (*fmt == '+') plus = 1;
      else if (*fmt == ' ') space = 1;
      else if (*fmt == '#') alt = 1;
      else break;
    }
    int width = 0, precision = -1;
    if (*fmt == '*') {
      width = va_arg(ap, int);
      if (width < 0) { left = 1; width = -width; }
      ++fmt;
    } else {
      while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    }
    if (*fmt == '.') {
      ++fmt;
      precision = 0;
      if (*fmt == '*') { precision = va_arg(ap, int); ++fmt; }
      else while (*fmt >= '0' && *fmt <= '9') precision = precision * 10 + (*fmt++ - '0');
    }
    int lng = 0;  /* 0 int, 1 long, 2 long long; h/hh narrow after reading */
    int shrt = 0;
    for (;; ++fmt) {
      if (*fmt == 'l') lng++;
      else if (*fmt == 'h') shrt++;
      else if (*fmt == 'z' || *fmt == 't') lng = 1;
      else break;
    }
    char tmp[32];
    char c = *fmt;
    if (!c) break;
    switch (c) {
      case 'c': {
        tmp[0] = (char)va_arg(ap, int);
        put_padded(&o, tmp, 1, width, left, ' ');
        break;
      }
      case 's': {
        const char* s = va_arg(ap, const char*);
        if (!s) s = "(null)";
        size_t n = precision >= 0 ? strnlen(s, (size_t)precision) : strlen(s);
        put_padded(&o, s, n, width, left, ' ');
        break;
      }
      case '%': put(&o, '%'); break;
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p': {
        unsigned long long v;
        int negative = 0;
        unsigned base = (c == 'x' || c == 'X' || c == 'p') ? 16 : c == 'o' ? 8 : 10;
        if (c == 'p') {
          v = (uintptr_t)va_arg(ap, void*);
          alt = 1;
        } else if (c == 'd' || c == 'i') {
          long long s = lng >= 2 ? va_arg(ap, long long) : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
          if (shrt == 1) s = (short)s;
          if (shrt >= 2) s = (signed char)s;
          negative = s < 0;
          v = negative ? (unsigned long long)(-(s + 1)) + 1 : (unsigned long long)s;
        } else {
          v = lng >= 2 ? va_arg(ap, unsigned long long) : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
          if (shrt == 1) v = (unsigned short)v;
          if (shrt >= 2) v = (unsigned char)v;
        }
        const char* digits = c == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
        int n = 0;
        do {
          tmp[n++] = digits[v % base];
          v /= base;
        } while (v);
        while (precision >= 0 && n < precision && n < (int)sizeof(tmp)) tmp[n++] = '0';
        char prefix[3];
        int np = 0;
        if (negative) prefix[np++] = '-';
        else if (plus && (c == 'd' || c == 'i')) prefix[np++] = '+';
        else if (space && (c == 'd' || c == 'i')) prefix[np++] = ' ';
        if (alt && base == 16) { prefix[np++] = '0'; prefix[np++] = c == 'X' ? 'X' : 'x'; }
        if (alt && base == 8 && tmp[n - 1] != '0') prefix[np++] = '0';
        int total = n + np;
        int fill = width > total ? width - total : 0;
        char pad = (zero && !left && precision < 0) ? '0' : ' ';
        if (!left && pad == ' ') while (fill-- > 0) put(&o, ' ');
        for (int i = 0; i < np; ++i) put(&o, prefix[i]);
        if (!left && pad == '0') while (fill-- > 0) put(&o, '0');
        while (n) put(&o, tmp[--n]);
        if (left) while (fill-- > 0) put(&o, ' ');
        break;
      }
      default:
        put(&o, '%');
        put(&o, c);
        break;
    }
  }
  if (size) buf[o.len < size ? o.len : size - 1] = 0;
  return (int)o.len;
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

int vprintf(const char* fmt, va_list ap) {
  char buf[512];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  DbgPrint("%s", buf);
  return n;
}

int printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

int puts(const char* s) { return printf("%s\n", s); }

int putchar(int c) {
  char b[2] = {(char)c, 0};
  DbgPrint("%s", b);
  return (unsigned char)c;
}

int abs(int v) { return v < 0 ? -v : v; }
long labs(long v) { return v < 0 ? -v : v; }

unsigned long strtoul(const char* s, char** end, int base) {
  while (*s == ' ' || *s == '\t' || *s == '\n') ++s;
  if (*s == '+') ++s;
  if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) { s += 2; base = 16; }
  else if (base == 0 && s[0] == '0') base = 8;
  else if (base == 0) base = 10;
  unsigned long v = 0;
  for (;; ++s) {
    int d;
    if (*s >= '0' && *s <= '9') d = *s - '0';
    else if (*s >= 'a' && *s <= 'z') d = *s - 'a' + 10;
    else if (*s >= 'A' && *s <= 'Z') d = *s - 'A' + 10;
    else break;
    if (d >= base) break;
    v = v * (unsigned)base + (unsigned)d;
  }
  if (end) *end = (char*)s;
  return v;
}

long strtol(const char* s, char** end, int base) {
  while (*s == ' ' || *s == '\t' || *s == '\n') ++s;
  int neg = *s == '-';
  if (neg || *s == '+') ++s;
  unsigned long v = strtoul(s, end, base);
  return neg ? -(long)v : (long)v;
}
