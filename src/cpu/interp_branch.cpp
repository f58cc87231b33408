// Branches and condition-register logic.
//
// Branch handlers are always the last instruction of a block: the core has
// preset ctx.pc to the fall-through address, so a not-taken branch does
// nothing and a taken one stores its target. CTR is decremented and tested as
// a 32-bit value (console semantics) unless ctx.mode64.
#include "cpu/interp_common.h"
#include "cpu/interp_families.h"

namespace xdet::cpu {
namespace {

using C = PpcContext;
using I = DecodedInsn;

inline int64_t f_li(uint32_t w) { return static_cast<int32_t>((w & 0x03FFFFFC) << 6) >> 6; }
inline int64_t f_bd(uint32_t w) { return static_cast<int16_t>(w & 0xFFFC); }
inline uint32_t f_bo(uint32_t w) { return (w >> 21) & 31; }
inline uint32_t f_bi(uint32_t w) { return (w >> 16) & 31; }

// Evaluates BO/BI, decrementing CTR when BO says so.
inline bool branch_condition(C& c, uint32_t w) {
  uint32_t bo = f_bo(w);
  bool ctr_ok = true;
  if (!(bo & 4)) {
    // The decrement is 64-bit; in 32-bit mode only the test looks at the low word.
    uint64_t ctr = c.ctr - 1;
    c.ctr = ctr;
    if (!c.mode64) ctr = static_cast<uint32_t>(ctr);
    ctr_ok = (ctr != 0) != static_cast<bool>(bo & 2);
  }
  bool cond_ok = true;
  if (!(bo & 16)) {
    bool bit = (c.cr >> (31 - f_bi(w))) & 1;
    cond_ok = bit == static_cast<bool>(bo & 8);
  }
  return ctr_ok && cond_ok;
}

template <bool Aa, bool Lk>
void op_b(C& c, const I& i) {
  uint32_t target = static_cast<uint32_t>((Aa ? 0 : i.pc) + f_li(i.word));
  if constexpr (Lk) c.lr = i.pc + 4u;
  c.pc = target;
}
// Specialised conditional forms chosen at decode time from BO, so the host
// does not branch on BO bits: condition-only (beq/bne/...), CTR-only
// (bdnz/bdz) and the generic form.
template <bool Want, bool Aa, bool Lk>
void op_bc_cond(C& c, const I& i) {
  bool taken = static_cast<bool>((c.cr >> (31 - f_bi(i.word))) & 1) == Want;
  if constexpr (Lk) c.lr = i.pc + 4u;
  uint32_t target = static_cast<uint32_t>((Aa ? 0 : i.pc) + f_bd(i.word));
  c.pc = taken ? target : c.pc;
}
template <bool Zero, bool Aa, bool Lk>
void op_bc_ctr(C& c, const I& i) {
  uint64_t ctr = c.ctr - 1;
  c.ctr = ctr;
  if (!c.mode64) ctr = static_cast<uint32_t>(ctr);
  bool taken = (ctr == 0) == Zero;
  if constexpr (Lk) c.lr = i.pc + 4u;
  uint32_t target = static_cast<uint32_t>((Aa ? 0 : i.pc) + f_bd(i.word));
  c.pc = taken ? target : c.pc;
}
template <bool Aa, bool Lk>
void op_bc(C& c, const I& i) {
  bool taken = branch_condition(c, i.word);
  if constexpr (Lk) c.lr = i.pc + 4u;
  if (taken) c.pc = static_cast<uint32_t>((Aa ? 0 : i.pc) + f_bd(i.word));
}
template <bool Want>
void op_bclr_cond(C& c, const I& i) {
  bool taken = static_cast<bool>((c.cr >> (31 - f_bi(i.word))) & 1) == Want;
  uint32_t target = static_cast<uint32_t>(c.lr) & ~3u;
  c.pc = taken ? target : c.pc;
}
// Unconditional forms: the common blr / bctr.
void op_blr(C& c, const I&) { c.pc = static_cast<uint32_t>(c.lr) & ~3u; }
void op_bctr(C& c, const I&) { c.pc = static_cast<uint32_t>(c.ctr) & ~3u; }
template <bool Lk>
void op_bclr(C& c, const I& i) {
  uint32_t target = static_cast<uint32_t>(c.lr) & ~3u;
  bool taken = branch_condition(c, i.word);
  if constexpr (Lk) c.lr = i.pc + 4u;
  if (taken) c.pc = target;
}
template <bool Lk>
void op_bcctr(C& c, const I& i) {
  uint32_t target = static_cast<uint32_t>(c.ctr) & ~3u;
  bool taken = branch_condition(c, i.word);
  if constexpr (Lk) c.lr = i.pc + 4u;
  if (taken) c.pc = target;
}

// CR bit n (ISA numbering) is host bit 31-n.
inline bool crbit(const C& c, uint32_t n) { return (c.cr >> (31 - n)) & 1; }
#define XDET_CROP(name, expr)                                            \
  void name(C& c, const I& i) {                                         \
    bool a = crbit(c, f_ra(i.word)), b = crbit(c, f_rb(i.word));         \
    bool r = (expr);                                                     \
    uint32_t bit = 1u << (31 - f_rd(i.word));                            \
    c.cr = r ? (c.cr | bit) : (c.cr & ~bit);                             \
  }
XDET_CROP(op_crand, a && b)
XDET_CROP(op_cror, a || b)
XDET_CROP(op_crxor, a != b)
XDET_CROP(op_crnand, !(a && b))
XDET_CROP(op_crnor, !(a || b))
XDET_CROP(op_creqv, a == b)
XDET_CROP(op_crandc, a && !b)
XDET_CROP(op_crorc, a || !b)
#undef XDET_CROP

void op_mcrf(C& c, const I& i) {
  uint32_t v = (c.cr >> (28 - 4 * f_crfs(i.word))) & 0xF;
  set_cr_field(c, f_crfd(i.word), v);
}
void op_isync(C&, const I&) {}

}  // namespace

InsnHandler decode_branch(uint32_t w) {
  switch (f_op(w)) {
    case 18:
      switch (w & 3) {
        case 0: return op_b<false, false>;
        case 1: return op_b<false, true>;
        case 2: return op_b<true, false>;
        default: return op_b<true, true>;
      }
    case 16: {
      uint32_t bo = f_bo(w);
      InsnHandler table_cond[2][2][2] = {
          {{op_bc_cond<false, false, false>, op_bc_cond<false, false, true>},
           {op_bc_cond<false, true, false>, op_bc_cond<false, true, true>}},
          {{op_bc_cond<true, false, false>, op_bc_cond<true, false, true>},
           {op_bc_cond<true, true, false>, op_bc_cond<true, true, true>}}};
      InsnHandler table_ctr[2][2][2] = {
          {{op_bc_ctr<false, false, false>, op_bc_ctr<false, false, true>},
           {op_bc_ctr<false, true, false>, op_bc_ctr<false, true, true>}},
          {{op_bc_ctr<true, false, false>, op_bc_ctr<true, false, true>},
           {op_bc_ctr<true, true, false>, op_bc_ctr<true, true, true>}}};
      bool aa = w & 2, lk = w & 1;
      if ((bo & 0x14) == 0x04) return table_cond[(bo >> 3) & 1][aa][lk];
      if ((bo & 0x14) == 0x10) return table_ctr[(bo >> 1) & 1][aa][lk];
    }
      switch (w & 3) {
        case 0: return op_bc<false, false>;
        case 1: return op_bc<false, true>;
        case 2: return op_bc<true, false>;
        default: return op_bc<true, true>;
      }
    case 19:
      switch (f_xo10(w)) {
        case 16:
          if ((f_bo(w) & 0x14) == 0x14 && !(w & 1)) return op_blr;
          if ((f_bo(w) & 0x14) == 0x04 && !(w & 1)) return (f_bo(w) & 8) ? op_bclr_cond<true> : op_bclr_cond<false>;
          return (w & 1) ? op_bclr<true> : op_bclr<false>;
        case 528:
          if (!(f_bo(w) & 4)) return nullptr;  // bcctr may not decrement CTR
          if ((f_bo(w) & 0x14) == 0x14 && !(w & 1)) return op_bctr;
          return (w & 1) ? op_bcctr<true> : op_bcctr<false>;
        case 0: return op_mcrf;
        case 257: return op_crand;
        case 449: return op_cror;
        case 193: return op_crxor;
        case 225: return op_crnand;
        case 33: return op_crnor;
        case 289: return op_creqv;
        case 129: return op_crandc;
        case 417: return op_crorc;
        case 150: return op_isync;
        default: return nullptr;
      }
    default: return nullptr;
  }
}

bool is_block_terminator(uint32_t w) {
  switch (f_op(w)) {
    case 16: case 17: case 18: return true;  // bc, sc, b
    case 2: case 3: return true;             // tdi, twi
    case 19: {
      uint32_t xo = f_xo10(w);
      return xo == 16 || xo == 528 || xo == 50;  // bclr, bcctr, rfi
    }
    case 31: {
      uint32_t xo = f_xo10(w);
      return xo == 4 || xo == 68;  // tw, td
    }
    default: return false;
  }
}

}  // namespace xdet::cpu
