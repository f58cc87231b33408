/* The smallest xdet guest program: print through the kernel and return. */
#include <stdio.h>

#include "xdet/xboxkrnl.h"

int main(void) {
  DbgPrint("hello from xdet guest, %d + %d = %d\n", 2, 3, 2 + 3);
  printf("printf works too: 0x%08X\n", 0xC0FFEEu);
  return 0;
}
