// Structured exception dispatch, table-based as on the console (Windows NT
// PowerPC): RtlDispatchException's first pass, RtlUnwind's second pass,
// nested and collided cases, on the guest through kExceptionHandler
// callbacks. See kernel/exceptions/unwind.h for the function table and the
// virtual unwinder, docs/kernel.md "Exceptions" for what a title sees.
//
// Every decision is made from guest memory and the thread's registers at
// instruction boundaries the runner already has (an export call, a fault, a
// handler's return), so dispatch is as deterministic as the rest.
#include <algorithm>

#include <fmt/format.h>

#include "kernel/kernel.h"
#include "kernel/title_state.h"
#include "loader/loader.h"

namespace xdet::kernel {

namespace {

// EXCEPTION_RECORD (32-bit): code, flags, chained record, address, count, 15 parameters.
constexpr uint32_t kRecordSize = 0x50;
constexpr uint32_t kRecordMaxParams = 15;
// CONTEXT as the XDK lays it out (winnt.h for Xenon).
constexpr uint32_t kCtxFlags = 0x000;
constexpr uint32_t kCtxMsr = 0x004;
constexpr uint32_t kCtxIar = 0x008;
constexpr uint32_t kCtxLr = 0x00C;
constexpr uint32_t kCtxCtr = 0x010;
constexpr uint32_t kCtxGpr = 0x018;
constexpr uint32_t kCtxCr = 0x118;
constexpr uint32_t kCtxXer = 0x11C;
constexpr uint32_t kCtxFpscr = 0x120;
constexpr uint32_t kCtxFpr = 0x128;
constexpr uint32_t kCtxVscr = 0x230;
constexpr uint32_t kCtxVr = 0x240;
constexpr uint32_t kContextSize = 0xA40;
// CONTEXT_CONTROL | CONTEXT_FLOATING_POINT | CONTEXT_INTEGER | CONTEXT_VECTOR.
constexpr uint32_t kContextFull = 0x00000017;
// DISPATCHER_CONTEXT (NT PowerPC): ControlPc, FunctionEntry, EstablisherFrame, ContextRecord.
constexpr uint32_t kDispatcherContextSize = 0x10;
// The guest block: two records (a dispatcher-raised one chains the
// original), the CONTEXT to continue at, the unwind CONTEXT, the dispatcher context.
constexpr uint32_t kBlockSize = (2 * kRecordSize + 2 * kContextSize + kDispatcherContextSize + 15) & ~15u;
// Left untouched below r1: the console compiler's leaf functions keep saved
// registers below r1 without allocating a frame.
constexpr uint32_t kRedZone = 0x200;
constexpr uint32_t kMaxFrames = 1024;
constexpr size_t kMaxNesting = 16;
constexpr uint32_t kMaxRedispatches = 16;

constexpr uint32_t kExceptionNoncontinuable = 0x01;
constexpr uint32_t kExceptionUnwinding = 0x02;
constexpr uint32_t kExceptionExitUnwind = 0x04;
constexpr uint32_t kExceptionStackInvalid = 0x08;
constexpr uint32_t kExceptionNestedCall = 0x10;
constexpr uint32_t kExceptionTargetUnwind = 0x20;
constexpr uint32_t kExceptionCollidedUnwind = 0x40;

constexpr uint32_t kContinueExecution = 0;
constexpr uint32_t kContinueSearch = 1;
constexpr uint32_t kNestedException = 2;

constexpr uint32_t kStatusNoncontinuableException = 0xC0000025;
constexpr uint32_t kStatusInvalidDisposition = 0xC0000026;
constexpr uint32_t kStatusUnwind = 0xC0000027;

UnwindRegs regs_from(const cpu::PpcContext& c) {
  UnwindRegs r;
  std::copy(std::begin(c.gpr), std::end(c.gpr), std::begin(r.gpr));
  std::copy(std::begin(c.fpr), std::end(c.fpr), std::begin(r.fpr));
  r.cr = c.cr;
  r.xer = c.xer;
  r.lr = static_cast<uint32_t>(c.lr);
  r.ctr = c.ctr;
  r.iar = c.pc;
  r.msr = static_cast<uint32_t>(c.msr);
  r.fpscr = c.fpscr;
  return r;
}

void apply_regs(cpu::PpcContext& c, const UnwindRegs& r) {
  std::copy(std::begin(r.gpr), std::end(r.gpr), std::begin(c.gpr));
  std::copy(std::begin(r.fpr), std::end(r.fpr), std::begin(c.fpr));
  c.cr = r.cr;
  c.xer = r.xer;
  c.lr = r.lr;
  c.ctr = r.ctr;
  c.pc = r.iar;
  c.fpscr = r.fpscr;
  c.reserve_valid = false;
}

void write_context(GuestMemory& mem, uint32_t a, const UnwindRegs& r, const cpu::PpcContext* vectors) {
  mem.write32(a + kCtxFlags, vectors ? kContextFull : kContextFull & ~0x10u);
  mem.write32(a + kCtxMsr, r.msr);
  mem.write32(a + kCtxIar, r.iar);
  mem.write32(a + kCtxLr, r.lr);
  mem.write64(a + kCtxCtr, r.ctr);
  for (int i = 0; i < 32; ++i) mem.write64(a + kCtxGpr + 8 * i, r.gpr[i]);
  mem.write32(a + kCtxCr, r.cr);
  mem.write32(a + kCtxXer, r.xer);
  mem.write64(a + kCtxFpscr, r.fpscr);
  for (int i = 0; i < 32; ++i) mem.write64(a + kCtxFpr + 8 * i, r.fpr[i]);
  mem.write32(a + 0x228, 0);
  mem.write32(a + 0x22C, 0);
  for (int w = 0; w < 4; ++w) mem.write32(a + kCtxVscr + 4 * w, w == 3 && vectors ? vectors->vscr : 0);
  for (int v = 0; v < 128; ++v) {
    for (int w = 0; w < 4; ++w) mem.write32(a + kCtxVr + 16 * v + 4 * w, vectors ? vectors->vr[v].w[w] : 0);
  }
}

UnwindRegs read_context(const GuestMemory& mem, uint32_t a) {
  UnwindRegs r;
  r.msr = mem.read32(a + kCtxMsr);
  r.iar = mem.read32(a + kCtxIar);
  r.lr = mem.read32(a + kCtxLr);
  r.ctr = mem.read64(a + kCtxCtr);
  for (int i = 0; i < 32; ++i) r.gpr[i] = mem.read64(a + kCtxGpr + 8 * i);
  r.cr = mem.read32(a + kCtxCr);
  r.xer = mem.read32(a + kCtxXer);
  r.fpscr = static_cast<uint32_t>(mem.read64(a + kCtxFpscr));
  for (int i = 0; i < 32; ++i) r.fpr[i] = mem.read64(a + kCtxFpr + 8 * i);
  return r;
}

// The APC or DPC routine whose frame ends a walk (the callback below the
// dispatch's current position), for the report.
std::string routine_description(const CallbackFrame& cf) {
  switch (cf.kind) {
    case CallbackKind::kApcKernelRoutine:
      return fmt::format("the APC kernel routine {:08x} (KAPC {:08x})", cf.routine, cf.object);
    case CallbackKind::kApcNormalRoutine:
      return fmt::format("the APC normal routine {:08x} (KAPC {:08x})", cf.routine, cf.object);
    case CallbackKind::kApcRundown:
      return fmt::format("the APC rundown routine {:08x} (KAPC {:08x})", cf.routine, cf.object);
    case CallbackKind::kDpc:
      return fmt::format("the DPC routine {:08x} (KDPC {:08x})", cf.routine, cf.object);
    case CallbackKind::kExceptionHandler:
      break;
  }
  return fmt::format("the exception handler {:08x}", cf.routine);
}

bool executable(const GuestMemory& mem, uint32_t pc) {
  return pc && (pc & 3) == 0 && (mem.protection(pc) & GuestMemory::kProtExec);
}

}  // namespace

// Exception events go on the kernel's tid-0 stream with the thread in the
// payload, like the device events: a diff against an engine that does not
// dispatch exceptions (xenia) keeps every thread's event positions.
void Kernel::emit_exception_event(Thread& t, TraceKind kind, std::initializer_list<TraceField> fields) {
  emit_exception_event(t, kind, fields.begin(), static_cast<uint32_t>(fields.size()));
}

void Kernel::emit_exception_event(Thread& t, TraceKind kind, const TraceField* fields, uint32_t count) {
  TraceField all[8];
  all[0] = {"tid", TraceValue::uinteger(t.tid)};
  uint32_t n = 1;
  for (uint32_t i = 0; i < count && n < 8; ++i) all[n++] = fields[i];
  emit(nullptr, kind, all, n);
}

FunctionTable Kernel::function_table() const {
  const loader::LoadedModule* m = title_->module();
  if (!m) return {};
  return read_function_table(mem_, m->image_base, m->image_size, nullptr);
}

void Kernel::capture_context(const Thread& t, uint32_t context) {
  UnwindRegs r = regs_from(t.ctx);
  r.iar = r.lr;
  write_context(mem_, context, r, &t.ctx);
}

void Kernel::exception_stop(Thread& t, std::string report, bool at_origin) {
  t.fatal_stop = std::move(report);
  if (at_origin && !t.exceptions.empty()) {
    // The thread stops where the exception was raised (the faulting
    // instruction, the raise's return address), not inside the dispatcher
    // or a handler that passed: that is the state the report, the thread
    // dump and exit-thread-state.json describe.
    const ExceptionDispatch& stopped = t.exceptions.back();
    apply_regs(t.ctx, stopped.origin);
  }
  emit_exception_event(t, TraceKind::kExceptionEnd, {{"outcome", TraceValue::string("stop")}, {"pc", TraceValue::hex32(t.ctx.pc)}});
}

void Kernel::dispatch_exception(Thread& t, const ExceptionStart& start) {
  // Before the dispatch exists: the thread stays at the raise or fault.
  auto fail = [&](const std::string& why) {
    exception_stop(t,
                   start.from_fault ? start.unhandled_report
                                    : fmt::format("{}\n  (the exception could not be dispatched: {})",
                                                  start.unhandled_report, why),
                   false);
  };
  if (t.exceptions.size() >= kMaxNesting) {
    return fail(fmt::format("{} exceptions are already being dispatched on this thread (each handler raised again)",
                            t.exceptions.size()));
  }
  uint32_t sp = static_cast<uint32_t>(t.ctx.gpr[1]);
  uint32_t top = (sp - kRedZone) & ~15u;
  uint32_t block = top - kBlockSize;
  if (sp < t.stack_limit + kRedZone + kBlockSize + 0x200 || sp > t.stack_base) {
    return fail(fmt::format("r1 {:08x} leaves no room on the stack {:08x}-{:08x} for the dispatcher's records", sp,
                            t.stack_limit, t.stack_base));
  }
  ExceptionDispatch d;
  d.block = block;
  d.record = block;
  d.context = block + 2 * kRecordSize;
  d.unwind_context = d.context + kContextSize;
  d.dispatcher = d.unwind_context + kContextSize;
  d.from_fault = start.from_fault;
  d.continue_if_unhandled = start.continue_if_unhandled;
  d.unhandled_report = start.unhandled_report;
  uint32_t code = start.code, flags = 0, address = start.address;
  try {
    if (start.record) {
      uint8_t bytes[kRecordSize];
      mem_.read_bytes(start.record, bytes, kRecordSize);
      mem_.write_bytes(d.record, bytes, kRecordSize);
      if (mem_.read32(d.record + 0x10) > kRecordMaxParams) mem_.write32(d.record + 0x10, kRecordMaxParams);
      code = mem_.read32(d.record);
      flags = mem_.read32(d.record + 4);
      address = mem_.read32(d.record + 0xC);
    } else {
      mem_.write32(d.record + 0x0, code);
      mem_.write32(d.record + 0x4, 0);
      mem_.write32(d.record + 0x8, 0);
      mem_.write32(d.record + 0xC, address);
      mem_.write32(d.record + 0x10, start.param_count);
      for (uint32_t i = 0; i < kRecordMaxParams; ++i) {
        mem_.write32(d.record + 0x14 + 4 * i, i < start.param_count ? start.params[i] : 0);
      }
    }
    d.origin = regs_from(t.ctx);
    d.origin.iar = start.control_pc;
    write_context(mem_, d.context, d.origin, &t.ctx);
  } catch (const GuestFault& e) {
    return fail(fmt::format("building its records: {}", e.what()));
  }
  d.origin_pc = start.control_pc;
  d.walk = d.origin;
  d.control_pc = start.control_pc;
  d.flags = flags & kExceptionNoncontinuable;
  d.callback_base = d.callback_cursor = static_cast<uint32_t>(t.callbacks.size());
  TraceField fields[6] = {{"phase", TraceValue::string("search")},
                          {"code", TraceValue::hex32(code)},
                          {"flags", TraceValue::hex32(flags)},
                          {"address", TraceValue::hex32(address)},
                          {"source", TraceValue::string(start.from_fault ? "fault" : "raise")},
                          {"thread_name", TraceValue::string(start.thread_name.c_str())}};
  emit_exception_event(t, TraceKind::kExceptionDispatch, fields, start.thread_name.empty() ? 5 : 6);
  t.exceptions.push_back(std::move(d));
  exception_search(t);
}

void Kernel::unwind_to(Thread& t, uint32_t target_frame, uint32_t target_ip, uint32_t record, uint32_t return_value) {
  auto fail = [&](const std::string& why) {
    exception_stop(t,
                   fmt::format("RtlUnwind(frame {:08x}, pc {:08x}) by tid {} called from {:08x}: {}", target_frame,
                               target_ip, t.tid, static_cast<uint32_t>(t.ctx.lr), why),
                   false);
  };
  if (t.exceptions.size() >= kMaxNesting) return fail("too many exceptions and unwinds in progress on this thread");
  uint32_t sp = static_cast<uint32_t>(t.ctx.gpr[1]);
  if (sp < t.stack_limit + kRedZone + kBlockSize + 0x200 || sp > t.stack_base) {
    return fail(fmt::format("r1 {:08x} leaves no room on the stack {:08x}-{:08x}", sp, t.stack_limit, t.stack_base));
  }
  ExceptionDispatch d;
  d.unwinding = true;
  d.block = ((sp - kRedZone) & ~15u) - kBlockSize;
  d.context = d.block + 2 * kRecordSize;
  d.unwind_context = d.context + kContextSize;
  d.dispatcher = d.unwind_context + kContextSize;
  try {
    if (record) {
      // NT hands the caller's own record to the unwind handlers.
      d.record = record;
      mem_.write32(record + 4, mem_.read32(record + 4) | (target_frame ? 0 : kExceptionExitUnwind));
    } else {
      d.record = d.block;
      mem_.write32(d.record + 0x0, kStatusUnwind);
      mem_.write32(d.record + 0x4, 0);
      mem_.write32(d.record + 0x8, 0);
      mem_.write32(d.record + 0xC, static_cast<uint32_t>(t.ctx.lr) - 4);
      mem_.write32(d.record + 0x10, 0);
    }
  } catch (const GuestFault& e) {
    return fail(fmt::format("the exception record at {:08x} is not writable: {}", record, e.what()));
  }
  d.origin = regs_from(t.ctx);
  d.origin.iar = static_cast<uint32_t>(t.ctx.lr);
  d.origin_pc = static_cast<uint32_t>(t.ctx.lr) - 4;
  d.walk = d.origin;
  d.control_pc = d.origin_pc;
  d.target_frame = target_frame;
  d.target_ip = target_ip;
  d.return_value = return_value;
  d.callback_base = d.callback_cursor = static_cast<uint32_t>(t.callbacks.size());
  d.unhandled_report = fmt::format("RtlUnwind(frame {:08x}, pc {:08x}) by tid {} called from {:08x}", target_frame,
                                   target_ip, t.tid, static_cast<uint32_t>(t.ctx.lr));
  emit_exception_event(t, TraceKind::kExceptionDispatch,
       {{"phase", TraceValue::string("unwind")},
        {"target_frame", TraceValue::hex32(target_frame)},
        {"target_pc", TraceValue::hex32(target_ip)},
        {"return_value", TraceValue::hex32(return_value)}});
  t.exceptions.push_back(std::move(d));
  exception_unwind(t);
}

// Walks across a callback frame (the walk reached kCallbackReturnLr): a
// language handler's caller is the dispatcher, whose own caller is the code
// that raised (or called RtlUnwind). False at an APC or DPC routine: the
// chain of frames ends there.
bool Kernel::exception_cross_callback(Thread& t) {
  ExceptionDispatch& d = t.exceptions.back();
  if (d.callback_cursor == 0) return false;
  const CallbackFrame& cf = t.callbacks[d.callback_cursor - 1];
  if (cf.kind != CallbackKind::kExceptionHandler || cf.object >= t.exceptions.size() - 1) return false;
  --d.callback_cursor;
  const ExceptionDispatch& outer = t.exceptions[cf.object];
  if (!d.unwinding) {
    // RtlpExceptionHandler: an exception raised inside a handler is nested
    // in the outer dispatch up to the frame whose handler was running.
    if (!outer.unwinding) {
      d.flags |= kExceptionNestedCall;
      d.nested_frame = std::max(d.nested_frame, outer.establisher);
    }
    d.walk = outer.origin;
    d.control_pc = outer.origin_pc;
  } else if (outer.unwinding) {
    // A collided unwind: take over the outer unwind at the frame whose
    // handler was running and call that handler again.
    d.walk = outer.walk;
    d.control_pc = outer.control_pc;
    d.flags |= kExceptionCollidedUnwind;
  } else {
    d.walk = outer.origin;
    d.control_pc = outer.origin_pc;
  }
  return true;
}

void Kernel::exception_call_handler(Thread& t, uint32_t establisher, uint32_t flags, uint32_t context_for_handler) {
  ExceptionDispatch& d = t.exceptions.back();
  uint32_t handler = d.function.handler;
  if (!executable(mem_, handler)) {
    std::string why = fmt::format("the language handler {:08x} of the function at {:08x} (.pdata entry {:08x}) is not "
                                  "executable code",
                                  handler, d.function.begin, d.function.entry);
    return exception_stop(t, d.from_fault ? d.unhandled_report + "\n  (" + why + ")"
                                          : d.unhandled_report + "\n  (the exception could not be dispatched: " + why +
                                                ")");
  }
  mem_.write32(d.dispatcher + 0x0, d.control_pc);
  mem_.write32(d.dispatcher + 0x4, d.function.entry);
  mem_.write32(d.dispatcher + 0x8, establisher);
  mem_.write32(d.dispatcher + 0xC, context_for_handler);
  mem_.write32(d.record + 4, flags);
  emit_exception_event(t, TraceKind::kExceptionHandler,
       {{"phase", TraceValue::string(d.unwinding ? "unwind" : "search")},
        {"handler", TraceValue::hex32(handler)},
        {"function", TraceValue::hex32(d.function.begin)},
        {"establisher_frame", TraceValue::hex32(establisher)},
        {"control_pc", TraceValue::hex32(d.control_pc)},
        {"flags", TraceValue::hex32(flags)}});
  d.handler_called = true;
  t.ctx.gpr[1] = d.block;
  push_callback(t, CallbackKind::kExceptionHandler, static_cast<uint32_t>(t.exceptions.size() - 1), handler, irql(t),
                {d.record, establisher, context_for_handler, d.dispatcher});
}

void Kernel::exception_search(Thread& t) {
  FunctionTable table = function_table();
  for (;;) {
    ExceptionDispatch& d = t.exceptions.back();
    auto unhandled = [&](const std::string& why) {
      if (d.continue_if_unhandled) return exception_resume(t, "continue");
      exception_stop(t, d.from_fault ? d.unhandled_report
                                     : fmt::format("{}\n  (no handler took it: {})", d.unhandled_report, why));
    };
    if (++d.frames > kMaxFrames) return unhandled(fmt::format("the walk passed {} frames", kMaxFrames));
    if (d.control_pc == kCallbackReturnLr - 4) {
      if (exception_cross_callback(t)) continue;
      // An APC or DPC routine's frame: the kernel's delivery code called it,
      // and an exception the routine's own frames did not take does not
      // go on into the code it interrupted (docs/kernel.md).
      return unhandled(d.callback_cursor > 0
                           ? fmt::format("the call chain ends at {}",
                                         routine_description(t.callbacks[d.callback_cursor - 1]))
                           : std::string("the call chain ends at an APC or DPC routine"));
    }
    if (d.control_pc == kReturnSentinelLr - 4 || d.control_pc == kDeviceReturnLr - 4) {
      return unhandled(fmt::format("{} frames searched", d.frames - 1));
    }
    RuntimeFunction f;
    bool have = false;
    try {
      have = lookup_function_entry(mem_, table, d.control_pc, &f);
    } catch (const GuestFault& e) {
      return exception_stop(t, fmt::format("{}\n  (the exception could not be dispatched: the function table at {:08x} "
                                           "is unreadable: {})",
                                           d.unhandled_report, table.address, e.what()));
    }
    UnwindRegs before = d.walk;
    UnwindStep step;
    std::string error;
    if (!virtual_unwind(mem_, d.control_pc, have ? &f : nullptr, d.walk, &step, &error)) {
      return exception_stop(t, fmt::format("{}\n  (the exception could not be dispatched: {})", d.unhandled_report,
                                           error));
    }
    if (have) {
      if (step.establisher < t.stack_limit || step.establisher > t.stack_base || (step.establisher & 7)) {
        d.flags |= kExceptionStackInvalid;
        return unhandled(fmt::format("the frame {:08x} of the function at {:08x} is not on the stack {:08x}-{:08x}",
                                     step.establisher, f.begin, t.stack_limit, t.stack_base));
      }
      if (f.has_handler && step.in_function) {
        d.function = f;
        d.establisher = step.establisher;
        d.next_pc = step.next_pc;
        d.after = d.walk;
        d.walk = before;
        return exception_call_handler(t, step.establisher, d.flags, d.context);
      }
    } else if (step.next_pc == d.control_pc) {
      return unhandled(fmt::format("the walk stopped at {:08x}, which has no function table entry", d.control_pc));
    }
    d.control_pc = step.next_pc;
    if (static_cast<uint32_t>(d.walk.gpr[1]) >= t.stack_base) {
      return unhandled(fmt::format("{} frames searched", d.frames));
    }
  }
}

void Kernel::exception_unwind(Thread& t) {
  FunctionTable table = function_table();
  for (;;) {
    ExceptionDispatch& d = t.exceptions.back();
    auto fail = [&](const std::string& why) { exception_stop(t, d.unhandled_report + ": " + why); };
    if (++d.frames > kMaxFrames) return fail(fmt::format("the target frame was not found within {} frames", kMaxFrames));
    if (d.control_pc == kCallbackReturnLr - 4) {
      if (exception_cross_callback(t)) continue;
      return fail(d.callback_cursor > 0
                      ? fmt::format("the call chain ends at {} before the target frame",
                                    routine_description(t.callbacks[d.callback_cursor - 1]))
                      : std::string("the call chain ends at an APC or DPC routine before the target frame"));
    }
    if (d.control_pc == kReturnSentinelLr - 4 || d.control_pc == kDeviceReturnLr - 4) {
      return fail(d.target_frame ? "the target frame is not on the call chain"
                                 : "the exit unwind reached the end of the call chain");
    }
    RuntimeFunction f;
    bool have = false;
    try {
      have = lookup_function_entry(mem_, table, d.control_pc, &f);
    } catch (const GuestFault& e) {
      return fail(fmt::format("the function table at {:08x} is unreadable: {}", table.address, e.what()));
    }
    UnwindRegs before = d.walk;
    UnwindStep step;
    std::string error;
    if (!virtual_unwind(mem_, d.control_pc, have ? &f : nullptr, d.walk, &step, &error)) return fail(error);
    if (have) {
      if (step.establisher < t.stack_limit || step.establisher > t.stack_base || (step.establisher & 7) ||
          (d.target_frame && d.target_frame < step.establisher)) {
        return fail(fmt::format("bad stack: the frame {:08x} of the function at {:08x} is {}", step.establisher,
                                f.begin,
                                d.target_frame && d.target_frame < step.establisher ? "above the target frame"
                                                                                    : "not on the stack"));
      }
      if (f.has_handler && step.in_function) {
        d.function = f;
        d.establisher = step.establisher;
        d.next_pc = step.next_pc;
        d.after = d.walk;
        d.walk = before;
        uint32_t flags = kExceptionUnwinding | (d.target_frame ? 0 : kExceptionExitUnwind) |
                         (d.target_frame == step.establisher ? kExceptionTargetUnwind : 0) |
                         (d.flags & kExceptionCollidedUnwind);
        d.flags &= ~kExceptionCollidedUnwind;
        UnwindRegs frame = before;
        frame.iar = d.target_ip;
        frame.gpr[3] = d.return_value;
        try {
          write_context(mem_, d.unwind_context, frame, nullptr);
        } catch (const GuestFault& e) {
          return fail(e.what());
        }
        return exception_call_handler(t, step.establisher, flags, d.unwind_context);
      }
      if (step.establisher == d.target_frame) {
        d.walk = before;
        return exception_resume(t, "unwound");
      }
    } else if (step.next_pc == d.control_pc) {
      return fail(fmt::format("bad function table: the walk stopped at {:08x}, which has no entry", d.control_pc));
    }
    d.control_pc = step.next_pc;
  }
}

void Kernel::exception_handler_returned(Thread& t, CallbackFrame frame) {
  if (frame.object + 1 != t.exceptions.size()) {
    return exception_stop(t, fmt::format("tid {}: an exception handler returned out of order", t.tid));
  }
  ExceptionDispatch& d = t.exceptions.back();
  uint32_t disposition = static_cast<uint32_t>(t.ctx.gpr[3]);
  emit_exception_event(t, TraceKind::kExceptionHandler,
       {{"phase", TraceValue::string("return")},
        {"handler", TraceValue::hex32(d.function.handler)},
        {"disposition", TraceValue::uinteger(disposition)}});
  try {
    if (!d.unwinding) {
      d.flags |= mem_.read32(d.record + 4) & kExceptionNoncontinuable;
      if (d.nested_frame && d.nested_frame == d.establisher) {
        d.flags &= ~kExceptionNestedCall;
        d.nested_frame = 0;
      }
      if (disposition == kContinueExecution) {
        if (d.flags & kExceptionNoncontinuable) return exception_raise_from_dispatcher(t, kStatusNoncontinuableException);
        return exception_resume(t, "continue");
      }
      if (disposition == kNestedException) {
        d.flags |= kExceptionNestedCall;
        d.nested_frame = std::max(d.nested_frame, mem_.read32(d.dispatcher + 8));
      } else if (disposition != kContinueSearch) {
        return exception_raise_from_dispatcher(t, kStatusInvalidDisposition);
      }
      d.walk = d.after;
      d.control_pc = d.next_pc;
      return exception_search(t);
    }
    if (disposition != kContinueSearch) {
      return exception_stop(t, fmt::format("{}: the unwind handler {:08x} returned the invalid disposition {}",
                                           d.unhandled_report, d.function.handler, disposition));
    }
    if (d.establisher == d.target_frame) return exception_resume(t, "unwound");
    d.walk = d.after;
    d.control_pc = d.next_pc;
    exception_unwind(t);
  } catch (const GuestFault& e) {
    exception_stop(t, fmt::format("{}\n  (the exception could not be dispatched: {})", d.unhandled_report, e.what()));
  }
}

// The dispatcher itself raises (a handler continued a noncontinuable
// exception, or returned an invalid disposition): a new noncontinuable
// exception whose record chains the original, searched from the same place.
void Kernel::exception_raise_from_dispatcher(Thread& t, uint32_t code) {
  ExceptionDispatch& d = t.exceptions.back();
  if (++d.redispatches > kMaxRedispatches) {
    // On the console each round nests deeper until the stack overflows.
    return exception_stop(t, fmt::format("{}\n  (handlers continued noncontinuable exceptions or returned invalid "
                                         "dispositions {} times in a row)",
                                         d.unhandled_report, kMaxRedispatches));
  }
  uint32_t first = d.block, second = d.block + kRecordSize;
  if (d.record == second) {
    uint8_t bytes[kRecordSize];
    mem_.read_bytes(second, bytes, kRecordSize);
    mem_.write_bytes(first, bytes, kRecordSize);
  }
  uint32_t chained = d.record == second ? first : d.record;
  uint32_t address = mem_.read32(chained + 0xC);
  mem_.write32(second + 0x0, code);
  mem_.write32(second + 0x4, kExceptionNoncontinuable);
  mem_.write32(second + 0x8, chained);
  mem_.write32(second + 0xC, address);
  mem_.write32(second + 0x10, 0);
  d.record = second;
  d.flags = kExceptionNoncontinuable;
  d.nested_frame = 0;
  d.walk = d.origin;
  d.control_pc = d.origin_pc;
  d.frames = 0;
  d.callback_cursor = d.callback_base;
  d.continue_if_unhandled = false;
  d.from_fault = false;
  if (d.redispatches == 1) {
    d.unhandled_report = fmt::format("exception 0x{:08x} ({}) raised by the dispatcher on tid {} for:\n{}", code,
                                     code == kStatusNoncontinuableException
                                         ? "a handler continued a noncontinuable exception"
                                         : "a handler returned an invalid disposition",
                                     t.tid, d.unhandled_report);
  }
  emit_exception_event(t, TraceKind::kExceptionDispatch,
       {{"phase", TraceValue::string("search")},
        {"code", TraceValue::hex32(code)},
        {"flags", TraceValue::hex32(kExceptionNoncontinuable)},
        {"address", TraceValue::hex32(address)},
        {"source", TraceValue::string("dispatcher")}});
  exception_search(t);
}

// Ends the dispatch on top: first pass, continue at its CONTEXT (as a
// handler left it); second pass, continue at the target frame with the
// target PC and the return value in r3. Dispatches and handler frames the
// unwind passed through are dropped.
void Kernel::exception_resume(Thread& t, const char* outcome) {
  ExceptionDispatch& d = t.exceptions.back();
  if (!d.unwinding && !d.handler_called) {
    // Nothing ran since the raise (the thread-name exception without a
    // handler): the export simply returns, its registers untouched.
    t.exceptions.pop_back();
  } else if (!d.unwinding) {
    UnwindRegs r = read_context(mem_, d.context);
    apply_regs(t.ctx, r);
    for (int v = 0; v < 128; ++v) {
      for (int w = 0; w < 4; ++w) t.ctx.vr[v].w[w] = mem_.read32(d.context + kCtxVr + 16 * v + 4 * w);
    }
    t.ctx.vscr = mem_.read32(d.context + kCtxVscr + 12);
    t.exceptions.pop_back();
  } else {
    UnwindRegs r = d.walk;
    r.iar = d.target_ip;
    r.gpr[3] = d.return_value;
    // Every handler call whose stack lies below the target frame is dead
    // now, with its dispatch (those the walk crossed, and any they had
    // crossed in turn, as in a collided unwind).
    size_t keep = t.exceptions.size() - 1;
    bool popped = false;
    uint8_t level = 0;
    while (!t.callbacks.empty() && t.callbacks.back().kind == CallbackKind::kExceptionHandler &&
           static_cast<uint32_t>(t.callbacks.back().saved.gpr[1]) < static_cast<uint32_t>(r.gpr[1])) {
      keep = std::min<size_t>(keep, t.callbacks.back().object);
      level = t.callbacks.back().saved_irql;
      t.callbacks.pop_back();
      popped = true;
    }
    if (popped) set_irql(t, level);
    t.exceptions.resize(keep);
    apply_regs(t.ctx, r);
  }
  emit_exception_event(t, TraceKind::kExceptionEnd, {{"outcome", TraceValue::string(outcome)}, {"pc", TraceValue::hex32(t.ctx.pc)}});
}

}  // namespace xdet::kernel
