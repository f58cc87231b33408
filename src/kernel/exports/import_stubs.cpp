#include "kernel/exports/import_stubs.h"

#include <cstdlib>

#include <fmt/format.h>

#include "base/error.h"
#include "kernel/exports/exports.h"
#include "kernel/kernel.h"
#include "loader/export_names.h"

namespace xdet::kernel {

void ImportStubs::add(const std::string& spec) {
  std::string name = spec.substr(0, spec.find('='));
  uint32_t status = 0;
  if (size_t eq = spec.find('='); eq != std::string::npos) {
    std::string v = spec.substr(eq + 1);
    char* end = nullptr;
    unsigned long long x = std::strtoull(v.c_str(), &end, 0);
    if (v.empty() || v[0] == '-' || !end || *end || x > 0xFFFFFFFFull) {
      throw Error(ExitCode::kUsage, fmt::format("--stub {}: STATUS must be a 32-bit number (0x... or decimal)", spec));
    }
    status = static_cast<uint32_t>(x);
  }
  bool known = false;
  for (exports::KernelModule m : {exports::KernelModule::kXboxkrnl, exports::KernelModule::kXam}) {
    const exports::ExportInfo* e = exports::find_export_by_name(m, name);
    if (!e) continue;
    known = true;
    if (e->is_variable) throw Error(ExitCode::kUsage, fmt::format("--stub {}: a variable export, not a function", name));
    if (export_coverage(m, e->ordinal, false).status != ExportStatus::kAbsent) {
      throw Error(ExitCode::kUsage,
                  fmt::format("--stub {}: xdet implements it (see `xdet exports`); stubs only stand in for missing "
                              "exports", name));
    }
  }
  if (!known) {
    throw Error(ExitCode::kUsage,
                fmt::format("--stub {}: not an xboxkrnl.exe or xam.xex export name (see `xdet inspect --coverage`)", name));
  }
  by_name_[name] = status;
}

bool ImportStubs::try_stub(Kernel& k, Thread& t, const char* module, const char* name, uint16_t ordinal) {
  uint32_t status = 0;
  auto it = by_name_.find(name);
  if (it != by_name_.end()) {
    status = it->second;
  } else if (!all_missing_) {
    return false;
  }
  k.emit(&t, TraceKind::kKernelCall,
         {{"name", TraceValue::string(name)},
          {"ord", TraceValue::uinteger(ordinal)},
          {"args", TraceValue::object(nullptr, 0)},
          {"args_resolved", TraceValue::object(nullptr, 0)},
          {"stubbed", TraceValue::boolean(true)}});
  t.ctx.gpr[3] = status;
  k.emit(&t, TraceKind::kKernelReturn,
         {{"name", TraceValue::string(name)},
          {"return_value", TraceValue::hex32(status)},
          {"status", TraceValue::hex32(status)}});
  Stubbed& s = calls_[{module, ordinal}];
  if (s.calls == 0) {
    s.module = module;
    s.name = name;
    s.ordinal = ordinal;
    s.status = status;
  }
  ++s.calls;
  return true;
}

std::vector<ImportStubs::Stubbed> ImportStubs::called() const {
  std::vector<Stubbed> out;
  for (const auto& [key, s] : calls_) out.push_back(s);
  return out;
}

}  // namespace xdet::kernel
