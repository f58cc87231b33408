#pragma once
// HLE xboxkrnl exports, dispatched by ordinal.
//
// An import thunk executes `sc 2` (xboxkrnl-exports.md §1); the CPU-backed
// runner then calls dispatch_export(kernel, thread, ordinal, thunk_pc).
// Dispatch emits import.call and kernel.call, runs the handler (which reads
// its arguments from the guest registers per the calling convention and
// writes r3), and emits kernel.return - or, if the call blocked, leaves it to
// the kernel to emit when the thread resumes.
//
// Two guest modules export functions: xboxkrnl.exe (handlers here, split by
// subsystem) and xam.xex (handlers in src/kernel/xam/). Each has its own
// table (ordinal -> handler, name, arg count, resolver); an import is
// dispatched through the table of the library it names.
//
// xboxkrnl handlers are split by subsystem like xenia: xboxkrnl_threading.cpp,
// xboxkrnl_sync.cpp (events, semaphores, mutants, timers, waits),
// xboxkrnl_sync_info.cpp (NtQuery* of those objects, interrupt time),
// xboxkrnl_rtl.cpp (critical sections, interlocked lists, spinlocks),
// xboxkrnl_ob.cpp (handles), xboxkrnl_debug.cpp (DbgPrint, bug checks),
// xboxkrnl_memory.cpp (virtual/physical memory, pool, kernel stacks),
// xboxkrnl_modules.cpp (Xex*, configuration, title termination),
// xboxkrnl_strings.cpp (Rtl strings, time fields, sprintf family),
// xboxkrnl_crypt.cpp (XeCrypt*),
// xboxkrnl_io.cpp (files, I/O completion ports, symbolic links),
// xboxkrnl_video.cpp (Vd*), xboxkrnl_audio.cpp (XAudio*).
#include <cstdint>
#include <string>
#include <string_view>

#include "kernel/kernel.h"
#include "loader/export_names.h"

namespace xdet::kernel {

class ExportCall {
 public:
  ExportCall(Kernel& k, Thread& t, uint32_t thunk_pc) : k(k), t(t), thunk_pc(thunk_pc) {}

