#pragma once
// Maps an XEX2 executable into the guest address space and resolves its
// kernel imports (shared/spec/xex2-format.md §8).
//
// KERNEL DISPATCH CONVENTION (for the kernel layer)
// -------------------------------------------------
// Every function import thunk (16 bytes in the image) is rewritten exactly as
// xenia does:
//     +0  0x44000042  sc  LEV=2
//     +4  0x4E800020  blr
//     +8  0x60000000  nop
//     +12 0x60000000  nop
// Title code reaches it with `bl thunk`, so LR = the caller's return address.
// The CPU stops with StopReason::kSyscall and ctx.pc = thunk + 4. The kernel:
//   1. reads the word at pc - 4; LEV = (word >> 5) & 0x7F must be 2
//      (LEV 0 is a real system call, which titles do not use);
//   2. looks the thunk up: `module.find_thunk(pc - 4)` -> ImportRecord with
//      library ("xboxkrnl.exe" / "xam.xex" / other), ordinal and name;
//   3. dispatches on (module, ordinal), reads arguments from r3..r10 (and
//      r1+0x54+8*(n-9) beyond the 8th), writes r3 (sign-extended 32-bit);
//   4. resumes at pc (= thunk + 4, the `blr`), which returns to the caller.
// An import the kernel does not implement is still a valid thunk: the
// kernel reports ImportRecord::name / ordinal (traced as "unimplemented
// import xboxkrnl.exe!Name (ordinal 0x...)") instead of calling anything.
//
// Variable imports (IAT slots, 4 bytes) receive:
//   - kernel variable export: the address returned by the resolver, else
//     0xD000BEEF | (ordinal & 0xFFF) << 16 (xenia's "unimplemented variable");
//   - kernel function export: the address of that import's own thunk, so
//     calls through __imp_ pointers work (xenia writes 0xDEADC0DE here; we
//     keep 0xDEADC0DE only when the title has no thunk for the function);
//   - any other library: 0xF00DF00D (no user DLLs are loaded).
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loader/export_names.h"
#include "loader/xex2.h"
#include "memory/memory_map.h"

namespace xdet::loader {

enum class ImportKind : uint8_t { kVariable, kFunction };

struct ImportRecord {
  std::string library;           // as named in the XEX, e.g. "xboxkrnl.exe"
  uint16_t ordinal = 0;
  ImportKind kind = ImportKind::kVariable;
  uint32_t record_address = 0;   // guest address of the IAT slot or of the 16-byte thunk
  std::string name;              // export name, or "library!ordinal_0xNNN" if unknown
  bool known = false;            // the name came from the export table
  bool kernel = false;           // library is xboxkrnl.exe or xam.xex
  uint32_t slot_value = 0;       // variables: what the loader stored in the slot
};

struct LoadedSection {  // from the PE section table
  std::string name;
  uint32_t address = 0;
  uint32_t size = 0;
  uint32_t characteristics = 0;
};

struct LoadedRun {  // one page descriptor
  uint32_t address = 0;
  uint32_t size = 0;
  uint8_t section_type = 0;  // xex::kSectionCode / kSectionData / kSectionReadOnlyData
};

struct LoadedModule {
  std::string name;
  uint32_t image_base = 0;
  uint32_t image_size = 0;        // bytes mapped at image_base (heap-page rounded)
  uint32_t full_image_size = 0;   // security image_size (LDR full_image_size)
  uint32_t entry_point = 0;       // ENTRY_POINT header (0 if absent)
  std::optional<uint32_t> default_stack_size;  // DEFAULT_STACK_SIZE header
  std::optional<xex::TlsInfo> tls;
  std::optional<xex::ExecutionInfo> execution;
  std::optional<uint32_t> execution_info_offset;  // offset of EXECUTION_INFO inside header_block
  uint32_t system_flags = 0;
  uint32_t module_flags = 0;
  uint32_t code_start = 0, code_end = 0;  // union of code runs
  xex::KeyKind key = xex::KeyKind::kNone;
  uint16_t compression = 0;
  std::vector<ImportRecord> imports;  // sorted by record_address
  std::vector<LoadedSection> sections;
  std::vector<LoadedRun> runs;
  // The XEX header block [0, header_size): the kernel copies it into the
  // system heap (LDR xex_header_base) and serves RtlImageXexHeaderField from it.
  std::vector<uint8_t> header_block;
  xex::XexFile xex;  // every parsed header
  // Ordinal exports of a DLL XEX (security export_table, xex2-format.md §7):
  // (ordinal, guest address). Empty for titles.
  std::vector<std::pair<uint16_t, uint32_t>> exports;
  std::optional<uint32_t> export_address(uint16_t ordinal) const;

  // Stack size for the main thread: DEFAULT_STACK_SIZE, at least 16 KB
  // (MemoryMap::allocate_thread_stack rounds it to 64 KB).
  uint32_t main_thread_stack_size() const {
    uint32_t s = default_stack_size.value_or(0);
    return s < 0x4000 ? 0x4000 : s;
  }
  // The function thunk whose `sc` is at `address`, or null.
  const ImportRecord* find_thunk(uint32_t address) const;
  // The import record at exactly `address` (either kind), or null.
  const ImportRecord* find_record(uint32_t address) const;
};

struct ImportResolver {
  // Guest address of an implemented kernel *variable* export, or nullopt.
  std::function<std::optional<uint32_t>(exports::KernelModule, uint16_t ordinal)> variable_address;
};

// Parses, decodes and maps `file` into its XEX heap, resolves imports and
// applies the page-descriptor protections. Throws InputError on bad input.
// max_image_size bounds the decoded image (the fuzzer uses a small limit).
LoadedModule load_xex(MemoryMap& map, std::span<const uint8_t> file, const std::string& name,
                      const ImportResolver* resolver = nullptr, uint64_t max_image_size = 0x10000000);

// Reads a whole file (InputError if it cannot be read).
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace xdet::loader
