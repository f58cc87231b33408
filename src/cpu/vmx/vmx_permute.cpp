// Permutes, merges, splats, packs and unpacks (classic VMX and VMX128).
#include <cstring>

#include "cpu/vmx/vmx_elements.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace xdet::cpu::vmx {
namespace {

using u32 = uint32_t;
using C = PpcContext;
using V = Vec128;

// Bytes are indexed in host order: big-endian byte i of word k lives at
// host offset 4k + (3 - i%4), i.e. at (i ^ 3).
V perm(const V& a, const V& b, const V& sel) {
  uint8_t src[32], idx[16], out[16];
  std::memcpy(src, a.w, 16);
  std::memcpy(src + 16, b.w, 16);
  std::memcpy(idx, sel.w, 16);
  for (int j = 0; j < 16; ++j) out[j] = src[(idx[j] & 31) ^ 3];
  V r;
  std::memcpy(r.w, out, 16);
  return r;
}

#if defined(__x86_64__) || defined(__i386__)
// SSSE3 version (pshufb), chosen at decode time when the host has it.
__attribute__((target("ssse3"))) V perm_ssse3(const V& a, const V& b, const V& sel) {
  const __m128i va = _mm_load_si128(reinterpret_cast<const __m128i*>(a.w));
  const __m128i vb = _mm_load_si128(reinterpret_cast<const __m128i*>(b.w));
  const __m128i s = _mm_load_si128(reinterpret_cast<const __m128i*>(sel.w));
  const __m128i idx = _mm_xor_si128(_mm_and_si128(s, _mm_set1_epi8(31)), _mm_set1_epi8(3));
  const __m128i from_b = _mm_cmpeq_epi8(_mm_and_si128(idx, _mm_set1_epi8(16)), _mm_set1_epi8(16));
  const __m128i ra = _mm_shuffle_epi8(va, idx);  // uses idx & 15 (bit 7 is clear)
  const __m128i rb = _mm_shuffle_epi8(vb, idx);
  V r;
  _mm_store_si128(reinterpret_cast<__m128i*>(r.w),
                  _mm_or_si128(_mm_andnot_si128(from_b, ra), _mm_and_si128(from_b, rb)));
  return r;
}
#endif

// (vA || vB) shifted left by sh bytes, taking the high 16 bytes.
V sldoi(const V& a, const V& b, u32 sh) {
  const u32 src[8] = {a.w[0], a.w[1], a.w[2], a.w[3], b.w[0], b.w[1], b.w[2], b.w[3]};
  const u32 q = (sh >> 2) & 3, bits = (sh & 3) * 8;
  V r;
  if (bits == 0) {
    for (u32 k = 0; k < 4; ++k) r.w[k] = src[k + q];
  } else {
    for (u32 k = 0; k < 4; ++k) r.w[k] = (src[k + q] << bits) | (src[k + q + 1] >> (32 - bits));
  }
  return r;
}

// ---- merges ----
template <int kBase>
V merge_bytes(const V& a, const V& b) {
  V r{};
  for (int i = 0; i < 8; ++i) {
    r.set_byte(2 * i, a.byte(kBase + i));
    r.set_byte(2 * i + 1, b.byte(kBase + i));
  }
  return r;
}
template <int kBase>
V merge_halves(const V& a, const V& b) {
  V r{};
  for (int k = 0; k < 4; ++k)
    r.w[k] = (u32{a.half(kBase + k)} << 16) | b.half(kBase + k);
  return r;
}
template <int kBase>
V merge_words(const V& a, const V& b) {
  V r{};
  r.w[0] = a.w[kBase];
  r.w[1] = b.w[kBase];
  r.w[2] = a.w[kBase + 1];
  r.w[3] = b.w[kBase + 1];
  return r;
}
V op_vmrghb(C&, const V& a, const V& b) { return merge_bytes<0>(a, b); }
V op_vmrglb(C&, const V& a, const V& b) { return merge_bytes<8>(a, b); }
V op_vmrghh(C&, const V& a, const V& b) { return merge_halves<0>(a, b); }
V op_vmrglh(C&, const V& a, const V& b) { return merge_halves<4>(a, b); }
V op_vmrghw(C&, const V& a, const V& b) { return merge_words<0>(a, b); }
V op_vmrglw(C&, const V& a, const V& b) { return merge_words<2>(a, b); }

// ---- splats ----
V op_vspltb(C&, const V& b, u32 uimm) {
  const u32 x = b.byte(static_cast<int>(uimm & 15));
  const u32 w = x * 0x01010101u;
  return V{{w, w, w, w}};
}
V op_vsplth(C&, const V& b, u32 uimm) {
  const u32 x = b.half(static_cast<int>(uimm & 7));
  const u32 w = x * 0x00010001u;
  return V{{w, w, w, w}};
}
V op_vspltw(C&, const V& b, u32 uimm) {
  const u32 w = b.w[uimm & 3];
  return V{{w, w, w, w}};
}

// ---- packs: result = pack(vA) || pack(vB) ----
template <typename F>
V pack_halves_to_bytes(const V& a, const V& b, F f) {
  V r{};
  for (int i = 0; i < 8; ++i) {
    r.set_byte(i, static_cast<uint8_t>(f(a.half(i))));
    r.set_byte(8 + i, static_cast<uint8_t>(f(b.half(i))));
  }
  return r;
}
template <typename F>
V pack_words_to_halves(const V& a, const V& b, F f) {
  V r{};
  r.w[0] = (static_cast<u32>(f(a.w[0]) & 0xFFFFu) << 16) | (f(a.w[1]) & 0xFFFFu);
  r.w[1] = (static_cast<u32>(f(a.w[2]) & 0xFFFFu) << 16) | (f(a.w[3]) & 0xFFFFu);
  r.w[2] = (static_cast<u32>(f(b.w[0]) & 0xFFFFu) << 16) | (f(b.w[1]) & 0xFFFFu);
  r.w[3] = (static_cast<u32>(f(b.w[2]) & 0xFFFFu) << 16) | (f(b.w[3]) & 0xFFFFu);
  return r;
}
V op_vpkuhum(C&, const V& a, const V& b) {
  return pack_halves_to_bytes(a, b, [](u32 x) { return x; });
}
V op_vpkuwum(C&, const V& a, const V& b) {
  return pack_words_to_halves(a, b, [](u32 x) { return x; });
}
#define XDET_SAT_PACK(name, packer, expr)               \
  V op_##name(C& c, const V& a, const V& b) {           \
    bool sat = false;                                   \
    V r = packer(a, b, [&](u32 x) { return static_cast<u32>(expr); }); \
    note_sat(c, sat);                                   \
    return r;                                           \
  }
