// Vector loads and stores, lvsl/lvsr and the VSCR moves.
//
// Xenon specifics encoded by the console test suite:
//  - lvebx/lvehx/lvewx (and lvewx128) load the whole aligned quadword, like
//    lvx (the ISA leaves the other elements undefined; the console fills them).
//  - lvlx/lvrx/stvlx/stvrx touch only the bytes of the aligned 16-byte block
//    they name: lvrx/stvrx of an aligned address access no memory at all (so
//    they cannot fault), which games rely on when pairing lvlx with lvrx.
#include "cpu/vmx/vmx_elements.h"

namespace xdet::cpu::vmx {
namespace {

using FieldFn = uint32_t (*)(uint32_t);

inline Vec128 load_quad(const PpcContext& c, uint32_t ea) {
  ea &= ~15u;
  const uint64_t hi = c.mem->read64(ea);
  const uint64_t lo = c.mem->read64(ea + 8);
  Vec128 v;
  v.w[0] = static_cast<uint32_t>(hi >> 32);
  v.w[1] = static_cast<uint32_t>(hi);
  v.w[2] = static_cast<uint32_t>(lo >> 32);
  v.w[3] = static_cast<uint32_t>(lo);
  return v;
}

inline void store_quad(PpcContext& c, uint32_t ea, const Vec128& v) {
  ea &= ~15u;
  c.mem->write64(ea, (static_cast<uint64_t>(v.w[0]) << 32) | v.w[1]);
  c.mem->write64(ea + 8, (static_cast<uint64_t>(v.w[2]) << 32) | v.w[3]);
}

template <FieldFn VD>
void do_lvx(PpcContext& c, const DecodedInsn& i) {
  c.vr[VD(i.word)] = load_quad(c, ea_x(c, i.word));
}
template <FieldFn VS>
void do_stvx(PpcContext& c, const DecodedInsn& i) {
  store_quad(c, ea_x(c, i.word), c.vr[VS(i.word)]);
}
template <FieldFn VS>
void do_stvewx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word) & ~3u;
  c.mem->write32(ea, c.vr[VS(i.word)].w[(ea >> 2) & 3]);
}

template <FieldFn VD>
void do_lvsl(PpcContext& c, const DecodedInsn& i) {
  const uint32_t sh = ea_x(c, i.word) & 15;
  Vec128& d = c.vr[VD(i.word)];
  for (uint32_t k = 0; k < 4; ++k) {
    const uint32_t b = sh + 4 * k;  // bytes b, b+1, b+2, b+3
    d.w[k] = (b << 24) | ((b + 1) << 16) | ((b + 2) << 8) | (b + 3);
  }
}
template <FieldFn VD>
void do_lvsr(PpcContext& c, const DecodedInsn& i) {
  const uint32_t sh = ea_x(c, i.word) & 15;
  Vec128& d = c.vr[VD(i.word)];
  for (uint32_t k = 0; k < 4; ++k) {
    const uint32_t b = 16 - sh + 4 * k;
    d.w[k] = (b << 24) | ((b + 1) << 16) | ((b + 2) << 8) | (b + 3);
  }
}

// lvlx: bytes EA .. end of its block, left-justified, zero fill.
template <FieldFn VD>
void do_lvlx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word);
  const uint32_t eb = ea & 15;
  if (eb == 0) {
    c.vr[VD(i.word)] = load_quad(c, ea);
    return;
  }
  uint8_t bytes[16] = {};
  c.mem->read_bytes(ea, bytes, 16 - eb);
  c.vr[VD(i.word)] = from_be_bytes(bytes);
}
// lvrx: bytes from the start of EA's block up to EA, right-justified.
template <FieldFn VD>
void do_lvrx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word);
  const uint32_t eb = ea & 15;
  uint8_t bytes[16] = {};
  if (eb != 0) c.mem->read_bytes(ea & ~15u, bytes + (16 - eb), eb);
  c.vr[VD(i.word)] = from_be_bytes(bytes);
}
template <FieldFn VS>
void do_stvlx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word);
  const uint32_t eb = ea & 15;
  if (eb == 0) {
    store_quad(c, ea, c.vr[VS(i.word)]);
    return;
  }
  uint8_t bytes[16];
  to_be_bytes(c.vr[VS(i.word)], bytes);
  c.mem->write_bytes(ea, bytes, 16 - eb);
}
template <FieldFn VS>
void do_stvrx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word);
  const uint32_t eb = ea & 15;
  if (eb == 0) return;
  uint8_t bytes[16];
  to_be_bytes(c.vr[VS(i.word)], bytes);
  c.mem->write_bytes(ea & ~15u, bytes + (16 - eb), eb);
}

}  // namespace

