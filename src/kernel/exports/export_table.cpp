#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

// Exports xdet knows by name but does not implement yet: calling one stops
// the run with ExitCode::kUnimplemented and a message naming it.
const ExportInfo kKnownUnimplemented[] = {
    {7, "ExAcquireReadWriteLockExclusive", 1, nullptr},
    {8, "ExAcquireReadWriteLockShared", 1, nullptr},
    {16, "ExGetXConfigSetting", 5, nullptr},
    {17, "ExInitializeReadWriteLock", 1, nullptr},
    {22, "ExReleaseReadWriteLock", 1, nullptr},
    {109, "KeInitializeApc", 7, nullptr},
    {122, "KeInsertQueueApc", 4, nullptr},
    {227, "NtQueueApcThread", 5, nullptr},
    {299, "RtlImageXexHeaderField", 2, nullptr},
    {404, "XexCheckExecutablePrivilege", 1, nullptr},
    {405, "XexGetModuleHandle", 2, nullptr},
    {407, "XexGetProcedureAddress", 3, nullptr},
};

struct Registry {
  std::vector<ExportInfo> all;
  Registry() {
    for (ExportTable t : {threading_exports(), sync_exports(), rtl_exports(), ob_exports(), debug_exports(), memory_exports(),
                          io_exports()}) {
      all.insert(all.end(), t.entries, t.entries + t.count);
    }
    for (const ExportInfo& e : kKnownUnimplemented) {
      bool have = std::any_of(all.begin(), all.end(), [&](const ExportInfo& x) { return x.ordinal == e.ordinal; });
      if (!have) all.push_back(e);
    }
    std::sort(all.begin(), all.end(), [](const ExportInfo& a, const ExportInfo& b) { return a.ordinal < b.ordinal; });
  }
};

const Registry& registry() {
  static const Registry r;
  return r;
}

}  // namespace

const ExportInfo* find_export(uint16_t ordinal) {
  const auto& all = registry().all;
  auto it = std::lower_bound(all.begin(), all.end(), ordinal,
                             [](const ExportInfo& e, uint16_t o) { return e.ordinal < o; });
  return it != all.end() && it->ordinal == ordinal ? &*it : nullptr;
}

std::vector<const ExportInfo*> implemented_exports() {
  std::vector<const ExportInfo*> out;
  for (const ExportInfo& e : registry().all) {
    if (e.fn) out.push_back(&e);
  }
  return out;
}

uint32_t ExportCall::arg(int n) const {
  if (n < 8) return static_cast<uint32_t>(t.ctx.gpr[3 + n]);
  uint32_t sp = static_cast<uint32_t>(t.ctx.gpr[1]);
  return k.memory().read32(sp + 0x54 + 8 * (n - 8));
}

DispatchResult dispatch_export(Kernel& k, Thread& t, uint16_t ordinal, uint32_t thunk_pc, const char* import_name) {
  const ExportInfo* info = find_export(ordinal);
  std::string fallback;
  const char* name = info ? info->name : import_name;
  if (!name) {
    fallback = fmt::format("xboxkrnl_{}", ordinal);
    name = fallback.c_str();
  }
  k.emit(&t, TraceKind::kImportCall,
         {{"name", TraceValue::string(name)},
          {"ord", TraceValue::uinteger(ordinal)},
          {"module", TraceValue::string("xboxkrnl.exe")},
          {"thunk_pc", TraceValue::hex32(thunk_pc)}});
  if (!info || !info->fn) {
    return {DispatchStatus::kUnimplemented,
            fmt::format("unimplemented kernel import xboxkrnl.exe!{} (ordinal {}) called from {:08x} by tid {}", name,
                        ordinal, static_cast<uint32_t>(t.ctx.lr), t.tid)};
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
            fmt::format("unsupported use of xboxkrnl.exe!{} (ordinal {}) by tid {}: {}", info->name, ordinal, t.tid,
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
