/* Calls an XAM export xdet does not implement (XamLoaderLaunchTitle): `xdet
 * run` stops with exit 8 naming the module, export, ordinal and calling PC,
 * and `xdet inspect --coverage` lists it as absent before the run. */
#include <stdio.h>

#include "xdet/xam.h"

int main(void) {
  printf("unimplemented_import: before the call\n");
  XamLoaderLaunchTitle("game:\\other.xex", 0);
  printf("unimplemented_import: after the call\n");
  return 0;
}
