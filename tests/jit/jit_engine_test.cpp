// JitEngine behaviour around the cache: protection changes between runs,
// writes the CPU cannot see, stop addresses, engine selection.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "cpu/cpu.h"
#include "jit/jit_engine.h"

namespace {

using namespace xdet;

constexpr uint32_t kCode = 0x00010000;

struct Machine {
  GuestMemory mem;
  cpu::Cpu cpu{mem};
  cpu::PpcContext ctx;
  explicit Machine(bool jit) {
    if (jit) cpu.set_engine(std::make_unique<jit::JitEngine>(cpu));
    mem.set_protection(kCode, 0x2000, GuestMemory::kProtRWX);
    cpu.attach(ctx);
  }
  void put(uint32_t addr, uint32_t word) { store_be32(mem.host_base() + addr, word); }
};

// Loop: r3 += 1 (word at kCode+4 is patched), bdnz, then sc.
void load_program(Machine& m) {
  m.put(kCode + 0, 0x38600000);  // li r3,0
  m.put(kCode + 4, 0x38630001);  // addi r3,r3,1
  m.put(kCode + 8, 0x4200FFFC);  // bdnz -4
  m.put(kCode + 12, 0x44000002);  // sc
  m.ctx.pc = kCode;
  m.ctx.ctr = 10;
}

TEST(JitEngine, UnseenCodeWriteIsPickedUpAfterProtectionIsSetAgain) {
  for (bool jit : {false, true}) {
    Machine m(jit);
    load_program(m);
    cpu::ExecResult r = m.cpu.run(m.ctx, 1000);
    ASSERT_EQ(r.reason, cpu::StopReason::kSyscall);
    EXPECT_EQ(m.ctx.gpr[3], 10u);
    // Rewrite the loop body behind the CPU's back (as through an aliasing
    // view), then set the page's protection again: the next entry re-fetches.
    m.put(kCode + 4, 0x38630005);  // addi r3,r3,5
    m.mem.set_protection(kCode, 0x1000, GuestMemory::kProtRWX);
    m.ctx.pc = kCode;
    m.ctx.ctr = 10;
    r = m.cpu.run(m.ctx, 1000);
    ASSERT_EQ(r.reason, cpu::StopReason::kSyscall) << jit;
    EXPECT_EQ(m.ctx.gpr[3], 50u) << jit;
    EXPECT_EQ(m.ctx.instructions_retired, 2u * 22u) << jit;
  }
}

TEST(JitEngine, LosingExecutePermissionFaultsAtTheNextEntry) {
  for (bool jit : {false, true}) {
    Machine m(jit);
    load_program(m);
    ASSERT_EQ(m.cpu.run(m.ctx, 1000).reason, cpu::StopReason::kSyscall);
    m.mem.set_protection(kCode, 0x1000, GuestMemory::kProtRW);
    m.ctx.pc = kCode;
    cpu::ExecResult r = m.cpu.run(m.ctx, 1000);
    ASSERT_EQ(r.reason, cpu::StopReason::kFault) << jit;
    EXPECT_EQ(r.fault.kind, cpu::FaultKind::kExecute) << jit;
    EXPECT_EQ(r.fault.pc, kCode) << jit;
    EXPECT_EQ(r.executed, 0u) << jit;
  }
}

TEST(JitEngine, StopAddressInsideALinkedLoopStopsThere) {
  for (bool jit : {false, true}) {
    Machine m(jit);
    load_program(m);
    ASSERT_EQ(m.cpu.run(m.ctx, 1000).reason, cpu::StopReason::kSyscall);
    m.cpu.set_stop_addresses({kCode + 4});
    m.ctx.pc = kCode;
    m.ctx.ctr = 10;
    cpu::ExecResult r = m.cpu.run(m.ctx, 1000);
    ASSERT_EQ(r.reason, cpu::StopReason::kStopAddress) << jit;
    EXPECT_EQ(m.ctx.pc, kCode + 4) << jit;
    EXPECT_EQ(r.executed, 1u) << jit;
  }
}

TEST(JitEngine, TranslatesAndLinksBlocks) {
  Machine m(true);
  load_program(m);
  m.ctx.ctr = 1000;
  ASSERT_EQ(m.cpu.run(m.ctx, 100000).reason, cpu::StopReason::kSyscall);
  auto* j = static_cast<jit::JitEngine*>(m.cpu.engine());
  EXPECT_GE(j->stats().blocks_compiled, 2u);
  EXPECT_GT(j->stats().native_insns, 0u);
  EXPECT_GT(j->stats().code_bytes, 0u);
  EXPECT_EQ(m.ctx.gpr[3], 1000u);
  EXPECT_STREQ(m.cpu.engine_name(), "jit");
}

}  // namespace
