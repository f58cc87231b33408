#pragma once
// `xdet --version`: version, git revision, build type, CPU engines.
#include <cstdio>

namespace xdet::app {

void print_version(FILE* out);

}  // namespace xdet::app