  // Argument n (0-based): r3..r10, then the caller's stack frame
  // (the 32-bit value at r1 + 0x54 + 8*(n-8), xboxkrnl-exports.md §2; the
  // guest SDK's stack-argument shims store it there too).
  uint32_t arg(int n) const;
  uint64_t arg64(int n) const { return n < 8 ? t.ctx.gpr[3 + n] : arg(n); }
  GuestMemory& mem() const { return k.memory(); }
  // 32-bit results are sign-extended into r3, as xenia does.
  void ret(uint32_t v) { t.ctx.gpr[3] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
  // Status from a kernel operation that may have blocked.
  void ret_status(NtStatus st) {
    if (st == kStatusPending) blocked = true;
    else ret(st);
  }
  // The call cannot complete now (e.g. a spin lock another thread holds):
  // re-execute the thunk's `sc` next time the thread runs, and yield.
  void retry() {
    t.ctx.pc = thunk_pc;
    k.yield(t);
    retried = true;
  }
  // Stop the run: this use of the export is not supported.
  void unsupported(std::string why) { unsupported_reason = std::move(why); }
  // Stop the run: the guest asked for a fatal stop (KeBugCheck).
  void fatal(std::string why) { fatal_reason = std::move(why); }
  void resolve(const char* key, TraceValue v) {
    if (resolved_count < kMaxResolved) resolved[resolved_count++] = {key, v};
  }

  Kernel& k;
  Thread& t;
  uint32_t thunk_pc;
  bool blocked = false;
  bool retried = false;
  std::string unsupported_reason;
  std::string fatal_reason;
  static constexpr uint32_t kMaxResolved = 6;
  TraceField resolved[kMaxResolved];
  uint32_t resolved_count = 0;
  std::string resolved_text;  // storage for one resolved string (e.g. a name)
  std::string resolved_text2; // and a second one (e.g. a search pattern)
};

using ExportFn = void (*)(ExportCall&);

struct ExportInfo {
  uint16_t ordinal;
  const char* name;
  uint8_t arg_count;  // traced as args r3..
  ExportFn fn;        // null = known but not implemented
  ExportFn resolve = nullptr;  // fills ExportCall::resolved (args_resolved)
  // Set for exports that implement only part of the console's behaviour:
  // what is missing (shown by `xdet exports` and `inspect --coverage`).
  const char* partial = nullptr;
  const char* subsystem = nullptr;  // filled by the registry from its table
};

using exports::KernelModule;

// All exports of `module` xdet knows (implemented or not), sorted by ordinal.
const ExportInfo* find_module_export(KernelModule module, uint16_t ordinal);
// The implemented ones, sorted by ordinal (for listings and tests).
std::vector<const ExportInfo*> implemented_exports(KernelModule module);
// xboxkrnl.exe shorthands.
inline const ExportInfo* find_export(uint16_t ordinal) { return find_module_export(KernelModule::kXboxkrnl, ordinal); }
inline std::vector<const ExportInfo*> implemented_exports() { return implemented_exports(KernelModule::kXboxkrnl); }

enum class DispatchStatus : uint8_t {
  kDone,           // returned (r3 set) or blocked/exited (slice must end)
  kUnimplemented,  // message says which (name + ordinal)
  kFatal,          // KeBugCheck and similar
};

struct DispatchResult {
  DispatchStatus status = DispatchStatus::kDone;
  std::string message;
};

// `import_name`: the loader's name for the import, used when xdet's table
// does not know the ordinal.
DispatchResult dispatch_export(Kernel& k, Thread& t, KernelModule module, uint16_t ordinal, uint32_t thunk_pc,
                               const char* import_name = nullptr);
inline DispatchResult dispatch_export(Kernel& k, Thread& t, uint16_t ordinal, uint32_t thunk_pc,
                                      const char* import_name = nullptr) {
  return dispatch_export(k, t, KernelModule::kXboxkrnl, ordinal, thunk_pc, import_name);
}

// Per-subsystem tables (defined in the xboxkrnl_*.cpp and xam/xam_*.cpp files).
struct ExportTable {
  const ExportInfo* entries;
  size_t count;
};
ExportTable threading_exports();
ExportTable sync_exports();
ExportTable rtl_exports();
ExportTable ob_exports();
ExportTable debug_exports();
ExportTable memory_exports();
ExportTable modules_exports();
ExportTable strings_exports();
ExportTable crypt_exports();
ExportTable io_exports();
ExportTable sync_info_exports();
ExportTable video_exports();
ExportTable audio_exports();

// One subsystem of a module's table, for listings.
struct SubsystemTable {
  const char* name;
  ExportTable (*table)();
};
// The subsystems of each module, in listing order.
std::vector<SubsystemTable> module_subsystems(KernelModule module);

// What xdet offers for one export (for `xdet exports` and `inspect --coverage`).
enum class ExportStatus : uint8_t { kImplemented, kPartial, kAbsent };
const char* export_status_name(ExportStatus s);
struct ExportCoverage {
  ExportStatus status = ExportStatus::kAbsent;
  const char* missing = nullptr;    // partial: what is missing
  const char* subsystem = nullptr;  // implemented/partial functions
};
ExportCoverage export_coverage(KernelModule module, uint16_t ordinal, bool is_variable);
// Variable exports the kernel provides (Kernel::kernel_variable), by ordinal.
struct ProvidedVariable {
  uint16_t ordinal;
  const char* name;
};
std::vector<ProvidedVariable> provided_variables(KernelModule module);

// HalReturnToFirmware / ExTerminateTitleProcess / XamLoaderTerminateTitle:
// ends every thread; the caller first runs the registered title-terminate
// notification routines (xboxkrnl_modules.cpp).
void terminate_title(ExportCall& c, uint32_t code);

// Little guest-string helpers shared by the handler files.
std::string read_guest_cstring(GuestMemory& mem, uint32_t addr, size_t max_len = 4096);
std::u16string read_guest_wstring(GuestMemory& mem, uint32_t addr, size_t max_len = 4096);
// `n` guest bytes read in 64 KB pieces, so a bogus length faults (and the
// call fails with STATUS_ACCESS_VIOLATION) before it can exhaust host memory.
std::vector<uint8_t> read_guest_bytes(GuestMemory& mem, uint32_t addr, uint32_t n);

// Helpers shared by the handler files.
// Reads the ANSI name of an OBJECT_ATTRIBUTES (0 -> empty).
std::string object_attributes_name(GuestMemory& mem, uint32_t objattr);
// Reads an optional 64-bit timeout pointer: false when ptr == 0 (infinite).
bool read_timeout(GuestMemory& mem, uint32_t ptr, int64_t* out);
// Resolves a thread handle (or the current-thread pseudo handle).
Thread* thread_from_handle(ExportCall& c, uint32_t handle, NtStatus* st);

}  // namespace xdet::kernel
