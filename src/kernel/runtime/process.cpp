#include "kernel/runtime/process.h"

#include "kernel/exports/import_stubs.h"

#include <algorithm>

#include <fmt/format.h>

#include "kernel/exports/exports.h"
#include "kernel/title_state.h"
#include "kernel/io/io_state.h"

namespace xdet::kernel {

namespace {
constexpr uint32_t kScLev2 = 2;
// The console's names: a title boots from the disc drive; the hard disk's
// data partition and its cache partition are writable.
constexpr const char* kTitleDevice = "\\Device\\Cdrom0";
constexpr const char* kHddPartition1 = "\\Device\\Harddisk0\\Partition1";
constexpr const char* kHddCache0 = "\\Device\\Harddisk0\\Cache0";
}

uint64_t CpuThreadRunner::timebase(void* user, const cpu::PpcContext&, uint64_t retired) {
  auto* self = static_cast<CpuThreadRunner*>(user);
  return timebase_from_units(self->slice_start_units_ + (retired - self->slice_start_retired_));
}

namespace {
// Starts a deliverable DPC/APC routine; a stack the routine's frame cannot
// be written to is a guest fault.
bool start_callback(Kernel& k, Thread& t, SliceResult& out) {
  try {
    k.start_pending_callback(t);
    return true;
  } catch (const GuestFault& f) {
    out.stop = SliceStop::kFault;
    out.message = fmt::format("tid {}: delivering an APC or DPC: {}", t.tid, f.what());
    return false;
  }
}
// Runs the exception dispatcher for `start`; true when a handler now runs
// (or the exception was continued), false with `message` set to the stop
// report otherwise.
bool dispatch_to_handlers(Kernel& k, Thread& t, const Kernel::ExceptionStart& start,
                          std::string& message) {
  try {
    k.dispatch_exception(t, start);
  } catch (const GuestFault&) {
    return false;
  }
  if (t.fatal_stop.empty()) return true;
  message = std::move(t.fatal_stop);
  t.fatal_stop.clear();
  return false;
}

// A guest fault goes to the title's handlers as the console's trap handler
// raises it, at the faulting instruction (ExceptionAddress and Iar):
// - a load, store or fetch of an unmapped or protected page:
//   STATUS_ACCESS_VIOLATION with parameters (0 read / 1 write / 8 execute,
//   the address);
// - an undefined or invalid encoding (program interrupt, illegal
//   instruction): STATUS_ILLEGAL_INSTRUCTION, no parameters;
// - a misaligned lwarx/ldarx/stwcx./stdcx. (alignment interrupt the
//   kernel cannot emulate for a reservation): STATUS_DATATYPE_MISALIGNMENT
//   with parameters (0 read / 1 write, the address).
// True when a handler now runs (or the exception was continued); false
// stops the run with `message` (unchanged when no handler takes it).
constexpr uint32_t kStatusIllegalInstruction = 0xC000001D;
constexpr uint32_t kStatusDatatypeMisalignment = 0x80000002;
bool is_reservation_store(uint32_t word) {
  uint32_t xo = (word >> 1) & 0x3FF;
  return (word >> 26) == 31 && (xo == 150 || xo == 214);  // stwcx. / stdcx.
}
bool dispatch_fault(Kernel& k, Thread& t, const cpu::FaultInfo& fault, std::string& message) {
  Kernel::ExceptionStart start;
  switch (fault.kind) {
    case cpu::FaultKind::kRead:
    case cpu::FaultKind::kWrite:
    case cpu::FaultKind::kExecute:
      start.code = kStatusAccessViolation;
      start.params[0] = fault.kind == cpu::FaultKind::kRead ? 0 : fault.kind == cpu::FaultKind::kWrite ? 1 : 8;
      start.params[1] = fault.address;
      start.param_count = 2;
      break;
    case cpu::FaultKind::kIllegalInstruction:
      start.code = kStatusIllegalInstruction;
      break;
    case cpu::FaultKind::kAlignment:
      start.code = kStatusDatatypeMisalignment;
      start.params[0] = is_reservation_store(fault.word) ? 1 : 0;
      start.params[1] = fault.address;
      start.param_count = 2;
      break;
    default:
      return false;
  }
  start.from_fault = true;
  start.address = t.ctx.pc;
  start.control_pc = t.ctx.pc;
  start.unhandled_report = message;
  return dispatch_to_handlers(k, t, start, message);
}

// A `tw`/`td` trap whose condition held: STATUS_BREAKPOINT at the trap
// (the console's debug break, `twi 31,r0,N`, is one).
constexpr uint32_t kStatusBreakpoint = 0x80000003;
bool dispatch_trap(Kernel& k, Thread& t, std::string& message) {
  Kernel::ExceptionStart start;
  start.from_fault = true;
  start.code = kStatusBreakpoint;
  start.address = t.ctx.pc;
  start.control_pc = t.ctx.pc;
  start.unhandled_report = message;
  return dispatch_to_handlers(k, t, start, message);
}
}  // namespace

SliceResult CpuThreadRunner::run_slice(Kernel& k, Thread& t, uint64_t budget) {
  SliceResult out;
  if (!t.runner_data) {
    cpu_.attach(t.ctx);
    t.runner_data = this;
  }
  t.ctx.timebase_fn = &CpuThreadRunner::timebase;
  t.ctx.timebase_user = this;
  slice_start_units_ = k.now();
  slice_start_retired_ = t.ctx.instructions_retired;
  uint64_t start_now = k.now();
  // DPCs and APCs that became deliverable while the thread was off the CPU.
  if (!start_callback(k, t, out)) return out;
  if (k.slice_must_end(t)) {  // it went back to its interrupted wait
    out.stop = SliceStop::kKernel;
    return out;
  }
  while (out.retired < budget) {
    cpu::ExecResult r = cpu_.run(t.ctx, budget - out.retired);
    out.retired += r.executed;
    k.set_now(start_now + out.retired);
    switch (r.reason) {
      case cpu::StopReason::kBudget:
        return out;
      case cpu::StopReason::kFault: {
        std::string message = fmt::format("tid {}: {}", t.tid, r.fault.message);
        if (dispatch_fault(k, t, r.fault, message)) break;
        out.stop = SliceStop::kFault;
        out.message = std::move(message);
        return out;
      }
      case cpu::StopReason::kTrap: {
        std::string message = fmt::format("tid {}: trap at pc {:08x} (word {:08x})", t.tid, t.ctx.pc,
                                          k.memory().read32(t.ctx.pc));
        if (dispatch_trap(k, t, message)) break;
        out.stop = t.fatal_stop.empty() ? SliceStop::kTrap : SliceStop::kFault;
        out.message = std::move(message);
        return out;
      }
      case cpu::StopReason::kStopAddress:
        if (t.ctx.pc == kCallbackReturnLr) {
          if (t.callbacks.empty()) {
            out.stop = SliceStop::kFault;
            out.message = fmt::format("tid {}: jump to {:08x} outside a kernel callback", t.tid, kCallbackReturnLr);
            return out;
          }
          try {
            k.callback_returned(t);
          } catch (const GuestFault& f) {
            out.stop = SliceStop::kFault;
            out.message = fmt::format("tid {}: delivering an APC or DPC: {}", t.tid, f.what());
            return out;
          }
          if (!t.fatal_stop.empty()) {
            // An exception no handler took (or that could not be dispatched).
            out.stop = SliceStop::kFault;
            out.message = std::move(t.fatal_stop);
            t.fatal_stop.clear();
            return out;
          }
          if (k.slice_must_end(t)) {
            out.stop = SliceStop::kKernel;
            return out;
          }
          break;
        }
        if (t.ctx.pc == kReturnSentinelLr) {
          // The thread routine returned: r3 is its exit code.
          k.exit_thread(t, static_cast<uint32_t>(t.ctx.gpr[3]));
          if (t.state != ThreadState::kTerminated) break;  // running its APC rundown routines first
          out.stop = SliceStop::kKernel;
          return out;
        }
        if (t.ctx.pc == kDeviceReturnLr) {
          if (!t.device_context) {
            out.stop = SliceStop::kFault;
            out.message = fmt::format("tid {}: branch to 0x{:08X}, the device-callback return address, outside a "
                                      "device callback (LR {:08x})", t.tid, kDeviceReturnLr,
                                      static_cast<uint32_t>(t.ctx.lr));
            return out;
          }
          // A device callback returned: the next one starts, or the context idles.
          k.devices().callback_returned(t);
          if (k.slice_must_end(t)) {
            out.stop = SliceStop::kKernel;
            return out;
          }
        }
        break;
      case cpu::StopReason::kSyscall: {
        uint32_t sc_pc = t.ctx.pc - 4;
        uint32_t word = k.memory().read32(sc_pc);
        uint32_t lev = (word >> 5) & 0x7F;
        const loader::ImportRecord* rec = lev == kScLev2 ? module_.find_thunk(sc_pc) : nullptr;
        std::optional<std::pair<exports::KernelModule, uint16_t>> target;
        const char* import_name = nullptr;
        if (rec) {
          if (auto m = exports::kernel_module_for_library(rec->library)) target = std::make_pair(*m, rec->ordinal);
          import_name = rec->name.c_str();
        } else if (lev == kScLev2) {
          // A thunk XexGetProcedureAddress handed out.
          target = k.title().find_thunk(sc_pc);
        }
        if (!rec && !target) {
          out.stop = SliceStop::kUnimplemented;
          out.message = lev == kScLev2
                            ? fmt::format("tid {}: sc 2 at {:08x} outside any import thunk", t.tid, sc_pc)
                            : fmt::format("tid {}: system call (sc {}, r0={:#x}) at {:08x} is not implemented", t.tid,
                                          lev, static_cast<uint32_t>(t.ctx.gpr[0]), sc_pc);
          return out;
        }
        if (!target) {
          // A library that is neither xboxkrnl.exe nor xam.xex.
          k.emit(&t, TraceKind::kImportCall,
                 {{"name", TraceValue::string(rec->name.c_str())},
                  {"ord", TraceValue::uinteger(rec->ordinal)},
                  {"module", TraceValue::string(rec->library.c_str())},
                  {"thunk_pc", TraceValue::hex32(sc_pc)}});
          if (k.config().stubs && k.config().stubs->try_stub(k, t, rec->library.c_str(), rec->name.c_str(), rec->ordinal)) {
            break;
          }
          out.stop = SliceStop::kUnimplemented;
          out.message = fmt::format("tid {}: unimplemented import {}!{} (ordinal {}) called from {:08x}", t.tid,
                                    rec->library, rec->name, rec->ordinal, static_cast<uint32_t>(t.ctx.lr));
          return out;
        }
        DispatchResult d = dispatch_export(k, t, target->first, target->second, sc_pc, import_name);
        if (d.status == DispatchStatus::kUnimplemented) {
          out.stop = SliceStop::kUnimplemented;
          out.message = std::move(d.message);
          return out;
        }
        if (d.status == DispatchStatus::kFatal) {
          out.stop = SliceStop::kFault;
          out.message = std::move(d.message);
          return out;
        }
        if (k.slice_must_end(t)) {
          out.stop = SliceStop::kKernel;
          return out;
        }
        // The export may have made a DPC or APC deliverable (lowered IRQL,
        // left a critical region, alerted the caller's wait).
        if (!start_callback(k, t, out)) return out;
        if (k.slice_must_end(t)) {
          out.stop = SliceStop::kKernel;
          return out;
        }
        if (SchedulePerturber* p = k.perturber(); p && p->preempt_after_call(t)) {
          out.stop = SliceStop::kPreempted;
          return out;
        }
        break;
      }
    }
  }
  return out;
}

Process::Process(const std::string& xex_path, KernelConfig config, TitleOptions title) {
  std::vector<uint8_t> bytes = loader::read_file(xex_path);
  std::string name = xex_path.substr(xex_path.find_last_of('/') + 1);
  // The XEX headers (TLS) are needed for the kernel's configuration, and the
  // kernel provides the variable exports the loader binds: parse first, then
  // build the kernel, then map.
  xex::XexFile headers = xex::parse_xex(bytes, name);
  // ExCreateThread with stack size 0 uses the XEX default (>= 16 KB).
  config.default_stack_size = std::max<uint32_t>(headers.default_stack_size.value_or(0), 0x4000);
  if (headers.tls) {
    config.tls_slot_count = headers.tls->slot_count ? headers.tls->slot_count : 1024;
    config.tls_data_size = headers.tls->data_size;
    config.tls_raw_address = headers.tls->raw_data_address;
    config.tls_raw_size = headers.tls->raw_data_size;
  }
  kernel_ = std::make_unique<Kernel>(mem_, pool_, stacks_, std::move(config));
  kernel_->set_memory_map(&map_);
  kernel_->title().launch_data() = title.launch_data;
  kernel_->title().options() = std::move(title);
  kernel_->title().set_headers(headers, name);
  mount_files(xex_path);
  loader::ImportResolver resolver;
  resolver.variable_address = [this](exports::KernelModule m, uint16_t ordinal) -> std::optional<uint32_t> {
    if (m != exports::KernelModule::kXboxkrnl) return std::nullopt;
    uint32_t a = kernel_->kernel_variable(ordinal);
    return a ? std::optional<uint32_t>(a) : std::nullopt;
  };
  module_ = loader::load_xex(map_, bytes, name, &resolver);
  kernel_->title().bind_module(*kernel_, module_);
  runner_ = std::make_unique<CpuThreadRunner>(cpu_, module_);
  cpu_.set_stop_addresses({kReturnSentinelLr, kDeviceReturnLr, kCallbackReturnLr});
}

Process::~Process() {
  for (const auto& t : kernel_->threads()) {
    if (t->runner_data) cpu_.detach(t->ctx);
  }
}

void Process::mount_files(const std::string& xex_path) {
  const KernelConfig& cfg = kernel_->config();
  std::string game_dir = cfg.game_dir;
  if (game_dir.empty()) {
    size_t slash = xex_path.find_last_of('/');
    game_dir = slash == std::string::npos ? "." : slash == 0 ? "/" : xex_path.substr(0, slash);
  }
  vfs::FileSystem& fs = kernel_->io().fs();
  std::string error;
  if (!fs.mount(kTitleDevice, game_dir, true, vfs::VolumeKind::kDisc, &error)) {
    throw Error(cfg.game_dir.empty() ? ExitCode::kBadInput : ExitCode::kUsage, "game directory: " + error);
  }
  fs.names().add_link("game:", kTitleDevice);
  fs.names().add_link("d:", kTitleDevice);
  scratch_ = vfs::ScratchDir::create("", &error);
  if (!scratch_) throw Error(ExitCode::kInternal, error);
  scratch_->set_keep(cfg.keep_scratch);
  fs.set_scratch_root(scratch_->path());
  if (fs.mount_scratch(kHddPartition1, "Partition1") != kStatusSuccess ||
      fs.mount_scratch(kHddCache0, "Cache0", "cache:") != kStatusSuccess) {
    throw Error(ExitCode::kInternal, "cannot create the scratch devices under " + scratch_->path());
  }
  kernel_->title().set_content_root(cfg.content_dir.empty() ? scratch_->path() + "/Content" : cfg.content_dir);
}

uint32_t Process::title_id() const { return module_.execution ? module_.execution->title_id : 0; }

Thread* Process::boot() {
  if (!module_.entry_point) throw InputError(fmt::format("{}: the XEX has no entry point", module_.name));
  ThreadParams p;
  p.entry_pc = module_.entry_point;
  p.stack_size = module_.main_thread_stack_size();
  p.name = "main";
  p.create_site_pc = module_.entry_point;
  Thread* t = kernel_->create_thread(nullptr, p, nullptr);
  if (!t) throw Error(ExitCode::kGuestFault, fmt::format("out of guest memory creating the main thread ({} byte stack)", p.stack_size));
  return t;
}

RunOutcome Process::run(const SchedulerConfig& config) {
  Scheduler s(*kernel_, *runner_, config);
  return s.run();
}

}  // namespace xdet::kernel