XDET_SAT_PACK(vpkuhus, pack_halves_to_bytes, sat_u8(static_cast<int32_t>(x), sat))
XDET_SAT_PACK(vpkshss, pack_halves_to_bytes, sat_s8(s16(x), sat))
XDET_SAT_PACK(vpkshus, pack_halves_to_bytes, sat_u8(s16(x), sat))
XDET_SAT_PACK(vpkuwus, pack_words_to_halves, sat_u16(x > 65535u ? 65536 : static_cast<int32_t>(x), sat))
XDET_SAT_PACK(vpkswss, pack_words_to_halves, sat_s16(static_cast<int32_t>(x), sat))
XDET_SAT_PACK(vpkswus, pack_words_to_halves, sat_u16(static_cast<int32_t>(x), sat))
#undef XDET_SAT_PACK
V op_vpkpx(C&, const V& a, const V& b) {
  return pack_words_to_halves(a, b, [](u32 x) {
    return ((x >> 9) & 0x8000u) | ((x >> 9) & 0x7C00u) | ((x >> 6) & 0x03E0u) | ((x >> 3) & 0x001Fu);
  });
}

// ---- unpacks (from vB) ----
template <int kBase>
V unpack_bytes(const V& b) {
  V r{};
  for (int i = 0; i < 8; ++i) r.set_half(i, static_cast<uint16_t>(s8(b.byte(kBase + i))));
  return r;
}
template <int kBase>
V unpack_halves(const V& b) {
  V r{};
  for (int i = 0; i < 4; ++i) r.w[i] = static_cast<u32>(s16(b.half(kBase + i)));
  return r;
}
template <int kBase>
V unpack_pixels(const V& b) {
  V r{};
  for (int i = 0; i < 4; ++i) {
    const u32 h = b.half(kBase + i);
    r.w[i] = ((h & 0x8000u) ? 0xFF000000u : 0u) | (((h >> 10) & 0x1F) << 16) | (((h >> 5) & 0x1F) << 8) |
             (h & 0x1F);
  }
  return r;
}
V op_vupkhsb(C&, const V& b) { return unpack_bytes<0>(b); }
V op_vupklsb(C&, const V& b) { return unpack_bytes<8>(b); }
V op_vupkhsh(C&, const V& b) { return unpack_halves<0>(b); }
V op_vupklsh(C&, const V& b) { return unpack_halves<4>(b); }
V op_vupkhpx(C&, const V& b) { return unpack_pixels<0>(b); }
V op_vupklpx(C&, const V& b) { return unpack_pixels<4>(b); }

