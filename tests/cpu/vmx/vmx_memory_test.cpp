// Vector loads/stores, lvsl/lvsr and VSCR moves.
#include "vmx_test_util.h"

namespace xdet::cpu::vmx_test {
namespace {

constexpr uint32_t kLvx = 103, kLvebx = 7, kLvehx = 39, kLvewx = 71, kStvx = 231, kStvebx = 135,
                   kStvehx = 167, kStvewx = 199, kLvsl = 6, kLvsr = 38, kLvlx = 519, kLvrx = 551,
                   kStvlx = 647, kStvrx = 679, kLvxl = 359, kLvrxl = 807;

class VmxMemoryTest : public VmxTest {
 protected:
  void fill_ramp(uint32_t addr, int n, uint8_t first) {
    for (int i = 0; i < n; ++i) mem.write8(addr + i, static_cast<uint8_t>(first + i));
  }
  std::string bytes(uint32_t addr, int n) {
    std::string s;
    char b[4];
    for (int i = 0; i < n; ++i) {
      std::snprintf(b, sizeof b, "%02X", mem.read8(addr + i));
      s += b;
    }
    return s;
  }
};

TEST_F(VmxMemoryTest, LvxIgnoresLowAddressBitsAndElementLoadsFillTheQuad) {
  fill_ramp(kScratch + 0x100, 16, 0x00);
  ctx.gpr[4] = kScratch + 0x100;
  ctx.gpr[5] = 0x7;
  for (uint32_t xo : {kLvx, kLvxl, kLvebx, kLvehx, kLvewx}) {
    ctx.vr[3] = V(0, 0, 0, 0);
    run(x31(xo, 3, 4, 5));  // EA = 0x...107 -> aligned down
    expect_vr(3, V(0x00010203, 0x04050607, 0x08090A0B, 0x0C0D0E0F));
  }
  // RA = 0 means a zero base, not r0.
  ctx.gpr[0] = 0x1234;
  ctx.gpr[5] = kScratch + 0x10F;
  run(x31(kLvx, 3, 0, 5));
  expect_vr(3, V(0x00010203, 0x04050607, 0x08090A0B, 0x0C0D0E0F));
}

TEST_F(VmxMemoryTest, ElementStoresWriteOnlyTheirElement) {
  ctx.vr[3] = V(0x00112233, 0x44556677, 0x8899AABB, 0xCCDDEEFF);
  ctx.gpr[4] = kScratch + 0x200;
  ctx.gpr[5] = 5;
  run(x31(kStvebx, 3, 4, 5));
  EXPECT_EQ(bytes(kScratch + 0x200, 8), "0000000000550000");
  ctx.gpr[5] = 0x0B;  // halfword store aligns down to 0x0A
  run(x31(kStvehx, 3, 4, 5));
  EXPECT_EQ(bytes(kScratch + 0x208, 8), "0000AABB00000000");
  ctx.gpr[5] = 0x0E;  // word store aligns down to 0x0C
  run(x31(kStvewx, 3, 4, 5));
  EXPECT_EQ(bytes(kScratch + 0x208, 8), "0000AABBCCDDEEFF");
  ctx.gpr[5] = 0x17;  // stvewx128: word 1 of the block at 0x...210
  run_asm("stvewx128 v3, r4, r5");
  EXPECT_EQ(bytes(kScratch + 0x210, 12), "000000004455667700000000");
}

TEST_F(VmxMemoryTest, StvxStoresAlignedQuad) {
  ctx.vr[70] = V(0x01020304, 0x05060708, 0x090A0B0C, 0x0D0E0F10);
  ctx.gpr[4] = kScratch + 0x30C;
  run_asm("stvx128 v70, r0, r4");
  EXPECT_EQ(bytes(kScratch + 0x300, 16), "0102030405060708090A0B0C0D0E0F10");
  ctx.vr[7] = V(0, 0, 0, 0);
  run(x31(kStvx, 7, 0, 4));
  EXPECT_EQ(bytes(kScratch + 0x300, 16), "00000000000000000000000000000000");
}

TEST_F(VmxMemoryTest, LvslLvsrShiftVectors) {
  ctx.gpr[4] = 0x1073;
  run(x31(kLvsl, 3, 4, 0));
  expect_vr(3, V(0x03040506, 0x0708090A, 0x0B0C0D0E, 0x0F101112));
  run(x31(kLvsr, 3, 4, 0));
  expect_vr(3, V(0x0D0E0F10, 0x11121314, 0x15161718, 0x191A1B1C));
  ctx.gpr[4] = 0x1070;
  run(x31(kLvsr, 3, 4, 0));
  expect_vr(3, V(0x10111213, 0x14151617, 0x18191A1B, 0x1C1D1E1F));
  run_asm("lvsl128 v99, r0, r4");
  expect_vr(99, V(0x00010203, 0x04050607, 0x08090A0B, 0x0C0D0E0F));
}

TEST_F(VmxMemoryTest, LvlxLvrxAtEveryAlignmentReassembleUnalignedData) {
  fill_ramp(kScratch + 0x400, 48, 0x40);
  for (uint32_t off = 0; off < 16; ++off) {
    const uint32_t ea = kScratch + 0x410 + off;
    ctx.gpr[4] = ea;
    ctx.gpr[5] = 16;
    run(x31(kLvlx, 1, 4, 0));
    run(x31(kLvrx, 2, 4, 5));  // EA + 16
    // lvlx: bytes EA.. block end, zero fill; lvrx: block start .. EA+16.
    for (uint32_t i = 0; i < 16; ++i) {
      const uint8_t want_l = i < 16 - off ? static_cast<uint8_t>(0x50 + off + i) : 0;
      EXPECT_EQ(ctx.vr[1].byte(static_cast<int>(i)), want_l) << "off " << off << " byte " << i;
      const uint8_t want_r = i >= 16 - off ? static_cast<uint8_t>(0x60 + i - (16 - off)) : 0;
      EXPECT_EQ(ctx.vr[2].byte(static_cast<int>(i)), want_r) << "off " << off << " byte " << i;
    }
    // vor of the two = the unaligned 16 bytes at EA.
    for (uint32_t i = 0; i < 16; ++i)
      EXPECT_EQ(ctx.vr[1].byte(static_cast<int>(i)) | ctx.vr[2].byte(static_cast<int>(i)),
                static_cast<uint8_t>(0x50 + off + i));
  }
}

TEST_F(VmxMemoryTest, LvrxAndStvrxOfAlignedAddressTouchNoMemory) {
  ctx.gpr[4] = 0x20000000;  // unmapped
  ctx.vr[3] = V(1, 2, 3, 4);
  run(x31(kLvrx, 3, 4, 0));
  expect_vr(3, V(0, 0, 0, 0));
  run(x31(kLvrxl, 3, 4, 0));
  expect_vr(3, V(0, 0, 0, 0));
  ctx.vr[3] = V(1, 2, 3, 4);
  run(x31(kStvrx, 3, 4, 0));  // no fault
  run_asm("stvrx128 v3, r0, r4");
  // ... but the left forms do access it.
  EXPECT_THROW(run(x31(kLvlx, 3, 4, 0)), GuestFault);
  EXPECT_THROW(run(x31(kStvlx, 3, 4, 0)), GuestFault);
  ctx.gpr[4] = 0x20000004;
  EXPECT_THROW(run(x31(kLvrx, 3, 4, 0)), GuestFault);
}

TEST_F(VmxMemoryTest, StvlxStvrxWriteOnlyTheirPartOfTheBlock) {
  fill_ramp(kScratch + 0x500, 32, 0x00);
  ctx.vr[3] = V(0xF0F1F2F3, 0xF4F5F6F7, 0xF8F9FAFB, 0xFCFDFEFF);
  ctx.gpr[4] = kScratch + 0x50D;
  run(x31(kStvlx, 3, 4, 0));
  EXPECT_EQ(bytes(kScratch + 0x500, 16), "000102030405060708090A0B0CF0F1F2");
  ctx.gpr[4] = kScratch + 0x513;
  run(x31(kStvrx, 3, 4, 0));
  EXPECT_EQ(bytes(kScratch + 0x510, 16), "FDFEFF131415161718191A1B1C1D1E1F");
  // VMX128 forms with a high register.
  ctx.vr[111] = V(0xA0A1A2A3, 0xA4A5A6A7, 0xA8A9AAAB, 0xACADAEAF);
  ctx.gpr[4] = kScratch + 0x50F;
  run_asm("stvlx128 v111, r0, r4");
  EXPECT_EQ(bytes(kScratch + 0x50C, 4), "0CF0F1A0");
  run_asm("lvlx128 v112, r0, r4");
  expect_vr(112, V(0xA0000000, 0, 0, 0));
  run_asm("lvrx128 v113, r0, r4");
  expect_vr(113, V(0x00000102, 0x03040506, 0x0708090A, 0x0B0CF0F1));
}

TEST_F(VmxMemoryTest, VscrMovesKeepOnlyNjAndSat) {
  ctx.vr[4] = V(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
  run(vx(1604, 0, 0, 4));  // mtvscr v4
  EXPECT_EQ(ctx.vscr, 0x00010001u);
  run(vx(1540, 5, 0, 0));  // mfvscr v5
  expect_vr(5, V(0, 0, 0, 0x00010001));
}

}  // namespace
}  // namespace xdet::cpu::vmx_test
