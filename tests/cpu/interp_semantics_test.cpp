// Instruction semantics that differ between the console, generic PowerPC and
// the x86 host: CR0/CA from the low word (console) vs 64-bit (mode64), PowerPC
// NaN rules, single rounding of single-precision results, FPSCR[RN].
#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <vector>

#include "cpu/cpu.h"

namespace xdet::cpu {
namespace {

constexpr uint32_t kCode = 0x82000000;
constexpr uint32_t kData = 0x10000000;
constexpr uint32_t kSc = 0x44000002;

uint32_t xo_form(uint32_t xo9, int rd, int ra, int rb, bool rc) {
  return (31u << 26) | (rd << 21) | (ra << 16) | (rb << 11) | (xo9 << 1) | (rc ? 1 : 0);
}
uint32_t a_form(uint32_t op, uint32_t xo, int frt, int fra, int frb, int frc) {
  return (op << 26) | (frt << 21) | (fra << 16) | (frb << 11) | (frc << 6) | (xo << 1);
}
uint32_t x63(uint32_t xo, int frt, int frb) { return (63u << 26) | (frt << 21) | (frb << 11) | (xo << 1); }
uint32_t mtfsfi(int field, int value) { return (63u << 26) | (field << 23) | (value << 12) | (134u << 1); }
uint32_t addic(int rd, int ra, int16_t imm) { return (12u << 26) | (rd << 21) | (ra << 16) | static_cast<uint16_t>(imm); }
uint32_t adde(int rd, int ra, int rb) { return xo_form(138, rd, ra, rb, false); }
uint32_t mfcr(int rd) { return (31u << 26) | (rd << 21) | (19u << 1); }

uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }

class Semantics : public ::testing::Test {
 protected:
  Semantics() : cpu(mem) {
    mem.set_protection(kCode, 0x10000, GuestMemory::kProtRWX);
    mem.set_protection(kData, 0x1000, GuestMemory::kProtRW);
    cpu.attach(ctx);
  }
  void run(std::vector<uint32_t> code) {
    code.push_back(kSc);
    for (size_t k = 0; k < code.size(); ++k) mem.write32(kCode + 4 * static_cast<uint32_t>(k), code[k]);
    ctx.pc = kCode;
    ExecResult r = cpu.run(ctx, 1000);
    ASSERT_EQ(r.reason, StopReason::kSyscall) << r.fault.message;
  }
  GuestMemory mem;
  Cpu cpu;
  PpcContext ctx;
};

TEST_F(Semantics, RecordFormCr0UsesTheLowWordOnTheConsole) {
  ctx.gpr[4] = 0x100000000ull;  // low word zero, value positive
  run({xo_form(266, 3, 4, 5, true), mfcr(6)});
  EXPECT_EQ(ctx.gpr[6] >> 28, 2u);  // EQ
  ctx.mode64 = true;
  run({xo_form(266, 3, 4, 5, true), mfcr(6)});
  EXPECT_EQ(ctx.gpr[6] >> 28, 4u);  // GT
}

TEST_F(Semantics, CarryComesFromTheLowWordOnTheConsole) {
  ctx.gpr[4] = 0xFFFFFFFFull;
  run({addic(3, 4, 1), adde(6, 0, 0)});
  EXPECT_EQ(ctx.gpr[3], 0x100000000ull);
  EXPECT_EQ(ctx.gpr[6], 1u);
  ctx.mode64 = true;
  ctx.gpr[4] = 0xFFFFFFFFull;
  ctx.xer = 0;
  run({addic(3, 4, 1), adde(6, 0, 0)});
  EXPECT_EQ(ctx.gpr[6], 0u);
}

TEST_F(Semantics, NaNsFollowPowerPcRules) {
  ctx.fpr[1] = 0x7FF0000000000001ull;  // signalling NaN with payload 1
  ctx.fpr[2] = bits(1.0);
  ctx.fpr[3] = 0x7FF8000000000002ull;
  ctx.fpr[4] = bits(INFINITY);
  ctx.fpr[5] = bits(-INFINITY);
  run({a_form(63, 21, 10, 1, 2, 0),    // fadd f10 = SNaN + 1 -> quieted SNaN
       a_form(63, 21, 11, 2, 3, 0),    // fadd f11 = 1 + QNaN -> that QNaN
       a_form(63, 21, 12, 4, 5, 0),    // fadd f12 = inf + -inf -> default NaN (positive)
       a_form(63, 25, 13, 3, 0, 1)});  // fmul f13 = QNaN(a) * SNaN(c) -> a
  EXPECT_EQ(ctx.fpr[10], 0x7FF8000000000001ull);
  EXPECT_EQ(ctx.fpr[11], 0x7FF8000000000002ull);
  EXPECT_EQ(ctx.fpr[12], 0x7FF8000000000000ull);
  EXPECT_EQ(ctx.fpr[13], 0x7FF8000000000002ull);
}

TEST_F(Semantics, SingleLoadKeepsSignallingNaNs) {
  mem.write32(kData, 0x7FA00000);
  ctx.gpr[4] = kData;
  run({(48u << 26) | (1u << 21) | (4u << 16)});  // lfs f1, 0(r4)
  EXPECT_EQ(ctx.fpr[1], 0x7FF4000000000000ull);
}

TEST_F(Semantics, SinglePrecisionResultsAreRoundedOnce) {
  // 1 + 2^-24 + 2^-53 rounds to 1 + 2^-23 as a single; rounding to double
  // first would give the tie 1 + 2^-24 and then 1.0.
  ctx.fpr[1] = bits(1.0 + std::ldexp(1.0, -24));
  ctx.fpr[2] = bits(std::ldexp(1.0, -53));
  run({a_form(59, 21, 3, 1, 2, 0)});  // fadds f3, f1, f2
  EXPECT_EQ(ctx.fpr[3], bits(1.0 + std::ldexp(1.0, -23)));
}

TEST_F(Semantics, RoundingModeFollowsFpscr) {
  ctx.fpr[1] = bits(2.5);
  ctx.fpr[2] = bits(-2.5);
  ctx.fpr[4] = bits(1.0);
  ctx.fpr[5] = bits(3.0);
  run({x63(14, 10, 1),                 // fctiw f10 (nearest even) -> 2
       mtfsfi(7, 2),                   // RN = toward +inf
       x63(14, 11, 1),                 // fctiw -> 3
       a_form(63, 18, 12, 4, 5, 0),    // fdiv 1/3 rounded up
       x63(15, 13, 2),                 // fctiwz -2.5 -> -2 (always toward zero)
       mtfsfi(7, 0)});
  EXPECT_EQ(ctx.fpr[10], 2u);
  EXPECT_EQ(ctx.fpr[11], 3u);
  EXPECT_EQ(ctx.fpr[12], bits(1.0 / 3.0) + 1);
  EXPECT_EQ(ctx.fpr[13], 0xFFFFFFFFFFFFFFFEull);
  EXPECT_EQ(std::fegetround(), FE_TONEAREST);  // host mode restored
}

TEST_F(Semantics, ConvertToIntegerSaturates) {
  ctx.fpr[1] = bits(1e20);
  ctx.fpr[2] = bits(-1e20);
  ctx.fpr[3] = 0x7FF8000000000000ull;
  run({x63(15, 10, 1), x63(15, 11, 2), x63(15, 12, 3)});
  EXPECT_EQ(ctx.fpr[10], 0x7FFFFFFFu);
  EXPECT_EQ(ctx.fpr[11], 0xFFFFFFFF80000000ull);
  EXPECT_EQ(ctx.fpr[12], 0xFFFFFFFF80000000ull);
}

TEST_F(Semantics, NegatedMultiplyAddOfAnExactZeroIsNegativeZero) {
  ctx.fpr[1] = bits(1.0);
  ctx.fpr[2] = bits(-1.0);
  run({a_form(63, 31, 3, 1, 2, 1)});  // fnmadd f3 = -(1*1 + -1)
  EXPECT_EQ(ctx.fpr[3], bits(-0.0));
}

}  // namespace
}  // namespace xdet::cpu

