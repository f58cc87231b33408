// Integer and floating-point loads/stores (all D/DS/X, update, byte-reversed,
// multiple and string forms), load-reserve/store-conditional and cache ops.
// Effective addresses are truncated to 32 bits; GuestMemory checks each
// access and throws GuestFault, which the core reports with the PC.
#include "cpu/fp_bits.h"
#include "cpu/interp_common.h"
#include "cpu/interp_families.h"
#include "cpu/reservation.h"

namespace xdet::cpu {
namespace {

using C = PpcContext;
using I = DecodedInsn;

enum class Ext { kZero, kSign };

// (rA|0) without a host branch: rA = 0 means a zero base.
inline uint64_t base_or_zero(const C& c, uint32_t a) { return c.gpr[a] & (0 - static_cast<uint64_t>(a != 0)); }

template <bool Update, bool Indexed>
inline uint32_t ea(const C& c, const I& i) {
  uint32_t a = f_ra(i.word);
  uint64_t base = Update ? c.gpr[a] : base_or_zero(c, a);
  uint64_t off = Indexed ? c.gpr[f_rb(i.word)] : static_cast<uint64_t>(f_simm(i.word));
  return ea32(base + off);
}
// DS-form displacement (low two bits are the extended opcode).
template <bool Update>
inline uint32_t ea_ds(const C& c, const I& i) {
  uint32_t a = f_ra(i.word);
  uint64_t base = Update ? c.gpr[a] : base_or_zero(c, a);
  return ea32(base + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(i.word & 0xFFFC))));
}

// Fast-path permission checks (same rule as GuestMemory's own): one page,
// permitted, and for stores not a page holding decoded code. When they fail
// the handler tail-calls its out-of-line twin that goes through GuestMemory's
// checked accessors (fault or code-write hook). Keeping the slow call out of
// the handler lets the compiler emit it without saving registers.
template <typename T>
inline bool read_fast_ok(const GuestMemory& m, uint32_t a) {
  return (a & (GuestMemory::kPageSize - 1)) <= GuestMemory::kPageSize - sizeof(T) &&
         (m.protection(a) & GuestMemory::kProtRead);
}
template <typename T>
inline bool write_fast_ok(const GuestMemory& m, uint32_t a) {
  return (a & (GuestMemory::kPageSize - 1)) <= GuestMemory::kPageSize - sizeof(T) &&
         (m.protection(a) & (GuestMemory::kProtWrite | GuestMemory::kCodeCached)) == GuestMemory::kProtWrite;
}

