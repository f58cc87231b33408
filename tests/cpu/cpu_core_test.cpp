// Behaviour of the interpreter core through the embedder API: exact
// instruction counting, stop reasons, fault reporting, code invalidation,
// reservations and the time base.
#include <gtest/gtest.h>

#include <vector>

#include "cpu/cpu.h"
#include "cpu/ppc_decode.h"

namespace xdet::cpu {
namespace {

constexpr uint32_t kCode = 0x82000000;
constexpr uint32_t kData = 0x10000000;

// Hand-encoded instructions used below.
uint32_t addi(int rd, int ra, int16_t imm) { return (14u << 26) | (rd << 21) | (ra << 16) | static_cast<uint16_t>(imm); }
uint32_t lwz(int rd, int ra, int16_t d) { return (32u << 26) | (rd << 21) | (ra << 16) | static_cast<uint16_t>(d); }
uint32_t stw(int rs, int ra, int16_t d) { return (36u << 26) | (rs << 21) | (ra << 16) | static_cast<uint16_t>(d); }
uint32_t b(int32_t off) { return (18u << 26) | (static_cast<uint32_t>(off) & 0x03FFFFFC); }
uint32_t bdnz(int16_t off) { return (16u << 26) | (16u << 21) | (static_cast<uint16_t>(off) & 0xFFFC); }
uint32_t mtctr(int rs) { return (31u << 26) | (rs << 21) | (9u << 16) | (467u << 1); }
uint32_t lwarx(int rd, int ra, int rb) { return (31u << 26) | (rd << 21) | (ra << 16) | (rb << 11) | (20u << 1); }
uint32_t stwcx(int rs, int ra, int rb) { return (31u << 26) | (rs << 21) | (ra << 16) | (rb << 11) | (150u << 1) | 1; }
uint32_t mfcr(int rd) { return (31u << 26) | (rd << 21) | (19u << 1); }
uint32_t mftb(int rd) { return (31u << 26) | (rd << 21) | (12u << 16) | (8u << 11) | (371u << 1); }
constexpr uint32_t kSc = 0x44000002;
constexpr uint32_t kTrap = 0x7FE00008;  // tw 31,0,0 (always)
constexpr uint32_t kBlr = 0x4E800020;

class CpuTest : public ::testing::Test {
 protected:
  CpuTest() : cpu(mem) {
    mem.set_protection(kCode, 0x10000, GuestMemory::kProtRWX);
    mem.set_protection(kData, 0x10000, GuestMemory::kProtRW);
    cpu.attach(ctx);
    ctx.pc = kCode;
  }
  void load(const std::vector<uint32_t>& words, uint32_t at = kCode) {
    for (size_t k = 0; k < words.size(); ++k) mem.write32(at + 4 * static_cast<uint32_t>(k), words[k]);
  }
  GuestMemory mem;
  Cpu cpu;
  PpcContext ctx;
};

TEST_F(CpuTest, BudgetIsExactAndResumable) {
  // r3 += 1 in a CTR loop of 1000 iterations: 2 instructions per iteration.
  load({addi(4, 0, 1000), mtctr(4), addi(3, 3, 1), bdnz(-4), kSc});
  ExecResult r = cpu.run(ctx, 101);
  EXPECT_EQ(r.reason, StopReason::kBudget);
  EXPECT_EQ(r.executed, 101u);
  EXPECT_EQ(ctx.instructions_retired, 101u);
  // 2 setup + 49 full iterations + the addi of the 50th.
  EXPECT_EQ(ctx.gpr[3], 50u);
  EXPECT_EQ(ctx.pc, kCode + 12);
  r = cpu.run(ctx, 1'000'000);
  EXPECT_EQ(r.reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[3], 1000u);
  EXPECT_EQ(ctx.instructions_retired, 2u + 2000u + 1u);
  EXPECT_EQ(ctx.pc, kCode + 20);  // after sc
}

TEST_F(CpuTest, BudgetOfOneStepsSingleInstructions) {
  load({addi(3, 0, 1), addi(3, 3, 2), addi(3, 3, 4), kSc});
  for (int k = 0; k < 3; ++k) ASSERT_EQ(cpu.run(ctx, 1).reason, StopReason::kBudget);
  EXPECT_EQ(ctx.gpr[3], 7u);
  EXPECT_EQ(ctx.pc, kCode + 12);
  EXPECT_EQ(cpu.run(ctx, 1).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.instructions_retired, 4u);
}

TEST_F(CpuTest, TrapIsReportedAndNotRetired) {
  load({addi(3, 0, 5), kTrap, addi(3, 0, 6)});
  ExecResult r = cpu.run(ctx, 100);
  EXPECT_EQ(r.reason, StopReason::kTrap);
  EXPECT_EQ(ctx.pc, kCode + 4);
  EXPECT_EQ(ctx.instructions_retired, 1u);
  EXPECT_EQ(r.executed, 1u);
}

TEST_F(CpuTest, IllegalInstructionFaultCarriesPcAndWord) {
  load({addi(3, 0, 1), addi(3, 3, 1), 0x00000000});
  ExecResult r = cpu.run(ctx, 100);
  ASSERT_EQ(r.reason, StopReason::kFault);
  EXPECT_EQ(r.fault.kind, FaultKind::kIllegalInstruction);
  EXPECT_EQ(r.fault.pc, kCode + 8);
  EXPECT_EQ(r.fault.word, 0u);
  EXPECT_EQ(ctx.pc, kCode + 8);
  EXPECT_EQ(ctx.instructions_retired, 2u);
  EXPECT_NE(r.fault.message.find("0x82000008"), std::string::npos) << r.fault.message;
}

TEST_F(CpuTest, MemoryFaultCarriesAddressAndStopsBeforeTheAccess) {
  // r4 = 0x20000000 (unmapped); the load faults.
  load({addi(3, 0, 1), (15u << 26) | (4u << 21) | 0x2000, lwz(5, 4, 8), addi(3, 0, 2)});
  ExecResult r = cpu.run(ctx, 100);
  ASSERT_EQ(r.reason, StopReason::kFault);
  EXPECT_EQ(r.fault.kind, FaultKind::kRead);
  EXPECT_EQ(r.fault.pc, kCode + 8);
  EXPECT_EQ(r.fault.word, lwz(5, 4, 8));
  EXPECT_EQ(r.fault.address, 0x20000008u);
  EXPECT_EQ(ctx.gpr[3], 1u);
  EXPECT_EQ(ctx.instructions_retired, 2u);
}

TEST_F(CpuTest, FetchFromNonExecutableMemoryFaults) {
  ctx.pc = kData;
  ExecResult r = cpu.run(ctx, 10);
  ASSERT_EQ(r.reason, StopReason::kFault);
  EXPECT_EQ(r.fault.kind, FaultKind::kExecute);
  EXPECT_EQ(r.fault.address, kData);
}

TEST_F(CpuTest, StopAddressEndsTheRun) {
  load({addi(3, 0, 9), kBlr});
  ctx.lr = 0xBCBCBCBC;
  cpu.set_stop_addresses({0xBCBCBCBC});
  ExecResult r = cpu.run(ctx, 100);
  EXPECT_EQ(r.reason, StopReason::kStopAddress);
  EXPECT_EQ(ctx.pc, 0xBCBCBCBCu);
  EXPECT_EQ(ctx.gpr[3], 9u);
}

TEST_F(CpuTest, StoresIntoDecodedCodeInvalidateIt) {
  load({addi(3, 0, 1), kSc});
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[3], 1u);
  // A guest store rewrites the first instruction to li r3, 2.
  mem.write32(kData, addi(3, 0, 2));
  load({lwz(5, 6, 0), stw(5, 7, 0), kSc}, kCode + 0x100);
  ctx.gpr[6] = kData;
  ctx.gpr[7] = kCode;
  ctx.pc = kCode + 0x100;
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  ctx.pc = kCode;
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[3], 2u);
  EXPECT_GE(cpu.stats().blocks_invalidated, 1u);
}

