// Single-precision vector arithmetic, conversions, estimates, float compares
// and the VMX128 dot products.
//
// Vector float semantics (independent of the FPU's FPSCR): round to nearest,
// denormal inputs and results flushed to (signed) zero, NaN results are the
// first NaN operand made quiet, or the default QNaN 0x7FC00000 for invalid
// operations. Handlers force the host to round to nearest when the guest's
// FPSCR[RN] (which the core mirrors into the host mode) says otherwise.
#include <cfenv>
#include <cmath>

#include "cpu/vmx/vmx_elements.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define XDET_VMX_SSE2 1
#endif

namespace xdet::cpu::vmx {
namespace {

// Vector float arithmetic always rounds to nearest, but while guest code
// runs the core makes the host's rounding mode follow FPSCR[RN]
// (cpu/fp_env.h). When the guest selected another mode, switch the host to
// nearest for the duration of the handler.
class NearestRounding {
 public:
  explicit NearestRounding(const PpcContext& c) {
    if (c.fpscr & 3) [[unlikely]] {
      saved_ = std::fegetround();
      std::fesetround(FE_TONEAREST);
    }
  }
  ~NearestRounding() {
    if (saved_ >= 0) std::fesetround(saved_);
  }
  NearestRounding(const NearestRounding&) = delete;
  NearestRounding& operator=(const NearestRounding&) = delete;

