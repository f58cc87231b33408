// The headless command processor: every PM4 packet type the CPU side can
// observe, the register page through guest loads/stores, the virtual-time
// cost model, read-pointer write-back and unknown-packet handling.
#include "gpu/command_processor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xdet::gpu {
namespace {

constexpr uint32_t kRing = 0x00100000;   // physical
constexpr uint32_t kData = 0x00200000;   // physical scratch for results
constexpr uint32_t kIb = 0x00300000;     // indirect buffer
constexpr uint32_t kRingLog2 = 10;       // 2^13 bytes = 2048 dwords

struct Recorder : GpuListener {
  std::vector<uint32_t> interrupts;
  std::vector<SwapRecord> swaps;
  std::vector<std::pair<uint32_t, uint32_t>> fences;  // address, value
  uint64_t draws = 0;
  uint32_t last_index_count = 0;
  int idles = 0;
  void gpu_interrupt(uint32_t cpu, uint64_t) override { interrupts.push_back(cpu); }
  void gpu_swap(const SwapRecord& s) override { swaps.push_back(s); }
  void gpu_fence(uint32_t, uint32_t a, uint32_t v, uint64_t) override { fences.push_back({a, v}); }
  void gpu_draw(uint32_t, uint32_t count, uint64_t n, uint64_t) override {
    draws = n;
    last_index_count = count;
  }
  void gpu_idle(uint32_t, uint64_t, uint64_t) override { ++idles; }
};

class CpTest : public ::testing::Test {
 protected:
  CpTest() : cp(mem, GpuConfig{}) {
    cp.set_listener(&rec);
    cp.map_registers();
    cp.initialize_ring_buffer(kRing, kRingLog2);
  }
  void put(uint32_t dword) {
    cp.phys_write32_be(kRing + 4 * wptr, dword);
    wptr = (wptr + 1) % 2048;
  }
  void put(std::initializer_list<uint32_t> dwords) {
    for (uint32_t d : dwords) put(d);
  }
  // Guest store to CP_RB_WPTR through the register page.
  void kick() { mem.write32(kGpuMmioBase + 4 * reg::kCpRbWptr, wptr); }
  // Two check points: the kick is seen at the first, everything due by the
  // second has run.
  void run() {
    cp.advance(now);
    now += 1'000'000;
    cp.advance(now);
  }
  uint32_t be(uint32_t phys) { return cp.phys_read32_be(phys); }

