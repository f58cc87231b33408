// The function table lookup and the virtual unwinder on hand-written
// prologs: the console compiler's forms (LR in r12 saved at -8 before the
// frame, a register save helper called from the prolog), gcc's SysV forms
// (frame first, LR and callee-saved registers above it), a frame sized at
// run time (back chain), a control PC inside the prolog, and leaves.
// Epilogues as the console's unwinder sees them: a `blr`, a branch to a
// register restore helper, and (not an epilogue) an instruction between the
// frame pop and the `blr`.
#include <gtest/gtest.h>

#include "kernel/exceptions/unwind.h"
#include "loader/pdata.h"

namespace xdet::test {
namespace {

using kernel::UnwindRegs;
using kernel::UnwindStep;
using loader::RuntimeFunction;

constexpr uint32_t kCodeBase = 0x82001000;
constexpr uint32_t kEntrySp = 0x70001000;

struct UnwindFixture : ::testing::Test {
  GuestMemory mem;
  UnwindFixture() {
    mem.set_protection(0x82000000, 0x10000, GuestMemory::kProtRWX);
    mem.set_protection(0x70000000, 0x2000, GuestMemory::kProtRW);
  }
  uint32_t put(uint32_t pc, std::initializer_list<uint32_t> words) {
    for (uint32_t w : words) {
      mem.write32(pc, w);
      pc += 4;
    }
    return pc;
  }
  RuntimeFunction fn(uint32_t begin, uint32_t prolog, uint32_t length) {
    RuntimeFunction f;
    f.begin = begin;
    f.prolog_insns = prolog;
    f.length_insns = length;
    return f;
  }
};

constexpr uint32_t mflr(int d) { return 0x7C0802A6u | (d << 21); }
constexpr uint32_t stw(int s, int16_t off, int a) {
  return (36u << 26) | (s << 21) | (a << 16) | static_cast<uint16_t>(off);
}
constexpr uint32_t stwu(int s, int16_t off, int a) {
  return (37u << 26) | (s << 21) | (a << 16) | static_cast<uint16_t>(off);
}
constexpr uint32_t stfd(int s, int16_t off, int a) {
  return (54u << 26) | (s << 21) | (a << 16) | static_cast<uint16_t>(off);
}
constexpr uint32_t stwux(int s, int a, int b) { return (31u << 26) | (s << 21) | (a << 16) | (b << 11) | (183u << 1); }
constexpr uint32_t bl(uint32_t from, uint32_t to) { return (18u << 26) | ((to - from) & 0x03FFFFFCu) | 1; }
constexpr uint32_t kBlr = 0x4E800020u;
constexpr uint32_t kNop = 0x60000000u;
constexpr uint32_t lwz(int d, int16_t off, int a) {
  return (32u << 26) | (d << 21) | (a << 16) | static_cast<uint16_t>(off);
}
constexpr uint32_t addi(int d, int a, int16_t v) {
  return (14u << 26) | (d << 21) | (a << 16) | static_cast<uint16_t>(v);
}
constexpr uint32_t mtlr(int s) { return 0x7C0803A6u | (s << 21); }
constexpr uint32_t b(uint32_t from, uint32_t to) { return (18u << 26) | ((to - from) & 0x03FFFFFCu); }
constexpr uint32_t neg(int d, int a) { return (31u << 26) | (d << 21) | (a << 16) | (104u << 1); }

TEST_F(UnwindFixture, ConsoleCompilerPrologWithASaveHelper) {
  // mflr r12; bl save_29; stwu r1,-0x60(r1); nop...   save_29: stw r29..r31,-20..-12(r1); stw r12,-8(r1); blr
  uint32_t helper = kCodeBase + 0x100;
  put(helper, {stw(29, -20, 1), stw(30, -16, 1), stw(31, -12, 1), stw(12, -8, 1), kBlr});
  put(kCodeBase, {mflr(12), bl(kCodeBase + 4, helper), stwu(1, -0x60, 1), kNop, kNop, kNop});
  mem.write32(kEntrySp - 20, 0x29292929);
  mem.write32(kEntrySp - 16, 0x30303030);
  mem.write32(kEntrySp - 12, 0x31313131);
  mem.write32(kEntrySp - 8, 0x82005554);
  UnwindRegs r;
  r.gpr[1] = kEntrySp - 0x60;
  r.gpr[29] = 1;
  r.gpr[30] = 2;
  r.gpr[31] = 3;
  r.lr = 0x12345678;  // clobbered by the body's calls
  RuntimeFunction f = fn(kCodeBase, 3, 6);
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase + 16, &f, r, &step, &error)) << error;
  EXPECT_EQ(step.establisher, kEntrySp - 0x60);
  EXPECT_TRUE(step.in_function);
  EXPECT_EQ(r.gpr[1], kEntrySp);
  EXPECT_EQ(r.lr, 0x82005554u);
  EXPECT_EQ(step.next_pc, 0x82005550u);
  EXPECT_EQ(r.gpr[29], 0x29292929u);
  EXPECT_EQ(r.gpr[30], 0x30303030u);
  EXPECT_EQ(r.gpr[31], 0x31313131u);
}

