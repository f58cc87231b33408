#pragma once
// Loads a static freestanding PowerPC ELF into guest memory for `run-elf`.
#include <cstdint>

#include "cpu/harness/elf_image.h"
#include "cpu/ppc_context.h"
#include "memory/guest_memory.h"

namespace xdet::cpu {

struct LoadedProgram {
  uint32_t entry = 0;
  uint64_t toc = 0;       // r2 from an ELF64 ABI v1 function descriptor
  bool is64 = false;
  uint32_t stack_top = 0;
  uint32_t image_end = 0;  // first byte after the highest segment
};

// Maps each PT_LOAD segment (page-rounded, permissions from p_flags), copies
// its file bytes, resolves the entry (ELF64 ABI v1: entry is a function
// descriptor {code, toc}), and maps a stack. Throws InputError for segments
// that overlap the stack or fall outside the guest space.
LoadedProgram load_elf_program(GuestMemory& mem, const ElfImage& elf);

// Initial register state for a loaded program: pc, r1 (stack), r2 (toc),
// mode64 for ELF64.
void init_context_for_program(PpcContext& ctx, const LoadedProgram& prog);

inline constexpr uint32_t kProgramStackBase = 0x70000000;
inline constexpr uint32_t kProgramStackSize = 1u << 20;

}  // namespace xdet::cpu
