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

const ExportInfo kExports[] = {
    {1, "DbgBreakPoint", 0, dbg_break_point},
    {3, "DbgPrint", 1, dbg_print, resolve_dbg_print},
    {82, "KeBugCheck", 1, ke_bug_check},
    {83, "KeBugCheckEx", 5, ke_bug_check_ex},
};

}  // namespace

ExportTable debug_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
