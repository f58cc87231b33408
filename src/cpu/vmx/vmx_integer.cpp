// Integer vector arithmetic, logical operations, shifts/rotates and the
// integer compares.
#include "cpu/vmx/vmx_elements.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define XDET_VMX_SSE2 1
#endif

namespace xdet::cpu::vmx {
namespace {

using u32 = uint32_t;
using C = PpcContext;
using V = Vec128;

// ---- modulo add/sub ----
#ifndef XDET_VMX_SSE2
V op_vaddubm(C&, const V& a, const V& b) { return map_u8(a, b, [](u32 x, u32 y) { return x + y; }); }
#endif
#ifndef XDET_VMX_SSE2
V op_vadduhm(C&, const V& a, const V& b) { return map_u16(a, b, [](u32 x, u32 y) { return x + y; }); }
#endif
#ifndef XDET_VMX_SSE2
V op_vadduwm(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return x + y; }); }
#endif
#ifndef XDET_VMX_SSE2
V op_vsububm(C&, const V& a, const V& b) { return map_u8(a, b, [](u32 x, u32 y) { return x - y; }); }
#endif
#ifndef XDET_VMX_SSE2
V op_vsubuhm(C&, const V& a, const V& b) { return map_u16(a, b, [](u32 x, u32 y) { return x - y; }); }
#endif
#ifndef XDET_VMX_SSE2
V op_vsubuwm(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return x - y; }); }
#endif
V op_vaddcuw(C&, const V& a, const V& b) {
  return map_u32(a, b, [](u32 x, u32 y) { return static_cast<u32>((uint64_t{x} + y) >> 32); });
}
V op_vsubcuw(C&, const V& a, const V& b) {
  return map_u32(a, b, [](u32 x, u32 y) { return x >= y ? 1u : 0u; });
}

// ---- saturating add/sub ----
#define XDET_SAT_OP(name, mapper, expr)                 \
  V op_##name(C& c, const V& a, const V& b) {           \
    bool sat = false;                                   \
    V r = mapper(a, b, [&](u32 x, u32 y) { return expr; }); \
    note_sat(c, sat);                                   \
    return r;                                           \
  }
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vaddubs, map_u8, sat_u8(static_cast<int32_t>(x + y), sat))
#endif
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vadduhs, map_u16, sat_u16(static_cast<int32_t>(x + y), sat))
#endif
XDET_SAT_OP(vadduws, map_u32, sat_u32(int64_t{x} + y, sat))
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vaddsbs, map_u8, sat_s8(s8(x) + s8(y), sat))
#endif
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vaddshs, map_u16, sat_s16(s16(x) + s16(y), sat))
#endif
XDET_SAT_OP(vaddsws, map_u32, sat_s32(s32(x) + s32(y), sat))
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vsububs, map_u8, sat_u8(static_cast<int32_t>(x) - static_cast<int32_t>(y), sat))
#endif
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vsubuhs, map_u16, sat_u16(static_cast<int32_t>(x) - static_cast<int32_t>(y), sat))
#endif
XDET_SAT_OP(vsubuws, map_u32, sat_u32(int64_t{x} - int64_t{y}, sat))
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vsubsbs, map_u8, sat_s8(s8(x) - s8(y), sat))
#endif
#ifndef XDET_VMX_SSE2
XDET_SAT_OP(vsubshs, map_u16, sat_s16(s16(x) - s16(y), sat))
#endif
XDET_SAT_OP(vsubsws, map_u32, sat_s32(s32(x) - s32(y), sat))
#undef XDET_SAT_OP

