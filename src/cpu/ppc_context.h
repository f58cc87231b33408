#pragma once
// Architectural state of one guest hardware thread (Xenon PPU thread).
//
// Contract shared by the interpreter core and the vector unit (VMX/VMX128):
//  - `vr` holds the 128 VMX128 registers; Vec128::w[0] is big-endian word 0
//    (the word at the lowest address), each word stored as a host-native value.
//  - Every instruction is pre-decoded to an InsnHandler; a handler gets the
//    context and its DecodedInsn (raw word included) and returns nothing.
//  - The address of the instruction being executed is `insn.pc`. `ctx.pc` is
//    NOT the current instruction while a handler runs: the core presets it to
//    the block's fall-through address and branch handlers overwrite it with
//    the next fetch address. Handlers other than branches must not touch it.
//  - Guest memory is reached through ctx.mem (checked big-endian accesses;
//    a violation throws GuestFault, which the core turns into a CPU fault
//    carrying the PC and instruction word).
//  - An invalid encoding inside a handler: call raise_illegal_instruction()
//    from cpu/cpu_fault.h (it throws CpuFault; the core reports it).
//  - Effective addresses are 32-bit: compute in 64 bits, truncate to uint32_t.
#include <cstdint>

#include "memory/guest_memory.h"

namespace xdet::cpu {

struct alignas(16) Vec128 {
  uint32_t w[4];

  uint8_t byte(int i) const { return static_cast<uint8_t>(w[i >> 2] >> (24 - 8 * (i & 3))); }
  void set_byte(int i, uint8_t v) {
    int s = 24 - 8 * (i & 3);
    w[i >> 2] = (w[i >> 2] & ~(0xFFu << s)) | (static_cast<uint32_t>(v) << s);
  }
  uint16_t half(int i) const { return static_cast<uint16_t>(w[i >> 1] >> (16 - 16 * (i & 1))); }
  void set_half(int i, uint16_t v) {
    int s = 16 - 16 * (i & 1);
    w[i >> 1] = (w[i >> 1] & ~(0xFFFFu << s)) | (static_cast<uint32_t>(v) << s);
  }
  bool operator==(const Vec128& o) const {
    return w[0] == o.w[0] && w[1] == o.w[1] && w[2] == o.w[2] && w[3] == o.w[3];
  }
};

struct PpcContext;
struct DecodedInsn;
using InsnHandler = void (*)(PpcContext& ctx, const DecodedInsn& insn);

struct DecodedInsn {
  InsnHandler fn;
  uint32_t word;
  uint32_t pc;  // guest address of this instruction (fills the struct's padding)
};

class ReservationTable;

// Why a handler asked the core to leave the current block early. Only the
// core's own handlers (sc, traps) set it; they always end their block.
enum class PendingStop : uint8_t { kNone = 0, kSyscall, kTrap };

struct PpcContext {
  uint64_t gpr[32] = {};
  uint64_t fpr[32] = {};  // raw IEEE-754 double bits
  Vec128 vr[128] = {};
  uint32_t cr = 0;        // CR0 in bits 31..28 (ISA numbering)
  uint32_t xer = 0;       // SO/OV/CA in bits 31/30/29, byte count in 6..0
  uint64_t lr = 0;
  uint64_t ctr = 0;
  uint32_t fpscr = 0;
  uint32_t vscr = 0;
  uint32_t vrsave = 0;
  uint32_t pc = 0;        // next instruction to execute (between Cpu::run calls: exact)
  GuestMemory* mem = nullptr;
  uint64_t msr = 0x9030;  // kept for mfmsr/mtmsrd; no effect on execution
  // false (default): console semantics -- CR0 of record forms, XER[CA] and
  // XER[OV] of the add/subtract family, and the CTR test of bc are computed
  // from the low 32 bits (ppc-tests/FORMAT.md section 7).
  // true: generic 64-bit PowerPC semantics, used by `xdet run-elf` for ELF64
  // programs so they can be checked against qemu-ppc64.
  bool mode64 = false;

  // --- Interpreter core bookkeeping (not architectural) ---
  // Instructions retired by this context, exact. Updated by Cpu::run at block
  // boundaries; inside a handler the exact count is retired_now(insn).
  uint64_t instructions_retired = 0;
  const DecodedInsn* block_begin = nullptr;  // first insn of the block being executed
  // Load-reserve state (lwarx/ldarx). The reservation granule is 128 bytes
  // (Xenon cache line); `reserve_value` is the 64-bit value read at lwarx time.
  bool reserve_valid = false;
  uint8_t reserve_size = 0;  // 4 or 8
  PendingStop pending_stop = PendingStop::kNone;
  uint32_t reserve_addr = 0;
  uint64_t reserve_value = 0;
  ReservationTable* reservations = nullptr;  // shared by all contexts of one Cpu
  // Time base for mftb/mfspr 268/269: called with the exact retired count of
  // this context. Null: the time base equals the retired instruction count.
  uint64_t (*timebase_fn)(void* user, const PpcContext& ctx, uint64_t retired) = nullptr;
  void* timebase_user = nullptr;
  // icbi: lets the core drop decoded blocks of a code line (set by Cpu::attach).
  void (*on_icbi)(PpcContext& ctx, uint32_t addr) = nullptr;
  void* core = nullptr;  // the Cpu this context is attached to
  // Free for the embedder (e.g. the kernel's thread object).
  void* user = nullptr;

  uint64_t retired_now(const DecodedInsn& insn) const {
    return instructions_retired + static_cast<uint64_t>(&insn - block_begin);
  }
};

}  // namespace xdet::cpu
