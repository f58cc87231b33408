// DbgPrint (the guest SDK's output path) and fatal stops.
#include <fmt/format.h>

#include "kernel/exports/exports.h"
#include "kernel/exports/guest_format.h"

namespace xdet::kernel {

namespace {

void dbg_print(ExportCall& c) {
  int n = 1;
  std::string text = format_guest_string(c.mem(), c.arg(0), [&]() { return c.arg64(n++); });
  c.k.debug_print(text);
  c.ret(kStatusSuccess);
}

void resolve_dbg_print(ExportCall& c) {
  c.resolved_text = c.mem().read_cstring(c.arg(0), 256);
  c.resolve("format", TraceValue::string(c.resolved_text.c_str()));
}

void ke_bug_check(ExportCall& c) { c.fatal(fmt::format("KeBugCheck(0x{:08x}) by tid {}", c.arg(0), c.t.tid)); }

void ke_bug_check_ex(ExportCall& c) {
  c.fatal(fmt::format("KeBugCheckEx(0x{:08x}, 0x{:08x}, 0x{:08x}, 0x{:08x}, 0x{:08x}) by tid {}", c.arg(0), c.arg(1),
                      c.arg(2), c.arg(3), c.arg(4), c.t.tid));
}

void dbg_break_point(ExportCall&) {}

// RtlRaiseException(EXCEPTION_RECORD*): code +0, flags +4, record +8,
// address +0xC, parameter count +0x10, parameters from +0x14. The XDK
// names threads by raising 0x406D1388 with THREADNAME_INFO {0x1000, name*,
// thread id (-1 = current), flags} as parameters (xenia special-cases it
// too). Other exceptions need SEH dispatch, which xdet does not do yet.
constexpr uint32_t kSetThreadNameException = 0x406D1388;

void rtl_raise_exception(ExportCall& c) {
  uint32_t rec = c.arg(0);
  uint32_t code = c.mem().read32(rec);
  if (code != kSetThreadNameException) {
    return c.unsupported(fmt::format("exception 0x{:08x} raised (SEH dispatch is not implemented)", code));
  }
  uint32_t nparams = c.mem().read32(rec + 0x10);
  if (nparams < 3 || c.mem().read32(rec + 0x14) != 0x1000) return;
  std::string name = c.mem().read_cstring(c.mem().read32(rec + 0x18), 64);
  uint32_t tid = c.mem().read32(rec + 0x1C);
  Thread* t = tid == 0xFFFFFFFFu ? &c.t : c.k.thread_by_tid(tid);
  if (t) t->name = name;
}

void resolve_raise(ExportCall& c) { c.resolve("code", TraceValue::hex32(c.mem().read32(c.arg(0)))); }

const ExportInfo kExports[] = {
    {1, "DbgBreakPoint", 0, dbg_break_point},
    {3, "DbgPrint", 1, dbg_print, resolve_dbg_print},
    {82, "KeBugCheck", 1, ke_bug_check},
    {83, "KeBugCheckEx", 5, ke_bug_check_ex},
    {310, "RtlRaiseException", 1, rtl_raise_exception, resolve_raise},
};

}  // namespace

ExportTable debug_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
