#include "app/version.h"

#include <cstdio>

#include "xdet_git_revision.h"

namespace xdet::app {

// CPU engines this build can run guest code with (`--cpu` where offered).
const char* const kCpuEngines = "interp";

void print_version(FILE* out) {
  std::fprintf(out, "xdet %s\ngit revision: %s\nbuild type: %s\ncpu engines: %s\n", XDET_VERSION, XDET_GIT_REVISION,
               XDET_BUILD_TYPE, kCpuEngines);
}

}  // namespace xdet::app
