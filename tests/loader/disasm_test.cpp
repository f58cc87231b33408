#include "loader/disasm.h"

#include <gtest/gtest.h>

#include <optional>

#include "cpu/vmx/vmx128_asm.h"

namespace xdet::loader {
namespace {

TEST(Disasm, StandardInstructions) {
  Disassembler d;
  EXPECT_EQ(d.text(0x38600000, 0x82001000), "li r3, 0");
  EXPECT_EQ(d.text(0x4E800020, 0x82001000), "blr");
  EXPECT_EQ(d.text(0x7C0802A6, 0x82001000), "mflr r0");
  EXPECT_EQ(d.text(0x44000042, 0x82001000).substr(0, 2), "sc");
  EXPECT_EQ(d.text(0x48000015, 0x82001014), "bl 0x82001028");
}

TEST(Disasm, Vmx128IsDecodedNotALong) {
  Disassembler d;
  // inspect --disasm used to print every VMX128 word as `.long`.
  for (const char* text : {"vaddfp128 v0, v3, v4", "vmaddfp128 v100, v65, v127", "lvx128 v70, r3, r4",
                           "stvx128 v127, r0, r31", "vpermwi128 v1, v2, 200", "vrlimi128 v5, v6, 15, 3",
                           "vpkd3d128 v1, v2, 3, 1, 2", "vperm128 v9, v10, v11, v7", "vsldoi128 v1, v2, v3, 12"}) {
    std::optional<uint32_t> word = cpu::encode_console_insn(text);
    ASSERT_TRUE(word) << text;
    EXPECT_EQ(d.text(*word, 0x82001000), text);
  }
  EXPECT_EQ(d.text(0x100000C3, 0), "lvx128 v0, r0, r0");
  EXPECT_EQ(d.text(0x00000000, 0), ".long 0x00000000");  // not an instruction
}

TEST(Disasm, Vmx128Classification) {
  Disassembler d;
  EXPECT_TRUE(is_vmx128(0x14000000));  // opcode 5 (vperm128 family)
  EXPECT_TRUE(is_vmx128(0x18000000));  // opcode 6 (vmaddfp128 family)
  EXPECT_TRUE(is_vmx128(0x100000C3));  // lvx128
  EXPECT_TRUE(is_vmx128(0x100001C3));  // stvx128
  EXPECT_FALSE(is_vmx128(0x10000000)); // vaddubm (AltiVec)
  EXPECT_FALSE(is_vmx128(0x38600000));
  EXPECT_EQ(d.text(0x10000000, 0).substr(0, 7), "vaddubm");
}

TEST(Disasm, BranchTargets) {
  uint32_t target = 0;
  bool links = false;
  ASSERT_TRUE(branch_target(0x48000015, 0x82001014, &target, &links));
  EXPECT_EQ(target, 0x82001028u);
  EXPECT_TRUE(links);
  ASSERT_TRUE(branch_target(0x4BFFFFFC, 0x82001010, &target, &links));  // b .-4
  EXPECT_EQ(target, 0x8200100Cu);
  EXPECT_FALSE(links);
  EXPECT_FALSE(branch_target(0x4E800020, 0, &target, &links));
}

}  // namespace
}  // namespace xdet::loader