// ---- min / max / average ----
#define XDET_EW_OP(name, mapper, expr) \
  V op_##name(C&, const V& a, const V& b) { return mapper(a, b, [](u32 x, u32 y) { return expr; }); }
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vmaxub, map_u8, x > y ? x : y)
#endif
XDET_EW_OP(vmaxuh, map_u16, x > y ? x : y)
XDET_EW_OP(vmaxuw, map_u32, x > y ? x : y)
XDET_EW_OP(vmaxsb, map_u8, s8(x) > s8(y) ? x : y)
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vmaxsh, map_u16, s16(x) > s16(y) ? x : y)
#endif
XDET_EW_OP(vmaxsw, map_u32, s32(x) > s32(y) ? x : y)
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vminub, map_u8, x < y ? x : y)
#endif
XDET_EW_OP(vminuh, map_u16, x < y ? x : y)
XDET_EW_OP(vminuw, map_u32, x < y ? x : y)
XDET_EW_OP(vminsb, map_u8, s8(x) < s8(y) ? x : y)
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vminsh, map_u16, s16(x) < s16(y) ? x : y)
#endif
XDET_EW_OP(vminsw, map_u32, s32(x) < s32(y) ? x : y)
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vavgub, map_u8, (x + y + 1) >> 1)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vavguh, map_u16, (x + y + 1) >> 1)
#endif
XDET_EW_OP(vavguw, map_u32, static_cast<u32>((uint64_t{x} + y + 1) >> 1))
XDET_EW_OP(vavgsb, map_u8, static_cast<u32>((s8(x) + s8(y) + 1) >> 1))
XDET_EW_OP(vavgsh, map_u16, static_cast<u32>((s16(x) + s16(y) + 1) >> 1))
XDET_EW_OP(vavgsw, map_u32, static_cast<u32>((s32(x) + s32(y) + 1) >> 1))
// ---- element shifts / rotates (count = low bits of the vB element) ----
XDET_EW_OP(vrlb, map_u8, ((x << (y & 7)) | (x >> ((8 - (y & 7)) & 7))))
XDET_EW_OP(vrlh, map_u16, ((x << (y & 15)) | (x >> ((16 - (y & 15)) & 15))))
XDET_EW_OP(vrlw, map_u32, ((x << (y & 31)) | (x >> ((32 - (y & 31)) & 31))))
XDET_EW_OP(vslb, map_u8, x << (y & 7))
XDET_EW_OP(vslh, map_u16, x << (y & 15))
XDET_EW_OP(vslw, map_u32, x << (y & 31))
XDET_EW_OP(vsrb, map_u8, x >> (y & 7))
XDET_EW_OP(vsrh, map_u16, x >> (y & 15))
XDET_EW_OP(vsrw, map_u32, x >> (y & 31))
XDET_EW_OP(vsrab, map_u8, static_cast<u32>(s8(x) >> (y & 7)))
XDET_EW_OP(vsrah, map_u16, static_cast<u32>(s16(x) >> (y & 15)))
XDET_EW_OP(vsraw, map_u32, static_cast<u32>(static_cast<int32_t>(x) >> (y & 31)))
// ---- integer compares (masks) ----
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpequb, map_u8, x == y ? 0xFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpequh, map_u16, x == y ? 0xFFFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpequw, map_u32, x == y ? 0xFFFFFFFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpgtub, map_u8, x > y ? 0xFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpgtuh, map_u16, x > y ? 0xFFFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpgtuw, map_u32, x > y ? 0xFFFFFFFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpgtsb, map_u8, s8(x) > s8(y) ? 0xFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpgtsh, map_u16, s16(x) > s16(y) ? 0xFFFFu : 0u)
#endif
#ifndef XDET_VMX_SSE2
XDET_EW_OP(vcmpgtsw, map_u32, s32(x) > s32(y) ? 0xFFFFFFFFu : 0u)
#endif
#undef XDET_EW_OP


#ifdef XDET_VMX_SSE2
// SSE2 versions of the element-wise operations. Vec128 keeps each
// big-endian word host-native, so a given byte/halfword element sits at the
// same host lane in every operand and lane-wise operations are exact.
inline __m128i ld(const V& v) { return _mm_load_si128(reinterpret_cast<const __m128i*>(v.w)); }
inline V st(__m128i x) {
  V r;
  _mm_store_si128(reinterpret_cast<__m128i*>(r.w), x);
  return r;
}
#define XDET_SSE_OP(name, expr)                 \
  V op_##name(C&, const V& a, const V& b) {     \
    const __m128i x = ld(a), y = ld(b);         \
    return st(expr);                            \
  }
// Saturating forms: SAT when the saturated result differs from the modulo one.
#define XDET_SSE_SAT(name, sat_expr, wrap_expr)                                 \
  V op_##name(C& c, const V& a, const V& b) {                                   \
    const __m128i x = ld(a), y = ld(b);                                         \
    const __m128i r = sat_expr;                                                 \
    note_sat(c, _mm_movemask_epi8(_mm_cmpeq_epi8(r, wrap_expr)) != 0xFFFF);     \
    return st(r);                                                               \
  }
