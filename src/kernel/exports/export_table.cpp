#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "kernel/exports/exports.h"
#include "kernel/exports/import_stubs.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

// Exports xdet knows by name but does not implement yet: calling one stops
// the run with ExitCode::kUnimplemented and a message naming it.
const ExportInfo kKnownUnimplemented[] = {
    {425, "RtlImageNtHeader", 1, nullptr},
};

struct Registry {
  std::vector<ExportInfo> all;
  explicit Registry(KernelModule m) {
    for (const SubsystemTable& sub : module_subsystems(m)) {
      ExportTable t = sub.table();
      for (size_t i = 0; i < t.count; ++i) {
        all.push_back(t.entries[i]);
        all.back().subsystem = sub.name;
      }
    }
    if (m == KernelModule::kXboxkrnl) {
      for (const ExportInfo& e : kKnownUnimplemented) {
        bool have = std::any_of(all.begin(), all.end(), [&](const ExportInfo& x) { return x.ordinal == e.ordinal; });
        if (!have) all.push_back(e);
      }
    }
    std::sort(all.begin(), all.end(), [](const ExportInfo& a, const ExportInfo& b) { return a.ordinal < b.ordinal; });
  }
};

const Registry& registry(KernelModule m) {
  static const Registry krnl(KernelModule::kXboxkrnl);
  static const Registry xam(KernelModule::kXam);
  return m == KernelModule::kXam ? xam : krnl;
}

}  // namespace

std::vector<SubsystemTable> module_subsystems(KernelModule module) {
  if (module == KernelModule::kXam) return xam_subsystems();
  return {{"threading", threading_exports}, {"sync", sync_exports},       {"rtl", rtl_exports},
          {"ob", ob_exports},               {"debug", debug_exports},     {"memory", memory_exports},
          {"modules", modules_exports},     {"strings", strings_exports}, {"crypt", crypt_exports},
          {"io", io_exports},               {"sync", sync_info_exports},  {"video", video_exports},
          {"audio", audio_exports}};
}

const ExportInfo* find_module_export(KernelModule module, uint16_t ordinal) {
  const auto& all = registry(module).all;
  auto it = std::lower_bound(all.begin(), all.end(), ordinal,
                             [](const ExportInfo& e, uint16_t o) { return e.ordinal < o; });
  return it != all.end() && it->ordinal == ordinal ? &*it : nullptr;
}

const char* export_status_name(ExportStatus s) {
  switch (s) {
    case ExportStatus::kImplemented: return "implemented";
    case ExportStatus::kPartial: return "partial";
    case ExportStatus::kAbsent: return "absent";
  }
  return "?";
}

std::vector<ProvidedVariable> provided_variables(KernelModule module) {
  if (module != KernelModule::kXboxkrnl) return {};
  return {{0x00C, "ExConsoleGameRegion"}, {0x059, "KeDebugMonitorData"},    {0x0AD, "KeTimeStampBundle"},
          {0x156, "XboxHardwareInfo"},    {0x158, "XboxKrnlVersion"},       {0x193, "XexExecutableModuleHandle"},
          {0x1AE, "ExLoadedCommandLine"}, {0x1AF, "ExLoadedImageName"},     {0x1BE, "VdGlobalDevice"},
          {0x1BF, "VdGlobalXamDevice"},   {0x1C0, "VdGpuClockInMHz"},       {0x1C1, "VdHSIOCalibrationLock"},
          {0x266, "KeCertMonitorData"}};
}

ExportCoverage export_coverage(KernelModule module, uint16_t ordinal, bool is_variable) {
  ExportCoverage c;
  if (is_variable) {
    for (const ProvidedVariable& v : provided_variables(module)) {
      if (v.ordinal == ordinal) c.status = ExportStatus::kImplemented;
    }
    return c;
  }
  const ExportInfo* e = find_module_export(module, ordinal);
  if (!e || !e->fn) return c;
  c.status = e->partial ? ExportStatus::kPartial : ExportStatus::kImplemented;
  c.missing = e->partial;
  c.subsystem = e->subsystem;
  return c;
}

std::vector<const ExportInfo*> implemented_exports(KernelModule module) {
  std::vector<const ExportInfo*> out;
  for (const ExportInfo& e : registry(module).all) {
    if (e.fn) out.push_back(&e);
  }
  return out;
}

uint32_t ExportCall::arg(int n) const {
  if (n < 8) return static_cast<uint32_t>(t.ctx.gpr[3 + n]);
  uint32_t sp = static_cast<uint32_t>(t.ctx.gpr[1]);
  return k.memory().read32(sp + 0x54 + 8 * (n - 8));
}

