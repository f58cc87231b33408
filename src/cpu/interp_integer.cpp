// Integer arithmetic, logical, rotate/shift and compare instructions.
//
// Console semantics (ppc-tests/FORMAT.md section 7): results are 64-bit, but
// CR0 of record forms, XER[CA] and XER[OV] of the add/subtract family are
// computed from the low 32 bits, as in 32-bit mode. Doubleword-only
// operations (mulld, divd, srad, sld...) use 64-bit semantics for CA/OV.
#include <bit>

#include "cpu/interp_common.h"
#include "cpu/interp_families.h"

namespace xdet::cpu {
namespace {

using C = PpcContext;
using I = DecodedInsn;

inline uint64_t& RD(C& c, const I& i) { return c.gpr[f_rd(i.word)]; }
inline uint64_t RA(const C& c, const I& i) { return c.gpr[f_ra(i.word)]; }
inline uint64_t RB(const C& c, const I& i) { return c.gpr[f_rb(i.word)]; }
inline uint64_t RS(const C& c, const I& i) { return c.gpr[f_rs(i.word)]; }

template <bool Rc>
inline void rec(C& c, uint64_t v) {
  if constexpr (Rc) update_cr0(c, v);
}

// Signed overflow of the sum r = a + b + cin (low word, or doubleword in mode64).
inline bool ov_add(const C& c, uint64_t a, uint64_t b, uint64_t r) {
  uint64_t v = (a ^ r) & (b ^ r);
  return c.mode64 ? (v >> 63) : ((v >> 31) & 1);
}

// ---- D-form arithmetic ----
// li/lis (rA = 0) get their own handlers: they are as common as addi/addis
// and a shared handler would branch unpredictably on rA.
void op_addi(C& c, const I& i) { RD(c, i) = RA(c, i) + static_cast<uint64_t>(f_simm(i.word)); }
void op_addis(C& c, const I& i) { RD(c, i) = RA(c, i) + (static_cast<uint64_t>(f_simm(i.word)) << 16); }
void op_li(C& c, const I& i) { RD(c, i) = static_cast<uint64_t>(f_simm(i.word)); }
void op_lis(C& c, const I& i) { RD(c, i) = static_cast<uint64_t>(f_simm(i.word)) << 16; }
template <bool Rc>
void op_addic(C& c, const I& i) {
  uint64_t a = RA(c, i), b = static_cast<uint64_t>(f_simm(i.word));
  uint64_t r = a + b;
  set_ca(c, carry_out(c, a, b, 0));
  RD(c, i) = r;
  rec<Rc>(c, r);
}
void op_subfic(C& c, const I& i) {
  uint64_t a = ~RA(c, i), b = static_cast<uint64_t>(f_simm(i.word));
  uint64_t r = a + b + 1;
  set_ca(c, carry_out(c, a, b, 1));
  RD(c, i) = r;
}
void op_mulli(C& c, const I& i) {
  RD(c, i) = RA(c, i) * static_cast<uint64_t>(f_simm(i.word));  // wraps like the hardware
}

// ---- XO-form arithmetic ----
// add family: r = a + b + cin with a/b already complemented for subtract.
template <bool Rc, bool Oe>
inline void addx_common(C& c, const I& i, uint64_t a, uint64_t b, uint32_t cin, bool set_carry) {
  uint64_t r = a + b + cin;
  if (set_carry) set_ca(c, carry_out(c, a, b, cin));
  if constexpr (Oe) set_ov(c, ov_add(c, a, b, r));
  RD(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc, bool Oe> void op_add(C& c, const I& i) { addx_common<Rc, Oe>(c, i, RA(c, i), RB(c, i), 0, false); }
template <bool Rc, bool Oe> void op_addc(C& c, const I& i) { addx_common<Rc, Oe>(c, i, RA(c, i), RB(c, i), 0, true); }
template <bool Rc, bool Oe> void op_adde(C& c, const I& i) { addx_common<Rc, Oe>(c, i, RA(c, i), RB(c, i), get_ca(c), true); }
template <bool Rc, bool Oe> void op_addze(C& c, const I& i) { addx_common<Rc, Oe>(c, i, RA(c, i), 0, get_ca(c), true); }
template <bool Rc, bool Oe> void op_addme(C& c, const I& i) { addx_common<Rc, Oe>(c, i, RA(c, i), ~0ull, get_ca(c), true); }
template <bool Rc, bool Oe> void op_subf(C& c, const I& i) { addx_common<Rc, Oe>(c, i, ~RA(c, i), RB(c, i), 1, false); }
template <bool Rc, bool Oe> void op_subfc(C& c, const I& i) { addx_common<Rc, Oe>(c, i, ~RA(c, i), RB(c, i), 1, true); }
template <bool Rc, bool Oe> void op_subfe(C& c, const I& i) { addx_common<Rc, Oe>(c, i, ~RA(c, i), RB(c, i), get_ca(c), true); }
template <bool Rc, bool Oe> void op_subfze(C& c, const I& i) { addx_common<Rc, Oe>(c, i, ~RA(c, i), 0, get_ca(c), true); }
template <bool Rc, bool Oe> void op_subfme(C& c, const I& i) { addx_common<Rc, Oe>(c, i, ~RA(c, i), ~0ull, get_ca(c), true); }
template <bool Rc, bool Oe> void op_neg(C& c, const I& i) { addx_common<Rc, Oe>(c, i, ~RA(c, i), 0, 1, false); }

template <bool Rc, bool Oe>
void op_mullw(C& c, const I& i) {
  int64_t r = static_cast<int64_t>(static_cast<int32_t>(RA(c, i))) * static_cast<int32_t>(RB(c, i));
  if constexpr (Oe) set_ov(c, r != static_cast<int32_t>(r));
  RD(c, i) = static_cast<uint64_t>(r);
  rec<Rc>(c, static_cast<uint64_t>(r));
}
template <bool Rc, bool Oe>
void op_mulld(C& c, const I& i) {
  __int128 r = static_cast<__int128>(static_cast<int64_t>(RA(c, i))) * static_cast<int64_t>(RB(c, i));
  if constexpr (Oe) set_ov(c, r != static_cast<int64_t>(r));
  RD(c, i) = static_cast<uint64_t>(r);
  rec<Rc>(c, static_cast<uint64_t>(r));
}
template <bool Rc>
void op_mulhw(C& c, const I& i) {
  int64_t r = static_cast<int64_t>(static_cast<int32_t>(RA(c, i))) * static_cast<int32_t>(RB(c, i));
  RD(c, i) = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(r >> 32)));
  rec<Rc>(c, RD(c, i));
}
template <bool Rc>
void op_mulhwu(C& c, const I& i) {
  uint64_t r = static_cast<uint64_t>(static_cast<uint32_t>(RA(c, i))) * static_cast<uint32_t>(RB(c, i));
  RD(c, i) = r >> 32;
  rec<Rc>(c, RD(c, i));
}
template <bool Rc>
void op_mulhd(C& c, const I& i) {
  __int128 r = static_cast<__int128>(static_cast<int64_t>(RA(c, i))) * static_cast<int64_t>(RB(c, i));
  RD(c, i) = static_cast<uint64_t>(r >> 64);
  rec<Rc>(c, RD(c, i));
}
template <bool Rc>
void op_mulhdu(C& c, const I& i) {
  unsigned __int128 r = static_cast<unsigned __int128>(RA(c, i)) * RB(c, i);
  RD(c, i) = static_cast<uint64_t>(r >> 64);
  rec<Rc>(c, RD(c, i));
}
// Division by zero (and the signed overflow case) leaves 0 in RD, as the
// console test suite expects; the word forms zero-extend their quotient.
template <bool Rc, bool Oe>
void op_divw(C& c, const I& i) {
  int32_t a = static_cast<int32_t>(RA(c, i)), b = static_cast<int32_t>(RB(c, i));
  bool bad = b == 0 || (a == INT32_MIN && b == -1);
  uint64_t r = bad ? 0 : static_cast<uint32_t>(a / b);
  if constexpr (Oe) set_ov(c, bad);
  RD(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc, bool Oe>
void op_divwu(C& c, const I& i) {
  uint32_t a = static_cast<uint32_t>(RA(c, i)), b = static_cast<uint32_t>(RB(c, i));
  uint64_t r = b == 0 ? 0 : a / b;
  if constexpr (Oe) set_ov(c, b == 0);
  RD(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc, bool Oe>
void op_divd(C& c, const I& i) {
  int64_t a = static_cast<int64_t>(RA(c, i)), b = static_cast<int64_t>(RB(c, i));
  bool bad = b == 0 || (a == INT64_MIN && b == -1);
  uint64_t r = bad ? 0 : static_cast<uint64_t>(a / b);
  if constexpr (Oe) set_ov(c, bad);
  RD(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc, bool Oe>
void op_divdu(C& c, const I& i) {
  uint64_t a = RA(c, i), b = RB(c, i);
  uint64_t r = b == 0 ? 0 : a / b;
  if constexpr (Oe) set_ov(c, b == 0);
  RD(c, i) = r;
  rec<Rc>(c, r);
}

// ---- Logical (result goes to RA) ----
inline uint64_t& RAw(C& c, const I& i) { return c.gpr[f_ra(i.word)]; }
void op_ori(C& c, const I& i) { RAw(c, i) = RS(c, i) | f_uimm(i.word); }
void op_oris(C& c, const I& i) { RAw(c, i) = RS(c, i) | (f_uimm(i.word) << 16); }
void op_xori(C& c, const I& i) { RAw(c, i) = RS(c, i) ^ f_uimm(i.word); }
void op_xoris(C& c, const I& i) { RAw(c, i) = RS(c, i) ^ (f_uimm(i.word) << 16); }
void op_andi(C& c, const I& i) { uint64_t r = RS(c, i) & f_uimm(i.word); RAw(c, i) = r; update_cr0(c, r); }
void op_andis(C& c, const I& i) { uint64_t r = RS(c, i) & (f_uimm(i.word) << 16); RAw(c, i) = r; update_cr0(c, r); }

#define XDET_LOGIC(name, expr)                 \
  template <bool Rc>                           \
  void name(C& c, const I& i) {                \
    uint64_t s = RS(c, i), b = RB(c, i);       \
    (void)b;                                   \
    uint64_t r = (expr);                       \
    RAw(c, i) = r;                             \
    rec<Rc>(c, r);                             \
  }
XDET_LOGIC(op_and, s & b)
XDET_LOGIC(op_andc, s & ~b)
XDET_LOGIC(op_or, s | b)
XDET_LOGIC(op_orc, s | ~b)
XDET_LOGIC(op_xor, s ^ b)
XDET_LOGIC(op_nand, ~(s & b))
XDET_LOGIC(op_nor, ~(s | b))
XDET_LOGIC(op_eqv, ~(s ^ b))
XDET_LOGIC(op_extsb, static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(s))))
XDET_LOGIC(op_extsh, static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(s))))
XDET_LOGIC(op_extsw, static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(s))))
XDET_LOGIC(op_cntlzw, static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(s))))
XDET_LOGIC(op_cntlzd, static_cast<uint64_t>(std::countl_zero(s)))
XDET_LOGIC(op_slw, (b & 0x20) ? 0 : static_cast<uint64_t>(static_cast<uint32_t>(s) << (b & 31)))
XDET_LOGIC(op_srw, (b & 0x20) ? 0 : static_cast<uint64_t>(static_cast<uint32_t>(s) >> (b & 31)))
XDET_LOGIC(op_sld, (b & 0x40) ? 0 : s << (b & 63))
XDET_LOGIC(op_srd, (b & 0x40) ? 0 : s >> (b & 63))
#undef XDET_LOGIC