  GuestMemory mem;
  CommandProcessor cp;
  Recorder rec;
  uint32_t wptr = 0;
  uint64_t now = 1000;
};

TEST_F(CpTest, RegisterPageReadsAndWritesThroughGuestMemory) {
  mem.write32(kGpuMmioBase + 4 * reg::kScratchReg0 + 8, 0x1234);
  EXPECT_EQ(cp.read_register(reg::kScratchReg0 + 2), 0x1234u);
  EXPECT_EQ(mem.read32(kGpuMmioBase + 4 * (reg::kScratchReg0 + 2)), 0x1234u);
  EXPECT_EQ(mem.read32(kGpuMmioBase + 4 * reg::kRbEdramTiming), 0x08100748u);
  EXPECT_EQ(mem.read32(kGpuMmioBase + 4 * reg::kD1ModeViewportSize), (1280u << 16) | 720u);
  EXPECT_EQ(mem.read32(kGpuMmioBase + 4 * 0x4800), 0u);  // fetch constant 0: in the register file
  // RAM next to the page is unaffected.
  EXPECT_FALSE(mem.is_mmio(kGpuMmioBase - 4));
  EXPECT_TRUE(mem.is_mmio(kGpuMmioBase + kGpuMmioSize - 4));
}

TEST_F(CpTest, InvalidRegistersFaultPrecisely) {
  uint32_t bad = kGpuMmioBase + 4 * kRegisterCount;
  try {
    mem.read32(bad);
    FAIL() << "no fault";
  } catch (const GuestFault& f) {
    EXPECT_EQ(f.address(), bad);
    EXPECT_EQ(f.kind(), AccessKind::kRead);
    EXPECT_NE(std::string(f.what()).find("no GPU register 0x5003"), std::string::npos) << f.what();
  }
  EXPECT_THROW(mem.write32(kGpuMmioBase + 0x7FFFC, 1), GuestFault);
  try {
    mem.write16(kGpuMmioBase + 4 * reg::kScratchReg0, 1);
    FAIL() << "no fault";
  } catch (const GuestFault& f) {
    EXPECT_NE(std::string(f.what()).find("32-bit"), std::string::npos) << f.what();
  }
  EXPECT_THROW(mem.fetch32(kGpuMmioBase), GuestFault);
}

TEST_F(CpTest, Type0WritesRegistersAndScratchRegistersReachMemory) {
  put({pm4::type0(reg::kScratchUmsk, 2), 0x0000000F, kData});         // UMSK, SCRATCH_ADDR
  put({pm4::type0(reg::kScratchReg0 + 1, 2), 0xAAAA0001, 0xBBBB0002});
  put({pm4::type0(reg::kScratchReg0 + 5, 1), 0xCCCC0005});            // bit 5 not in the mask
  put({0x8000u | pm4::type0(0x2100, 3), 1, 2, 3});                     // write-one form: last value wins
  kick();
  run();
  EXPECT_EQ(cp.read_register(reg::kScratchReg0 + 1), 0xAAAA0001u);
  EXPECT_EQ(be(kData + 4), 0xAAAA0001u);
  EXPECT_EQ(be(kData + 8), 0xBBBB0002u);
  EXPECT_EQ(be(kData + 20), 0u);
  EXPECT_EQ(cp.read_register(reg::kScratchReg0 + 5), 0xCCCC0005u);
  EXPECT_EQ(cp.read_register(0x2100), 3u);
  EXPECT_EQ(cp.read_register(0x2101), 0u);
}

TEST_F(CpTest, Type2AndNopMeInitAndStateSettersOnlyConsume) {
  put({pm4::type2(), pm4::type2()});
  put({pm4::type3(pm4::kMeInit, 3), 1, 2, 3});
  put({pm4::type3(pm4::kNop, 2), 0xDEAD, 0xBEEF});
  put({pm4::type3(pm4::kWaitForIdle, 1), 0});
  put({pm4::type3(pm4::kInvalidateState, 1), 0x7FFF});
  put({pm4::type3(pm4::kContextUpdate, 1), 0});
  put({pm4::type3(pm4::kImLoad, 2), kData | 0, 16});
  put({pm4::type3(pm4::kImLoadImmediate, 4), 1, 2, 0xAB, 0xCD});
  kick();
  run();
  EXPECT_EQ(cp.read_pointer(), wptr);
  EXPECT_EQ(cp.stats().packets, 9u);
  EXPECT_EQ(cp.stats().shader_dwords, 18u);
}

TEST_F(CpTest, ConstantPacketsFillTheConstantFile) {
  put({pm4::type3(pm4::kSetConstant, 3), (1u << 16) | 6, 0x11, 0x22});   // fetch constants 6, 7
  put({pm4::type3(pm4::kSetConstant, 2), (0u << 16) | 4, 0x33});         // ALU constant 4
  put({pm4::type3(pm4::kSetConstant2, 2), 0x4910, 0x44});
  put({pm4::type3(pm4::kSetShaderConstants, 3), 0x4002, 0x55, 0x66});
  cp.phys_write32_be(kData, 0x77);
  cp.phys_write32_be(kData + 4, 0x88);
  put({pm4::type3(pm4::kLoadAluConstant, 3), kData, (0u << 16) | 0x100, 2});
  kick();
  run();
  EXPECT_EQ(cp.read_register(0x4806), 0x11u);
  EXPECT_EQ(cp.read_register(0x4807), 0x22u);
  EXPECT_EQ(cp.read_register(0x4004), 0x33u);
  EXPECT_EQ(cp.read_register(0x4910), 0x44u);
  EXPECT_EQ(cp.read_register(0x4002), 0x55u);
  EXPECT_EQ(cp.read_register(0x4003), 0x66u);
  EXPECT_EQ(cp.read_register(0x4100), 0x77u);
  EXPECT_EQ(cp.read_register(0x4101), 0x88u);
}

TEST_F(CpTest, MemWriteEventWritesAndRegToMemApplyTheEndianSwap) {
  put({pm4::type3(pm4::kMemWrite, 3), kData | 2, 0x01020304, 0x05060708});  // 8in32: guest-natural
  put({pm4::type3(pm4::kMemWrite, 2), (kData + 8) | 0, 0x01020304});        // no swap: little-endian
  put({pm4::type3(pm4::kEventWriteShd, 3), 0x14, (kData + 12) | 2, 0xFEED});
  put({pm4::type3(pm4::kEventWrite, 1), 0x16});
  put({pm4::type0(reg::kScratchReg0 + 3, 1), 0xC0FFEE});
  put({pm4::type3(pm4::kRegToMem, 2), reg::kScratchReg0 + 3, (kData + 16) | 2});
  put({pm4::type3(pm4::kEventWriteExt, 2), 0x1B, (kData + 32) | 1});
  put({pm4::type0(reg::kRbSampleCountAddr, 1), kData + 64});
  cp.phys_write32_le(kData + 64, 0xFFFFFFFF);
  put({pm4::type3(pm4::kEventWriteZpd, 1), 0x15});
  kick();
  run();
  EXPECT_EQ(be(kData), 0x01020304u);
  EXPECT_EQ(be(kData + 4), 0x05060708u);
  EXPECT_EQ(be(kData + 8), 0x04030201u);
  EXPECT_EQ(be(kData + 12), 0xFEEDu);
  EXPECT_EQ(be(kData + 16), 0xC0FFEEu);
  EXPECT_EQ(cp.read_register(reg::kVgtEventInitiator), 0x15u);
  EXPECT_EQ(be(kData + 32), 1280u);        // extents: min x 0, max x 1280
  EXPECT_EQ(be(kData + 36), 720u);
  EXPECT_EQ(be(kData + 40), 1u);
  EXPECT_EQ(be(kData + 64), 0u);           // occlusion counts: nothing rasterised
  ASSERT_GE(rec.fences.size(), 4u);
  EXPECT_EQ(rec.fences[0], std::make_pair(kData, 0x01020304u));
}

TEST_F(CpTest, EventWriteShdWithCounterBitWritesTheVblankCount) {
  cp.set_vblank_count(42);
  put({pm4::type3(pm4::kEventWriteShd, 3), 0x80000014u, kData | 2, 7});
  kick();
  run();
  EXPECT_EQ(be(kData), 42u);
}

TEST_F(CpTest, RegRmwAndCondWrite) {
  // REG_RMW addresses registers with 13 bits: use two scratch registers.
  constexpr uint32_t a = reg::kScratchReg0 + 6, b = reg::kScratchReg0 + 7;
  put({pm4::type0(a, 2), 0xFF00FF00, 0x0000000F});
  put({pm4::type3(pm4::kRegRmw, 3), a, 0x0FFFFFFF, 0x00000001});              // (v & and) | or
  put({pm4::type3(pm4::kRegRmw, 3), 0xC0000000u | b, b, a});                  // masks from registers
  cp.phys_write32_be(kData, 5);
  // memory == 5 -> write register 0x2102; register a != 0 -> write memory
  put({pm4::type3(pm4::kCondWrite, 6), 0x10 | 3, kData | 2, 5, 0xFFFFFFFF, 0x2102, 0xAB});
  put({pm4::type3(pm4::kCondWrite, 6), 0x100 | 4, a, 0, 0xFFFFFFFF, (kData + 4) | 2, 0xCD});
  put({pm4::type3(pm4::kCondWrite, 6), 0x100 | 3, a, 0, 0xFFFFFFFF, (kData + 8) | 2, 0xEF});  // false
  kick();
  run();
  EXPECT_EQ(cp.read_register(a), 0x0F00FF01u);
  EXPECT_EQ(cp.read_register(b), 0x0000000Fu | 0x0F00FF01u);
  EXPECT_EQ(cp.read_register(0x2102), 0xABu);
  EXPECT_EQ(be(kData + 4), 0xCDu);
  EXPECT_EQ(be(kData + 8), 0u);
}

TEST_F(CpTest, IndirectBuffersRunInlineInBothForms) {
  uint32_t ib[] = {pm4::type3(pm4::kMemWrite, 2), (kData + 4) | 2, 0x1B1B};
  for (uint32_t i = 0; i < 3; ++i) cp.phys_write32_be(kIb + 4 * i, ib[i]);
  put({pm4::type3(pm4::kIndirectBuffer, 2), kIb, 3});
  put({pm4::type3(pm4::kIndirectBufferPfd, 2), kIb, 3});
  put({pm4::type3(pm4::kMemWrite, 2), (kData + 8) | 2, 0x2B2B});
  kick();
  run();
  EXPECT_EQ(be(kData + 4), 0x1B1Bu);
  EXPECT_EQ(be(kData + 8), 0x2B2Bu);
  EXPECT_EQ(cp.stats().packets, 5u);
  EXPECT_EQ(rec.fences.size(), 3u);
}

TEST_F(CpTest, WaitRegMemStallsUntilTheConditionHolds) {
  put({pm4::type3(pm4::kWaitRegMem, 5), 0x10 | 3, kData | 2, 1, 0xFFFFFFFF, 10});
  put({pm4::type3(pm4::kMemWrite, 2), (kData + 4) | 2, 0x99});
  kick();
  run();
  EXPECT_EQ(be(kData + 4), 0u);
  EXPECT_TRUE(cp.busy());
  EXPECT_EQ(cp.next_event(), kNever);  // stalled: no deadline of its own
  cp.phys_write32_be(kData, 1);        // the CPU satisfies the wait
  run();
  EXPECT_EQ(be(kData + 4), 0x99u);
  EXPECT_FALSE(cp.busy());
}

TEST_F(CpTest, DrawsInterruptsBinsAndSwapsAreReported) {
  put({pm4::type3(pm4::kDrawIndx, 2), 0, (36u << 16) | 4});
  put({pm4::type3(pm4::kDrawIndx2, 1), (6u << 16) | 4});
  put({pm4::type3(pm4::kSetBinMaskLo, 1), 0});
  put({pm4::type3(pm4::kSetBinMaskHi, 1), 0});
  put({pm4::type3(pm4::kDrawIndx2, 1) | 1, (3u << 16) | 4});      // predicated off: no bin selected
  put({pm4::type3(pm4::kSetBinMask, 2), 0, 1});
  put({pm4::type3(pm4::kSetBinSelect, 2), 0, 1});
  put({pm4::type3(pm4::kSetBinSelectLo, 1), 1});
  put({pm4::type3(pm4::kSetBinSelectHi, 1), 0});
  put({pm4::type3(pm4::kDrawIndx2, 1) | 1, (9u << 16) | 4});      // predicated on
  put({pm4::type3(pm4::kInterrupt, 1), 0x24});                    // CPUs 2 and 5
  put({pm4::type0(reg::kFetchConstantBase, 2), 0, 6});
  put({pm4::type3(pm4::kXeSwap, 4), pm4::kSwapSignature, 0x01000000, 64, 32});
  kick();
  run();
  EXPECT_EQ(rec.draws, 3u);
  EXPECT_EQ(rec.last_index_count, 9u);
  EXPECT_EQ(rec.interrupts, (std::vector<uint32_t>{2, 5}));
  ASSERT_EQ(rec.swaps.size(), 1u);
  EXPECT_EQ(rec.swaps[0].frame, 1u);
  EXPECT_EQ(rec.swaps[0].front_buffer, 0x01000000u);
  EXPECT_EQ(rec.swaps[0].width, 64u);
  EXPECT_EQ(rec.swaps[0].format, 6u);
}

TEST_F(CpTest, PacketsCostVirtualTimeAndTakeEffectWhenComplete) {
  put({pm4::type3(pm4::kMemWrite, 2), kData | 2, 1});   // 3 dwords
  put({pm4::type3(pm4::kMemWrite, 2), (kData + 4) | 2, 2});
  kick();
  cp.advance(1000);                                   // starts at 1000
  uint64_t first_done = 1000 + kPacketUnits + 3 * kDwordUnits;
  EXPECT_EQ(cp.next_event(), first_done);
  EXPECT_EQ(be(kData), 0u);
  cp.advance(first_done);
  EXPECT_EQ(be(kData), 1u);
  EXPECT_EQ(be(kData + 4), 0u);
  EXPECT_EQ(cp.next_event(), first_done + kPacketUnits + 3 * kDwordUnits);
  cp.advance(first_done + kPacketUnits + 3 * kDwordUnits);
  EXPECT_EQ(be(kData + 4), 2u);
  EXPECT_EQ(cp.next_event(), kNever);
  EXPECT_EQ(rec.idles, 1);
}

TEST_F(CpTest, ReadPointerWriteBackAtTheBlockIntervalAndWhenIdle) {
  cp.enable_read_pointer_writeback(kData + 0x100, 2);   // every 2^2 quadwords = 8 dwords
  for (int i = 0; i < 20; ++i) put(pm4::type2());
  kick();
  cp.advance(1000);
  cp.advance(1000 + 8 * (kPacketUnits + kDwordUnits));
  EXPECT_EQ(be(kData + 0x100), 8u);
  run();
  EXPECT_EQ(be(kData + 0x100), 20u);
  EXPECT_EQ(mem.read32(kGpuMmioBase + 4 * reg::kCpRbRptr), 20u);
  // The ring wraps.
  while (wptr != 2) put(pm4::type2());
  kick();
  run();
  EXPECT_EQ(be(kData + 0x100), 2u);
}

TEST_F(CpTest, UnknownPacketsStopWithADump) {
  put({pm4::type3(0x7A, 2), 0x11111111, 0x22222222});
  kick();
  try {
    run();
    FAIL() << "no fault";
  } catch (const GpuFault& f) {
    std::string m = f.what();
    EXPECT_NE(m.find("unknown type-3 opcode 0x7A"), std::string::npos) << m;
    EXPECT_NE(m.find("C0017A00"), std::string::npos) << m;
    EXPECT_NE(m.find("11111111 22222222"), std::string::npos) << m;
    EXPECT_NE(m.find("ring buffer"), std::string::npos) << m;
  }
}

TEST(CpLenient, UnknownPacketsAreSkippedAndCounted) {
  GuestMemory mem;
  GpuConfig cfg;
  cfg.lenient = true;
  CommandProcessor cp(mem, cfg);
  cp.initialize_ring_buffer(kRing, kRingLog2);
  uint32_t words[] = {pm4::type3(0x7A, 2), 1, 2, pm4::type3(pm4::kMemWrite, 2), kData | 2, 5};
  for (uint32_t i = 0; i < 6; ++i) cp.phys_write32_be(kRing + 4 * i, words[i]);
  cp.write_register(reg::kCpRbWptr, 6);
  cp.advance(0);
  cp.advance(1'000'000);
  EXPECT_EQ(cp.stats().skipped_unknown, 1u);
  EXPECT_EQ(cp.phys_read32_be(kData), 5u);
}

TEST_F(CpTest, MalformedStreamsFault) {
  uint32_t ib[] = {pm4::type3(pm4::kMemWrite, 4), kData, 1};  // claims 5 dwords, IB holds 3
  for (uint32_t i = 0; i < 3; ++i) cp.phys_write32_be(kIb + 4 * i, ib[i]);
  put({pm4::type3(pm4::kIndirectBuffer, 2), kIb, 3});
  kick();
  EXPECT_THROW(run(), GpuFault);
}

}  // namespace
}  // namespace xdet::gpu