DispatchResult dispatch_export(Kernel& k, Thread& t, KernelModule module, uint16_t ordinal, uint32_t thunk_pc,
                               const char* import_name) {
  const ExportInfo* info = find_module_export(module, ordinal);
  const char* library = exports::library_file_name(module);
  std::string fallback;
  const char* name = info ? info->name : import_name;
  if (!name) {
    if (const exports::ExportInfo* known = exports::find_export(module, ordinal)) name = known->name;
  }
  if (!name) {
    fallback = fmt::format("{}_{}", module == KernelModule::kXam ? "xam" : "xboxkrnl", ordinal);
    name = fallback.c_str();
  }
  k.emit(&t, TraceKind::kImportCall,
         {{"name", TraceValue::string(name)},
          {"ord", TraceValue::uinteger(ordinal)},
          {"module", TraceValue::string(library)},
          {"thunk_pc", TraceValue::hex32(thunk_pc)}});
  if (!info || !info->fn) {
    if (k.config().stubs && k.config().stubs->try_stub(k, t, library, name, ordinal)) return {};
    return {DispatchStatus::kUnimplemented,
            fmt::format("unimplemented {} import {}!{} (ordinal {}) called from {:08x} by tid {}",
                        module == KernelModule::kXam ? "XAM" : "kernel", library, name, ordinal,
                        static_cast<uint32_t>(t.ctx.lr), t.tid)};
  }
  ExportCall call(k, t, thunk_pc);
  // Raw arguments, as hex words.
  static const char* const kRegNames[8] = {"r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"};
  TraceField args[8];
  uint32_t nargs = std::min<uint32_t>(info->arg_count, 8);
  for (uint32_t i = 0; i < nargs; ++i) args[i] = {kRegNames[i], TraceValue::hex32(static_cast<uint32_t>(t.ctx.gpr[3 + i]))};
  // args_resolved: decoded arguments (pointers followed, names read),
  // filled before kernel.call so the event precedes anything the call emits.
  if (info->resolve) {
    try {
      info->resolve(call);
    } catch (const GuestFault&) {
      // Unreadable argument: trace what was resolved; the handler itself
      // will fail the call with STATUS_ACCESS_VIOLATION.
    }
  }
  k.emit(&t, TraceKind::kKernelCall,
         {{"name", TraceValue::string(info->name)},
          {"ord", TraceValue::uinteger(ordinal)},
          {"args", TraceValue::object(args, nargs)},
          {"args_resolved", TraceValue::object(call.resolved, call.resolved_count)}});
  try {
    info->fn(call);
  } catch (const GuestFault& f) {
    // A bad guest pointer passed to the kernel: the call fails with an
    // NTSTATUS instead of faulting the thread.
    call.ret(kStatusAccessViolation);
    call.blocked = false;
  }
  if (!call.fatal_reason.empty()) return {DispatchStatus::kFatal, std::move(call.fatal_reason)};
  if (!call.unsupported_reason.empty()) {
    return {DispatchStatus::kUnimplemented,
            fmt::format("unsupported use of {}!{} (ordinal {}) by tid {}: {}", library, info->name, ordinal, t.tid,
                        call.unsupported_reason)};
  }
  if (call.retried || t.state == ThreadState::kTerminated) return {};
  if (call.blocked) {
    t.pending_return.name = info->name;
    return {};
  }
  uint32_t r3 = static_cast<uint32_t>(t.ctx.gpr[3]);
  k.emit(&t, TraceKind::kKernelReturn,
         {{"name", TraceValue::string(info->name)},
          {"return_value", TraceValue::hex32(r3)},
          {"status", TraceValue::hex32(r3)}});
  return {};
}

std::string object_attributes_name(GuestMemory& mem, uint32_t objattr) {
  if (!objattr) return {};
  uint32_t ansi = mem.read32(objattr + 4);
  if (!ansi) return {};
  uint16_t len = mem.read16(ansi);
  uint32_t buf = mem.read32(ansi + 4);
  if (!len || !buf) return {};
  std::string s(len, '\0');
  mem.read_bytes(buf, s.data(), len);
  return s;
}

bool read_timeout(GuestMemory& mem, uint32_t ptr, int64_t* out) {
  if (!ptr) return false;
  *out = static_cast<int64_t>(mem.read64(ptr));
  return true;
}

Thread* thread_from_handle(ExportCall& c, uint32_t handle, NtStatus* st) {
  uint32_t obj;
  uint8_t type;
  *st = c.k.resolve_handle(c.t, handle, &obj, &type);
  if (*st != kStatusSuccess) return nullptr;
  if (type != kTypeThread) {
    *st = kStatusObjectTypeMismatch;
    return nullptr;
  }
  return c.k.thread_by_kthread(obj);
}

}  // namespace xdet::kernel

namespace xdet::kernel {

std::string read_guest_cstring(GuestMemory& mem, uint32_t addr, size_t max_len) {
  std::string s;
  if (!addr) return s;
  for (size_t i = 0; i < max_len; ++i) {
    char ch = static_cast<char>(mem.read8(addr + static_cast<uint32_t>(i)));
    if (!ch) break;
    s.push_back(ch);
  }
  return s;
}

std::vector<uint8_t> read_guest_bytes(GuestMemory& mem, uint32_t addr, uint32_t n) {
  constexpr uint32_t kPiece = 0x10000;
  std::vector<uint8_t> v;
  for (uint32_t done = 0; done < n;) {
    uint32_t take = std::min(kPiece, n - done);
    v.resize(done + take);
    mem.read_bytes(addr + done, v.data() + done, take);
    done += take;
  }
  return v;
}

std::u16string read_guest_wstring(GuestMemory& mem, uint32_t addr, size_t max_len) {
  std::u16string s;
  if (!addr) return s;
  for (size_t i = 0; i < max_len; ++i) {
    char16_t ch = static_cast<char16_t>(mem.read16(addr + static_cast<uint32_t>(2 * i)));
    if (!ch) break;
    s.push_back(ch);
  }
  return s;
}

}  // namespace xdet::kernel