template <bool Rc>
void op_sraw(C& c, const I& i) {
  int32_t s = static_cast<int32_t>(RS(c, i));
  uint32_t n = RB(c, i) & 0x3F;
  int32_t r;
  bool ca;
  if (n > 31) {
    r = s >> 31;
    ca = s < 0;
  } else {
    r = s >> n;
    ca = s < 0 && n && (static_cast<uint32_t>(s) << (32 - n)) != 0;
  }
  set_ca(c, ca);
  RAw(c, i) = static_cast<uint64_t>(static_cast<int64_t>(r));
  rec<Rc>(c, RAw(c, i));
}
template <bool Rc>
void op_srawi(C& c, const I& i) {
  int32_t s = static_cast<int32_t>(RS(c, i));
  uint32_t n = f_rb(i.word);
  int32_t r = s >> n;
  set_ca(c, s < 0 && n && (static_cast<uint32_t>(s) << (32 - n)) != 0);
  RAw(c, i) = static_cast<uint64_t>(static_cast<int64_t>(r));
  rec<Rc>(c, RAw(c, i));
}
template <bool Rc>
void op_srad(C& c, const I& i) {
  int64_t s = static_cast<int64_t>(RS(c, i));
  uint32_t n = RB(c, i) & 0x7F;
  int64_t r;
  bool ca;
  if (n > 63) {
    r = s >> 63;
    ca = s < 0;
  } else {
    r = s >> n;
    ca = s < 0 && n && (static_cast<uint64_t>(s) << (64 - n)) != 0;
  }
  set_ca(c, ca);
  RAw(c, i) = static_cast<uint64_t>(r);
  rec<Rc>(c, RAw(c, i));
}
template <bool Rc>
void op_sradi(C& c, const I& i) {
  int64_t s = static_cast<int64_t>(RS(c, i));
  uint32_t n = f_rb(i.word) | ((i.word & 2) << 4);
  int64_t r = s >> n;
  set_ca(c, s < 0 && n && (static_cast<uint64_t>(s) << (64 - n)) != 0);
  RAw(c, i) = static_cast<uint64_t>(r);
  rec<Rc>(c, RAw(c, i));
}