inline __m128i flip8(__m128i v) { return _mm_xor_si128(v, _mm_set1_epi8(static_cast<char>(0x80))); }
inline __m128i flip16(__m128i v) { return _mm_xor_si128(v, _mm_set1_epi16(static_cast<short>(0x8000))); }
inline __m128i flip32(__m128i v) { return _mm_xor_si128(v, _mm_set1_epi32(INT32_MIN)); }
XDET_SSE_OP(vaddubm, _mm_add_epi8(x, y))
XDET_SSE_OP(vadduhm, _mm_add_epi16(x, y))
XDET_SSE_OP(vadduwm, _mm_add_epi32(x, y))
XDET_SSE_OP(vsububm, _mm_sub_epi8(x, y))
XDET_SSE_OP(vsubuhm, _mm_sub_epi16(x, y))
XDET_SSE_OP(vsubuwm, _mm_sub_epi32(x, y))
XDET_SSE_SAT(vaddubs, _mm_adds_epu8(x, y), _mm_add_epi8(x, y))
XDET_SSE_SAT(vadduhs, _mm_adds_epu16(x, y), _mm_add_epi16(x, y))
XDET_SSE_SAT(vaddsbs, _mm_adds_epi8(x, y), _mm_add_epi8(x, y))
XDET_SSE_SAT(vaddshs, _mm_adds_epi16(x, y), _mm_add_epi16(x, y))
XDET_SSE_SAT(vsububs, _mm_subs_epu8(x, y), _mm_sub_epi8(x, y))
XDET_SSE_SAT(vsubuhs, _mm_subs_epu16(x, y), _mm_sub_epi16(x, y))
XDET_SSE_SAT(vsubsbs, _mm_subs_epi8(x, y), _mm_sub_epi8(x, y))
XDET_SSE_SAT(vsubshs, _mm_subs_epi16(x, y), _mm_sub_epi16(x, y))
XDET_SSE_OP(vmaxub, _mm_max_epu8(x, y))
XDET_SSE_OP(vmaxsh, _mm_max_epi16(x, y))
XDET_SSE_OP(vminub, _mm_min_epu8(x, y))
XDET_SSE_OP(vminsh, _mm_min_epi16(x, y))
XDET_SSE_OP(vavgub, _mm_avg_epu8(x, y))
XDET_SSE_OP(vavguh, _mm_avg_epu16(x, y))
XDET_SSE_OP(vcmpequb, _mm_cmpeq_epi8(x, y))
XDET_SSE_OP(vcmpequh, _mm_cmpeq_epi16(x, y))
XDET_SSE_OP(vcmpequw, _mm_cmpeq_epi32(x, y))
XDET_SSE_OP(vcmpgtsb, _mm_cmpgt_epi8(x, y))
XDET_SSE_OP(vcmpgtsh, _mm_cmpgt_epi16(x, y))
XDET_SSE_OP(vcmpgtsw, _mm_cmpgt_epi32(x, y))
XDET_SSE_OP(vcmpgtub, _mm_cmpgt_epi8(flip8(x), flip8(y)))
XDET_SSE_OP(vcmpgtuh, _mm_cmpgt_epi16(flip16(x), flip16(y)))
XDET_SSE_OP(vcmpgtuw, _mm_cmpgt_epi32(flip32(x), flip32(y)))
#undef XDET_SSE_OP
#undef XDET_SSE_SAT
#endif

// ---- logical ----
V op_vand(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return x & y; }); }
V op_vandc(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return x & ~y; }); }
V op_vor(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return x | y; }); }
V op_vnor(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return ~(x | y); }); }
V op_vxor(C&, const V& a, const V& b) { return map_u32(a, b, [](u32 x, u32 y) { return x ^ y; }); }
V op_vsel(C&, const V& a, const V& b, const V& m) {
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = (a.w[k] & ~m.w[k]) | (b.w[k] & m.w[k]);
  return r;
}

