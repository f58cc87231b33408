#include "app/version.h"

#include <cstdio>
#include <string>

#include "app/cpu_engine.h"

#include "xdet_git_revision.h"

namespace xdet::app {


void print_version(FILE* out) {
  // The engines `--cpu` accepts on this host; the default first.
  std::string engines = default_cpu_engine() == "jit" ? "jit (default), interp" : "interp (default)";
  std::fprintf(out, "xdet %s\ngit revision: %s\nbuild type: %s\ncpu engines: %s\n", XDET_VERSION, XDET_GIT_REVISION,
               XDET_BUILD_TYPE, engines.c_str());
}

}  // namespace xdet::app
