#pragma once
// Architectural state of one guest hardware thread (Xenon PPU thread).
//
// Contract shared by the interpreter core and the vector unit (VMX/VMX128):
//  - `vr` holds the 128 VMX128 registers; Vec128::w[0] is big-endian word 0
//    (the word at the lowest address), each word stored as a host-native value.
//  - Every instruction is pre-decoded to an InsnHandler; a handler gets the
//    context and its DecodedInsn (raw word included) and returns nothing.
//  - Guest memory is reached through ctx.mem (checked big-endian accesses;
//    a violation throws GuestFault, which the core turns into a CPU fault).
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
};

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
  uint32_t pc = 0;
  GuestMemory* mem = nullptr;
};

}  // namespace xdet::cpu