// ---- whole-register shifts: vsl/vsr by bits (vB byte 15, low 3 bits),
// vslo/vsro by octets (vB byte 15, bits 1-4). ----
V op_vsl(C&, const V& a, const V& b) {
  const u32 sh = b.w[3] & 7;
  if (sh == 0) return a;
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = (a.w[k] << sh) | (k < 3 ? a.w[k + 1] >> (32 - sh) : 0u);
  return r;
}
V op_vsr(C&, const V& a, const V& b) {
  const u32 sh = b.w[3] & 7;
  if (sh == 0) return a;
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = (a.w[k] >> sh) | (k > 0 ? a.w[k - 1] << (32 - sh) : 0u);
  return r;
}
// Shift the 128-bit big-endian value left or right by n (0-15) bytes.
inline V shift_octets_left(const V& a, u32 n) {
  uint8_t src[32] = {};
  to_be_bytes(a, src);
  return from_be_bytes(src + n);
}
inline V shift_octets_right(const V& a, u32 n) {
  uint8_t src[32] = {};
  to_be_bytes(a, src + 16);
  return from_be_bytes(src + 16 - n);
}
V op_vslo(C&, const V& a, const V& b) { return shift_octets_left(a, (b.w[3] >> 3) & 15); }
V op_vsro(C&, const V& a, const V& b) { return shift_octets_right(a, (b.w[3] >> 3) & 15); }

// ---- multiplies: even = BE elements 0, 2, 4...; odd = 1, 3, 5... ----
template <bool kOdd, bool kSigned>
V mul_bytes(const V& a, const V& b) {
  V r{};
  for (int i = 0; i < 8; ++i) {
    const int j = 2 * i + (kOdd ? 1 : 0);
    const int32_t x = kSigned ? s8(a.byte(j)) : a.byte(j);
    const int32_t y = kSigned ? s8(b.byte(j)) : b.byte(j);
    r.set_half(i, static_cast<uint16_t>(x * y));
  }
  return r;
}
template <bool kOdd, bool kSigned>
V mul_halves(const V& a, const V& b) {
  V r{};
  for (int i = 0; i < 4; ++i) {
    const int j = 2 * i + (kOdd ? 1 : 0);
    const int64_t x = kSigned ? s16(a.half(j)) : a.half(j);
    const int64_t y = kSigned ? s16(b.half(j)) : b.half(j);
    r.w[i] = static_cast<u32>(x * y);
  }
  return r;
}
V op_vmuleub(C&, const V& a, const V& b) { return mul_bytes<false, false>(a, b); }
V op_vmulesb(C&, const V& a, const V& b) { return mul_bytes<false, true>(a, b); }
V op_vmuloub(C&, const V& a, const V& b) { return mul_bytes<true, false>(a, b); }
V op_vmulosb(C&, const V& a, const V& b) { return mul_bytes<true, true>(a, b); }
V op_vmuleuh(C&, const V& a, const V& b) { return mul_halves<false, false>(a, b); }
V op_vmulesh(C&, const V& a, const V& b) { return mul_halves<false, true>(a, b); }
V op_vmulouh(C&, const V& a, const V& b) { return mul_halves<true, false>(a, b); }
V op_vmulosh(C&, const V& a, const V& b) { return mul_halves<true, true>(a, b); }