#if defined(__SSE__)
#include <xmmintrin.h>

namespace xdet::cpu {
namespace {

TEST_F(Semantics, DenormalsWorkEvenIfTheHostFlushesThem) {
  unsigned csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040);  // FTZ + DAZ, as some host code leaves it
  ctx.fpr[1] = 0x0000000000000003ull;  // denormal
  ctx.fpr[2] = 0x0000000000000001ull;
  run({a_form(63, 21, 3, 1, 2, 0)});  // fadd
  unsigned after = _mm_getcsr();
  _mm_setcsr(csr);
  EXPECT_EQ(ctx.fpr[3], 0x0000000000000004ull);
  EXPECT_EQ(after & 0x8040, 0x8040u);  // host mode restored
}

}  // namespace
}  // namespace xdet::cpu
#endif

namespace xdet::cpu {
namespace {

uint32_t mffs(int frt) { return (63u << 26) | (frt << 21) | (583u << 1); }

TEST_F(Semantics, FpscrRecordsExceptionsAndResultClass) {
  ctx.fpr[1] = bits(1.0);
  ctx.fpr[2] = bits(0.0);
  ctx.fpr[3] = bits(3.0);
  run({a_form(63, 18, 10, 1, 2, 0), mffs(20),    // 1/0: ZX, FX, +inf
       a_form(63, 18, 11, 2, 2, 0), mffs(21),    // 0/0: VXZDZ, VX, QNaN
       mtfsfi(0, 0), mtfsfi(1, 0), mtfsfi(2, 0), mtfsfi(4, 0), mtfsfi(5, 0),
       a_form(63, 18, 12, 1, 3, 0), mffs(22),    // 1/3: XX, FI, FX, +normal
       x63(14, 13, 11), mffs(23)});              // fctiw NaN: VXCVI
  constexpr uint32_t kFX = 1u << 31, kVX = 1u << 29, kZX = 1u << 26, kXX = 1u << 25, kVXZDZ = 1u << 21,
                     kFI = 1u << 17, kVXCVI = 1u << 8;
  EXPECT_EQ(static_cast<uint32_t>(ctx.fpr[20]), kFX | kZX | (0x05u << 12));
  EXPECT_EQ(static_cast<uint32_t>(ctx.fpr[21]), kFX | kZX | kVX | kVXZDZ | (0x11u << 12));
  EXPECT_EQ(static_cast<uint32_t>(ctx.fpr[22]), kFX | kXX | kFI | (0x04u << 12));
  EXPECT_EQ(static_cast<uint32_t>(ctx.fpr[23]), kFX | kXX | kVX | kVXCVI | (0x11u << 12));
}

}  // namespace
}  // namespace xdet::cpu