// The console compiler's function: mflr r12; stw r12,-8(r1); stwu r1,-0x40(r1);
// body; addi r1,r1,0x40; lwz r12,-8(r1); mtlr r12; blr.
struct EpilogueFixture : UnwindFixture {
  static constexpr uint32_t kPop = kCodeBase + 16, kReload = kCodeBase + 20, kBlrAt = kCodeBase + 28;
  RuntimeFunction f;
  EpilogueFixture() {
    put(kCodeBase, {mflr(12), stw(12, -8, 1), stwu(1, -0x40, 1), kNop, addi(1, 1, 0x40), lwz(12, -8, 1), mtlr(12), kBlr});
    f = fn(kCodeBase, 3, 8);
    mem.write32(kEntrySp - 8, 0x82005554);  // the saved LR
    mem.write32(kEntrySp + 0x40 - 8, 0x82006664);  // what the caller's frame holds there
  }
};

TEST_F(EpilogueFixture, AtTheBlrNothingIsLeftToUndo) {
  UnwindRegs r;
  r.gpr[1] = kEntrySp;  // popped
  r.lr = 0x82005554;    // reloaded
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kBlrAt, &f, r, &step, &error)) << error;
  EXPECT_FALSE(step.in_function);  // the handler no longer applies
  EXPECT_EQ(step.establisher, kEntrySp);
  EXPECT_EQ(r.gpr[1], kEntrySp);
  EXPECT_EQ(r.lr, 0x82005554u);
  EXPECT_EQ(step.next_pc, 0x82005550u);
}

TEST_F(EpilogueFixture, BetweenTheFramePopAndTheBlrItUnwindsAsInTheBody) {
  // As on the console: not recognised, the prolog is undone from the popped r1.
  UnwindRegs r;
  r.gpr[1] = kEntrySp;
  r.lr = 0x12345678;
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kReload, &f, r, &step, &error)) << error;
  EXPECT_TRUE(step.in_function);
  EXPECT_EQ(r.gpr[1], kEntrySp + 0x40);
  EXPECT_EQ(r.lr, 0x82006664u);
  // In the body (before the pop) the same function unwinds correctly.
  UnwindRegs body;
  body.gpr[1] = kEntrySp - 0x40;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kPop, &f, body, &step, &error)) << error;
  EXPECT_TRUE(step.in_function);
  EXPECT_EQ(body.gpr[1], kEntrySp);
  EXPECT_EQ(body.lr, 0x82005554u);
}