// ---- multiply-add / multiply-sum (VA form: vD, vA, vB, vC) ----
V op_vmhaddshs(C& c, const V& a, const V& b, const V& cc) {
  bool sat = false;
  V r = map_u16x3(a, b, cc, [&](u32 x, u32 y, u32 z) {
    return static_cast<u32>(sat_s16(((s16(x) * s16(y)) >> 15) + s16(z), sat));
  });
  note_sat(c, sat);
  return r;
}
V op_vmhraddshs(C& c, const V& a, const V& b, const V& cc) {
  bool sat = false;
  V r = map_u16x3(a, b, cc, [&](u32 x, u32 y, u32 z) {
    return static_cast<u32>(sat_s16(((s16(x) * s16(y) + 0x4000) >> 15) + s16(z), sat));
  });
  note_sat(c, sat);
  return r;
}
V op_vmladduhm(C&, const V& a, const V& b, const V& cc) {
  return map_u16x3(a, b, cc, [](u32 x, u32 y, u32 z) { return x * y + z; });
}
V op_vmsumubm(C&, const V& a, const V& b, const V& cc) {
  V r{};
  for (int k = 0; k < 4; ++k) {
    u32 s = cc.w[k];
    for (int j = 0; j < 4; ++j) s += u32{a.byte(4 * k + j)} * b.byte(4 * k + j);
    r.w[k] = s;
  }
  return r;
}
V op_vmsummbm(C&, const V& a, const V& b, const V& cc) {
  V r{};
  for (int k = 0; k < 4; ++k) {
    int64_t s = s32(cc.w[k]);
    for (int j = 0; j < 4; ++j) s += int64_t{s8(a.byte(4 * k + j))} * b.byte(4 * k + j);
    r.w[k] = static_cast<u32>(s);
  }
  return r;
}
template <bool kSigned, bool kSaturate>
V msum_halves(C& c, const V& a, const V& b, const V& cc) {
  bool sat = false;
  V r{};
  for (int k = 0; k < 4; ++k) {
    int64_t s = kSigned ? s32(cc.w[k]) : int64_t{cc.w[k]};
    for (int j = 0; j < 2; ++j) {
      const int64_t x = kSigned ? s16(a.half(2 * k + j)) : a.half(2 * k + j);
      const int64_t y = kSigned ? s16(b.half(2 * k + j)) : b.half(2 * k + j);
      s += x * y;
    }
    if constexpr (kSaturate) {
      r.w[k] = kSigned ? static_cast<u32>(sat_s32(s, sat)) : sat_u32(s, sat);
    } else {
      r.w[k] = static_cast<u32>(s);
    }
  }
  note_sat(c, sat);
  return r;
}
V op_vmsumuhm(C& c, const V& a, const V& b, const V& cc) { return msum_halves<false, false>(c, a, b, cc); }
V op_vmsumuhs(C& c, const V& a, const V& b, const V& cc) { return msum_halves<false, true>(c, a, b, cc); }
V op_vmsumshm(C& c, const V& a, const V& b, const V& cc) { return msum_halves<true, false>(c, a, b, cc); }
V op_vmsumshs(C& c, const V& a, const V& b, const V& cc) { return msum_halves<true, true>(c, a, b, cc); }

// ---- sums across ----
V op_vsum4ubs(C& c, const V& a, const V& b) {
  bool sat = false;
  V r{};
  for (int k = 0; k < 4; ++k) {
    int64_t s = b.w[k];
    for (int j = 0; j < 4; ++j) s += a.byte(4 * k + j);
    r.w[k] = sat_u32(s, sat);
  }
  note_sat(c, sat);
  return r;
}
V op_vsum4sbs(C& c, const V& a, const V& b) {
  bool sat = false;
  V r{};
  for (int k = 0; k < 4; ++k) {
    int64_t s = s32(b.w[k]);
    for (int j = 0; j < 4; ++j) s += s8(a.byte(4 * k + j));
    r.w[k] = static_cast<u32>(sat_s32(s, sat));
  }
  note_sat(c, sat);
  return r;
}
V op_vsum4shs(C& c, const V& a, const V& b) {
  bool sat = false;
  V r{};
  for (int k = 0; k < 4; ++k) {
    const int64_t s = s32(b.w[k]) + s16(a.half(2 * k)) + s16(a.half(2 * k + 1));
    r.w[k] = static_cast<u32>(sat_s32(s, sat));
  }
  note_sat(c, sat);
  return r;
}
V op_vsum2sws(C& c, const V& a, const V& b) {
  bool sat = false;
  V r{};
  r.w[1] = static_cast<u32>(sat_s32(s32(a.w[0]) + s32(a.w[1]) + s32(b.w[1]), sat));
  r.w[3] = static_cast<u32>(sat_s32(s32(a.w[2]) + s32(a.w[3]) + s32(b.w[3]), sat));
  note_sat(c, sat);
  return r;
}
V op_vsumsws(C& c, const V& a, const V& b) {
  bool sat = false;
  V r{};
  r.w[3] = static_cast<u32>(
      sat_s32(s32(a.w[0]) + s32(a.w[1]) + s32(a.w[2]) + s32(a.w[3]) + s32(b.w[3]), sat));
  note_sat(c, sat);
  return r;
}

}  // namespace

#define XDET_VX(name) \
  void h_##name(PpcContext& c, const DecodedInsn& i) { form_vx<op_##name>(c, i); }
#define XDET_VX128(name, op) \
  void h_##name(PpcContext& c, const DecodedInsn& i) { form_vx128<op_##op>(c, i); }