// ---- Rotates ----
// MASK(mb, me) over 64 bits, ISA numbering (bit 0 = MSB); wraps if mb > me.
inline uint64_t mask64(uint32_t mb, uint32_t me) {
  uint64_t a = ~0ull >> mb;
  uint64_t b = ~0ull << (63 - me);
  return mb <= me ? (a & b) : (a | b);
}
inline uint64_t rotl32_dup(uint64_t v, uint32_t n) {
  uint64_t lo = static_cast<uint32_t>(v);
  uint64_t d = lo | (lo << 32);
  return std::rotl(d, static_cast<int>(n));
}
inline uint32_t f_mb5(uint32_t w) { return (w >> 6) & 31; }
inline uint32_t f_me5(uint32_t w) { return (w >> 1) & 31; }

template <bool Rc>
void op_rlwinm(C& c, const I& i) {
  uint64_t r = rotl32_dup(RS(c, i), f_rb(i.word)) & mask64(f_mb5(i.word) + 32, f_me5(i.word) + 32);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rlwnm(C& c, const I& i) {
  uint64_t r = rotl32_dup(RS(c, i), RB(c, i) & 31) & mask64(f_mb5(i.word) + 32, f_me5(i.word) + 32);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rlwimi(C& c, const I& i) {
  uint64_t m = mask64(f_mb5(i.word) + 32, f_me5(i.word) + 32);
  uint64_t r = (rotl32_dup(RS(c, i), f_rb(i.word)) & m) | (RA(c, i) & ~m);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
// MD-form: sh = sh[0:4] || sh[5]; mb/me = 6-bit field with its low bit first.
inline uint32_t f_sh6(uint32_t w) { return f_rb(w) | ((w & 2) << 4); }
inline uint32_t f_mb6(uint32_t w) { uint32_t v = (w >> 5) & 0x3F; return ((v & 1) << 5) | (v >> 1); }

template <bool Rc>
void op_rldicl(C& c, const I& i) {
  uint64_t r = std::rotl(RS(c, i), static_cast<int>(f_sh6(i.word))) & mask64(f_mb6(i.word), 63);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rldicr(C& c, const I& i) {
  uint64_t r = std::rotl(RS(c, i), static_cast<int>(f_sh6(i.word))) & mask64(0, f_mb6(i.word));
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rldic(C& c, const I& i) {
  uint32_t sh = f_sh6(i.word);
  uint64_t r = std::rotl(RS(c, i), static_cast<int>(sh)) & mask64(f_mb6(i.word), 63 - sh);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rldimi(C& c, const I& i) {
  uint32_t sh = f_sh6(i.word);
  uint64_t m = mask64(f_mb6(i.word), 63 - sh);
  uint64_t r = (std::rotl(RS(c, i), static_cast<int>(sh)) & m) | (RA(c, i) & ~m);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rldcl(C& c, const I& i) {
  uint64_t r = std::rotl(RS(c, i), static_cast<int>(RB(c, i) & 63)) & mask64(f_mb6(i.word), 63);
  RAw(c, i) = r;
  rec<Rc>(c, r);
}
template <bool Rc>
void op_rldcr(C& c, const I& i) {
  uint64_t r = std::rotl(RS(c, i), static_cast<int>(RB(c, i) & 63)) & mask64(0, f_mb6(i.word));
  RAw(c, i) = r;
  rec<Rc>(c, r);
}

// ---- Compares: L bit (21) selects 64-bit comparison ----
inline uint32_t cmp_bits_s(int64_t a, int64_t b, const C& c) { return cmp_bits(a < b, a > b, a == b) | (c.xer >> 31); }
inline uint32_t cmp_bits_u(uint64_t a, uint64_t b, const C& c) { return cmp_bits(a < b, a > b, a == b) | (c.xer >> 31); }
// The L bit (64-bit comparison) is resolved at decode time.
template <bool L>
void op_cmpi(C& c, const I& i) {
  int64_t a = L ? static_cast<int64_t>(RA(c, i)) : static_cast<int32_t>(RA(c, i));
  set_cr_field(c, f_crfd(i.word), cmp_bits_s(a, f_simm(i.word), c));
}
template <bool L>
void op_cmpli(C& c, const I& i) {
  uint64_t a = L ? RA(c, i) : static_cast<uint32_t>(RA(c, i));
  set_cr_field(c, f_crfd(i.word), cmp_bits_u(a, f_uimm(i.word), c));
}
template <bool L>
void op_cmp(C& c, const I& i) {
  int64_t a = L ? static_cast<int64_t>(RA(c, i)) : static_cast<int32_t>(RA(c, i));
  int64_t b = L ? static_cast<int64_t>(RB(c, i)) : static_cast<int32_t>(RB(c, i));
  set_cr_field(c, f_crfd(i.word), cmp_bits_s(a, b, c));
}
template <bool L>
void op_cmpl(C& c, const I& i) {
  uint64_t a = L ? RA(c, i) : static_cast<uint32_t>(RA(c, i));
  uint64_t b = L ? RB(c, i) : static_cast<uint32_t>(RB(c, i));
  set_cr_field(c, f_crfd(i.word), cmp_bits_u(a, b, c));
}
inline bool f_l(uint32_t w) { return (w >> 21) & 1; }

#define RC_PICK(fn) (f_rcbit(w) ? static_cast<InsnHandler>(fn<true>) : static_cast<InsnHandler>(fn<false>))
#define RC_OE_PICK(fn)                                                                   \
  (f_oe(w) ? (f_rcbit(w) ? static_cast<InsnHandler>(fn<true, true>) : fn<false, true>) \
           : (f_rcbit(w) ? static_cast<InsnHandler>(fn<true, false>) : fn<false, false>))

InsnHandler decode_op31(uint32_t w) {
  // Compare / logical / shift: 10-bit extended opcode.
  switch (f_xo10(w)) {
    case 0: return (w & 0x00400001) ? nullptr : f_l(w) ? op_cmp<true> : op_cmp<false>;
    case 32: return (w & 0x00400001) ? nullptr : f_l(w) ? op_cmpl<true> : op_cmpl<false>;
    case 28: return RC_PICK(op_and);
    case 60: return RC_PICK(op_andc);
    case 444: return RC_PICK(op_or);
    case 412: return RC_PICK(op_orc);
    case 316: return RC_PICK(op_xor);
    case 476: return RC_PICK(op_nand);
    case 124: return RC_PICK(op_nor);
    case 284: return RC_PICK(op_eqv);
    case 954: return RC_PICK(op_extsb);
    case 922: return RC_PICK(op_extsh);
    case 986: return RC_PICK(op_extsw);
    case 26: return RC_PICK(op_cntlzw);
    case 58: return RC_PICK(op_cntlzd);
    case 24: return RC_PICK(op_slw);
    case 536: return RC_PICK(op_srw);
    case 27: return RC_PICK(op_sld);
    case 539: return RC_PICK(op_srd);
    case 792: return RC_PICK(op_sraw);
    case 824: return RC_PICK(op_srawi);
    case 794: return RC_PICK(op_srad);
    default: break;
  }
  if (((w >> 2) & 0x1FF) == 413) return RC_PICK(op_sradi);
  // XO-form arithmetic: 9-bit extended opcode plus OE.
  switch (f_xo9(w)) {
    case 266: return RC_OE_PICK(op_add);
    case 10: return RC_OE_PICK(op_addc);
    case 138: return RC_OE_PICK(op_adde);
    case 202: return RC_OE_PICK(op_addze);
    case 234: return RC_OE_PICK(op_addme);
    case 40: return RC_OE_PICK(op_subf);
    case 8: return RC_OE_PICK(op_subfc);
    case 136: return RC_OE_PICK(op_subfe);
    case 200: return RC_OE_PICK(op_subfze);
    case 232: return RC_OE_PICK(op_subfme);
    case 104: return RC_OE_PICK(op_neg);
    case 235: return RC_OE_PICK(op_mullw);
    case 233: return RC_OE_PICK(op_mulld);
    case 491: return RC_OE_PICK(op_divw);
    case 459: return RC_OE_PICK(op_divwu);
    case 489: return RC_OE_PICK(op_divd);
    case 457: return RC_OE_PICK(op_divdu);
    case 75: return f_oe(w) ? nullptr : RC_PICK(op_mulhw);
    case 11: return f_oe(w) ? nullptr : RC_PICK(op_mulhwu);
    case 73: return f_oe(w) ? nullptr : RC_PICK(op_mulhd);
    case 9: return f_oe(w) ? nullptr : RC_PICK(op_mulhdu);
    default: return nullptr;
  }
}

}  // namespace

InsnHandler decode_integer(uint32_t w) {
  switch (f_op(w)) {
    case 7: return op_mulli;
    case 8: return op_subfic;
    case 10: return (w & 0x00400000) ? nullptr : f_l(w) ? op_cmpli<true> : op_cmpli<false>;
    case 11: return (w & 0x00400000) ? nullptr : f_l(w) ? op_cmpi<true> : op_cmpi<false>;
    case 12: return op_addic<false>;
    case 13: return op_addic<true>;
    case 14: return f_ra(w) ? op_addi : op_li;
    case 15: return f_ra(w) ? op_addis : op_lis;
    case 20: return RC_PICK(op_rlwimi);
    case 21: return RC_PICK(op_rlwinm);
    case 23: return RC_PICK(op_rlwnm);
    case 24: return op_ori;
    case 25: return op_oris;
    case 26: return op_xori;
    case 27: return op_xoris;
    case 28: return op_andi;
    case 29: return op_andis;
    case 30:
      switch ((w >> 2) & 7) {
        case 0: return RC_PICK(op_rldicl);
        case 1: return RC_PICK(op_rldicr);
        case 2: return RC_PICK(op_rldic);
        case 3: return RC_PICK(op_rldimi);
        case 4:
          if (((w >> 1) & 0xF) == 8) return RC_PICK(op_rldcl);
          if (((w >> 1) & 0xF) == 9) return RC_PICK(op_rldcr);
          return nullptr;
        default: return nullptr;
      }
    case 31: return decode_op31(w);
    default: return nullptr;
  }
}

}  // namespace xdet::cpu
