// System-level instructions usable from user mode: sc, traps, SPR moves, the
// time base, CR/XER moves, MSR moves and memory barriers.
#include "cpu/interp_common.h"
#include "cpu/interp_families.h"

namespace xdet::cpu {
namespace {

using C = PpcContext;
using I = DecodedInsn;

// sc ends its block; the core presets ctx.pc to the following instruction,
// so the embedder sees the context ready to resume after the call.
void op_sc(C& c, const I&) { c.pending_stop = PendingStop::kSyscall; }

inline bool trap_taken(uint32_t to, int64_t a, int64_t b) {
  uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  return ((to & 16) && a < b) || ((to & 8) && a > b) || ((to & 4) && a == b) || ((to & 2) && ua < ub) ||
         ((to & 1) && ua > ub);
}
// A taken trap is not retired: ctx.pc is left on the trap instruction.
inline void trap(C& c, const I& i) {
  c.pending_stop = PendingStop::kTrap;
  c.pc = i.pc;
}
// Word traps compare the low 32 bits as signed/unsigned 32-bit values.
inline bool trap_taken_w(uint32_t to, uint64_t a, uint64_t b) {
  int32_t sa = static_cast<int32_t>(a), sb = static_cast<int32_t>(b);
  uint32_t ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
  return ((to & 16) && sa < sb) || ((to & 8) && sa > sb) || ((to & 4) && sa == sb) || ((to & 2) && ua < ub) ||
         ((to & 1) && ua > ub);
}
void op_tw(C& c, const I& i) {
  if (trap_taken_w(f_rd(i.word), c.gpr[f_ra(i.word)], c.gpr[f_rb(i.word)])) trap(c, i);
}
void op_twi(C& c, const I& i) {
  if (trap_taken_w(f_rd(i.word), c.gpr[f_ra(i.word)], static_cast<uint64_t>(f_simm(i.word)))) trap(c, i);
}
void op_td(C& c, const I& i) {
  if (trap_taken(f_rd(i.word), static_cast<int64_t>(c.gpr[f_ra(i.word)]), static_cast<int64_t>(c.gpr[f_rb(i.word)])))
    trap(c, i);
}
void op_tdi(C& c, const I& i) {
  if (trap_taken(f_rd(i.word), static_cast<int64_t>(c.gpr[f_ra(i.word)]), f_simm(i.word))) trap(c, i);
}

inline uint32_t f_spr(uint32_t w) { return ((w >> 16) & 31) | (((w >> 11) & 31) << 5); }

inline uint64_t timebase(const C& c, const I& i) {
  uint64_t retired = c.retired_now(i);
  return c.timebase_fn ? c.timebase_fn(c.timebase_user, c, retired) : retired;
}

void op_mfxer(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.xer; }
void op_mflr(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.lr; }
void op_mfctr(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.ctr; }
void op_mfvrsave(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.vrsave; }
void op_mftbl(C& c, const I& i) { c.gpr[f_rd(i.word)] = timebase(c, i); }
void op_mftbu(C& c, const I& i) { c.gpr[f_rd(i.word)] = timebase(c, i) >> 32; }
// Processor version register as the console reports it.
void op_mfpvr(C& c, const I& i) { c.gpr[f_rd(i.word)] = 0x00710700; }
// XER keeps SO/OV/CA and the 7-bit string byte count.
void op_mtxer(C& c, const I& i) { c.xer = static_cast<uint32_t>(c.gpr[f_rs(i.word)]) & 0xE000007F; }
void op_mtlr(C& c, const I& i) { c.lr = c.gpr[f_rs(i.word)]; }
void op_mtctr(C& c, const I& i) { c.ctr = c.gpr[f_rs(i.word)]; }
void op_mtvrsave(C& c, const I& i) { c.vrsave = static_cast<uint32_t>(c.gpr[f_rs(i.word)]); }

InsnHandler decode_mfspr(uint32_t w) {
  switch (f_spr(w)) {
    case 1: return op_mfxer;
    case 8: return op_mflr;
    case 9: return op_mfctr;
    case 256: return op_mfvrsave;
    case 268: return op_mftbl;
    case 269: return op_mftbu;
    case 287: return op_mfpvr;
    default: return nullptr;
  }
}
InsnHandler decode_mtspr(uint32_t w) {
  switch (f_spr(w)) {
    case 1: return op_mtxer;
    case 8: return op_mtlr;
    case 9: return op_mtctr;
    case 256: return op_mtvrsave;
    default: return nullptr;
  }
}
InsnHandler decode_mftb(uint32_t w) {
  switch (f_spr(w)) {
    case 268: return op_mftbl;
    case 269: return op_mftbu;
    default: return nullptr;
  }
}

inline uint32_t fxm_mask(uint32_t w) {
  uint32_t fxm = (w >> 12) & 0xFF, mask = 0;
  for (int f = 0; f < 8; ++f) {
    if (fxm & (0x80u >> f)) mask |= 0xF0000000u >> (4 * f);
  }
  return mask;
}
void op_mfcr(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.cr; }
// mfocrf: only the selected field is defined; the others read as zero.
void op_mfocrf(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.cr & fxm_mask(i.word); }
void op_mtcrf(C& c, const I& i) {
  uint32_t m = fxm_mask(i.word);
  c.cr = (c.cr & ~m) | (static_cast<uint32_t>(c.gpr[f_rs(i.word)]) & m);
}
void op_mcrxr(C& c, const I& i) {
  set_cr_field(c, f_crfd(i.word), c.xer >> 28);
  c.xer &= ~(kXerSO | kXerOV | kXerCA);
}
void op_nop(C&, const I&) {}
// MSR: user code on the console toggles EE around critical sections with
// mfmsr/mtmsrd; the value is kept but has no effect on the interpreter.
void op_mfmsr(C& c, const I& i) { c.gpr[f_rd(i.word)] = c.msr; }
void op_mtmsr(C& c, const I& i) { c.msr = (c.msr & ~0xFFFFFFFFull) | static_cast<uint32_t>(c.gpr[f_rs(i.word)]); }
void op_mtmsrd(C& c, const I& i) {
  if (i.word & 0x00010000) {  // L=1: only EE and RI
    constexpr uint64_t kMask = 0x8002;
    c.msr = (c.msr & ~kMask) | (c.gpr[f_rs(i.word)] & kMask);
  } else {
    c.msr = c.gpr[f_rs(i.word)];
  }
}

}  // namespace

InsnHandler decode_system(uint32_t w) {
  switch (f_op(w)) {
    case 2: return op_tdi;
    case 3: return op_twi;
    case 17: return (w & 2) ? op_sc : nullptr;
    case 31:
      switch (f_xo10(w)) {
        case 4: return op_tw;
        case 68: return op_td;
        case 339: return decode_mfspr(w);
        case 467: return decode_mtspr(w);
        case 371: return decode_mftb(w);
        case 19: return (w & 0x00100000) ? op_mfocrf : op_mfcr;
        case 144: return op_mtcrf;
        case 512: return op_mcrxr;
        case 598: return op_nop;  // sync / lwsync / ptesync
        case 854: return op_nop;  // eieio
        case 83: return op_mfmsr;
        case 146: return op_mtmsr;
        case 178: return op_mtmsrd;
        default: return nullptr;
      }
    default: return nullptr;
  }
}

}  // namespace xdet::cpu