TEST_F(UnwindFixture, EpilogueBranchToARestoreHelperRunsTheHelperForward) {
  // mflr r12; bl save_30; stwu r1,-0x60(r1); nop; addi r1,r1,0x60; b rest_30
  // save_30: stw r30,-16(r1); stw r31,-12(r1); stw r12,-8(r1); blr
  // rest_30: lwz r30,-16(r1); lwz r31,-12(r1); lwz r12,-8(r1); mtlr r12; blr
  uint32_t save = kCodeBase + 0x100, rest = kCodeBase + 0x140;
  put(save, {stw(30, -16, 1), stw(31, -12, 1), stw(12, -8, 1), kBlr});
  put(rest, {lwz(30, -16, 1), lwz(31, -12, 1), lwz(12, -8, 1), mtlr(12), kBlr});
  put(kCodeBase, {mflr(12), bl(kCodeBase + 4, save), stwu(1, -0x60, 1), kNop, addi(1, 1, 0x60), b(kCodeBase + 20, rest)});
  mem.write32(kEntrySp - 16, 0x30303030);
  mem.write32(kEntrySp - 12, 0x31313131);
  mem.write32(kEntrySp - 8, 0x82005554);
  UnwindRegs r;
  r.gpr[1] = kEntrySp;  // the frame is popped
  r.gpr[30] = 1;
  r.gpr[31] = 2;
  r.lr = 0x12345678;
  RuntimeFunction f = fn(kCodeBase, 3, 6);
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase + 20, &f, r, &step, &error)) << error;
  EXPECT_FALSE(step.in_function);
  EXPECT_EQ(step.establisher, kEntrySp);
  EXPECT_EQ(r.gpr[1], kEntrySp);
  EXPECT_EQ(r.gpr[30], 0x30303030u);
  EXPECT_EQ(r.gpr[31], 0x31313131u);
  EXPECT_EQ(r.lr, 0x82005554u);
  EXPECT_EQ(step.next_pc, 0x82005550u);
  // A branch to code that is not a restore helper (it stores) is not an
  // epilogue: the prolog is undone as in the body.
  put(rest, {stw(30, -16, 1), kBlr});
  UnwindRegs body;
  body.gpr[1] = kEntrySp - 0x60;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase + 20, &f, body, &step, &error)) << error;
  EXPECT_TRUE(step.in_function);
  EXPECT_EQ(body.gpr[1], kEntrySp);
}

TEST_F(UnwindFixture, ControlPcInsideThePrologUndoesOnlyWhatRan) {
  put(kCodeBase, {mflr(12), stw(12, -8, 1), stwu(1, -0x40, 1), kNop});
  // Stopped after mflr: LR is still in r12, nothing stored, no frame.
  UnwindRegs r;
  r.gpr[1] = kEntrySp;
  r.gpr[12] = 0x82007000;
  r.lr = 0x82009990;
  RuntimeFunction f = fn(kCodeBase, 3, 4);
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase + 4, &f, r, &step, &error)) << error;
  EXPECT_FALSE(step.in_function);
  EXPECT_EQ(r.gpr[1], kEntrySp);
  EXPECT_EQ(r.lr, 0x82007000u);
}

TEST_F(UnwindFixture, GccPrologSavesAboveItsFrame) {
  // stwu r1,-32(r1); mflr r0; stw r31,28(r1); stfd f31,16(r1); stw r0,36(r1)
  put(kCodeBase, {stwu(1, -32, 1), mflr(0), stw(31, 28, 1), stfd(31, 16, 1), stw(0, 36, 1), kNop, kNop});
  uint32_t sp = kEntrySp - 32;
  mem.write32(sp + 28, 0xAAAA0031);
  mem.write64(sp + 16, 0x4010000000000000ull);
  mem.write32(sp + 36, 0x82004444);
  UnwindRegs r;
  r.gpr[1] = sp;
  RuntimeFunction f = fn(kCodeBase, 5, 7);
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase + 24, &f, r, &step, &error)) << error;
  EXPECT_EQ(r.gpr[1], kEntrySp);
  EXPECT_EQ(r.lr, 0x82004444u);
  EXPECT_EQ(r.gpr[31], 0xAAAA0031u);
  EXPECT_EQ(r.fpr[31], 0x4010000000000000ull);
  EXPECT_EQ(step.establisher, sp);
}

TEST_F(UnwindFixture, FrameSizedAtRunTimeUsesTheBackChain) {
  // mflr r12; stw r12,-8(r1); neg r0,r3; stwux r1,r1,r0
  put(kCodeBase, {mflr(12), stw(12, -8, 1), neg(0, 3), stwux(1, 1, 0), kNop});
  uint32_t sp = kEntrySp - 0x120;
  mem.write32(sp, kEntrySp);  // the back chain stwux stored
  mem.write32(kEntrySp - 8, 0x82003330);
  UnwindRegs r;
  r.gpr[1] = sp;
  RuntimeFunction f = fn(kCodeBase, 4, 5);
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase + 16, &f, r, &step, &error)) << error;
  EXPECT_EQ(r.gpr[1], kEntrySp);
  EXPECT_EQ(r.lr, 0x82003330u);
}

TEST_F(UnwindFixture, LeafWithoutEntryReturnsThroughLr) {
  UnwindRegs r;
  r.gpr[1] = kEntrySp;
  r.lr = 0x82002224;
  UnwindStep step;
  std::string error;
  ASSERT_TRUE(kernel::virtual_unwind(mem, kCodeBase, nullptr, r, &step, &error));
  EXPECT_EQ(step.next_pc, 0x82002220u);
  EXPECT_EQ(r.gpr[1], kEntrySp);
}