inline V splat_imm_word(int32_t v) {
  const u32 w = static_cast<u32>(v);
  return V{{w, w, w, w}};
}

}  // namespace

#define XDET_VX(name) \
  void h_##name(PpcContext& c, const DecodedInsn& i) { form_vx<op_##name>(c, i); }
#define XDET_VX128(name, op) \
  void h_##name(PpcContext& c, const DecodedInsn& i) { form_vx128<op_##op>(c, i); }

XDET_VX(vmrghb) XDET_VX(vmrghh) XDET_VX(vmrghw) XDET_VX(vmrglb) XDET_VX(vmrglh) XDET_VX(vmrglw)
XDET_VX(vpkuhum) XDET_VX(vpkuwum) XDET_VX(vpkuhus) XDET_VX(vpkuwus) XDET_VX(vpkshss)
XDET_VX(vpkswss) XDET_VX(vpkshus) XDET_VX(vpkswus) XDET_VX(vpkpx)
XDET_VX128(vmrghw128, vmrghw) XDET_VX128(vmrglw128, vmrglw)
XDET_VX128(vpkshss128, vpkshss) XDET_VX128(vpkshus128, vpkshus) XDET_VX128(vpkswss128, vpkswss)
XDET_VX128(vpkswus128, vpkswus) XDET_VX128(vpkuhum128, vpkuhum) XDET_VX128(vpkuhus128, vpkuhus)
XDET_VX128(vpkuwum128, vpkuwum) XDET_VX128(vpkuwus128, vpkuwus)
#undef XDET_VX
#undef XDET_VX128

void h_vupkhsb(PpcContext& c, const DecodedInsn& i) { form_vx_b<op_vupkhsb>(c, i); }
void h_vupklsb(PpcContext& c, const DecodedInsn& i) { form_vx_b<op_vupklsb>(c, i); }
void h_vupkhsh(PpcContext& c, const DecodedInsn& i) { form_vx_b<op_vupkhsh>(c, i); }
void h_vupklsh(PpcContext& c, const DecodedInsn& i) { form_vx_b<op_vupklsh>(c, i); }
void h_vupkhpx(PpcContext& c, const DecodedInsn& i) { form_vx_b<op_vupkhpx>(c, i); }
void h_vupklpx(PpcContext& c, const DecodedInsn& i) { form_vx_b<op_vupklpx>(c, i); }
void h_vupkhsb128(PpcContext& c, const DecodedInsn& i) { form_vx128_b<op_vupkhsb>(c, i); }
void h_vupklsb128(PpcContext& c, const DecodedInsn& i) { form_vx128_b<op_vupklsb>(c, i); }
void h_vupkhsh128(PpcContext& c, const DecodedInsn& i) { form_vx128_b<op_vupkhsh>(c, i); }
void h_vupklsh128(PpcContext& c, const DecodedInsn& i) { form_vx128_b<op_vupklsh>(c, i); }