 private:
  int saved_ = -1;
};

using u32 = uint32_t;
using C = PpcContext;
using V = Vec128;

inline u32 finish(float r, u32 a, u32 b) {
  const u32 bits = std::bit_cast<u32>(r);
  return is_nan_bits(bits) ? pick_nan(a, b) : flush_denorm(bits);
}
inline u32 finish(float r, u32 a, u32 b, u32 c) {
  const u32 bits = std::bit_cast<u32>(r);
  return is_nan_bits(bits) ? pick_nan(a, b, c) : flush_denorm(bits);
}
inline u32 finish1(float r, u32 a) {
  const u32 bits = std::bit_cast<u32>(r);
  return is_nan_bits(bits) ? (is_nan_bits(a) ? (a | kQuietBit) : kDefaultNan) : flush_denorm(bits);
}

inline u32 fadd(u32 a, u32 b) { return finish(as_f(a) + as_f(b), a, b); }
inline u32 fsub(u32 a, u32 b) { return finish(as_f(a) - as_f(b), a, b); }
inline u32 fmul(u32 a, u32 b) { return finish(as_f(a) * as_f(b), a, b); }
// a*c + b. Xenon rounds the product to single precision before the add
// (not fused): the console test suite's vmaddfp expectations need it.
// NaN priority: a, b, c (as the FPU's fmadd).
inline float product(u32 a, u32 c) { return as_f(as_u(as_f(a) * as_f(c))); }
inline u32 fmadd(u32 a, u32 c, u32 b) { return finish(product(a, c) + as_f(b), a, b, c); }
// -(a*c - b); a NaN result is not negated.
inline u32 fnmsub(u32 a, u32 c, u32 b) { return finish(-(product(a, c) - as_f(b)), a, b, c); }
inline u32 fmax(u32 a, u32 b) {
  if (is_nan_bits(a) || is_nan_bits(b)) return pick_nan(a, b);
  const float x = as_f(a), y = as_f(b);
  if (x > y) return flush_denorm(a);
  if (y > x) return flush_denorm(b);
  return flush_denorm(a) & flush_denorm(b);  // equal: max(+0, -0) = +0
}
inline u32 fmin(u32 a, u32 b) {
  if (is_nan_bits(a) || is_nan_bits(b)) return pick_nan(a, b);
  const float x = as_f(a), y = as_f(b);
  if (x < y) return flush_denorm(a);
  if (y < x) return flush_denorm(b);
  return flush_denorm(a) | flush_denorm(b);  // equal: min(+0, -0) = -0
}

template <u32 (*F)(u32, u32, u32)>
V map3(const V& a, const V& c, const V& b) {
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = F(a.w[k], c.w[k], b.w[k]);
  return r;
}

#ifdef XDET_VMX_SSE2
// Four lanes at once on the host's SSE2 unit (w[0] is lane 0). Inputs are
// flushed first; any NaN in a result falls back to the scalar code, which
// applies the PowerPC NaN selection rules.
inline __m128i load_i(const V& v) { return _mm_load_si128(reinterpret_cast<const __m128i*>(v.w)); }
inline V store_i(__m128i x) {
  V r;
  _mm_store_si128(reinterpret_cast<__m128i*>(r.w), x);
  return r;
}
inline __m128i flush_v(__m128i x) {
  const __m128i zero_exp =
      _mm_cmpeq_epi32(_mm_and_si128(x, _mm_set1_epi32(0x7F800000)), _mm_setzero_si128());
  return _mm_andnot_si128(_mm_and_si128(zero_exp, _mm_set1_epi32(0x7FFFFFFF)), x);
}
inline __m128 load_flushed(const V& v) { return _mm_castsi128_ps(flush_v(load_i(v))); }
inline bool any_nan(__m128 r) { return _mm_movemask_ps(_mm_cmpunord_ps(r, r)) != 0; }
inline V finish_v(__m128 r) { return store_i(flush_v(_mm_castps_si128(r))); }

V op_vaddfp(C&, const V& a, const V& b) {
  const __m128 r = _mm_add_ps(load_flushed(a), load_flushed(b));
  return any_nan(r) ? map_u32(a, b, fadd) : finish_v(r);
}
V op_vsubfp(C&, const V& a, const V& b) {
  const __m128 r = _mm_sub_ps(load_flushed(a), load_flushed(b));
  return any_nan(r) ? map_u32(a, b, fsub) : finish_v(r);
}
V op_vmulfp(C&, const V& a, const V& b) {
  const __m128 r = _mm_mul_ps(load_flushed(a), load_flushed(b));
  return any_nan(r) ? map_u32(a, b, fmul) : finish_v(r);
}
// vA*vC + vB with the product rounded (and flushed) first.
V madd_v(const V& a, const V& c, const V& b) {
  const __m128 p = _mm_castsi128_ps(flush_v(_mm_castps_si128(_mm_mul_ps(load_flushed(a), load_flushed(c)))));
  const __m128 r = _mm_add_ps(p, load_flushed(b));
  return any_nan(r) ? map3<fmadd>(a, c, b) : finish_v(r);
}
V nmsub_v(const V& a, const V& c, const V& b) {
  const __m128 p = _mm_castsi128_ps(flush_v(_mm_castps_si128(_mm_mul_ps(load_flushed(a), load_flushed(c)))));
  const __m128 r = _mm_xor_ps(_mm_sub_ps(p, load_flushed(b)), _mm_castsi128_ps(_mm_set1_epi32(INT32_MIN)));
  return any_nan(r) ? map3<fnmsub>(a, c, b) : finish_v(r);
}
// Equal operands (only +0/-0 differ in bits) combine with AND for max, OR
// for min, giving max(+0,-0) = +0 and min(+0,-0) = -0.
V op_vmaxfp(C&, const V& a, const V& b) {
  const __m128 x = load_flushed(a), y = load_flushed(b);
  if (_mm_movemask_ps(_mm_cmpunord_ps(x, y))) return map_u32(a, b, fmax);
  const __m128 eq = _mm_cmpeq_ps(x, y);
  return store_i(_mm_castps_si128(
      _mm_or_ps(_mm_and_ps(eq, _mm_and_ps(x, y)), _mm_andnot_ps(eq, _mm_max_ps(x, y)))));
}
V op_vminfp(C&, const V& a, const V& b) {
  const __m128 x = load_flushed(a), y = load_flushed(b);
  if (_mm_movemask_ps(_mm_cmpunord_ps(x, y))) return map_u32(a, b, fmin);
  const __m128 eq = _mm_cmpeq_ps(x, y);
  return store_i(_mm_castps_si128(
      _mm_or_ps(_mm_and_ps(eq, _mm_or_ps(x, y)), _mm_andnot_ps(eq, _mm_min_ps(x, y)))));
}
#else
V op_vaddfp(C&, const V& a, const V& b) { return map_u32(a, b, fadd); }
V op_vsubfp(C&, const V& a, const V& b) { return map_u32(a, b, fsub); }
V op_vmulfp(C&, const V& a, const V& b) { return map_u32(a, b, fmul); }
V madd_v(const V& a, const V& c, const V& b) { return map3<fmadd>(a, c, b); }
V nmsub_v(const V& a, const V& c, const V& b) { return map3<fnmsub>(a, c, b); }
V op_vmaxfp(C&, const V& a, const V& b) { return map_u32(a, b, fmax); }
V op_vminfp(C&, const V& a, const V& b) { return map_u32(a, b, fmin); }
#endif

// ---- unary estimates and rounding ----
template <float (*F)(float)>
V map1(const V& b) {
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = finish1(F(as_f(b.w[k])), b.w[k]);
  return r;
}
float recip(float x) { return 1.0f / x; }
float rsqrt(float x) { return 1.0f / std::sqrt(x); }
float exp2_(float x) { return std::exp2(x); }
float log2_(float x) { return std::log2(x); }
float round_nearest(float x) { return std::nearbyint(x); }
float round_zero(float x) { return std::trunc(x); }
float round_up(float x) { return std::ceil(x); }
float round_down(float x) { return std::floor(x); }
V op_vrefp(C&, const V& b) { return map1<recip>(b); }
V op_vrsqrtefp(C&, const V& b) { return map1<rsqrt>(b); }
V op_vexptefp(C&, const V& b) { return map1<exp2_>(b); }
V op_vlogefp(C&, const V& b) { return map1<log2_>(b); }
V op_vrfin(C&, const V& b) { return map1<round_nearest>(b); }
V op_vrfiz(C&, const V& b) { return map1<round_zero>(b); }
V op_vrfip(C&, const V& b) { return map1<round_up>(b); }
V op_vrfim(C&, const V& b) { return map1<round_down>(b); }

// ---- fixed <-> float conversions, scaled by 2^-UIMM / 2^UIMM ----
V op_vcfux(C&, const V& b, u32 uimm) {
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = as_u(std::ldexp(static_cast<float>(b.w[k]), -static_cast<int>(uimm)));
  return r;
}
V op_vcfsx(C&, const V& b, u32 uimm) {
  V r{};
  for (int k = 0; k < 4; ++k)
    r.w[k] = as_u(std::ldexp(static_cast<float>(static_cast<int32_t>(b.w[k])), -static_cast<int>(uimm)));
  return r;
}
V op_vctsxs(C& c, const V& b, u32 uimm) {
  bool sat = false;
  V r{};
  for (int k = 0; k < 4; ++k) {
    if (is_nan_bits(b.w[k])) {  // NaN converts to 0 without saturating
      r.w[k] = 0;
      continue;
    }
    const double t = std::trunc(std::ldexp(static_cast<double>(as_f(b.w[k])), static_cast<int>(uimm)));
    if (t > 2147483647.0) {
      r.w[k] = 0x7FFFFFFFu;
      sat = true;
    } else if (t < -2147483648.0) {
      r.w[k] = 0x80000000u;
      sat = true;
    } else {
      r.w[k] = static_cast<u32>(static_cast<int32_t>(t));
    }
  }
  note_sat(c, sat);
  return r;
}
V op_vctuxs(C& c, const V& b, u32 uimm) {
  bool sat = false;
  V r{};
  for (int k = 0; k < 4; ++k) {
    if (is_nan_bits(b.w[k])) {  // NaN converts to 0 without saturating
      r.w[k] = 0;
      continue;
    }
    const double t = std::trunc(std::ldexp(static_cast<double>(as_f(b.w[k])), static_cast<int>(uimm)));
    if (t > 4294967295.0) {
      r.w[k] = 0xFFFFFFFFu;
      sat = true;
    } else if (t < 0.0) {
      r.w[k] = 0;
      sat = true;
    } else {
      r.w[k] = static_cast<u32>(t);
    }
  }
  note_sat(c, sat);
  return r;
}

// ---- compares ----
template <bool (*P)(float, float)>
V fcmp(C&, const V& a, const V& b) {
  V r{};
  for (int k = 0; k < 4; ++k) r.w[k] = P(as_f(a.w[k]), as_f(b.w[k])) ? 0xFFFFFFFFu : 0u;
  return r;
}
bool feq(float x, float y) { return x == y; }
bool fge(float x, float y) { return x >= y; }
bool fgt(float x, float y) { return x > y; }

// vcmpbfp: bit 0 (0x80000000) = not (a <= b), bit 1 (0x40000000) = not
// (a >= -b); both set for NaN. Record form: CR6 bit 2 = all within bounds.
template <uint32_t (*VD)(uint32_t), uint32_t (*VA)(uint32_t), uint32_t (*VB)(uint32_t)>
void do_vcmpbfp(C& c, uint32_t w, bool rc) {
  const V a = c.vr[VA(w)], b = c.vr[VB(w)];
  V r{};
  u32 any = 0;
  for (int k = 0; k < 4; ++k) {
    const float x = as_f(a.w[k]), y = as_f(b.w[k]);
    r.w[k] = (x <= y ? 0u : 0x80000000u) | (x >= -y ? 0u : 0x40000000u);
    any |= r.w[k];
  }
  c.vr[VD(w)] = r;
  if (rc) set_cr6(c, false, any == 0);
}

// ---- VMX128 dot products: the sum is splatted to every word. Each product
// is rounded to single, then summed pairwise, (p0 + p1) + (p2 + p3), with
// single rounding at each step (vmsum3fp128 has no fourth term). ----
template <int kTerms>
V dot(C&, const V& a, const V& b) {
  float p[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int k = 0; k < kTerms; ++k) {
    if (is_nan_bits(a.w[k]) || is_nan_bits(b.w[k])) {
      const u32 n = pick_nan(a.w[k], b.w[k]);
      return V{{n, n, n, n}};
    }
    p[k] = as_f(as_u(as_f(a.w[k]) * as_f(b.w[k])));
  }
  const float sum = kTerms == 4 ? as_f(as_u(p[0] + p[1])) + as_f(as_u(p[2] + p[3]))
                                : as_f(as_u(p[0] + p[1])) + p[2];
  u32 bits = std::bit_cast<u32>(sum);
  bits = is_nan_bits(bits) ? kDefaultNan : flush_denorm(bits);
  return V{{bits, bits, bits, bits}};
}

}  // namespace

// Every handler below rounds to nearest whatever FPSCR[RN] says.
#define XDET_FP_HANDLER(name, form, op)                 \
  void h_##name(PpcContext& c, const DecodedInsn& i) {  \
    const NearestRounding rn(c);                        \
    form<op>(c, i);                                     \
  }
