// The devices on virtual time under the round scheduler: vblank callbacks
// at exactly 60 per guest second on the interrupt context (arguments, IRQL,
// hidden TLS pointer), audio ticks at 187.5 per second, CP interrupts, and
// a bad command stream stopping the run as a guest fault.
#include "kernel/devices/devices.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "apu/xma_engine.h"
#include "gpu/registers.h"
#include "memory/memory_map.h"
#include "kernel/scheduler/scheduler.h"
#include "kernel_fixture.h"
#include "scripted_runner.h"

namespace xdet::test {
namespace {

using namespace kernel;

constexpr uint32_t kCallback = 0x82004000;
constexpr uint32_t kAudioCallback = 0x82005000;

struct Delivery {
  uint32_t tid;
  uint64_t time;
  uint32_t r3, r4;
  uint32_t tls;
  uint8_t irql;
  int cpu;
};

class DevicesTest : public KernelFixture {
 protected:
  // A device context's script: record the callback, then return from it.
  std::vector<Step> context_script() {
    return {Step{50, [this](Kernel& kk, Thread& t) {
                   deliveries.push_back({t.tid, kk.now(), static_cast<uint32_t>(t.ctx.gpr[3]),
                                         static_cast<uint32_t>(t.ctx.gpr[4]), mem.read32(t.kpcr + layout::kPcrTls),
                                         mem.read8(t.kpcr + layout::kPcrIrql), t.last_cpu});
                   kk.devices().callback_returned(t);
                   return false;  // the same step for the next callback
                 }}};
  }
  RunOutcome run(uint64_t ms) {
    SchedulerConfig cfg;
    cfg.quantum = 2000;
    cfg.max_guest_units = units_from_ms(ms);
    Scheduler s(*k, runner, cfg);
    return s.run();
  }
  ScriptedRunner runner;
  std::vector<Delivery> deliveries;
};

TEST_F(DevicesTest, VblankCallbacksSixtyPerSecondOnTheInterruptContext) {
  Thread* main = spawn();
  uint32_t main_tid = main->tid;
  runner.set_script(main_tid, {Step{10, [&](Kernel& kk, Thread& t) {
                                      kk.devices().set_interrupt_callback(kCallback, 7);
                                      Thread* ctx = kk.thread_by_tid(t.tid + 1);
                                      EXPECT_NE(ctx, nullptr);
                                      if (ctx) {
                                        EXPECT_TRUE(ctx->device_context);
                                        EXPECT_EQ(ctx->name, "gpu-interrupt");
                                        EXPECT_EQ(ctx->affinity_mask, 1u << kInterruptCpu);
                                        runner.set_script(ctx->tid, context_script());
                                      }
                                      return true;
                                    }},
                               Step{10, [&](Kernel& kk, Thread& t) {
                                      int64_t two_seconds = -20'000'000;
                                      kk.delay(t, two_seconds, false);
                                      return true;
                                    }}});
  RunOutcome o = run(10'000);
  EXPECT_EQ(o.reason, StopReason::kProcessExit) << o.message;
  // Vblank n is due at n/60 s; the last one (n = 120) is due exactly when
  // main wakes, and main exits in that round before the context runs.
  ASSERT_GE(deliveries.size(), 119u);
  size_t first_second = 0;
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& d = deliveries[i];
    EXPECT_EQ(d.r3, 0u);
    EXPECT_EQ(d.r4, 7u);
    EXPECT_EQ(d.tls, 0u);
    EXPECT_EQ(d.irql, 2u);
    EXPECT_EQ(d.cpu, kInterruptCpu);
    uint64_t due = cadence_time(i + 1, 1, 60);
    EXPECT_GE(d.time, due);
    EXPECT_LT(d.time, due + 2 * 2000 + 100);  // within the check-point granularity
    if (d.time < units_from_ms(1000) + 2000 * 2) ++first_second;
  }
  EXPECT_EQ(k->devices().vblanks(), 120u);
  EXPECT_GE(first_second, 60u);
  EXPECT_LE(first_second, 61u);
  Thread* ctx = k->thread_by_tid(main_tid + 1);
  EXPECT_NE(mem.read32(ctx->kpcr + layout::kPcrTls), 0u);  // restored after each callback
  EXPECT_EQ(mem.read8(ctx->kpcr + layout::kPcrIrql), 0u);
}

TEST_F(DevicesTest, AudioTicksEvery256SamplesAt48kHz) {
  Thread* main = spawn();
  runner.set_script(main->tid, {Step{10, [&](Kernel& kk, Thread& t) {
                                       uint32_t d = kk.devices().register_audio_client(kAudioCallback, 0x1234);
                                       EXPECT_EQ(d, 0x41550000u);
                                       Thread* ctx = kk.thread_by_tid(t.tid + 1);
                                       EXPECT_EQ(ctx->name, "audio");
                                       runner.set_script(ctx->tid, context_script());
                                       return true;
                                     }},
                                Step{10, [&](Kernel& kk, Thread& t) {
                                       int64_t two_seconds = -20'000'000;
                                       kk.delay(t, two_seconds, false);
                                       return true;
                                     }}});
  RunOutcome o = run(10'000);
  EXPECT_EQ(o.reason, StopReason::kProcessExit) << o.message;
  EXPECT_EQ(k->devices().audio_callbacks(), 375u);  // 2 s x 187.5
  size_t first = 0;
  for (const Delivery& d : deliveries) {
    EXPECT_EQ(mem.read32(d.r3), 0x1234u);  // r3 points at the argument cell
    EXPECT_EQ(d.cpu, kAudioCpu);
    EXPECT_EQ(d.irql, 0u);
    if (d.time < units_from_ms(1000)) ++first;
  }
  EXPECT_EQ(first, 187u);
  EXPECT_EQ(k->devices().audio_frames_played(), 0u);  // nothing submitted: silence
}

TEST_F(DevicesTest, CommandProcessorInterruptsAndABadStreamStopsTheRun) {
  Thread* main = spawn();
  gpu::CommandProcessor& cp = k->devices().gpu();
  constexpr uint32_t kRing = 0x01000000;
  runner.set_script(main->tid, {Step{10, [&](Kernel& kk, Thread& t) {
                                       kk.devices().set_interrupt_callback(kCallback, 9);
                                       runner.set_script(t.tid + 1, context_script());
                                       cp.initialize_ring_buffer(kRing, 10);
                                       uint32_t words[] = {gpu::pm4::type3(gpu::pm4::kInterrupt, 1), 1u << 2,
                                                           gpu::pm4::type3(0x7A, 1), 0xDEAD};
                                       for (uint32_t i = 0; i < 4; ++i) cp.phys_write32_be(kRing + 4 * i, words[i]);
                                       mem.write32(gpu::kGpuMmioBase + 4 * gpu::reg::kCpRbWptr, 4);
                                       return true;
                                     }},
                                Step{100, [](Kernel&, Thread&) { return false; }}});  // spins
  RunOutcome o = run(1000);
  EXPECT_EQ(o.reason, StopReason::kGuestFault) << o.message;
  EXPECT_EQ(exit_code_for(o.reason), ExitCode::kGuestFault);
  EXPECT_NE(o.message.find("unknown type-3 opcode 0x7A"), std::string::npos) << o.message;
  EXPECT_NE(o.message.find("0000DEAD"), std::string::npos) << o.message;
  // The INTERRUPT before it was delivered as source 1 (if the context ran
  // before the stop).
  for (const Delivery& d : deliveries) {
    EXPECT_EQ(d.r3, 1u);
    EXPECT_EQ(d.r4, 9u);
  }
}

TEST_F(DevicesTest, XmaWritesSubframesOnTheDeviceClockAndABadStreamStopsTheRun) {
  MemoryMap map(mem);
  k->set_memory_map(&map);
  apu::XmaEngine& xma = k->devices().xma();
  int index = xma.allocate_context();
  ASSERT_EQ(index, 0);
  uint32_t ctx = k->devices().xma_context_address(0);
  ASSERT_NE(ctx, 0u);
  EXPECT_EQ(map.physical_address(ctx), xma.context_array());
  constexpr uint32_t kIn = 0x01000000, kOut = 0x01100000;  // physical
  // One packet (header: 2 frames, the first at bit 32, XMA2): a 31-bit
  // silent mono frame (length, tile "10", zero DRC/trim/subframe/coefficient
  // bits, filler, "more frames" = 1), then a frame claiming to be 3 bits.
  uint8_t* in = mem.translate(0xA0000000 + kIn);
  std::memset(in, 0, 2048);
  auto put = [&](uint32_t bit, uint32_t v, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t b = bit + i;
      if ((v >> (n - 1 - i)) & 1) in[b / 8] = static_cast<uint8_t>(in[b / 8] | (0x80 >> (b % 8)));
    }
  };
  put(0, (2u << 26) | (1u << 8), 32);
  put(32, 31, 15);
  put(47, 0x2, 2);
  put(62, 1, 1);
  put(63, 3, 15);
  apu::XmaContextData d;
  d.set_input_buffer_0_ptr(kIn);
  d.set_input_buffer_0_packet_count(1);
  d.set_input_buffer_0_valid(1);
  d.set_input_buffer_read_offset(32);
  d.set_output_buffer_ptr(kOut);
  d.set_output_buffer_block_count(8);
  d.set_output_buffer_valid(1);
  d.set_sample_rate(3);
  d.store(xma.context_ptr(0));
  Thread* main = spawn();
  runner.set_script(main->tid, {Step{10, [&](Kernel& kk, Thread&) {
                                       kk.devices().xma().enable(0);
                                       return true;
                                     }},
                                Step{10, [](Kernel& kk, Thread& t) { return kk.delay(t, -1'000'000, false), true; }}});
  RunOutcome o = run(1000);
  EXPECT_EQ(o.reason, StopReason::kGuestFault) << o.message;
  EXPECT_EQ(o.message,
            "XMA context 0 (physical 0x" + fmt::format("{:08X}", xma.context_array()) +
                "): input buffer 0 (physical 0x01000000, 1 packet(s)): the frame at bit 63 (packet 0) is 3 bits long, "
                "shorter than the 31 bits of the smallest frame");
  // The first subframe is due one period (256 samples at 48 kHz) after the
  // check point that saw the kick: decoding the good frame and then the bad
  // one happens when it is assembled.
  EXPECT_GE(o.guest_units, 20u + 533'333u);
  EXPECT_LT(o.guest_units, 20u + 533'333u + 2000u);
  k->set_memory_map(nullptr);
}

}  // namespace
}  // namespace xdet::test