void h_lvx(PpcContext& c, const DecodedInsn& i) { do_lvx<f_vd>(c, i); }
void h_lvebx(PpcContext& c, const DecodedInsn& i) { do_lvx<f_vd>(c, i); }
void h_lvehx(PpcContext& c, const DecodedInsn& i) { do_lvx<f_vd>(c, i); }
void h_lvewx(PpcContext& c, const DecodedInsn& i) { do_lvx<f_vd>(c, i); }
void h_lvx128(PpcContext& c, const DecodedInsn& i) { do_lvx<f128_vd>(c, i); }
void h_lvewx128(PpcContext& c, const DecodedInsn& i) { do_lvx<f128_vd>(c, i); }
void h_stvx(PpcContext& c, const DecodedInsn& i) { do_stvx<f_vd>(c, i); }
void h_stvx128(PpcContext& c, const DecodedInsn& i) { do_stvx<f128_vd>(c, i); }

void h_stvebx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word);
  c.mem->write8(ea, c.vr[f_vd(i.word)].byte(static_cast<int>(ea & 15)));
}
void h_stvehx(PpcContext& c, const DecodedInsn& i) {
  const uint32_t ea = ea_x(c, i.word) & ~1u;
  c.mem->write16(ea, c.vr[f_vd(i.word)].half(static_cast<int>((ea >> 1) & 7)));
}
void h_stvewx(PpcContext& c, const DecodedInsn& i) { do_stvewx<f_vd>(c, i); }
void h_stvewx128(PpcContext& c, const DecodedInsn& i) { do_stvewx<f128_vd>(c, i); }

void h_lvsl(PpcContext& c, const DecodedInsn& i) { do_lvsl<f_vd>(c, i); }
void h_lvsr(PpcContext& c, const DecodedInsn& i) { do_lvsr<f_vd>(c, i); }
void h_lvsl128(PpcContext& c, const DecodedInsn& i) { do_lvsl<f128_vd>(c, i); }
void h_lvsr128(PpcContext& c, const DecodedInsn& i) { do_lvsr<f128_vd>(c, i); }

void h_lvlx(PpcContext& c, const DecodedInsn& i) { do_lvlx<f_vd>(c, i); }
void h_lvrx(PpcContext& c, const DecodedInsn& i) { do_lvrx<f_vd>(c, i); }
void h_stvlx(PpcContext& c, const DecodedInsn& i) { do_stvlx<f_vd>(c, i); }
void h_stvrx(PpcContext& c, const DecodedInsn& i) { do_stvrx<f_vd>(c, i); }
void h_lvlx128(PpcContext& c, const DecodedInsn& i) { do_lvlx<f128_vd>(c, i); }
void h_lvrx128(PpcContext& c, const DecodedInsn& i) { do_lvrx<f128_vd>(c, i); }
void h_stvlx128(PpcContext& c, const DecodedInsn& i) { do_stvlx<f128_vd>(c, i); }
void h_stvrx128(PpcContext& c, const DecodedInsn& i) { do_stvrx<f128_vd>(c, i); }

// Data-stream touch hints (dst/dstt/dstst/dststt) and stops (dss/dssall):
// cache hints only, no architectural effect.
void h_dst(PpcContext&, const DecodedInsn&) {}
void h_dss(PpcContext&, const DecodedInsn&) {}

void h_mfvscr(PpcContext& c, const DecodedInsn& i) {
  Vec128& d = c.vr[f_vd(i.word)];
  d.w[0] = d.w[1] = d.w[2] = 0;
  d.w[3] = c.vscr & (kVscrNj | kVscrSat);
}
void h_mtvscr(PpcContext& c, const DecodedInsn& i) {
  c.vscr = c.vr[f_vb(i.word)].w[3] & (kVscrNj | kVscrSat);
}

}  // namespace xdet::cpu::vmx
