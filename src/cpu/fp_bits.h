#pragma once
// Bit-exact single <-> double conversions of the PowerPC load/store
// instructions (lfs/stfs), which must not quiet signalling NaNs or round the
// way host conversions do.
#include <bit>
#include <cstdint>

namespace xdet::cpu {

inline uint64_t single_to_double_bits(uint32_t s) {
  uint32_t exp = (s >> 23) & 0xFF;
  if (exp == 0xFF) {  // infinity / NaN: keep the payload bits
    return (static_cast<uint64_t>(s & 0x80000000u) << 32) | (0x7FFull << 52) |
           (static_cast<uint64_t>(s & 0x7FFFFF) << 29);
  }
  // Normal, zero and denormal singles convert exactly on the host.
  return std::bit_cast<uint64_t>(static_cast<double>(std::bit_cast<float>(s)));
}

// ISA "Floating-Point Store" single conversion: no rounding; values too small
// for a normal single are denormalized by truncation.
inline uint32_t double_to_single_bits(uint64_t d) {
  uint32_t exp = static_cast<uint32_t>(d >> 52) & 0x7FF;
  if (exp > 896 || (d & 0x7FFFFFFFFFFFFFFFull) == 0) {
    return static_cast<uint32_t>(((d >> 32) & 0xC0000000u) | ((d >> 29) & 0x3FFFFFFFu));
  }
  uint32_t sign = static_cast<uint32_t>(d >> 32) & 0x80000000u;
  if (exp < 874) return sign;  // ISA: undefined; too small for any denormal
  int e = static_cast<int>(exp) - 1023;
  uint64_t frac = (1ull << 52) | (d & 0xFFFFFFFFFFFFFull);
  while (e < -126) {
    frac >>= 1;
    ++e;
  }
  return sign | static_cast<uint32_t>((frac >> 29) & 0x7FFFFF);
}

inline double as_double(uint64_t b) { return std::bit_cast<double>(b); }
inline uint64_t as_bits(double d) { return std::bit_cast<uint64_t>(d); }

}  // namespace xdet::cpu
