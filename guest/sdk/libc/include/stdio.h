/* Tiny freestanding libc: formatted output. printf/puts go to DbgPrint.
 * Supported conversions: %d %i %u %x %X %o %c %s %p %% with flags '-', '0',
 * '+', ' ', '#', width, precision (also '*'), and length modifiers hh h l ll z t.
 * No floating point. sprintf/vsprintf are kernel exports (xboxkrnl 0x13B/0x14E),
 * so this libc does not define them. */
#ifndef XDET_STDIO_H
#define XDET_STDIO_H
#include <stdarg.h>
#include <stddef.h>
int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap);
int snprintf(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
int vprintf(const char* fmt, va_list ap);
int printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int puts(const char* s);
int putchar(int c);
#endif
