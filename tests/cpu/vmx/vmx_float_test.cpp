// Vector float semantics: denormal flushing, NaN propagation and default
// NaN, signed zeros in min/max, conversions with saturation, rounding,
// estimates, the non-fused multiply-add, and float compares (CR6).
#include <cfenv>

#include "vmx_test_util.h"

namespace xdet::cpu::vmx_test {
namespace {

constexpr uint32_t kVaddfp = 10, kVsubfp = 74, kVmaxfp = 1034, kVminfp = 1098, kVctsxs = 970,
                   kVctuxs = 906, kVcfux = 778, kVcfsx = 842, kVrfin = 522, kVrfiz = 586, kVrfip = 650,
                   kVrfim = 714, kVrefp = 266, kVrsqrtefp = 330, kVexptefp = 394, kVlogefp = 458,
                   kVmaddfp = 46, kVnmsubfp = 47, kVcmpeqfp = 198, kVcmpgefp = 454, kVcmpbfp = 966;

class VmxFloatTest : public VmxTest {};

TEST_F(VmxFloatTest, DenormalsAreFlushedOnInputAndOutput) {
  ctx.vr[1] = V(0x00000001, 0x80081010, 0x007FFFFF, 0x00800001);
  ctx.vr[2] = V(0x00000000, 0x00000000, 0x00000000, 0x00800000);
  run(vx(kVaddfp, 3, 1, 2));
  expect_vr(3, V(0, 0, 0, 0x01000000));
  run(vx(kVsubfp, 3, 1, 2));  // -0 - +0 = -0; a 1-ulp difference of normals flushes
  expect_vr(3, V(0, 0x80000000, 0, 0));
  EXPECT_EQ(ctx.vscr, 0u);  // independent of VSCR[NJ]
}

TEST_F(VmxFloatTest, NanPropagationAndDefaultNan) {
  ctx.vr[1] = V(0x7F800203, 0x3F800000, 0x7FC00001, 0x7F800000);
  ctx.vr[2] = V(0x00000000, 0xFFFFFFFF, 0xFFC00002, 0x7F800000);
  run(vx(kVaddfp, 3, 1, 2));
  expect_vr(3, V(0x7FC00203, 0xFFFFFFFF, 0x7FC00001, 0x7F800000));
  run(vx(kVsubfp, 3, 1, 2));  // inf - inf: default QNaN, positive
  expect_vr(3, V(0x7FC00203, 0xFFFFFFFF, 0x7FC00001, 0x7FC00000));
  run(vx(kVaddfp, 3, 2, 1));  // operand order decides which NaN wins
  expect_vr(3, V(0x7FC00203, 0xFFFFFFFF, 0xFFC00002, 0x7F800000));
}

TEST_F(VmxFloatTest, MinMaxSignedZeroAndNan) {
  ctx.vr[1] = V(0x00000000, 0x80000000, 0x7FC00000, 0xBF800000);
  ctx.vr[2] = V(0x80000000, 0x00000000, 0x3F800000, 0x3F800000);
  run(vx(kVmaxfp, 3, 1, 2));
  expect_vr(3, V(0x00000000, 0x00000000, 0x7FC00000, 0x3F800000));
  run(vx(kVminfp, 3, 1, 2));
  expect_vr(3, V(0x80000000, 0x80000000, 0x7FC00000, 0xBF800000));
}

TEST_F(VmxFloatTest, FloatToIntSaturatesAndSetsSat) {
  ctx.vr[1] = V(0x7FC00000, 0xC0600000, 0xFF800001, 0x3F800000);  // NaNs convert to 0
  run(vx(kVctsxs, 3, 0, 1));
  expect_vr(3, V(0, 0xFFFFFFFD, 0, 1));
  EXPECT_EQ(ctx.vscr, 0u);  // ... without saturating
  ctx.vr[1] = V(0x7FC00000, 0x7F800000, 0x4F000000, 0xC0600000);  // NaN, inf, 2^31, -3.5
  run(vx(kVctsxs, 3, 0, 1));
  expect_vr(3, V(0, 0x7FFFFFFF, 0x7FFFFFFF, 0xFFFFFFFD));
  EXPECT_EQ(ctx.vscr, 1u);
  ctx.vscr = 0;
  ctx.vr[1] = V(0xBE800000, 0x3FC00000, 0x4F800000, 0x80000000);  // -0.25, 1.5, 2^32, -0
  run(vx(kVctuxs, 3, 1, 1));  // scale by 2^1
  expect_vr(3, V(0, 3, 0xFFFFFFFF, 0));
  EXPECT_EQ(ctx.vscr, 1u);  // from 2^33 only
  ctx.vscr = 0;
  ctx.vr[1] = V(0xBF000000, 0, 0, 0);
  run(vx(kVctuxs, 3, 0, 1));  // -0.5 truncates to 0: not a saturation
  EXPECT_EQ(ctx.vscr, 0u);
  ctx.vr[1] = V(0xBF800000, 0, 0, 0);
  run(vx(kVctuxs, 3, 0, 1));  // -1.0 saturates to 0
  EXPECT_EQ(ctx.vscr, 1u);
}

TEST_F(VmxFloatTest, IntToFloatScales) {
  ctx.vr[1] = V(0xFFFFFFFF, 1, 3, 0x80000000);
  run(vx(kVcfux, 3, 0, 1));
  expect_vr(3, V(0x4F800000, 0x3F800000, 0x40400000, 0x4F000000));
  run(vx(kVcfsx, 3, 1, 1));  // scaled by 2^-1
  expect_vr(3, V(0xBF000000, 0x3F000000, 0x3FC00000, 0xCE800000));
  run_asm("vcsxwfp128 v70, v1, 31");
  expect_vr(70, V(0xB0000000, 0x30000000, 0x30C00000, 0xBF800000));
  run_asm("vcfpsxws128 v71, v70, 31");
  expect_vr(71, V(0xFFFFFFFF, 1, 3, 0x80000000));
}

TEST_F(VmxFloatTest, RoundingModes) {
  ctx.vr[1] = V(0x40200000, 0x40600000, 0xBF000000, 0xBFD9999A);  // 2.5, 3.5, -0.5, -1.7
  run(vx(kVrfin, 3, 0, 1));
  expect_vr(3, V(0x40000000, 0x40800000, 0x80000000, 0xC0000000));
  run(vx(kVrfiz, 3, 0, 1));
  expect_vr(3, V(0x40000000, 0x40400000, 0x80000000, 0xBF800000));
  run(vx(kVrfip, 3, 0, 1));
  expect_vr(3, V(0x40400000, 0x40800000, 0x80000000, 0xBF800000));
  run(vx(kVrfim, 3, 0, 1));
  expect_vr(3, V(0x40000000, 0x40400000, 0xBF800000, 0xC0000000));
}

TEST_F(VmxFloatTest, Estimates) {
  ctx.vr[1] = V(0x40000000, 0x40800000, 0x80000000, 0xBF800000);  // 2, 4, -0, -1
  run(vx(kVrefp, 3, 0, 1));
  expect_vr(3, V(0x3F000000, 0x3E800000, 0xFF800000, 0xBF800000));
  run(vx(kVrsqrtefp, 3, 0, 1));
  expect_vr(3, V(0x3F3504F3, 0x3F000000, 0xFF800000, 0x7FC00000));
  ctx.vr[1] = V(0x41000000, 0xBF800000, 0x00000000, 0x7FA00000);  // 8, -1, 0, SNaN
  run(vx(kVlogefp, 3, 0, 1));
  expect_vr(3, V(0x40400000, 0x7FC00000, 0xFF800000, 0x7FE00000));
  run(vx(kVexptefp, 3, 0, 1));
  expect_vr(3, V(0x43800000, 0x3F000000, 0x3F800000, 0x7FE00000));
}

TEST_F(VmxFloatTest, MultiplyAddRoundsTheProduct) {
  // 1.1f*1.1f + 1.1f: fused would give 0x4013D70B; Xenon gives 0x4013D70A.
  ctx.vr[1] = V(0x3F8CCCCD, 0x3F800000, 0x40000000, 0x7F7FFFFF);
  ctx.vr[2] = V(0x3F8CCCCD, 0x3F800000, 0x3F800000, 0x7F7FFFFF);
  ctx.vr[4] = V(0x3F8CCCCD, 0x3F800000, 0x40000000, 0xFF800000);
  run(va(kVmaddfp, 3, 1, 4, 2));  // vD = vA*vC + vB = v1*v2 + v4
  expect_vr(3, V(0x4013D70A, 0x40000000, 0x40800000, 0x7FC00000));  // inf + -inf: default NaN
  run(va(kVnmsubfp, 3, 1, 4, 2));  // -(vA*vC - vB): exact zero becomes -0
  expect_vr(3, V(0xBDE147B0, 0x80000000, 0x80000000, 0xFF800000));
}

TEST_F(VmxFloatTest, FloatComparesAndCr6) {
  ctx.vr[1] = V(0x00000001, 0x3F800000, 0x7FC00000, 0x40000000);
  ctx.vr[2] = V(0x00000000, 0x3F800000, 0x7FC00000, 0x3F800000);
  run(vc(kVcmpeqfp, 3, 1, 2, true));  // denormal == 0; NaN != NaN
  expect_vr(3, V(0xFFFFFFFF, 0xFFFFFFFF, 0, 0));
  EXPECT_EQ(cr6(), 0u);
  run(vc(kVcmpgefp, 3, 1, 2, true));
  expect_vr(3, V(0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF));
  EXPECT_EQ(cr6(), 0u);
  // vcmpbfp: bit 0 = a > b, bit 1 = a < -b; NaN sets both.
  ctx.vr[1] = V(0x40E00000, 0xC0E00000, 0x7FC00000, 0x40A00000);
  ctx.vr[2] = V(0x40A00000, 0x40A00000, 0x40A00000, 0x40A00000);
  run(vc(kVcmpbfp, 3, 1, 2, true));
  expect_vr(3, V(0x80000000, 0x40000000, 0xC0000000, 0));
  EXPECT_EQ(cr6(), 0u);
  ctx.vr[1] = V(0, 0x80000000, 0x40A00000, 0xC0A00000);
  run(vc(kVcmpbfp, 3, 1, 2, true));
  EXPECT_EQ(cr6(), 2u);  // all in bounds
  ctx.cr = 0;
  run_asm("vcmpgtfp128. v90, v2, v1");
  expect_vr(90, V(0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF));
  EXPECT_EQ(cr6(), 0u);
  run_asm("vcmpeqfp128. v91, v2, v2");
  EXPECT_EQ(cr6(), 8u);
  run_asm("vcmpbfp128. v92, v1, v2");
  EXPECT_EQ(cr6(), 2u);
}

}  // namespace
}  // namespace xdet::cpu::vmx_test