#define XDET_VX(name) XDET_FP_HANDLER(name, form_vx, op_##name)
#define XDET_VX128(name, op) XDET_FP_HANDLER(name, form_vx128, op_##op)
#define XDET_VXB(name) XDET_FP_HANDLER(name, form_vx_b, op_##name)
#define XDET_VXB128(name, op) XDET_FP_HANDLER(name, form_vx128_b, op_##op)
#define XDET_VXI(name) XDET_FP_HANDLER(name, form_vx_bimm, op_##name)
#define XDET_VXI128(name, op) XDET_FP_HANDLER(name, form_vx128_bimm, op_##op)

XDET_VX(vaddfp) XDET_VX(vsubfp) XDET_VX(vmaxfp) XDET_VX(vminfp)
XDET_VX128(vaddfp128, vaddfp) XDET_VX128(vsubfp128, vsubfp) XDET_VX128(vmulfp128, vmulfp)
XDET_VX128(vmaxfp128, vmaxfp) XDET_VX128(vminfp128, vminfp)
XDET_VXB(vrefp) XDET_VXB(vrsqrtefp) XDET_VXB(vexptefp) XDET_VXB(vlogefp)
XDET_VXB(vrfin) XDET_VXB(vrfiz) XDET_VXB(vrfip) XDET_VXB(vrfim)
XDET_VXB128(vrefp128, vrefp) XDET_VXB128(vrsqrtefp128, vrsqrtefp) XDET_VXB128(vexptefp128, vexptefp)
XDET_VXB128(vlogefp128, vlogefp) XDET_VXB128(vrfin128, vrfin) XDET_VXB128(vrfiz128, vrfiz)
XDET_VXB128(vrfip128, vrfip) XDET_VXB128(vrfim128, vrfim)
XDET_VXI(vcfux) XDET_VXI(vcfsx) XDET_VXI(vctuxs) XDET_VXI(vctsxs)
XDET_VXI128(vcuxwfp128, vcfux) XDET_VXI128(vcsxwfp128, vcfsx) XDET_VXI128(vcfpuxws128, vctuxs)
XDET_VXI128(vcfpsxws128, vctsxs)
#undef XDET_VX
#undef XDET_VX128
#undef XDET_VXB
#undef XDET_VXB128
#undef XDET_VXI
#undef XDET_VXI128
#undef XDET_FP_HANDLER

