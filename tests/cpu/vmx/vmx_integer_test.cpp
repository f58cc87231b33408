// Integer arithmetic, saturation/VSCR[SAT], logical, shifts, permutes,
// packs/unpacks and integer compares with their CR6 record forms.
#include "cpu/vmx/vmx_ops.h"
#include "vmx_test_util.h"

namespace xdet::cpu::vmx_test {
namespace {

class VmxIntTest : public VmxTest {};

TEST_F(VmxIntTest, SaturatingAddSetsStickySat) {
  ctx.vr[1] = V(0x7FFF8001, 0x00010002, 0, 0);
  ctx.vr[2] = V(0x00018001, 0x00010002, 0, 0);
  run(vx(832, 3, 1, 2));  // vaddshs
  expect_vr(3, V(0x7FFF8000, 0x00020004, 0, 0));
  EXPECT_EQ(ctx.vscr & 1, 1u);
  ctx.vr[1] = V(1, 2, 3, 4);
  run(vx(832, 3, 1, 1));  // no saturation: SAT stays set (sticky)
  EXPECT_EQ(ctx.vscr & 1, 1u);
  ctx.vscr = 0;
  run(vx(832, 3, 1, 1));
  EXPECT_EQ(ctx.vscr, 0u);
  // Unsigned byte add/sub saturation.
  ctx.vr[1] = V(0xFF0180FE, 0, 0, 0);
  ctx.vr[2] = V(0x01FF8001, 0, 0, 0);
  run(vx(512, 3, 1, 2));  // vaddubs
  expect_vr(3, V(0xFFFFFFFF, 0, 0, 0));
  run(vx(1536, 3, 2, 1));  // vsububs: b - a
  expect_vr(3, V(0x00FE0000, 0, 0, 0));
  // Signed word saturation both ways.
  ctx.vscr = 0;
  ctx.vr[1] = V(0x7FFFFFFF, 0x80000000, 5, 0xFFFFFFFF);
  ctx.vr[2] = V(1, 0xFFFFFFFF, 0xFFFFFFFB, 1);
  run(vx(896, 3, 1, 2));  // vaddsws
  expect_vr(3, V(0x7FFFFFFF, 0x80000000, 0, 0));
  EXPECT_EQ(ctx.vscr, 1u);
}

TEST_F(VmxIntTest, CarryAverageMultiply) {
  ctx.vr[1] = V(0xFFFFFFFF, 1, 0x80000000, 0);
  ctx.vr[2] = V(1, 1, 0x80000000, 0);
  run(vx(384, 3, 1, 2));  // vaddcuw
  expect_vr(3, V(1, 0, 1, 0));
  run(vx(1408, 3, 1, 2));  // vsubcuw: 1 if a >= b
  expect_vr(3, V(1, 1, 1, 1));
  ctx.vr[1] = V(0x80FF7F01, 0, 0, 0);
  ctx.vr[2] = V(0x80FE7F00, 0, 0, 0);
  run(vx(1282, 3, 1, 2));  // vavgsb: (a + b + 1) >> 1, signed
  expect_vr(3, V(0x80FF7F01, 0, 0, 0));
  run(vx(1026, 3, 1, 2));  // vavgub
  expect_vr(3, V(0x80FF7F01, 0, 0, 0));
  ctx.vr[1] = V(0xFFFF0002, 0x7FFF0003, 0, 0);
  ctx.vr[2] = V(0x00030004, 0x7FFF0005, 0, 0);
  run(vx(840, 3, 1, 2));  // vmulesh: even halves, signed
  expect_vr(3, V(0xFFFFFFFD, 0x3FFF0001, 0, 0));
  run(vx(72, 3, 1, 2));  // vmulouh: odd halves, unsigned
  expect_vr(3, V(8, 15, 0, 0));
}

TEST_F(VmxIntTest, MultiplyHighAndSums) {
  ctx.vscr = 0;
  ctx.vr[1] = V(0x40000000, 0x7FFF8000, 0, 0);
  ctx.vr[2] = V(0x40000000, 0x7FFF8000, 0, 0);
  ctx.vr[4] = V(0x00010000, 0x00007FFF, 0, 0);
  run(va(32, 3, 1, 2, 4));  // vmhaddshs: (a*b >> 15) + c
  expect_vr(3, V(0x20010000, 0x7FFE7FFF, 0, 0));
  EXPECT_EQ(ctx.vscr, 1u);  // 0x8000*0x8000>>15 = 0x8000 + 0x7FFF saturates
  ctx.vr[1] = V(0x01020304, 0, 0, 0);
  ctx.vr[2] = V(0x01010101, 0, 0, 0);
  ctx.vr[4] = V(100, 0, 0, 0);
  run(va(36, 3, 1, 2, 4));  // vmsumubm
  expect_vr(3, V(110, 0, 0, 0));
  ctx.vscr = 0;
  ctx.vr[1] = V(0x7FFF7FFF, 0, 0, 0);
  ctx.vr[2] = V(0x7FFF7FFF, 0, 0, 0);
  ctx.vr[4] = V(0x7FFFFFFF, 0, 0, 0);
  run(va(41, 3, 1, 2, 4));  // vmsumshs saturates
  expect_vr(3, V(0x7FFFFFFF, 0, 0, 0));
  EXPECT_EQ(ctx.vscr, 1u);
  run(va(40, 3, 1, 2, 4));  // vmsumshm wraps
  expect_vr(3, V(0x7FFFFFFFu + 2u * 0x3FFF0001u, 0, 0, 0));
  ctx.vscr = 0;
  ctx.vr[1] = V(1, 2, 3, 4);
  ctx.vr[2] = V(0, 10, 0, 20);
  run(vx(1672, 3, 1, 2));  // vsum2sws
  expect_vr(3, V(0, 13, 0, 27));
  run(vx(1928, 3, 1, 2));  // vsumsws
  expect_vr(3, V(0, 0, 0, 30));
  EXPECT_EQ(ctx.vscr, 0u);
}

TEST_F(VmxIntTest, ShiftsAndRotates) {
  ctx.vr[1] = V(0x80000001, 0x12345678, 0xF0000000, 0x00000001);
  ctx.vr[2] = V(1, 4, 36, 31);  // counts mod 32
  run(vx(132, 3, 1, 2));  // vrlw
  expect_vr(3, V(0x00000003, 0x23456781, 0x0000000F, 0x80000000));
  run(vx(900, 3, 1, 2));  // vsraw
  expect_vr(3, V(0xC0000000, 0x01234567, 0xFF000000, 0));
  ctx.vr[1] = V(0x00112233, 0x44556677, 0x8899AABB, 0xCCDDEEFF);
  ctx.vr[2] = V(0, 0, 0, 0x0000001C);  // vsl uses the low 3 bits of byte 15 (4)
  run(vx(452, 3, 1, 2));
  expect_vr(3, V(0x01122334, 0x45566778, 0x899AABBC, 0xCDDEEFF0));
  ctx.vr[2] = V(0, 0, 0, 0x00000018);  // vsro: (0x18 >> 3) & 15 = 3 octets
  run(vx(1100, 3, 1, 2));
  expect_vr(3, V(0x00000000, 0x11223344, 0x55667788, 0x99AABBCC));
}

TEST_F(VmxIntTest, PermuteSelectSldoiAndMerges) {
  ctx.vr[1] = V(0x00010203, 0x04050607, 0x08090A0B, 0x0C0D0E0F);
  ctx.vr[2] = V(0x10111213, 0x14151617, 0x18191A1B, 0x1C1D1E1F);
  ctx.vr[4] = V(0x1F00E110, 0x0F3F2001, 0x02030405, 0x06070809);  // indices use 5 bits
  run(va(43, 3, 1, 2, 4));  // vperm
  expect_vr(3, V(0x1F000110, 0x0F1F0001, 0x02030405, 0x06070809));
  run(va(44, 3, 1, 2, 12));  // vsldoi 12
  expect_vr(3, V(0x0C0D0E0F, 0x10111213, 0x14151617, 0x18191A1B));
  ctx.vr[4] = V(0xFFFF0000, 0x0000FFFF, 0xF0F0F0F0, 0);
  run(va(42, 3, 1, 2, 4));  // vsel
  expect_vr(3, V(0x10110203, 0x04051617, 0x18191A1B, 0x0C0D0E0F));
  run(vx(12, 3, 1, 2));  // vmrghb
  expect_vr(3, V(0x00100111, 0x02120313, 0x04140515, 0x06160717));
  run(vx(332, 3, 1, 2));  // vmrglh
  expect_vr(3, V(0x08091819, 0x0A0B1A1B, 0x0C0D1C1D, 0x0E0F1E1F));
  ctx.vr[4] = V(0x1F00E110, 0x0F3F2001, 0x02030405, 0x06070809);
  run_asm("vperm128 v100, v1, v2, v4");
  expect_vr(100, V(0x1F000110, 0x0F1F0001, 0x02030405, 0x06070809));
}

TEST_F(VmxIntTest, SplatsUseTheirImmediate) {
  ctx.vr[2] = V(0x00010203, 0x04050607, 0x08090A0B, 0x0C0D0E0F);
  run(vx(524, 3, 13, 2));  // vspltb byte 13
  expect_vr(3, V(0x0D0D0D0D, 0x0D0D0D0D, 0x0D0D0D0D, 0x0D0D0D0D));
  run(vx(844, 3, 0x10, 0));  // vspltish -16
  expect_vr(3, V(0xFFF0FFF0, 0xFFF0FFF0, 0xFFF0FFF0, 0xFFF0FFF0));
  run(vx(908, 3, 0x0F, 0));  // vspltisw 15
  expect_vr(3, V(15, 15, 15, 15));
  run_asm("vspltisw128 v90, -1");
  expect_vr(90, V(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF));
  run_asm("vspltw128 v91, v2, 2");
  expect_vr(91, V(0x08090A0B, 0x08090A0B, 0x08090A0B, 0x08090A0B));
}

TEST_F(VmxIntTest, PacksSaturateAndUnpacksSignExtend) {
  ctx.vscr = 0;
  ctx.vr[1] = V(0xFFFFFFFF, 0xFFFF8000, 0x00000000, 0x00007FFF);
  ctx.vr[2] = V(0xFFFFFFFE, 0xFFFF7FFF, 0x00000001, 0x00008000);
  run(vx(462, 3, 1, 2));  // vpkswss
  expect_vr(3, V(0xFFFF8000, 0x00007FFF, 0xFFFE8000, 0x00017FFF));
  EXPECT_EQ(ctx.vscr, 1u);
  ctx.vscr = 0;
  run(vx(334, 3, 1, 2));  // vpkswus
  expect_vr(3, V(0x00000000, 0x00007FFF, 0x00000000, 0x00018000));
  EXPECT_EQ(ctx.vscr, 1u);
  ctx.vscr = 0;
  run(vx(78, 3, 1, 2));  // vpkuwum: modulo, no SAT
  expect_vr(3, V(0xFFFF8000, 0x00007FFF, 0xFFFE7FFF, 0x00018000));
  EXPECT_EQ(ctx.vscr, 0u);
  // Pixel pack/unpack round trip (1:5:5:5).
  ctx.vr[1] = V(0x01F8F8F8, 0x00080808, 0xFF000000, 0x0010A0C8);
  run(vx(782, 3, 1, 1));  // vpkpx
  expect_vr(3, V(0xFFFF0421, 0x80000A99, 0xFFFF0421, 0x80000A99));
  run(vx(846, 4, 0, 3));  // vupkhpx
  expect_vr(4, V(0xFF1F1F1F, 0x00010101, 0xFF000000, 0x00021419));
  ctx.vr[2] = V(0x80017F00, 0xFF010203, 0, 0);
  run(vx(526, 3, 0, 2));  // vupkhsb
  expect_vr(3, V(0xFF800001, 0x007F0000, 0xFFFF0001, 0x00020003));
  run(vx(590, 3, 0, 2));  // vupkhsh
  expect_vr(3, V(0xFFFF8001, 0x00007F00, 0xFFFFFF01, 0x00000203));
  run_asm("vupkhsh128 v70, v2");
  expect_vr(70, V(0xFFFF8001, 0x00007F00, 0xFFFFFF01, 0x00000203));
  run_asm("vupklsb128 v71, v2");
  expect_vr(71, V(0, 0, 0, 0));
}

TEST_F(VmxIntTest, IntegerCompareRecordFormsSetCr6) {
  ctx.cr = 0xFFFFFFFF;
  ctx.vr[1] = V(1, 2, 3, 4);
  ctx.vr[2] = V(1, 2, 3, 4);
  run(vc(134, 3, 1, 2, true));  // vcmpequw.
  expect_vr(3, V(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF));
  EXPECT_EQ(cr6(), 0x8u);
  EXPECT_EQ(ctx.cr | 0xF0u, 0xFFFFFFFFu);  // other fields untouched
  ctx.vr[2] = V(1, 2, 3, 5);
  run(vc(134, 3, 1, 2, true));
  EXPECT_EQ(cr6(), 0x0u);
  run(vc(902, 3, 1, 2, true));  // vcmpgtsw.: none greater
  expect_vr(3, V(0, 0, 0, 0));
  EXPECT_EQ(cr6(), 0x2u);
  ctx.cr = 0;
  ctx.vr[1] = V(0x80FF0001, 0, 0, 0);
  ctx.vr[2] = V(0x7F000000, 0, 0, 0);
  run(vc(774, 3, 1, 2, false));  // vcmpgtsb (no record: CR untouched)
  expect_vr(3, V(0x000000FF, 0, 0, 0));
  run(vc(518, 3, 1, 2, false));  // vcmpgtub
  expect_vr(3, V(0xFFFF00FF, 0, 0, 0));
  EXPECT_EQ(ctx.cr, 0u);
  run_asm("vcmpequw128. v100, v1, v1");
  EXPECT_EQ(cr6(), 0x8u);
}

}  // namespace
}  // namespace xdet::cpu::vmx_test

namespace xdet::cpu::vmx_test {
namespace {

// The decoder may pick a host-specific vperm; both versions must agree.
TEST_F(VmxIntTest, PortableAndHostVpermAgree) {
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1664525u + 1013904223u;
    return seed;
  };
  for (int n = 0; n < 200; ++n) {
    for (int r = 1; r <= 3; ++r) ctx.vr[r] = V(next(), next(), next(), next());
    DecodedInsn insn{};
    insn.word = va(43, 4, 1, 2, 3);
    vmx::h_vperm(ctx, insn);
    vmx::h_vperm_ssse3(ctx, (insn.word = va(43, 5, 1, 2, 3), insn));
    ASSERT_EQ(hex(ctx.vr[4]), hex(ctx.vr[5])) << "sel " << hex(ctx.vr[3]);
  }
}

}  // namespace
}  // namespace xdet::cpu::vmx_test
