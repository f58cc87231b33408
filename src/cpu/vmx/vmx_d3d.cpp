// VMX128 Direct3D vertex-format pack/unpack: vpkd3d128 and vupkd3d128.
//
// Unpacked values use the console's "magic bias" float encodings: colour
// bytes become 1.0 + n*2^-23 (0x3F8000nn), signed normalised integers become
// 3.0 + n*2^-22 (0x40400000 + n) and the most negative integer (which has no
// normalised meaning) unpacks to the QNaN 0x7FC00000. Pack saturates the
// biased float into range (a NaN packs as the lower bound) and keeps the low
// mantissa bits. Half floats use the Xenos encoding (exponent 31 is a normal
// number, no inf/NaN); packing truncates and flushes denormals.
//
// Types (IMM >> 2): 0 D3DCOLOR, 1 NORMSHORT2, 2 NORMPACKED32 (2:10:10:10),
// 3 FLOAT16_2, 4 NORMSHORT4, 5 FLOAT16_4, 6 NORMPACKED64 (4:20:20:20).
#include "cpu/vmx/vmx_d3d.h"

#include <bit>

#include "cpu/vmx/vmx_ops.h"

namespace xdet::cpu::vmx {
namespace {

using u32 = uint32_t;

constexpr u32 kOne = 0x3F800000u;
constexpr u32 kThree = 0x40400000u;

inline u32 biased_signed(int32_t v, int32_t most_negative) {
  return v == most_negative ? kDefaultNan : static_cast<u32>(static_cast<int32_t>(kThree) + v);
}
inline int32_t sext(u32 v, int bits) {
  const u32 m = 1u << (bits - 1);
  return static_cast<int32_t>((v ^ m) - m);
}

// Float compare on bit patterns: NaN saturates to the lower bound (the
// console clamps with max(v, lo) first, which picks lo for a NaN).
inline u32 clamp_bits(u32 v, u32 lo, u32 hi) {
  const float f = std::bit_cast<float>(v);
  if (!(f >= std::bit_cast<float>(lo))) return lo;
  if (f > std::bit_cast<float>(hi)) return hi;
  return v;
}

}  // namespace

float xenos_half_to_float(uint16_t h) {
  const u32 sign = static_cast<u32>(h & 0x8000u) << 16;
  const u32 exp = (h >> 10) & 31;
  const u32 mant = h & 0x3FFu;
  if (exp == 0) {
    if (mant == 0) return std::bit_cast<float>(sign);
    // Half denormal: mant * 2^-24, exactly representable as a normal float.
    const float mag = static_cast<float>(mant) * (1.0f / 16777216.0f);
    return sign ? -mag : mag;
  }
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

uint16_t float_to_xenos_half(float f) {
  const u32 bits = std::bit_cast<u32>(f);
  const u32 sign = (bits >> 16) & 0x8000u;
  const u32 mag = bits & 0x7FFFFFFFu;
  u32 h;
  if (mag >= 0x47FFE000u) {
    h = 0x7FFFu;  // saturate (also NaN and inf)
  } else if (mag < 0x38800000u) {
    h = 0;  // below the smallest normal half: flush
  } else {
    h = ((mag - 0x38000000u) >> 13) & 0x7FFFu;  // rebias exponent, truncate
  }
  return static_cast<uint16_t>(sign | h);
}

Vec128 d3d_unpack(const Vec128& src, uint32_t type) {
  Vec128 r{};
  const u32 w2 = src.w[2], w3 = src.w[3];
  switch (type) {
    case 0:  // D3DCOLOR ARGB -> x=R y=G z=B w=A
      r.w[0] = kOne | ((w3 >> 16) & 0xFF);
      r.w[1] = kOne | ((w3 >> 8) & 0xFF);
      r.w[2] = kOne | (w3 & 0xFF);
      r.w[3] = kOne | (w3 >> 24);
      break;
    case 1:  // NORMSHORT2
      r.w[0] = biased_signed(sext(w3 >> 16, 16), -32768);
      r.w[1] = biased_signed(sext(w3 & 0xFFFF, 16), -32768);
      r.w[2] = 0;
      r.w[3] = kOne;
      break;
    case 2:  // NORMPACKED32: x bits 0-9, y 10-19, z 20-29 signed, w 30-31 unsigned
      r.w[0] = biased_signed(sext(w3 & 0x3FF, 10), -512);
      r.w[1] = biased_signed(sext((w3 >> 10) & 0x3FF, 10), -512);
      r.w[2] = biased_signed(sext((w3 >> 20) & 0x3FF, 10), -512);
      r.w[3] = kOne + (w3 >> 30);
      break;
    case 3:  // FLOAT16_2
      r.w[0] = std::bit_cast<u32>(xenos_half_to_float(static_cast<uint16_t>(w3 >> 16)));
      r.w[1] = std::bit_cast<u32>(xenos_half_to_float(static_cast<uint16_t>(w3)));
      r.w[2] = 0;
      r.w[3] = kOne;
      break;
    case 4:  // NORMSHORT4
      r.w[0] = biased_signed(sext(w2 >> 16, 16), -32768);
      r.w[1] = biased_signed(sext(w2 & 0xFFFF, 16), -32768);
      r.w[2] = biased_signed(sext(w3 >> 16, 16), -32768);
      r.w[3] = biased_signed(sext(w3 & 0xFFFF, 16), -32768);
      break;
    case 5:  // FLOAT16_4
      r.w[0] = std::bit_cast<u32>(xenos_half_to_float(static_cast<uint16_t>(w2 >> 16)));
      r.w[1] = std::bit_cast<u32>(xenos_half_to_float(static_cast<uint16_t>(w2)));
      r.w[2] = std::bit_cast<u32>(xenos_half_to_float(static_cast<uint16_t>(w3 >> 16)));
      r.w[3] = std::bit_cast<u32>(xenos_half_to_float(static_cast<uint16_t>(w3)));
      break;
    case 6: {  // NORMPACKED64: x bits 0-19, y 20-39, z 40-59 signed, w 60-63
      const uint64_t v = (static_cast<uint64_t>(w2) << 32) | w3;
      r.w[0] = biased_signed(sext(static_cast<u32>(v & 0xFFFFF), 20), -524288);
      r.w[1] = biased_signed(sext(static_cast<u32>((v >> 20) & 0xFFFFF), 20), -524288);
      r.w[2] = biased_signed(sext(static_cast<u32>((v >> 40) & 0xFFFFF), 20), -524288);
      r.w[3] = kOne + static_cast<u32>(v >> 60);
      break;
    }
    default:
      break;  // rejected by the decoder
  }
  return r;
}

Vec128 d3d_pack(const Vec128& src, uint32_t type) {
  Vec128 r{};
  const u32 x = src.w[0], y = src.w[1], z = src.w[2], w = src.w[3];
  switch (type) {
    case 0: {  // D3DCOLOR: components biased at 3.0
      auto c = [](u32 v) { return clamp_bits(v, kThree, kThree + 0xFF) & 0xFF; };
      r.w[3] = (c(w) << 24) | (c(x) << 16) | (c(y) << 8) | c(z);
      break;
    }
    case 1:
    case 4: {  // NORMSHORT2 / NORMSHORT4
      auto s = [](u32 v) { return clamp_bits(v, 0x403F8001u, 0x40407FFFu) & 0xFFFF; };
      if (type == 1) {
        r.w[3] = (s(x) << 16) | s(y);
      } else {
        r.w[2] = (s(x) << 16) | s(y);
        r.w[3] = (s(z) << 16) | s(w);
      }
      break;
    }
    case 2: {  // NORMPACKED32
      auto s = [](u32 v) { return clamp_bits(v, 0x403FFE01u, 0x404001FFu) & 0x3FF; };
      r.w[3] = s(x) | (s(y) << 10) | (s(z) << 20) | ((clamp_bits(w, kThree, kThree + 3) & 3) << 30);
      break;
    }
    case 3:  // FLOAT16_2
      r.w[3] = (u32{float_to_xenos_half(std::bit_cast<float>(x))} << 16) |
               float_to_xenos_half(std::bit_cast<float>(y));
      break;
    case 5:  // FLOAT16_4
      r.w[2] = (u32{float_to_xenos_half(std::bit_cast<float>(x))} << 16) |
               float_to_xenos_half(std::bit_cast<float>(y));
      r.w[3] = (u32{float_to_xenos_half(std::bit_cast<float>(z))} << 16) |
               float_to_xenos_half(std::bit_cast<float>(w));
      break;
    case 6: {  // NORMPACKED64
      auto s = [](u32 v) { return uint64_t{clamp_bits(v, 0x40380001u, 0x4047FFFFu) & 0xFFFFF}; };
      const uint64_t v = s(x) | (s(y) << 20) | (s(z) << 40) |
                         (uint64_t{clamp_bits(w, kThree, kThree + 15) & 15} << 60);
      r.w[2] = static_cast<u32>(v >> 32);
      r.w[3] = static_cast<u32>(v);
      break;
    }
    default:
      break;
  }
  return r;
}

void d3d_insert(Vec128& d, const Vec128& packed, uint32_t mode, uint32_t shift) {
  switch (mode) {
    case 1:  // 32-bit result into word 3 - shift
      d.w[3 - shift] = packed.w[3];
      break;
    case 2:
    case 3:  // 64-bit result
      if (shift < 3) {
        d.w[2 - shift] = packed.w[2];
        d.w[3 - shift] = packed.w[3];
      } else if (mode == 2) {
        d.w[0] = packed.w[3];
      } else {
        d.w[3] = packed.w[2];
      }
      break;
    default:
      break;  // mode 0 is rejected by the decoder
  }
}

// vupkd3d128 vD, vB, IMM: type = IMM >> 2.
void h_vupkd3d128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  c.vr[f128_vd(w)] = d3d_unpack(c.vr[f128_vb(w)], ((w >> 16) & 31) >> 2);
}
// vpkd3d128 vD, vB, IMM, z: type = IMM >> 2, insertion mode = IMM & 3,
// shift = z.
void h_vpkd3d128(PpcContext& c, const DecodedInsn& i) {
  const uint32_t w = i.word;
  const uint32_t imm = (w >> 16) & 31;
  const Vec128 packed = d3d_pack(c.vr[f128_vb(w)], imm >> 2);
  d3d_insert(c.vr[f128_vd(w)], packed, imm & 3, (w >> 6) & 3);
}

}  // namespace xdet::cpu::vmx
