#pragma once
// `--cpu jit|interp`: which engine executes guest code. Both give identical
// results; the interpreter is the reference and the only engine on hosts
// without the JIT.
#include <memory>
#include <string>

#include "base/error.h"
#include "cpu/cpu.h"
#ifdef XDET_HAVE_JIT
#include "jit/jit_engine.h"
#endif

namespace xdet::app {

inline std::string default_cpu_engine() {
#ifdef XDET_HAVE_JIT
  if (jit::JitEngine::host_supported()) return "jit";
#endif
  return "interp";
}

inline void install_cpu_engine(cpu::Cpu& core, const std::string& name) {
  if (name == "interp") {
    core.set_engine(nullptr);
    return;
  }
#ifdef XDET_HAVE_JIT
  if (name == "jit" && jit::JitEngine::host_supported()) {
    core.set_engine(std::make_unique<jit::JitEngine>(core));
    return;
  }
#endif
  throw Error(ExitCode::kUsage, "--cpu " + name + ": this build has no such engine for this host");
}

// Fails early (usage error) if `name` cannot be installed on this host.
inline void install_cpu_engine_check(const std::string& name) {
  if (name == "interp" || name == default_cpu_engine()) return;
  throw Error(ExitCode::kUsage, "--cpu " + name + ": this build has no such engine for this host");
}

}  // namespace xdet::app