TEST_F(CpuTest, SelfModifyingBlockFinishesSafelyThenSeesNewCode) {
  // The block stores over its own second instruction; the old copy runs to
  // the end of the block (no crash), the next execution sees the new code.
  load({stw(5, 7, 4), addi(3, 3, 1), b(-8)});
  ctx.gpr[5] = kSc;
  ctx.gpr[7] = kCode;
  ExecResult r = cpu.run(ctx, 100);
  EXPECT_EQ(r.reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[3], 1u);
  EXPECT_EQ(ctx.pc, kCode + 8);
}

TEST_F(CpuTest, ReservationLostToAnotherThreadsStoreConditional) {
  PpcContext other;
  cpu.attach(other);
  mem.write32(kData, 7);
  // Thread A: lwarx; then thread B: lwarx + stwcx. (succeeds); then A's stwcx. fails.
  load({lwarx(3, 0, 4), kSc, stwcx(5, 0, 4), mfcr(6), kSc});
  load({lwarx(3, 0, 4), stwcx(5, 0, 4), mfcr(6), kSc}, kCode + 0x100);
  ctx.gpr[4] = other.gpr[4] = kData;
  ctx.gpr[5] = 100;
  other.gpr[5] = 200;
  other.pc = kCode + 0x100;
  ASSERT_EQ(cpu.run(ctx, 10).reason, StopReason::kSyscall);
  ASSERT_EQ(cpu.run(other, 10).reason, StopReason::kSyscall);
  EXPECT_EQ(other.gpr[6] >> 28 & 2, 2u);  // EQ: stored
  ASSERT_EQ(cpu.run(ctx, 10).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[6] >> 28 & 2, 0u);  // failed
  EXPECT_EQ(mem.read32(kData), 200u);
}

