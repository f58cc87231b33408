#pragma once
// Element-wise helpers shared by the vector handler files: map a function
// over the big-endian byte/halfword/word elements of one, two or three
// vectors, and the two instruction forms (classic VMX and VMX128) that only
// differ in where their register numbers sit.
#include "base/byte_order.h"
#include "cpu/vmx/vmx_ops.h"

namespace xdet::cpu::vmx {

// Big-endian byte image of a vector (out[i] = byte element i) and back;
// byte-granular permutes index into these.
inline void to_be_bytes(const Vec128& v, uint8_t* out) {
  for (int k = 0; k < 4; ++k) store_be32(out + 4 * k, v.w[k]);
}
inline Vec128 from_be_bytes(const uint8_t* in) {
  Vec128 r;
  for (int k = 0; k < 4; ++k) r.w[k] = load_be32(in + 4 * k);
  return r;
}

template <typename F>
inline Vec128 map_u8(const Vec128& a, const Vec128& b, F f) {
  Vec128 r{};
  for (int k = 0; k < 4; ++k) {
    uint32_t x = 0;
    for (int s = 24; s >= 0; s -= 8)
      x |= (static_cast<uint32_t>(f((a.w[k] >> s) & 0xFFu, (b.w[k] >> s) & 0xFFu)) & 0xFFu) << s;
    r.w[k] = x;
  }
  return r;
}
template <typename F>
inline Vec128 map_u16(const Vec128& a, const Vec128& b, F f) {
  Vec128 r{};
  for (int k = 0; k < 4; ++k) {
    const uint32_t hi = static_cast<uint32_t>(f(a.w[k] >> 16, b.w[k] >> 16)) & 0xFFFFu;
    const uint32_t lo = static_cast<uint32_t>(f(a.w[k] & 0xFFFFu, b.w[k] & 0xFFFFu)) & 0xFFFFu;
    r.w[k] = (hi << 16) | lo;
  }
  return r;
}
template <typename F>
inline Vec128 map_u32(const Vec128& a, const Vec128& b, F f) {
  Vec128 r{};
  for (int k = 0; k < 4; ++k) r.w[k] = static_cast<uint32_t>(f(a.w[k], b.w[k]));
  return r;
}
template <typename F>
inline Vec128 map_u16x3(const Vec128& a, const Vec128& b, const Vec128& c, F f) {
  Vec128 r{};
  for (int k = 0; k < 4; ++k) {
    const uint32_t hi = static_cast<uint32_t>(f(a.w[k] >> 16, b.w[k] >> 16, c.w[k] >> 16)) & 0xFFFFu;
    const uint32_t lo =
        static_cast<uint32_t>(f(a.w[k] & 0xFFFFu, b.w[k] & 0xFFFFu, c.w[k] & 0xFFFFu)) & 0xFFFFu;
    r.w[k] = (hi << 16) | lo;
  }
  return r;
}

inline int32_t s8(uint32_t v) { return static_cast<int8_t>(v); }
inline int32_t s16(uint32_t v) { return static_cast<int16_t>(v); }
inline int64_t s32(uint32_t v) { return static_cast<int32_t>(v); }

inline void note_sat(PpcContext& c, bool sat) {
  if (sat) c.vscr |= kVscrSat;
}

// Operation signatures and the instruction forms that apply them.
using Op1 = Vec128 (*)(PpcContext&, const Vec128&);
using Op2 = Vec128 (*)(PpcContext&, const Vec128&, const Vec128&);
using Op3 = Vec128 (*)(PpcContext&, const Vec128&, const Vec128&, const Vec128&);
using OpImm = Vec128 (*)(PpcContext&, const Vec128&, uint32_t);

template <Op2 op>
void form_vx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = op(c, c.vr[f_va(w)], c.vr[f_vb(w)]);
}
template <Op2 op>
void form_vx128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f128_vd(w)] = op(c, c.vr[f128_va(w)], c.vr[f128_vb(w)]);
}
// vD <- op(vB) (VA field unused)
template <Op1 op>
void form_vx_b(PpcContext& c, const DecodedInsn& i) {
  c.vr[f_vd(i.word)] = op(c, c.vr[f_vb(i.word)]);
}
template <Op1 op>
void form_vx128_b(PpcContext& c, const DecodedInsn& i) {
  c.vr[f128_vd(i.word)] = op(c, c.vr[f128_vb(i.word)]);
}
// vD <- op(vB, UIMM in the VA slot)
template <OpImm op>
void form_vx_bimm(PpcContext& c, const DecodedInsn& i) {
  c.vr[f_vd(i.word)] = op(c, c.vr[f_vb(i.word)], f_uimm(i.word));
}
template <OpImm op>
void form_vx128_bimm(PpcContext& c, const DecodedInsn& i) {
  c.vr[f128_vd(i.word)] = op(c, c.vr[f128_vb(i.word)], f_uimm(i.word));
}
// VA form: vD <- op(vA, vB, vC)
template <Op3 op>
void form_va(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f_vd(w)] = op(c, c.vr[f_va(w)], c.vr[f_vb(w)], c.vr[f_vc(w)]);
}

// Compares: the op yields an all-ones/all-zeros mask per element; the record
// form (Rc) also sets CR6.
inline void finish_compare(PpcContext& c, Vec128& d, const Vec128& m, bool rc) {
  d = m;
  if (rc) {
    const uint32_t all = m.w[0] & m.w[1] & m.w[2] & m.w[3];
    const uint32_t any = m.w[0] | m.w[1] | m.w[2] | m.w[3];
    set_cr6(c, all == 0xFFFFFFFFu, any == 0);
  }
}
template <Op2 op>
void form_vc(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  const Vec128 m = op(c, c.vr[f_va(w)], c.vr[f_vb(w)]);
  finish_compare(c, c.vr[f_vd(w)], m, f_rc(w));
}
template <Op2 op>
void form_vc128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  const Vec128 m = op(c, c.vr[f128_va(w)], c.vr[f128_vb(w)]);
  finish_compare(c, c.vr[f128_vd(w)], m, f128_rc(w));
}

}  // namespace xdet::cpu::vmx