template <typename T, Ext E, bool Update, bool Indexed>
[[gnu::noinline]] void op_load_slow(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  T v = c.mem->read<T>(addr);
  uint64_t r;
  if constexpr (E == Ext::kSign) r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
  else r = v;
  c.gpr[f_rd(i.word)] = r;
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <typename T, bool Update, bool Indexed>
[[gnu::noinline]] void op_store_slow(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  c.mem->write<T>(addr, static_cast<T>(c.gpr[f_rs(i.word)]));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}

template <typename T, Ext E, bool Update, bool Indexed>
void op_load(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  const GuestMemory& m = *c.mem;
  if (!read_fast_ok<T>(m, addr)) [[unlikely]] return op_load_slow<T, E, Update, Indexed>(c, i);
  T v = load_be<T>(m.translate(addr));
  uint64_t r;
  if constexpr (E == Ext::kSign) r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
  else r = v;
  c.gpr[f_rd(i.word)] = r;
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <typename T, bool Update, bool Indexed>
void op_store(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  const GuestMemory& m = *c.mem;
  if (!write_fast_ok<T>(m, addr)) [[unlikely]] return op_store_slow<T, Update, Indexed>(c, i);
  store_be<T>(m.translate(addr), static_cast<T>(c.gpr[f_rs(i.word)]));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <Ext E, bool Update, typename T>
[[gnu::noinline]] void op_load_ds_slow(C& c, const I& i) {
  uint32_t addr = ea_ds<Update>(c, i);
  T v = c.mem->read<T>(addr);
  if constexpr (E == Ext::kSign) c.gpr[f_rd(i.word)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
  else c.gpr[f_rd(i.word)] = v;
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update>
[[gnu::noinline]] void op_std_slow(C& c, const I& i) {
  uint32_t addr = ea_ds<Update>(c, i);
  c.mem->write<uint64_t>(addr, c.gpr[f_rs(i.word)]);
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <Ext E, bool Update, typename T>
void op_load_ds(C& c, const I& i) {
  uint32_t addr = ea_ds<Update>(c, i);
  const GuestMemory& m = *c.mem;
  if (!read_fast_ok<T>(m, addr)) [[unlikely]] return op_load_ds_slow<E, Update, T>(c, i);
  T v = load_be<T>(m.translate(addr));
  if constexpr (E == Ext::kSign) c.gpr[f_rd(i.word)] = static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(v)));
  else c.gpr[f_rd(i.word)] = v;
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update>
void op_std(C& c, const I& i) {
  uint32_t addr = ea_ds<Update>(c, i);
  const GuestMemory& m = *c.mem;
  if (!write_fast_ok<uint64_t>(m, addr)) [[unlikely]] return op_std_slow<Update>(c, i);
  store_be<uint64_t>(m.translate(addr), c.gpr[f_rs(i.word)]);
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <typename T>
void op_load_brx(C& c, const I& i) {
  c.gpr[f_rd(i.word)] = byteswap(c.mem->read<T>(ea<false, true>(c, i)));
}
template <typename T>
void op_store_brx(C& c, const I& i) {
  c.mem->write<T>(ea<false, true>(c, i), byteswap(static_cast<T>(c.gpr[f_rs(i.word)])));
}

void op_lmw(C& c, const I& i) {
  uint32_t addr = ea<false, false>(c, i);
  for (uint32_t r = f_rd(i.word); r < 32; ++r, addr += 4) c.gpr[r] = c.mem->read32(addr);
}
void op_stmw(C& c, const I& i) {
  uint32_t addr = ea<false, false>(c, i);
  for (uint32_t r = f_rs(i.word); r < 32; ++r, addr += 4) c.mem->write32(addr, static_cast<uint32_t>(c.gpr[r]));
}
// String loads fill registers 4 bytes at a time from the high end of the low
// word; a partial last register is zero-padded.
inline void load_string(C& c, uint32_t addr, uint32_t rt, uint32_t n) {
  uint32_t r = rt - 1, shift = 0;
  for (uint32_t k = 0; k < n; ++k) {
    if (shift == 0) {
      r = (r + 1) & 31;
      c.gpr[r] = 0;
      shift = 32;
    }
    shift -= 8;
    c.gpr[r] |= static_cast<uint64_t>(c.mem->read8(addr + k)) << shift;
  }
}
inline void store_string(C& c, uint32_t addr, uint32_t rs, uint32_t n) {
  uint32_t r = rs - 1, shift = 0;
  for (uint32_t k = 0; k < n; ++k) {
    if (shift == 0) {
      r = (r + 1) & 31;
      shift = 32;
    }
    shift -= 8;
    c.mem->write8(addr + k, static_cast<uint8_t>(c.gpr[r] >> shift));
  }
}
inline uint32_t string_nb(uint32_t w) { uint32_t n = f_rb(w); return n ? n : 32; }
void op_lswi(C& c, const I& i) {
  uint32_t a = f_ra(i.word);
  load_string(c, a ? ea32(c.gpr[a]) : 0, f_rd(i.word), string_nb(i.word));
}
void op_stswi(C& c, const I& i) {
  uint32_t a = f_ra(i.word);
  store_string(c, a ? ea32(c.gpr[a]) : 0, f_rs(i.word), string_nb(i.word));
}
void op_lswx(C& c, const I& i) { load_string(c, ea<false, true>(c, i), f_rd(i.word), c.xer & 0x7F); }
void op_stswx(C& c, const I& i) { store_string(c, ea<false, true>(c, i), f_rs(i.word), c.xer & 0x7F); }

// ---- Load-reserve / store-conditional ----
template <typename T>
void op_larx(C& c, const I& i) {
  uint32_t addr = ea<false, true>(c, i);
  if (addr & (sizeof(T) - 1)) raise_alignment_fault(c, i, addr);
  T v = c.mem->read<T>(addr);
  c.reservations->reserve(c, addr, sizeof(T), v);
  c.gpr[f_rd(i.word)] = v;
}
template <typename T>
void op_stcx(C& c, const I& i) {
  uint32_t addr = ea<false, true>(c, i);
  if (addr & (sizeof(T) - 1)) raise_alignment_fault(c, i, addr);
  T current = c.mem->read<T>(addr);
  bool ok = c.reservations->check_and_clear(c, addr, sizeof(T), current);
  if (ok) c.mem->write<T>(addr, static_cast<T>(c.gpr[f_rs(i.word)]));
  c.cr = (c.cr & 0x0FFFFFFFu) | ((ok ? 2u : 0u) << 28) | ((c.xer >> 31) << 28);
}

// ---- Cache ops ----
// dcbz zeroes a 32-byte block (the PowerPC line size the console emulates for
// dcbz); dcbz128 (bit 21 set) zeroes the real 128-byte Xenon line.
void op_dcbz(C& c, const I& i) {
  uint32_t addr = ea<false, true>(c, i);
  uint32_t size = (i.word & 0x00200000) ? 128 : 32;
  uint32_t line = addr & ~(size - 1);
  c.mem->fill(line, 0, size);
  c.reservations->invalidate(line, size, &c);
}
void op_cache_nop(C&, const I&) {}
// icbi: code written through an aliasing view is not seen by the code-write
// hook; the architected icbi makes the core re-decode that line.
void op_icbi(C& c, const I& i) {
  if (c.on_icbi) c.on_icbi(c, ea<false, true>(c, i));
}

// ---- Floating-point loads/stores ----
template <bool Update, bool Indexed>
[[gnu::noinline]] void op_lfs_slow(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  c.fpr[f_rd(i.word)] = single_to_double_bits(c.mem->read32(addr));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
void op_lfs(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  const GuestMemory& m = *c.mem;
  if (!read_fast_ok<uint32_t>(m, addr)) [[unlikely]] return op_lfs_slow<Update, Indexed>(c, i);
  c.fpr[f_rd(i.word)] = single_to_double_bits(load_be32(m.translate(addr)));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
[[gnu::noinline]] void op_lfd_slow(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  c.fpr[f_rd(i.word)] = c.mem->read64(addr);
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
void op_lfd(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  const GuestMemory& m = *c.mem;
  if (!read_fast_ok<uint64_t>(m, addr)) [[unlikely]] return op_lfd_slow<Update, Indexed>(c, i);
  c.fpr[f_rd(i.word)] = load_be64(m.translate(addr));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
[[gnu::noinline]] void op_stfs_slow(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  c.mem->write32(addr, double_to_single_bits(c.fpr[f_rs(i.word)]));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
void op_stfs(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  const GuestMemory& m = *c.mem;
  if (!write_fast_ok<uint32_t>(m, addr)) [[unlikely]] return op_stfs_slow<Update, Indexed>(c, i);
  store_be32(m.translate(addr), double_to_single_bits(c.fpr[f_rs(i.word)]));
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
[[gnu::noinline]] void op_stfd_slow(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  c.mem->write64(addr, c.fpr[f_rs(i.word)]);
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
template <bool Update, bool Indexed>
void op_stfd(C& c, const I& i) {
  uint32_t addr = ea<Update, Indexed>(c, i);
  const GuestMemory& m = *c.mem;
  if (!write_fast_ok<uint64_t>(m, addr)) [[unlikely]] return op_stfd_slow<Update, Indexed>(c, i);
  store_be64(m.translate(addr), c.fpr[f_rs(i.word)]);
  if constexpr (Update) c.gpr[f_ra(i.word)] = addr;
}
void op_stfiwx(C& c, const I& i) {
  c.mem->write32(ea<false, true>(c, i), static_cast<uint32_t>(c.fpr[f_rs(i.word)]));
}

InsnHandler decode_op31(uint32_t w) {
  switch (f_xo10(w)) {
    case 23: return op_load<uint32_t, Ext::kZero, false, true>;    // lwzx
    case 55: return op_load<uint32_t, Ext::kZero, true, true>;     // lwzux
    case 87: return op_load<uint8_t, Ext::kZero, false, true>;     // lbzx
    case 119: return op_load<uint8_t, Ext::kZero, true, true>;     // lbzux
    case 279: return op_load<uint16_t, Ext::kZero, false, true>;   // lhzx
    case 311: return op_load<uint16_t, Ext::kZero, true, true>;    // lhzux
    case 343: return op_load<uint16_t, Ext::kSign, false, true>;   // lhax
    case 375: return op_load<uint16_t, Ext::kSign, true, true>;    // lhaux
    case 341: return op_load<uint32_t, Ext::kSign, false, true>;   // lwax
    case 373: return op_load<uint32_t, Ext::kSign, true, true>;    // lwaux
    case 21: return op_load<uint64_t, Ext::kZero, false, true>;    // ldx
    case 53: return op_load<uint64_t, Ext::kZero, true, true>;     // ldux
    case 151: return op_store<uint32_t, false, true>;              // stwx
    case 183: return op_store<uint32_t, true, true>;               // stwux
    case 215: return op_store<uint8_t, false, true>;               // stbx
    case 247: return op_store<uint8_t, true, true>;                // stbux
    case 407: return op_store<uint16_t, false, true>;              // sthx
    case 439: return op_store<uint16_t, true, true>;               // sthux
    case 149: return op_store<uint64_t, false, true>;              // stdx
    case 181: return op_store<uint64_t, true, true>;               // stdux
    case 534: return op_load_brx<uint32_t>;                        // lwbrx
    case 790: return op_load_brx<uint16_t>;                        // lhbrx
    case 532: return op_load_brx<uint64_t>;                        // ldbrx
    case 662: return op_store_brx<uint32_t>;                       // stwbrx
    case 918: return op_store_brx<uint16_t>;                       // sthbrx
    case 660: return op_store_brx<uint64_t>;                       // stdbrx
    case 597: return op_lswi;
    case 533: return op_lswx;
    case 725: return op_stswi;
    case 661: return op_stswx;
    case 20: return op_larx<uint32_t>;                             // lwarx
    case 84: return op_larx<uint64_t>;                             // ldarx
    case 150: return (w & 1) ? op_stcx<uint32_t> : nullptr;        // stwcx.
    case 214: return (w & 1) ? op_stcx<uint64_t> : nullptr;        // stdcx.
    case 1014: return op_dcbz;                                     // dcbz / dcbz128
    case 278: case 246: case 86: case 54: case 470:               // dcbt dcbtst dcbf dcbst dcbi
      return op_cache_nop;
    case 982: return op_icbi;
    case 535: return op_lfs<false, true>;                          // lfsx
    case 567: return op_lfs<true, true>;                           // lfsux
    case 599: return op_lfd<false, true>;                          // lfdx
    case 631: return op_lfd<true, true>;                           // lfdux
    case 663: return op_stfs<false, true>;                         // stfsx
    case 695: return op_stfs<true, true>;                          // stfsux
    case 727: return op_stfd<false, true>;                         // stfdx
    case 759: return op_stfd<true, true>;                          // stfdux
    case 983: return op_stfiwx;
    default: return nullptr;
  }
}

}  // namespace

InsnHandler decode_loadstore(uint32_t w) {
  switch (f_op(w)) {
    case 32: return op_load<uint32_t, Ext::kZero, false, false>;  // lwz
    case 33: return op_load<uint32_t, Ext::kZero, true, false>;   // lwzu
    case 34: return op_load<uint8_t, Ext::kZero, false, false>;   // lbz
    case 35: return op_load<uint8_t, Ext::kZero, true, false>;    // lbzu
    case 40: return op_load<uint16_t, Ext::kZero, false, false>;  // lhz
    case 41: return op_load<uint16_t, Ext::kZero, true, false>;   // lhzu
    case 42: return op_load<uint16_t, Ext::kSign, false, false>;  // lha
    case 43: return op_load<uint16_t, Ext::kSign, true, false>;   // lhau
    case 36: return op_store<uint32_t, false, false>;             // stw
    case 37: return op_store<uint32_t, true, false>;              // stwu
    case 38: return op_store<uint8_t, false, false>;              // stb
    case 39: return op_store<uint8_t, true, false>;               // stbu
    case 44: return op_store<uint16_t, false, false>;             // sth
    case 45: return op_store<uint16_t, true, false>;              // sthu
    case 46: return op_lmw;
    case 47: return op_stmw;
    case 48: return op_lfs<false, false>;
    case 49: return op_lfs<true, false>;
    case 50: return op_lfd<false, false>;
    case 51: return op_lfd<true, false>;
    case 52: return op_stfs<false, false>;
    case 53: return op_stfs<true, false>;
    case 54: return op_stfd<false, false>;
    case 55: return op_stfd<true, false>;
    case 58:
      switch (w & 3) {
        case 0: return op_load_ds<Ext::kZero, false, uint64_t>;  // ld
        case 1: return op_load_ds<Ext::kZero, true, uint64_t>;   // ldu
        case 2: return op_load_ds<Ext::kSign, false, uint32_t>;  // lwa
        default: return nullptr;
      }
    case 62:
      switch (w & 3) {
        case 0: return op_std<false>;
        case 1: return op_std<true>;
        default: return nullptr;
      }
    case 31: return decode_op31(w);
    default: return nullptr;
  }
}

}  // namespace xdet::cpu