// vmaddfp vD, vA, vC, vB: vA*vC + vB
void h_vmaddfp(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = madd_v(c.vr[f_va(w)], c.vr[f_vc(w)], c.vr[f_vb(w)]);
}
void h_vnmsubfp(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = nmsub_v(c.vr[f_va(w)], c.vr[f_vc(w)], c.vr[f_vb(w)]);
}
// vmaddfp128 vD, vA, vB: vA*vB + vD
void h_vmaddfp128(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  const uint32_t w = i.word;
  Vec128& d = c.vr[f128_vd(w)];
  d = madd_v(c.vr[f128_va(w)], c.vr[f128_vb(w)], d);
}
// vmaddcfp128 vD, vA, vB: vA*vD + vB
void h_vmaddcfp128(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  const uint32_t w = i.word;
  Vec128& d = c.vr[f128_vd(w)];
  d = madd_v(c.vr[f128_va(w)], d, c.vr[f128_vb(w)]);
}
// vnmsubfp128 vD, vA, vB: -(vA*vB - vD)
void h_vnmsubfp128(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  const uint32_t w = i.word;
  Vec128& d = c.vr[f128_vd(w)];
  d = nmsub_v(c.vr[f128_va(w)], c.vr[f128_vb(w)], d);
}
void h_vmsum3fp128(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  form_vx128<dot<3>>(c, i);
}
void h_vmsum4fp128(PpcContext& c, const DecodedInsn& i) {
  const NearestRounding rn(c);
  form_vx128<dot<4>>(c, i);
}

void h_vcmpeqfp(PpcContext& c, const DecodedInsn& i) { form_vc<fcmp<feq>>(c, i); }
void h_vcmpgefp(PpcContext& c, const DecodedInsn& i) { form_vc<fcmp<fge>>(c, i); }
void h_vcmpgtfp(PpcContext& c, const DecodedInsn& i) { form_vc<fcmp<fgt>>(c, i); }
void h_vcmpeqfp128(PpcContext& c, const DecodedInsn& i) { form_vc128<fcmp<feq>>(c, i); }
void h_vcmpgefp128(PpcContext& c, const DecodedInsn& i) { form_vc128<fcmp<fge>>(c, i); }
void h_vcmpgtfp128(PpcContext& c, const DecodedInsn& i) { form_vc128<fcmp<fgt>>(c, i); }
void h_vcmpbfp(PpcContext& c, const DecodedInsn& i) {
  do_vcmpbfp<f_vd, f_va, f_vb>(c, i.word, f_rc(i.word));
}
void h_vcmpbfp128(PpcContext& c, const DecodedInsn& i) {
  do_vcmpbfp<f128_vd, f128_va, f128_vb>(c, i.word, f128_rc(i.word));
}

}  // namespace xdet::cpu::vmx
