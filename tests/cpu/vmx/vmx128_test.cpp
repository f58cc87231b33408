// VMX128-only operations: Direct3D pack/unpack, vrlimi128, vpermwi128, the
// dot products and the accumulating multiply-add forms.
#include <bit>

#include "cpu/vmx/vmx_d3d.h"
#include "vmx_test_util.h"

namespace xdet::cpu::vmx_test {
namespace {

class Vmx128Test : public VmxTest {};

TEST_F(Vmx128Test, UnpackD3dTypes) {
  struct Case {
    uint32_t imm;
    Vec128 in, out;
  } cases[] = {
      {0, V(0, 0, 0, 0x04010203), V(0x3F800001, 0x3F800002, 0x3F800003, 0x3F800004)},
      {4, V(0, 0, 0, 0x7FFF8001), V(0x40407FFF, 0x403F8001, 0, 0x3F800000)},
      {4, V(0, 0, 0, 0x00008000), V(0x40400000, 0x7FC00000, 0, 0x3F800000)},
      {8, V(0, 0, 0, 0x40000201), V(0x403FFE01, 0x40400000, 0x40400000, 0x3F800001)},
      {8, V(0, 0, 0, 0xC0000A00), V(0x7FC00000, 0x40400002, 0x40400000, 0x3F800003)},
      {12, V(0, 0, 0, 0x3800B800), V(0x3F000000, 0xBF000000, 0, 0x3F800000)},
      {16, V(0, 0, 0x7FFFFFFF, 0x007FFFF8), V(0x40407FFF, 0x403FFFFF, 0x4040007F, 0x403FFFF8)},
      {20, V(0, 0, 0x3800B801, 0x7FFF0001), V(0x3F000000, 0xBF002000, 0x47FFE000, 0x33800000)},
      // NORMPACKED64: x = 1, y = -1, z = most negative (NaN), w = 15
      {24, V(0, 0, 0xF80000FF, 0xFFF00001), V(0x40400001, 0x403FFFFF, 0x7FC00000, 0x3F80000F)},
  };
  for (const Case& c : cases) {
    ctx.vr[100] = c.in;
    char stmt[64];
    std::snprintf(stmt, sizeof stmt, "vupkd3d128 v101, v100, %u", c.imm);
    run_asm(stmt);
    EXPECT_EQ(hex(ctx.vr[101]), hex(c.out)) << stmt << " in " << hex(c.in);
  }
}

TEST(Vmx128D3d, PackSaturatesAndRoundTrips) {
  using vmx::d3d_pack;
  using vmx::d3d_unpack;
  // D3DCOLOR: 3.0-biased inputs; NaN and below-range pack as 0, above as 0xFF.
  EXPECT_EQ(d3d_pack(V(0x40400001, 0x7FC00000, 0x3F800000, 0x40400104), 0).w[3], 0xFF010000u);
  EXPECT_EQ(d3d_pack(V(0x404000AB, 0x404000CD, 0x404000EF, 0x40400012), 0).w[3], 0x12ABCDEFu);
  // Signed types: unpack then pack is the identity (except the NaN code).
  for (uint32_t word : {0x7FFF8001u, 0x00010002u, 0x12345678u}) {
    EXPECT_EQ(d3d_pack(d3d_unpack(V(0, 0, 0, word), 1), 1).w[3], word) << std::hex << word;
    EXPECT_EQ(d3d_pack(d3d_unpack(V(0, 0, word, ~word & 0x7FFF7FFF), 4), 4).w[2], word);
  }
  // Saturation of shorts; a NaN packs as the lower bound.
  EXPECT_EQ(d3d_pack(V(0x40500000, 0x40300000, 0, 0), 1).w[3], 0x7FFF8001u);
  EXPECT_EQ(d3d_pack(V(0x7FC00000, 0x40400000, 0, 0), 1).w[3], 0x80010000u);
  // 2:10:10:10 with w biased at 3.0.
  EXPECT_EQ(d3d_pack(V(0x404001FF, 0x403FFE01, 0x40400005, 0x40400003), 2).w[3],
            (3u << 30) | (5u << 20) | (0x201u << 10) | 0x1FFu);
  // Halves: truncation, Xenos range (no inf), flushed denormals.
  EXPECT_EQ(vmx::float_to_xenos_half(0.5f), 0x3800u);
  EXPECT_EQ(vmx::float_to_xenos_half(-65504.0f), 0xFBFFu);
  EXPECT_EQ(vmx::float_to_xenos_half(131008.0f), 0x7FFFu);
  EXPECT_EQ(vmx::float_to_xenos_half(1e9f), 0x7FFFu);
  EXPECT_EQ(vmx::float_to_xenos_half(std::bit_cast<float>(0x7F800000u)), 0x7FFFu);
  EXPECT_EQ(vmx::float_to_xenos_half(1e-6f), 0x0000u);
  EXPECT_EQ(vmx::float_to_xenos_half(std::bit_cast<float>(0x3F801FFFu)), 0x3C00u);  // truncates
  EXPECT_EQ(std::bit_cast<uint32_t>(vmx::xenos_half_to_float(0x7FFF)), 0x47FFE000u);
  EXPECT_EQ(std::bit_cast<uint32_t>(vmx::xenos_half_to_float(0x0001)), 0x33800000u);
  const Vec128 h = d3d_pack(V(0x3F000000, 0xBF000000, 0x40000000, 0xC0800000), 5);
  EXPECT_EQ(hex(h), hex(V(0, 0, 0x3800B800, 0x4000C400)));
  EXPECT_EQ(hex(d3d_unpack(h, 5)), hex(V(0x3F000000, 0xBF000000, 0x40000000, 0xC0800000)));
  // 4:20:20:20
  const Vec128 p = d3d_pack(V(0x40400001, 0x403FFFFF, 0x40380001, 0x4040000F), 6);
  EXPECT_EQ(hex(d3d_unpack(p, 6)), hex(V(0x40400001, 0x403FFFFF, 0x40380001, 0x3F80000F)));
}

TEST_F(Vmx128Test, PackD3dInsertionModes) {
  ctx.vr[4] = V(0x40400001, 0x40400002, 0x40400003, 0x40400004);  // shorts 1, 2, 3, 4
  const Vec128 base = V(0xCCCCCCCC, 0xCCCCCCCC, 0xCCCCCCCC, 0xCCCCCCCC);
  const uint32_t s2 = 0x00010002, s4a = 0x00010002, s4b = 0x00030004;
  const uint32_t c = 0xCCCCCCCC;
  struct Case {
    const char* stmt;
    Vec128 out;
  } cases[] = {
      {"vpkd3d128 v3, v4, 1, 1, 0", V(c, c, c, s2)},
      {"vpkd3d128 v3, v4, 1, 1, 1", V(c, c, s2, c)},
      {"vpkd3d128 v3, v4, 1, 1, 2", V(c, s2, c, c)},
      {"vpkd3d128 v3, v4, 1, 1, 3", V(s2, c, c, c)},
      {"vpkd3d128 v3, v4, 4, 2, 0", V(c, c, s4a, s4b)},
      {"vpkd3d128 v3, v4, 4, 2, 1", V(c, s4a, s4b, c)},
      {"vpkd3d128 v3, v4, 4, 2, 2", V(s4a, s4b, c, c)},
      {"vpkd3d128 v3, v4, 4, 2, 3", V(s4b, c, c, c)},
      {"vpkd3d128 v3, v4, 4, 3, 3", V(c, c, c, s4a)},
  };
  for (const Case& k : cases) {
    ctx.vr[3] = base;
    run_asm(k.stmt);
    EXPECT_EQ(hex(ctx.vr[3]), hex(k.out)) << k.stmt;
  }
}

TEST_F(Vmx128Test, RotateInsertAndPermuteWords) {
  ctx.vr[70] = V(0x00010203, 0x04050607, 0x08090A0B, 0x0C0D0E0F);
  ctx.vr[71] = V(0xCCCCCCCC, 0xCCCCCCCC, 0xCCCCCCCC, 0xCCCCCCCC);
  run_asm("vrlimi128 v71, v70, 0x9, 1");  // words 0 and 3 of vB rotated left by 1
  expect_vr(71, V(0x04050607, 0xCCCCCCCC, 0xCCCCCCCC, 0x00010203));
  run_asm("vpermwi128 v72, v70, 0x4E");  // 01 00 11 10 -> words 1, 0, 3, 2
  expect_vr(72, V(0x04050607, 0x00010203, 0x0C0D0E0F, 0x08090A0B));
  run_asm("vpermwi128 v72, v72, 0xFF");
  expect_vr(72, V(0x08090A0B, 0x08090A0B, 0x08090A0B, 0x08090A0B));
}

TEST_F(Vmx128Test, DotProductsSplatTheSum) {
  ctx.vr[1] = V(0x3F800000, 0x40000000, 0x40400000, 0x41200000);  // 1, 2, 3, 10
  ctx.vr[2] = V(0x40800000, 0x40A00000, 0x40C00000, 0x41200000);  // 4, 5, 6, 10
  run_asm("vmsum3fp128 v3, v1, v2");  // 4 + 10 + 18 = 32, w ignored
  expect_vr(3, V(0x42000000, 0x42000000, 0x42000000, 0x42000000));
  run_asm("vmsum4fp128 v3, v1, v2");  // + 100 = 132
  expect_vr(3, V(0x43040000, 0x43040000, 0x43040000, 0x43040000));
  ctx.vr[2].w[3] = 0x7FC00123;
  run_asm("vmsum3fp128 v3, v1, v2");  // NaN in the ignored lane does not matter
  expect_vr(3, V(0x42000000, 0x42000000, 0x42000000, 0x42000000));
  run_asm("vmsum4fp128 v3, v1, v2");
  expect_vr(3, V(0x7FC00123, 0x7FC00123, 0x7FC00123, 0x7FC00123));
  // Pairwise single-precision sums: (1 + 2^-24) + (2^-24 + 0) rounds to 1.0
  // at each step (an exact sum would give 1 + 2^-23).
  ctx.vr[1] = V(0x3F800000, 0x33800000, 0x33800000, 0);
  ctx.vr[2] = V(0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000);
  run_asm("vmsum4fp128 v3, v1, v2");
  expect_vr(3, V(0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000));
  run_asm("vmsum3fp128 v3, v1, v2");
  expect_vr(3, V(0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000));
}

TEST_F(Vmx128Test, AccumulatingFormsUseTheDestination) {
  ctx.vr[1] = V(0x40000000, 0x40000000, 0x40000000, 0x40000000);  // 2
  ctx.vr[2] = V(0x40400000, 0x40400000, 0x40400000, 0x40400000);  // 3
  ctx.vr[90] = V(0x3F800000, 0x3F800000, 0x3F800000, 0x3F800000);  // 1
  run_asm("vmaddfp128 v90, v1, v2, v90");  // 2*3 + 1 = 7
  expect_vr(90, V(0x40E00000, 0x40E00000, 0x40E00000, 0x40E00000));
  run_asm("vmaddcfp128 v90, v1, v90, v2");  // 2*7 + 3 = 17
  expect_vr(90, V(0x41880000, 0x41880000, 0x41880000, 0x41880000));
  run_asm("vnmsubfp128 v90, v1, v2");  // -(2*3 - 17) = 11
  expect_vr(90, V(0x41300000, 0x41300000, 0x41300000, 0x41300000));
  run_asm("vmulfp128 v91, v1, v2");
  expect_vr(91, V(0x40C00000, 0x40C00000, 0x40C00000, 0x40C00000));
  ctx.vr[92] = V(0xFFFF0000, 0, 0xFFFFFFFF, 0x0F0F0F0F);
  ctx.vr[5] = V(0x11111111, 0x22222222, 0x33333333, 0x44444444);
  ctx.vr[6] = V(0xAAAAAAAA, 0xBBBBBBBB, 0xCCCCCCCC, 0xDDDDDDDD);
  run_asm("vsel128 v92, v5, v6, v92");
  expect_vr(92, V(0xAAAA1111, 0x22222222, 0xCCCCCCCC, 0x4D4D4D4D));
}

}  // namespace
}  // namespace xdet::cpu::vmx_test