#define XDET_VC(name) \
  void h_##name(PpcContext& c, const DecodedInsn& i) { form_vc<op_##name>(c, i); }
#define XDET_VA(name) \
  void h_##name(PpcContext& c, const DecodedInsn& i) { form_va<op_##name>(c, i); }

XDET_VX(vaddubm) XDET_VX(vadduhm) XDET_VX(vadduwm) XDET_VX(vaddubs) XDET_VX(vadduhs)
XDET_VX(vadduws) XDET_VX(vaddsbs) XDET_VX(vaddshs) XDET_VX(vaddsws) XDET_VX(vaddcuw)
XDET_VX(vsububm) XDET_VX(vsubuhm) XDET_VX(vsubuwm) XDET_VX(vsububs) XDET_VX(vsubuhs)
XDET_VX(vsubuws) XDET_VX(vsubsbs) XDET_VX(vsubshs) XDET_VX(vsubsws) XDET_VX(vsubcuw)
XDET_VX(vmaxub) XDET_VX(vmaxuh) XDET_VX(vmaxuw) XDET_VX(vmaxsb) XDET_VX(vmaxsh) XDET_VX(vmaxsw)
XDET_VX(vminub) XDET_VX(vminuh) XDET_VX(vminuw) XDET_VX(vminsb) XDET_VX(vminsh) XDET_VX(vminsw)
XDET_VX(vavgub) XDET_VX(vavguh) XDET_VX(vavguw) XDET_VX(vavgsb) XDET_VX(vavgsh) XDET_VX(vavgsw)
XDET_VX(vmuleub) XDET_VX(vmuleuh) XDET_VX(vmulesb) XDET_VX(vmulesh) XDET_VX(vmuloub)
XDET_VX(vmulouh) XDET_VX(vmulosb) XDET_VX(vmulosh)
XDET_VA(vmhaddshs) XDET_VA(vmhraddshs) XDET_VA(vmladduhm) XDET_VA(vmsumubm) XDET_VA(vmsummbm)
XDET_VA(vmsumuhm) XDET_VA(vmsumuhs) XDET_VA(vmsumshm) XDET_VA(vmsumshs) XDET_VA(vsel)
XDET_VX(vsum4ubs) XDET_VX(vsum4sbs) XDET_VX(vsum4shs) XDET_VX(vsum2sws) XDET_VX(vsumsws)
XDET_VX(vand) XDET_VX(vandc) XDET_VX(vor) XDET_VX(vnor) XDET_VX(vxor)
XDET_VX(vrlb) XDET_VX(vrlh) XDET_VX(vrlw) XDET_VX(vslb) XDET_VX(vslh) XDET_VX(vslw)
XDET_VX(vsrb) XDET_VX(vsrh) XDET_VX(vsrw) XDET_VX(vsrab) XDET_VX(vsrah) XDET_VX(vsraw)
XDET_VX(vsl) XDET_VX(vsr) XDET_VX(vslo) XDET_VX(vsro)
XDET_VX128(vand128, vand) XDET_VX128(vandc128, vandc) XDET_VX128(vor128, vor)
XDET_VX128(vnor128, vnor) XDET_VX128(vxor128, vxor) XDET_VX128(vrlw128, vrlw)
XDET_VX128(vslw128, vslw) XDET_VX128(vsraw128, vsraw) XDET_VX128(vsrw128, vsrw)
XDET_VX128(vslo128, vslo) XDET_VX128(vsro128, vsro)
XDET_VC(vcmpequb) XDET_VC(vcmpequh) XDET_VC(vcmpequw) XDET_VC(vcmpgtub) XDET_VC(vcmpgtuh)
XDET_VC(vcmpgtuw) XDET_VC(vcmpgtsb) XDET_VC(vcmpgtsh) XDET_VC(vcmpgtsw)

void h_vcmpequw128(PpcContext& c, const DecodedInsn& i) { form_vc128<op_vcmpequw>(c, i); }

// vsel128: the destination register is also the select mask.
void h_vsel128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  Vec128& d = c.vr[f128_vd(w)];
  d = op_vsel(c, c.vr[f128_va(w)], c.vr[f128_vb(w)], d);
}

#undef XDET_VX
#undef XDET_VX128
#undef XDET_VC
#undef XDET_VA

}  // namespace xdet::cpu::vmx