TEST_F(UnwindFixture, UnreadableSaveSlotIsAnErrorNotACrash) {
  put(kCodeBase, {mflr(12), stw(12, -8, 1), stwu(1, -0x40, 1), kNop});
  UnwindRegs r;
  r.gpr[1] = 0x00000040;  // entry sp 0x80: the LR slot at 0x78 is unmapped
  RuntimeFunction f = fn(kCodeBase, 3, 4);
  UnwindStep step;
  std::string error;
  EXPECT_FALSE(kernel::virtual_unwind(mem, kCodeBase + 12, &f, r, &step, &error));
  EXPECT_NE(error.find("cannot read the registers saved by the function at 82001000"), std::string::npos) << error;
}

TEST_F(UnwindFixture, LookupSearchesTheSortedTableAndReadsTheHandler) {
  uint32_t table = 0x82008000;
  put(table, {kCodeBase + 0x10, loader::encode_pdata_word(3, 4, true),  //
              kCodeBase + 0x40, loader::encode_pdata_word(0, 2, false),  //
              kCodeBase + 0x80, loader::encode_pdata_word(2, 8, false)});
  put(kCodeBase + 0x08, {0x82001234, 0x82005678});
  kernel::FunctionTable t{table, 24};
  RuntimeFunction f;
  ASSERT_TRUE(kernel::lookup_function_entry(mem, t, kCodeBase + 0x1C, &f));
  EXPECT_EQ(f.begin, kCodeBase + 0x10);
  EXPECT_EQ(f.entry, table);
  EXPECT_TRUE(f.has_handler);
  EXPECT_EQ(f.handler, 0x82001234u);
  EXPECT_EQ(f.handler_data, 0x82005678u);
  ASSERT_TRUE(kernel::lookup_function_entry(mem, t, kCodeBase + 0x9C, &f));
  EXPECT_EQ(f.begin, kCodeBase + 0x80);
  EXPECT_FALSE(kernel::lookup_function_entry(mem, t, kCodeBase + 0x20, &f));  // past the first's 4 words
  EXPECT_FALSE(kernel::lookup_function_entry(mem, t, kCodeBase + 0x48, &f));
  EXPECT_FALSE(kernel::lookup_function_entry(mem, kernel::FunctionTable{}, kCodeBase + 0x10, &f));
}

TEST_F(UnwindFixture, DirectoryOutsideTheImageIsRefused) {
  // A PE header whose exception directory runs past the image.
  uint32_t base = 0x82000000;
  mem.write8(base, 'M');
  mem.write8(base + 1, 'Z');
  auto le32 = [&](uint32_t a, uint32_t v) {
    for (int i = 0; i < 4; ++i) mem.write8(a + i, static_cast<uint8_t>(v >> (8 * i)));
  };
  le32(base + 0x3C, 0x80);
  le32(base + 0x80, 0x00004550);
  uint32_t opt = base + 0x80 + 24;
  le32(opt + 92, 16);
  le32(opt + 96 + 24, 0x9000);
  le32(opt + 96 + 28, 0x8000);
  std::string error;
  kernel::FunctionTable t = kernel::read_function_table(mem, base, 0x10000, &error);
  EXPECT_EQ(t.address, 0u);
  EXPECT_NE(error.find("lies outside the 0x10000-byte image"), std::string::npos) << error;
  le32(opt + 96 + 28, 0x100);
  t = kernel::read_function_table(mem, base, 0x10000, &error);
  EXPECT_EQ(t.address, base + 0x9000);
  EXPECT_EQ(t.size, 0x100u);
}

TEST(MeasureProlog, StopsAtTheFirstBranchAndCountsTheLastSave) {
  uint32_t gcc[] = {stwu(1, -32, 1), mflr(0), 0x7C7F1B78u /* mr r31,r3 */, stw(31, 28, 1), stw(0, 36, 1),
                    bl(0, 0x100), stw(30, 24, 1)};
  EXPECT_EQ(loader::measure_prolog(gcc, 7), 5u);
  uint32_t leaf[] = {0x38600000u /* li r3,0 */, kBlr};
  EXPECT_EQ(loader::measure_prolog(leaf, 2), 0u);
}

}  // namespace
}  // namespace xdet::test