namespace xdet::cpu::vmx_test {
namespace {

// While guest code runs, the core keeps the host rounding mode equal to
// FPSCR[RN]; vector arithmetic must still round to nearest.
TEST_F(VmxFloatTest, IgnoresFpscrRoundingMode) {
  const int saved = std::fegetround();
  for (uint32_t rn : {1u, 2u, 3u}) {
    ctx.fpscr = rn;
    std::fesetround(rn == 1 ? FE_TOWARDZERO : rn == 2 ? FE_UPWARD : FE_DOWNWARD);
    ctx.vr[1] = V(0x3F800000, 0xBF800000, 0x40200000, 0xFFFFFFFF);  // 1, -1, 2.5, -
    ctx.vr[2] = V(0x33C00000, 0xB3C00000, 0, 0);                    // 1.5 * 2^-24
    run(vx(kVaddfp, 3, 1, 2));  // 1 + 1.5 ulp/2 rounds to nearest: 1 + 2^-23
    EXPECT_EQ(ctx.vr[3].w[0], 0x3F800001u) << "rn " << rn;
    EXPECT_EQ(ctx.vr[3].w[1], 0xBF800001u) << "rn " << rn;
    run(vx(kVrfin, 4, 0, 1));  // 2.5 -> 2 (nearest even)
    EXPECT_EQ(ctx.vr[4].w[2], 0x40000000u) << "rn " << rn;
    run(vx(kVcfux, 5, 0, 1));  // 0xFFFFFFFF -> 2^32
    EXPECT_EQ(ctx.vr[5].w[3], 0x4F800000u) << "rn " << rn;
    EXPECT_EQ(std::fegetround(), rn == 1 ? FE_TOWARDZERO : rn == 2 ? FE_UPWARD : FE_DOWNWARD);
  }
  std::fesetround(saved);
  ctx.fpscr = 0;
}

}  // namespace
}  // namespace xdet::cpu::vmx_test
