#pragma once
// Internal to the vector unit: instruction-field extraction, shared element
// helpers and the declarations of every vector instruction handler.
//
// Handlers are plain functions (InsnHandler); the decoder (vmx_decode.cpp)
// maps instruction words to them once, and each handler re-extracts its
// register fields from insn.word (a few shifts, cheaper than a wider cache
// entry).
#include <bit>
#include <cstdint>

#include "cpu/ppc_context.h"

namespace xdet::cpu::vmx {

// VSCR bits (value bits, ISA bit 31 = SAT, bit 15 = NJ).
inline constexpr uint32_t kVscrSat = 0x00000001u;
inline constexpr uint32_t kVscrNj = 0x00010000u;

// ---- classic VMX fields (VX/VA/VC forms) ----
inline uint32_t f_vd(uint32_t w) { return (w >> 21) & 31; }
inline uint32_t f_va(uint32_t w) { return (w >> 16) & 31; }
inline uint32_t f_vb(uint32_t w) { return (w >> 11) & 31; }
inline uint32_t f_vc(uint32_t w) { return (w >> 6) & 31; }
inline uint32_t f_uimm(uint32_t w) { return (w >> 16) & 31; }
inline int32_t f_simm(uint32_t w) { return static_cast<int32_t>(((w >> 16) & 31) ^ 16) - 16; }
inline bool f_rc(uint32_t w) { return (w >> 10) & 1; }

// ---- VMX128 fields: the 7-bit register numbers are split across the word.
// VD128 = VDl (bits 21-25, LSB numbering) | VDh (bits 2-3) << 5
// VA128 = VAl (16-20) | a (bit 5) << 5 | A (bit 10) << 6
// VB128 = VBl (11-15) | VBh (bits 0-1) << 5
inline uint32_t f128_vd(uint32_t w) { return ((w >> 21) & 31) | (((w >> 2) & 3) << 5); }
inline uint32_t f128_va(uint32_t w) {
  return ((w >> 16) & 31) | (((w >> 5) & 1) << 5) | (((w >> 10) & 1) << 6);
}
inline uint32_t f128_vb(uint32_t w) { return ((w >> 11) & 31) | ((w & 3) << 5); }
inline uint32_t f128_vc(uint32_t w) { return (w >> 6) & 7; }  // vperm128: v0-v7 only
inline bool f128_rc(uint32_t w) { return (w >> 6) & 1; }

// X-form effective address (RA|0) + RB; guest addresses are 32-bit.
inline uint32_t ea_x(const PpcContext& c, uint32_t w) {
  const uint32_t ra = (w >> 16) & 31, rb = (w >> 11) & 31;
  return static_cast<uint32_t>((ra ? c.gpr[ra] : 0) + c.gpr[rb]);
}

// CR6 of the vector compare record forms: 0b1000 all true, 0b0010 all false.
inline void set_cr6(PpcContext& c, bool all_true, bool all_false) {
  c.cr = (c.cr & ~0xF0u) | (all_true ? 0x80u : 0u) | (all_false ? 0x20u : 0u);
}

// ---- float helpers (bit patterns <-> host float). Xenon's vector unit runs
// with denormals flushed to zero on input and output (the console's
// hardware-generated test vectors show it independent of VSCR[NJ]).
inline uint32_t flush_denorm(uint32_t bits) {
  return (bits & 0x7F800000u) == 0 ? (bits & 0x80000000u) : bits;
}
inline bool is_nan_bits(uint32_t b) { return (b & 0x7FFFFFFFu) > 0x7F800000u; }
inline float as_f(uint32_t b) { return std::bit_cast<float>(flush_denorm(b)); }
inline uint32_t as_u(float f) { return flush_denorm(std::bit_cast<uint32_t>(f)); }
inline constexpr uint32_t kDefaultNan = 0x7FC00000u;
inline constexpr uint32_t kQuietBit = 0x00400000u;

// Result NaN selection: the first NaN operand (quieted), else the default
// QNaN (an invalid operation such as inf-inf or 0*inf).
inline uint32_t pick_nan(uint32_t a, uint32_t b) {
  if (is_nan_bits(a)) return a | kQuietBit;
  if (is_nan_bits(b)) return b | kQuietBit;
  return kDefaultNan;
}
inline uint32_t pick_nan(uint32_t a, uint32_t b, uint32_t c) {
  if (is_nan_bits(a)) return a | kQuietBit;
  if (is_nan_bits(b)) return b | kQuietBit;
  if (is_nan_bits(c)) return c | kQuietBit;
  return kDefaultNan;
}

// Saturating converters; set `sat` when clamping.
inline int32_t sat_s32(int64_t v, bool& sat) {
  if (v > INT32_MAX) { sat = true; return INT32_MAX; }
  if (v < INT32_MIN) { sat = true; return INT32_MIN; }
  return static_cast<int32_t>(v);
}
inline uint32_t sat_u32(int64_t v, bool& sat) {
  if (v > static_cast<int64_t>(UINT32_MAX)) { sat = true; return UINT32_MAX; }
  if (v < 0) { sat = true; return 0; }
  return static_cast<uint32_t>(v);
}
inline int32_t sat_s16(int32_t v, bool& sat) {
  if (v > 32767) { sat = true; return 32767; }
  if (v < -32768) { sat = true; return -32768; }
  return v;
}
inline uint32_t sat_u16(int32_t v, bool& sat) {
  if (v > 65535) { sat = true; return 65535; }
  if (v < 0) { sat = true; return 0; }
  return static_cast<uint32_t>(v);
}
inline int32_t sat_s8(int32_t v, bool& sat) {
  if (v > 127) { sat = true; return 127; }
  if (v < -128) { sat = true; return -128; }
  return v;
}
inline uint32_t sat_u8(int32_t v, bool& sat) {
  if (v > 255) { sat = true; return 255; }
  if (v < 0) { sat = true; return 0; }
  return static_cast<uint32_t>(v);
}

// ---- every handler, by mnemonic. `h128_*` are the VMX128 encodings.
#define XDET_VMX_HANDLERS(X)                                                              \
  /* loads / stores / control */                                                          \
  X(lvx) X(lvebx) X(lvehx) X(lvewx) X(stvx) X(stvebx) X(stvehx) X(stvewx) X(lvsl) X(lvsr)   \
  X(lvlx) X(lvrx) X(stvlx) X(stvrx) X(mfvscr) X(mtvscr)                                   \
  X(lvx128) X(lvewx128) X(stvx128) X(stvewx128) X(lvsl128) X(lvsr128) X(lvlx128)          \
  X(lvrx128) X(stvlx128) X(stvrx128) X(dst) X(dss)                                       \
  /* integer arithmetic */                                                                \
  X(vaddubm) X(vadduhm) X(vadduwm) X(vaddubs) X(vadduhs) X(vadduws) X(vaddsbs) X(vaddshs) \
  X(vaddsws) X(vaddcuw) X(vsububm) X(vsubuhm) X(vsubuwm) X(vsububs) X(vsubuhs) X(vsubuws) \
  X(vsubsbs) X(vsubshs) X(vsubsws) X(vsubcuw) X(vmaxub) X(vmaxuh) X(vmaxuw) X(vmaxsb)     \
  X(vmaxsh) X(vmaxsw) X(vminub) X(vminuh) X(vminuw) X(vminsb) X(vminsh) X(vminsw)         \
  X(vavgub) X(vavguh) X(vavguw) X(vavgsb) X(vavgsh) X(vavgsw) X(vmuleub) X(vmuleuh)       \
  X(vmulesb) X(vmulesh) X(vmuloub) X(vmulouh) X(vmulosb) X(vmulosh) X(vmhaddshs)          \
  X(vmhraddshs) X(vmladduhm) X(vmsumubm) X(vmsummbm) X(vmsumuhm) X(vmsumuhs) X(vmsumshm)  \
  X(vmsumshs) X(vsum4ubs) X(vsum4sbs) X(vsum4shs) X(vsum2sws) X(vsumsws)                  \
  /* logical, shifts, rotates */                                                          \
  X(vand) X(vandc) X(vor) X(vnor) X(vxor) X(vsel) X(vrlb) X(vrlh) X(vrlw) X(vslb) X(vslh) \
  X(vslw) X(vsrb) X(vsrh) X(vsrw) X(vsrab) X(vsrah) X(vsraw) X(vsl) X(vsr) X(vslo) X(vsro) \
  X(vand128) X(vandc128) X(vor128) X(vnor128) X(vxor128) X(vsel128) X(vrlw128) X(vslw128) \
  X(vsraw128) X(vsrw128) X(vslo128) X(vsro128)                                            \
  /* permute, merge, splat, pack, unpack */                                               \
  X(vperm) X(vsldoi) X(vmrghb) X(vmrghh) X(vmrghw) X(vmrglb) X(vmrglh) X(vmrglw) X(vspltb) \
  X(vsplth) X(vspltw) X(vspltisb) X(vspltish) X(vspltisw) X(vpkuhum) X(vpkuwum)           \
  X(vpkuhus) X(vpkuwus) X(vpkshss) X(vpkswss) X(vpkshus) X(vpkswus) X(vpkpx) X(vupkhsb)   \
  X(vupkhsh) X(vupklsb) X(vupklsh) X(vupkhpx) X(vupklpx)                                  \
  X(vperm128) X(vsldoi128) X(vmrghw128) X(vmrglw128) X(vspltw128) X(vspltisw128)          \
  X(vpkshss128) X(vpkshus128) X(vpkswss128) X(vpkswus128) X(vpkuhum128) X(vpkuhus128)     \
  X(vpkuwum128) X(vpkuwus128) X(vupkhsb128) X(vupklsb128) X(vupkhsh128) X(vupklsh128)     \
  X(vpermwi128) X(vrlimi128)                                                              \
  /* compares */                                                                          \
  X(vcmpequb) X(vcmpequh) X(vcmpequw) X(vcmpgtub) X(vcmpgtuh) X(vcmpgtuw) X(vcmpgtsb)     \
  X(vcmpgtsh) X(vcmpgtsw) X(vcmpeqfp) X(vcmpgefp) X(vcmpgtfp) X(vcmpbfp) X(vcmpeqfp128)   \
  X(vcmpgefp128) X(vcmpgtfp128) X(vcmpbfp128) X(vcmpequw128)                              \
  /* float */                                                                             \
  X(vaddfp) X(vsubfp) X(vmaddfp) X(vnmsubfp) X(vmaxfp) X(vminfp) X(vrefp) X(vrsqrtefp)    \
  X(vexptefp) X(vlogefp) X(vrfin) X(vrfiz) X(vrfip) X(vrfim) X(vcfux) X(vcfsx) X(vctuxs)  \
  X(vctsxs) X(vaddfp128) X(vsubfp128) X(vmulfp128) X(vmaddfp128) X(vmaddcfp128)           \
  X(vnmsubfp128) X(vmaxfp128) X(vminfp128) X(vrefp128) X(vrsqrtefp128) X(vexptefp128)     \
  X(vlogefp128) X(vrfin128) X(vrfiz128) X(vrfip128) X(vrfim128) X(vcsxwfp128)             \
  X(vcuxwfp128) X(vcfpsxws128) X(vcfpuxws128) X(vmsum3fp128) X(vmsum4fp128)               \
  /* Direct3D pack / unpack */                                                            \
  X(vpkd3d128) X(vupkd3d128)

#define XDET_VMX_DECLARE(name) void h_##name(PpcContext& ctx, const DecodedInsn& insn);
XDET_VMX_HANDLERS(XDET_VMX_DECLARE)
#undef XDET_VMX_DECLARE

// Host-specific variants picked by the decoder (same semantics).
void h_vperm_ssse3(PpcContext& ctx, const DecodedInsn& insn);
void h_vperm128_ssse3(PpcContext& ctx, const DecodedInsn& insn);
bool host_has_ssse3();

}  // namespace xdet::cpu::vmx
