#pragma once
// Table-based exception handling on the Xbox 360 (Windows NT PowerPC /
// Windows CE PDATA model): function table lookup and the virtual unwinder.
//
// The function table is the image's exception directory (PE data directory
// entry 3, the .pdata section): 8-byte big-endian entries, sorted by
// BeginAddress (an absolute address), then a packed word: bits 0-7 prolog
// length in instructions, 8-29 function length in instructions, bit 30 the
// 32-bit-code flag, bit 31 the exception flag. With the exception flag set,
// the language handler and its handler data are the two words just before
// the function (PDATA_EH).
//
// The virtual unwinder reads the function's prolog forward from
// BeginAddress up to the control PC (or the prolog's end) and undoes it:
// `mflr rX`, stores of the saved GPRs/FPRs and of the LR-holding register
// relative to r1 (before or after the frame is allocated) or to a register
// set from r1 (`addi r12,r1,-N` for the FPR save helpers), `stwu`/`stdu
// r1,-N(r1)`, `stwux`/`stdux r1,r1,rX` with rX from `li`/`lis`/`ori`, `stmw`,
// and `bl` into a save helper (__savegprlr_N, __savefpr_N), whose stores are
// followed up to its `blr`. This covers the console compiler's forms
// (`mflr r12; stw r12,-8(r1); stwu r1,-N(r1)` or `bl __savegprlr_N`) and
// gcc's SysV forms (`stwu r1,-N(r1); mflr r0; stw r0,N+4(r1)`).
//
// Epilogues are recognised as NT PowerPC's RtlVirtualUnwind recognises them
// (the console's unwinder descends from it): a control PC at `blr` has
// nothing left to undo (the caller's registers, r1 and LR are live); at a
// `b` out of the function into a register restore helper (__restgprlr_N:
// loads through r1 or r12, `mtlr`, `blr`) the helper is executed forward on
// the real registers. In both cases the control PC is not in the function.
// Like the console, nothing else is an epilogue: an instruction between an
// epilogue's frame pop (`addi r1,r1,N`) and its `blr` or helper branch
// unwinds as if it were in the body (the prolog is undone from the popped
// r1), which no compiler-generated code can fault at.
#include <cstdint>
#include <string>

#include "loader/pdata.h"
#include "memory/guest_memory.h"

namespace xdet::kernel {

// Registers a virtual unwind reads and restores (a host-side CONTEXT).
struct UnwindRegs {
  uint64_t gpr[32] = {};
  uint64_t fpr[32] = {};
  uint32_t cr = 0;
  uint32_t xer = 0;
  uint32_t lr = 0;
  uint64_t ctr = 0;
  uint32_t iar = 0;
  uint32_t msr = 0;
  uint32_t fpscr = 0;
};

using loader::RuntimeFunction;

struct FunctionTable {
  uint32_t address = 0;  // 0 = the image has no exception directory
  uint32_t size = 0;     // bytes
};

// Reads the exception directory from the PE headers mapped at image_base
// (as RtlImageDirectoryEntryToData does). Returns an empty table if the
// headers are not readable or name no directory; *error explains a
// directory that lies outside the image.
FunctionTable read_function_table(const GuestMemory& mem, uint32_t image_base, uint32_t image_size,
                                  std::string* error);

// Binary search of the table for the entry whose [begin, end) holds pc.
// False when none does; throws GuestFault when the table is unreadable.
bool lookup_function_entry(const GuestMemory& mem, const FunctionTable& table, uint32_t pc, RuntimeFunction* out);

struct UnwindStep {
  uint32_t establisher = 0;  // r1 inside the function (its frame)
  uint32_t next_pc = 0;      // the call instruction in the caller (return address - 4)
  bool in_function = false;  // control PC past the prolog: the handler applies
};

// Undoes one frame of `regs` (the context at control_pc in the function
// `f`, or a leaf without an entry when f is null). False with *error when
// the prolog cannot be read or a saved register lies outside guest memory.
bool virtual_unwind(const GuestMemory& mem, uint32_t control_pc, const RuntimeFunction* f, UnwindRegs& regs,
                    UnwindStep* step, std::string* error);

}  // namespace xdet::kernel
