#pragma once
// Shared helpers for the instruction handlers: field extraction, CR/XER
// updates. Everything here is inline and allocation-free (hot path).
#include <cstdint>

#include "cpu/cpu_fault.h"
#include "cpu/ppc_context.h"

namespace xdet::cpu {

// XER bits (ISA numbering 32..34 -> host bits 31..29).
inline constexpr uint32_t kXerSO = 1u << 31;
inline constexpr uint32_t kXerOV = 1u << 30;
inline constexpr uint32_t kXerCA = 1u << 29;

// Instruction fields (ISA bit b of a 32-bit word is host bit 31-b).
inline uint32_t f_op(uint32_t w) { return w >> 26; }
inline uint32_t f_rd(uint32_t w) { return (w >> 21) & 31; }
inline uint32_t f_rs(uint32_t w) { return (w >> 21) & 31; }
inline uint32_t f_ra(uint32_t w) { return (w >> 16) & 31; }
inline uint32_t f_rb(uint32_t w) { return (w >> 11) & 31; }
inline uint32_t f_rc(uint32_t w) { return (w >> 6) & 31; }
inline uint32_t f_xo10(uint32_t w) { return (w >> 1) & 0x3FF; }
inline uint32_t f_xo9(uint32_t w) { return (w >> 1) & 0x1FF; }
inline uint32_t f_xo5(uint32_t w) { return (w >> 1) & 0x1F; }
inline bool f_rcbit(uint32_t w) { return w & 1; }
inline bool f_oe(uint32_t w) { return (w >> 10) & 1; }
inline int64_t f_simm(uint32_t w) { return static_cast<int16_t>(w & 0xFFFF); }
inline uint64_t f_uimm(uint32_t w) { return w & 0xFFFF; }
inline uint32_t f_crfd(uint32_t w) { return (w >> 23) & 7; }
inline uint32_t f_crfs(uint32_t w) { return (w >> 18) & 7; }

inline uint32_t ea32(uint64_t v) { return static_cast<uint32_t>(v); }

// Sets CR field n (0..7) to a 4-bit value LT GT EQ SO.
inline void set_cr_field(PpcContext& c, uint32_t n, uint32_t v) {
  uint32_t shift = 28 - 4 * n;
  c.cr = (c.cr & ~(0xFu << shift)) | (v << shift);
}

// LT/GT/EQ bits without host branches (guest compares are often
// unpredictable; a branchy host compare would mispredict with them).
inline uint32_t cmp_bits(bool lt, bool gt, bool eq) {
  return (static_cast<uint32_t>(lt) << 3) | (static_cast<uint32_t>(gt) << 2) | (static_cast<uint32_t>(eq) << 1);
}

// CR0 of record forms: console semantics compare the LOW 32 BITS as a signed
// value (32-bit mode), see ppc-tests/FORMAT.md section 7.
inline void update_cr0(PpcContext& c, uint64_t result) {
  int64_t r = c.mode64 ? static_cast<int64_t>(result) : static_cast<int64_t>(static_cast<int32_t>(result));
  uint32_t v = cmp_bits(r < 0, r > 0, r == 0) | (c.xer >> 31);
  c.cr = (c.cr & 0x0FFFFFFFu) | (v << 28);
}

inline void set_ca(PpcContext& c, bool ca) { c.xer = (c.xer & ~kXerCA) | (ca ? kXerCA : 0u); }
inline uint32_t get_ca(const PpcContext& c) { return (c.xer >> 29) & 1; }
inline void set_ov(PpcContext& c, bool ov) {
  c.xer = (c.xer & ~kXerOV) | (ov ? (kXerOV | kXerSO) : 0u);
}

// Carry of a + b + cin: out of the low word (console), or out of bit 0 of
// the doubleword in mode64.
inline bool carry_out(const PpcContext& c, uint64_t a, uint64_t b, uint32_t cin) {
  if (c.mode64) {
    unsigned __int128 s = static_cast<unsigned __int128>(a) + b + cin;
    return static_cast<bool>(s >> 64);
  }
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) + static_cast<uint32_t>(b) + cin) >> 32;
}

}  // namespace xdet::cpu
