/* A guest fault two calls deep: main -> parse_header -> read_field stores
 * through a pointer into unmapped memory. `xdet run` stops with exit 4 and
 * names the faulting PC as read_field+0x.., with a back-chain backtrace
 * through parse_header and main (the ELF beside the XEX has the symbols). */
#include <stdio.h>

#include "sample_util.h"

struct header {
  unsigned magic;
  unsigned *field;
};

__attribute__((noipa)) static unsigned read_field(struct header *h, unsigned v) {
  *h->field = v; /* h->field points at unmapped memory */
  return *h->field;
}

__attribute__((noipa)) static unsigned parse_header(struct header *h) {
  unsigned r = read_field(h, h->magic);
  printf("parsed %u\n", r);
  return r;
}

int main(void) {
  struct header h;
  h.magic = 0x58444554;
  h.field = (unsigned *)0x00001000u; /* never mapped */
  printf("fault sample: storing through 0x%08x\n", (unsigned)(unsigned long)h.field);
  unsigned r = parse_header(&h);
  printf("not reached: %u\n", r);
  return 0;
}
