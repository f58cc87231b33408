// DbgPrint (the guest SDK's output path) and fatal stops.
#include <algorithm>

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

bool executable(GuestMemory& mem, uint32_t pc) {
  return pc && (pc & 3) == 0 && (mem.protection(pc) & GuestMemory::kProtExec);
}

// The guest's call stack from the back chain: every frame starts with the
// caller's r1; the return address is saved 8 bytes below the caller's
// frame (the console compiler's prologue, `stw r12,-8(r1)` before `stwu`)
// or, for SysV-style code, 4 bytes into it. The first word that points at
// executable memory wins. At most 16 frames.
std::string guest_backtrace(GuestMemory& mem, const Thread& t) {
  std::string out = fmt::format("    #0 pc {:08x}\n", static_cast<uint32_t>(t.ctx.lr));
  uint32_t sp = static_cast<uint32_t>(t.ctx.gpr[1]);
  for (int depth = 1; depth < 16; ++depth) {
    uint32_t next = 0;
    try {
      next = mem.read32(sp);
      if (next <= sp || next >= t.stack_base + 0x10000) break;
      uint32_t ra = mem.read32(next - 8);
      if (!executable(mem, ra)) ra = mem.read32(next + 4);
      if (!executable(mem, ra)) break;
      out += fmt::format("    #{} pc {:08x} (frame {:08x})\n", depth, ra, next);
    } catch (const GuestFault&) {
      break;
    }
    sp = next;
  }
  return out;
}

std::string thread_label(const Thread& t) {
  return t.name.empty() ? fmt::format("tid {}", t.tid) : fmt::format("tid {} ({})", t.tid, t.name);
}

// KeBugCheck(code) / KeBugCheckEx(code, p1..p4): the console halts; xdet
// stops the run (exit 4) with the code, the caller and its call stack.
void ke_bug_check(ExportCall& c) {
  c.fatal(fmt::format("KeBugCheck(0x{:08x}) by {} called from {:08x}\n  backtrace:\n{}", c.arg(0),
                      thread_label(c.t), static_cast<uint32_t>(c.t.ctx.lr), guest_backtrace(c.mem(), c.t)));
}

void ke_bug_check_ex(ExportCall& c) {
  c.fatal(fmt::format("KeBugCheckEx(0x{:08x}, 0x{:08x}, 0x{:08x}, 0x{:08x}, 0x{:08x}) by {} called from {:08x}\n"
                      "  backtrace:\n{}",
                      c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4), thread_label(c.t),
                      static_cast<uint32_t>(c.t.ctx.lr), guest_backtrace(c.mem(), c.t)));
}

void dbg_break_point(ExportCall&) {}

std::string exception_report(ExportCall& c, uint32_t rec) {
  GuestMemory& mem = c.mem();
  uint32_t code = mem.read32(rec), flags = mem.read32(rec + 4), address = mem.read32(rec + 0xC);
  uint32_t nparams = std::min<uint32_t>(mem.read32(rec + 0x10), 15);
  std::string params;
  for (uint32_t i = 0; i < nparams; ++i) params += fmt::format("{}0x{:08x}", i ? ", " : "", mem.read32(rec + 0x14 + 4 * i));
  return fmt::format("exception 0x{:08x} raised by {} at pc {:08x} (exception address {:08x}, "
                     "flags 0x{:x}, parameters [{}])\n  backtrace:\n{}",
                     code, thread_label(c.t), static_cast<uint32_t>(c.t.ctx.lr), address, flags, params,
                     guest_backtrace(mem, c.t));
}

// RtlRaiseException(EXCEPTION_RECORD*): code +0, flags +4, record +8,
// address +0xC, parameter count +0x10, parameters from +0x14. Dispatched to
// the title's handlers as the console does (Kernel::dispatch_exception,
// kernel_exceptions.cpp): the context is the caller's, resuming after the
// call. With no handler taking it the run stops as a guest fault (exit 4)
// with a report of the code, flags, parameters, raising thread, caller PC
// and call stack. The XDK names threads by raising 0x406D1388 with
// THREADNAME_INFO {0x1000, name*, thread id (-1 = current), flags}: xdet
// records the name (as an attached debugger does) and dispatches it like
// any other exception; when no handler takes it, execution continues after
// the raise, as on a console with the debugger consuming it.
constexpr uint32_t kSetThreadNameException = 0x406D1388;

void rtl_raise_exception(ExportCall& c) {
  uint32_t rec = c.arg(0);
  uint32_t code = c.mem().read32(rec);
  Kernel::ExceptionStart start;
  start.record = rec;
  start.control_pc = static_cast<uint32_t>(c.t.ctx.lr);
  if (code == kSetThreadNameException) {
    uint32_t nparams = c.mem().read32(rec + 0x10);
    if (nparams >= 3 && c.mem().read32(rec + 0x14) == 0x1000) {
      std::string name = c.mem().read_cstring(c.mem().read32(rec + 0x18), 64);
      uint32_t tid = c.mem().read32(rec + 0x1C);
      Thread* t = tid == 0xFFFFFFFFu ? &c.t : c.k.thread_by_tid(tid);
      if (t) t->name = name;
      start.thread_name = name;
    }
    start.continue_if_unhandled = true;
  } else {
    start.unhandled_report = exception_report(c, rec);
    if (!start.unhandled_report.empty() && start.unhandled_report.back() == '\n') start.unhandled_report.pop_back();
  }
  c.k.dispatch_exception(c.t, start);
  if (!c.t.fatal_stop.empty()) c.fatal(std::move(c.t.fatal_stop));
}

void resolve_raise(ExportCall& c) { c.resolve("code", TraceValue::hex32(c.mem().read32(c.arg(0)))); }

// RtlUnwind(TargetFrame, TargetIp, ExceptionRecord, ReturnValue): the
// second pass (Kernel::unwind_to). Continues at TargetIp in the target
// frame with ReturnValue in r3 once every frame below it has been unwound.
void rtl_unwind(ExportCall& c) {
  c.k.unwind_to(c.t, c.arg(0), c.arg(1), c.arg(2), c.arg(3));
  if (!c.t.fatal_stop.empty()) c.fatal(std::move(c.t.fatal_stop));
}

// RtlCaptureContext(CONTEXT*): the caller's registers, Iar = its return address.
void rtl_capture_context(ExportCall& c) { c.k.capture_context(c.t, c.arg(0)); }

const ExportInfo kExports[] = {
    {1, "DbgBreakPoint", 0, dbg_break_point},
    {3, "DbgPrint", 1, dbg_print, resolve_dbg_print},
    {82, "KeBugCheck", 1, ke_bug_check},
    {83, "KeBugCheckEx", 5, ke_bug_check_ex},
    {281, "RtlCaptureContext", 1, rtl_capture_context},
    {310, "RtlRaiseException", 1, rtl_raise_exception, resolve_raise},
    {327, "RtlUnwind", 4, rtl_unwind},
};

}  // namespace

ExportTable debug_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