TEST_F(CpuTest, ReservationLostToAPlainStoreOfAnotherValue) {
  mem.write32(kData, 7);
  load({lwarx(3, 0, 4), kSc, stwcx(5, 0, 4), mfcr(6), kSc});
  ctx.gpr[4] = kData;
  ctx.gpr[5] = 100;
  ASSERT_EQ(cpu.run(ctx, 10).reason, StopReason::kSyscall);
  mem.write32(kData, 8);  // another agent's ordinary store
  ASSERT_EQ(cpu.run(ctx, 10).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[6] >> 28 & 2, 0u);
  EXPECT_EQ(mem.read32(kData), 8u);
}

TEST_F(CpuTest, ReservationSucceedsUndisturbed) {
  mem.write32(kData, 7);
  load({lwarx(3, 0, 4), addi(3, 3, 1), stwcx(3, 0, 4), mfcr(6), kSc});
  ctx.gpr[4] = kData;
  ASSERT_EQ(cpu.run(ctx, 10).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[6] >> 28 & 2, 2u);
  EXPECT_EQ(mem.read32(kData), 8u);
}

TEST_F(CpuTest, MisalignedReservationIsAnAlignmentFault) {
  load({lwarx(3, 0, 4)});
  ctx.gpr[4] = kData + 2;
  ExecResult r = cpu.run(ctx, 10);
  ASSERT_EQ(r.reason, StopReason::kFault);
  EXPECT_EQ(r.fault.kind, FaultKind::kAlignment);
  EXPECT_EQ(r.fault.address, kData + 2);
}

TEST_F(CpuTest, TimeBaseIsAFunctionOfRetiredInstructions) {
  load({addi(3, 0, 0), addi(3, 0, 0), mftb(5), kSc});
  ctx.instructions_retired = 1000;
  ctx.timebase_fn = [](void* user, const PpcContext&, uint64_t retired) {
    return retired * *static_cast<uint64_t*>(user);
  };
  uint64_t scale = 3;
  ctx.timebase_user = &scale;
  ASSERT_EQ(cpu.run(ctx, 10).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[5], (1000u + 2u) * 3u);
}

TEST(Decoder, KnowsCoreInstructionsAndRejectsGarbage) {
  EXPECT_TRUE(is_known_instruction(addi(3, 0, 1)));
  EXPECT_TRUE(is_known_instruction(kBlr));
  EXPECT_TRUE(is_known_instruction(0xFC21102A));  // fadd f1,f1,f2
  EXPECT_FALSE(is_known_instruction(0x00000000));
  EXPECT_FALSE(is_known_instruction(0x04000000));  // primary opcode 1
  EXPECT_FALSE(is_known_instruction(0xEC000000));  // opcode 59, XO 0
  EXPECT_TRUE(ends_block(kBlr));
  EXPECT_TRUE(ends_block(kSc));
  EXPECT_FALSE(ends_block(addi(3, 0, 1)));
}

}  // namespace
}  // namespace xdet::cpu

namespace xdet::cpu {
namespace {

TEST_F(CpuTest, FallingThroughIntoAStopAddressStops) {
  load({addi(3, 0, 1), addi(3, 3, 1), addi(3, 3, 1), kSc});
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);  // block built without stops
  ctx.pc = kCode;
  ctx.gpr[3] = 0;
  cpu.set_stop_addresses({kCode + 8});
  ExecResult r = cpu.run(ctx, 100);
  EXPECT_EQ(r.reason, StopReason::kStopAddress);
  EXPECT_EQ(ctx.pc, kCode + 8);
  EXPECT_EQ(ctx.gpr[3], 2u);
}

TEST_F(CpuTest, IcbiMakesTheCoreRedecodeALine) {
  load({addi(3, 0, 1), kSc});
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  // Rewrite the code behind the hook's back (as an aliasing view would),
  // then execute icbi on the line.
  store_be32(mem.translate(kCode), addi(3, 0, 5));
  uint32_t icbi = (31u << 26) | (0u << 16) | (4u << 11) | (982u << 1);
  load({icbi, kSc}, kCode + 0x1000);  // another page: no code-write hook on kCode
  ctx.gpr[4] = kCode;
  ctx.pc = kCode + 0x1000;
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  ctx.pc = kCode;
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[3], 5u);
}

}  // namespace
}  // namespace xdet::cpu

namespace xdet::cpu {
namespace {

TEST_F(CpuTest, ReprotectedCodePageIsRefetched) {
  load({addi(3, 0, 1), kSc});
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  // Protection set again (clears the code-cached mark), then the code is
  // rewritten: the old block must not run.
  mem.set_protection(kCode, 0x1000, GuestMemory::kProtRWX);
  mem.write32(kCode, addi(3, 0, 3));
  ctx.pc = kCode;
  ASSERT_EQ(cpu.run(ctx, 100).reason, StopReason::kSyscall);
  EXPECT_EQ(ctx.gpr[3], 3u);
  // Execute permission removed: the next entry faults.
  mem.set_protection(kCode, 0x1000, GuestMemory::kProtRW);
  ctx.pc = kCode;
  ExecResult r = cpu.run(ctx, 100);
  ASSERT_EQ(r.reason, StopReason::kFault);
  EXPECT_EQ(r.fault.kind, FaultKind::kExecute);
}

}  // namespace
}  // namespace xdet::cpu
