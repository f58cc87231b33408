#ifndef XDET_STDLIB_H
#define XDET_STDLIB_H
#include <stddef.h>
int abs(int v);
long labs(long v);
unsigned long strtoul(const char* s, char** end, int base);
long strtol(const char* s, char** end, int base);
#endif