void h_vspltb(PpcContext& c, const DecodedInsn& i) { form_vx_bimm<op_vspltb>(c, i); }
void h_vsplth(PpcContext& c, const DecodedInsn& i) { form_vx_bimm<op_vsplth>(c, i); }
void h_vspltw(PpcContext& c, const DecodedInsn& i) { form_vx_bimm<op_vspltw>(c, i); }
void h_vspltw128(PpcContext& c, const DecodedInsn& i) { form_vx128_bimm<op_vspltw>(c, i); }

void h_vspltisb(PpcContext& c, const DecodedInsn& i) {
  c.vr[f_vd(i.word)] = splat_imm_word(static_cast<int32_t>((f_simm(i.word) & 0xFF) * 0x01010101u));
}
void h_vspltish(PpcContext& c, const DecodedInsn& i) {
  c.vr[f_vd(i.word)] = splat_imm_word(static_cast<int32_t>((f_simm(i.word) & 0xFFFF) * 0x00010001u));
}
void h_vspltisw(PpcContext& c, const DecodedInsn& i) {
  c.vr[f_vd(i.word)] = splat_imm_word(f_simm(i.word));
}
void h_vspltisw128(PpcContext& c, const DecodedInsn& i) {
  c.vr[f128_vd(i.word)] = splat_imm_word(f_simm(i.word));
}

void h_vperm(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = perm(c.vr[f_va(w)], c.vr[f_vb(w)], c.vr[f_vc(w)]);
}
void h_vperm128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f128_vd(w)] = perm(c.vr[f128_va(w)], c.vr[f128_vb(w)], c.vr[f128_vc(w)]);
}
#if defined(__x86_64__) || defined(__i386__)
void h_vperm_ssse3(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = perm_ssse3(c.vr[f_va(w)], c.vr[f_vb(w)], c.vr[f_vc(w)]);
}
void h_vperm128_ssse3(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f128_vd(w)] = perm_ssse3(c.vr[f128_va(w)], c.vr[f128_vb(w)], c.vr[f128_vc(w)]);
}
bool host_has_ssse3() { return __builtin_cpu_supports("ssse3"); }
#else
void h_vperm_ssse3(PpcContext& c, const DecodedInsn& i) { h_vperm(c, i); }
void h_vperm128_ssse3(PpcContext& c, const DecodedInsn& i) { h_vperm128(c, i); }
bool host_has_ssse3() { return false; }
#endif
void h_vsldoi(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = sldoi(c.vr[f_va(w)], c.vr[f_vb(w)], (w >> 6) & 15);
}
void h_vsldoi128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f128_vd(w)] = sldoi(c.vr[f128_va(w)], c.vr[f128_vb(w)], (w >> 6) & 15);
}

// vpermwi128: word i of vD = word ((PERM >> (6 - 2i)) & 3) of vB, with
// PERM = PERMl (bits 16-20) | PERMh (bits 6-8) << 5.
void h_vpermwi128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  const uint32_t p = ((w >> 16) & 31) | (((w >> 6) & 7) << 5);
  const Vec128 b = c.vr[f128_vb(w)];
  Vec128& d = c.vr[f128_vd(w)];
  d.w[0] = b.w[(p >> 6) & 3];
  d.w[1] = b.w[(p >> 4) & 3];
  d.w[2] = b.w[(p >> 2) & 3];
  d.w[3] = b.w[p & 3];
}

// vrlimi128 vD, vB, MASK, ROT: rotate vB left by ROT words, then insert the
// words selected by MASK (bit 3 = word 0) into vD.
void h_vrlimi128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  const uint32_t mask = (w >> 16) & 15;
  const uint32_t rot = (w >> 6) & 3;
  const Vec128 b = c.vr[f128_vb(w)];
  Vec128& d = c.vr[f128_vd(w)];
  for (uint32_t k = 0; k < 4; ++k)
    if (mask & (8u >> k)) d.w[k] = b.w[(k + rot) & 3];
}

}  // namespace xdet::cpu::vmx
