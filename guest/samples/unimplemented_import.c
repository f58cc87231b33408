/* Calls an XAM export xdet does not implement (XamTaskSchedule): `xdet run`
 * stops with exit 8 naming the module, export, ordinal and calling PC, and
 * `xdet inspect --coverage` lists it as absent before the run. */
#include <stdio.h>

#include "xdet/xam.h"

int main(void) {
  printf("unimplemented_import: before the call\n");
  HANDLE task = 0;
  XamTaskSchedule(0, 0, 0, &task);
  printf("unimplemented_import: after the call\n");
  return 0;
}
