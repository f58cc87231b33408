// XMA: the generated XMA2 stream through the packet layer, the libavcodec
// frame decoder and the virtual-time engine (register page, contexts, loop
// data, input buffers 0/1, the output ring, bad packets).
#include "apu/xma_engine.h"
#include "apu/xma_packets.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "xma_stream.h"

namespace xdet::apu {
namespace {

// A generated stream: `n` frames, silent or carrying the test tone.
struct Stream {
  std::vector<uint8_t> bytes;
  xma_stream s{};
  uint32_t packets = 0;
  Stream(uint32_t n, uint32_t channels, bool silent, uint32_t rate = 48000, uint32_t max_packets = 16,
         uint32_t width = 1, uint32_t fill = 0) {
    bytes.assign(max_packets * XMA_PACKET_BYTES, 0);
    xma_stream_init(&s, bytes.data(), max_packets, channels, rate);
    for (uint32_t i = 0; i < n; ++i) {
      xma_frame_spec f{};
      f.silent = silent;
      f.bin = i % 5;
      f.quant = 20;
      f.width = width;
      f.fill = fill;
      xma_add_frame(&s, &f);
    }
    packets = xma_finish(&s);
    bytes.resize(packets * XMA_PACKET_BYTES);
  }
  XmaBuffer buffer() const { return {bytes.data(), packets}; }
};

// ---------------------------------------------------------------- packets

TEST(XmaPackets, GeneratedStreamFramesAreFoundInOrder) {
  Stream st(120, 2, false, 48000, 16, 100);  // ~740-bit frames: 6 packets, frames across packet boundaries
  ASSERT_GE(st.packets, 5u);
  XmaBuffer b = st.buffer();
  uint32_t off = resolve_frame_start(b, kPacketHeaderBits);
  for (uint32_t i = 0; i < st.s.frames; ++i) {
    ASSERT_EQ(off, xma_frame_offset(&st.s, i)) << "frame " << i;
    XmaFrame f = read_frame(b, off);
    EXPECT_EQ(f.bits, st.s.frame_bits[i]);
    EXPECT_EQ(f.end_offset, xma_frame_end_offset(&st.s, i));
    off = f.next_offset;
  }
  EXPECT_EQ(off, kBufferDone);
  PacketHeader h = packet_header(st.bytes.data());
  EXPECT_EQ(h.first_frame_offset, 0u);
  EXPECT_EQ(h.metadata, 1u);
  EXPECT_GT(packet_header(st.bytes.data() + kPacketBytes).first_frame_offset, 0u);  // a frame runs on into packet 1
}

TEST(XmaPackets, BadPacketsAndOffsetsArePreciseErrors) {
  Stream st(40, 1, true);
  XmaBuffer b = st.buffer();
  // A read offset inside a frame.
  try {
    read_frame(b, kPacketHeaderBits + 5);
    FAIL() << "no error";
  } catch (const XmaStreamError& e) {
    EXPECT_EQ(e.code(), XmaError::kBadReadOffset);
    EXPECT_STREQ(e.what(), "read offset 37 (bit 37 of packet 0) is not the start of a frame");
  }
  // Past the buffer.
  EXPECT_THROW(resolve_frame_start(b, st.packets * kPacketBits + 32), XmaStreamError);
  // A frame length of 3 bits.
  std::vector<uint8_t> bad = st.bytes;
  bad[4] = 0;
  bad[5] = 0x06;  // 15-bit length 3
  try {
    read_frame({bad.data(), st.packets}, kPacketHeaderBits);
    FAIL() << "no error";
  } catch (const XmaStreamError& e) {
    EXPECT_EQ(e.code(), XmaError::kBadFrame);
    EXPECT_STREQ(e.what(), "the frame at bit 32 (packet 0) is 3 bits long, shorter than the 31 bits of the smallest frame");
  }
  // A header whose first frame lies beyond the packet.
  bad = st.bytes;
  bad[0] = 0x04 | 0x3;  // 1 frame, offset bits 14..13 set
  bad[1] = 0xFF;
  try {
    resolve_frame_start({bad.data(), st.packets}, kPacketHeaderBits);
    FAIL() << "no error";
  } catch (const XmaStreamError& e) {
    EXPECT_EQ(e.code(), XmaError::kBadPacket);
    EXPECT_NE(std::string(e.what()).find("packet 0 has 1 frame(s) but puts its first frame at bit"), std::string::npos)
        << e.what();
  }
  // A frame that runs past the last packet.
  Stream one(1, 1, true);
  bad = one.bytes;
  bad[4] = 0xFF;  // length 0x7FFx
  EXPECT_THROW(read_frame({bad.data(), 1}, kPacketHeaderBits), XmaStreamError);
}

// ---------------------------------------------------------------- decoder

std::vector<int16_t> decode_all(const Stream& st, uint32_t channels, bool drain = true) {
  FrameDecoder dec;
  EXPECT_EQ(dec.configure(channels, st.s.sample_rate), "");
  std::vector<int16_t> pcm;
  XmaBuffer b = st.buffer();
  for (uint32_t off = resolve_frame_start(b, 32); off != kBufferDone;) {
    XmaFrame f = read_frame(b, off);
    EXPECT_EQ(dec.decode(f.data.data(), f.bits, pcm), "");
    off = f.next_offset;
  }
  if (drain) {
    EXPECT_EQ(dec.drain(pcm), "");
  }
  return pcm;
}

TEST(XmaDecoder, SilenceDecodesToAnExactLength) {
  for (uint32_t channels : {1u, 2u}) {
    for (uint32_t n : {1u, 9u, 40u}) {
      Stream st(n, channels, true);
      std::vector<int16_t> pcm = decode_all(st, channels);
      EXPECT_EQ(pcm.size(), (n * 512 - 64) * channels) << n << " frames, " << channels << " channel(s)";
      for (int16_t s : pcm) ASSERT_EQ(s, 0);
    }
  }
}

TEST(XmaDecoder, ToneFramesDecodeToADeterministicNonzeroSignal) {
  Stream st(30, 1, false, 44100);
  std::vector<int16_t> a = decode_all(st, 1), b = decode_all(st, 1);
  ASSERT_EQ(a.size(), 30u * 512 - 64);
  EXPECT_EQ(a, b);
  int peak = 0;
  for (int16_t s : a) peak = std::max(peak, std::abs(static_cast<int>(s)));
  EXPECT_GT(peak, 100);
  EXPECT_LT(peak, 32767);
  // Identical frames give an identical 512-sample period once the overlap
  // has settled (frame i uses bin i % 5: period 5 frames).
  const size_t period = 5 * 512, from = 64 * 0 + 2560;
  for (size_t i = from; i + period < a.size() - 512; ++i) ASSERT_EQ(a[i], a[i + period]) << i;
  // Stereo: both channels carry the same frames.
  Stream st2(12, 2, false);
  std::vector<int16_t> s2 = decode_all(st2, 2);
  ASSERT_EQ(s2.size(), (12u * 512 - 64) * 2);
  bool nonzero = false;
  for (size_t i = 0; i < s2.size(); i += 2) {
    ASSERT_EQ(s2[i], s2[i + 1]);
    nonzero |= s2[i] != 0;
  }
  EXPECT_TRUE(nonzero);
}

TEST(XmaDecoder, FramesAcrossPacketsAndLongerThanAPacketDecode) {
  Stream wide(60, 2, false, 48000, 16, 100);   // ~740 bits: frames across packet boundaries
  Stream huge(5, 1, false, 32000, 16, 1, 20000);  // ~20100 bits: longer than a packet's payload
  EXPECT_GE(huge.packets, 5u);
  std::vector<int16_t> a = decode_all(wide, 2), b = decode_all(huge, 1);
  EXPECT_EQ(a.size(), (60u * 512 - 64) * 2);
  EXPECT_EQ(b.size(), 5u * 512 - 64);
  // Filler bits change nothing: the same tone without them.
  std::vector<int16_t> c = decode_all(Stream(5, 1, false, 32000), 1);
  EXPECT_EQ(b, c);
  bool nonzero = false;
  for (int16_t s : a) nonzero |= s != 0;
  EXPECT_TRUE(nonzero);
}

TEST(XmaDecoder, HoldsBackFourThousandSamplesUntilDrained) {
  Stream st(20, 1, true);
  std::vector<int16_t> pcm = decode_all(st, 1, false);
  // 19 frames out of the first 20 (the first has no overlap partner), the
  // 64-sample start trim, 4096 samples queued.
  EXPECT_EQ(pcm.size(), 19u * 512 - 64 - 4096);
}

// ---------------------------------------------------------------- engine

constexpr uint32_t kArray = 0x00400000;   // physical
constexpr uint32_t kIn0 = 0x00500000;
constexpr uint32_t kIn1 = 0x00600000;
constexpr uint32_t kOut = 0x00700000;
constexpr uint64_t kSubframe48k = 256ull * 100'000'000 / 48000;  // 533333 units

struct Events : XmaListener {
  std::vector<std::string> log;
  void xma_kick(uint32_t c, const char* a) override { log.push_back("kick " + std::to_string(c) + " " + a); }
  void xma_frame(uint32_t, uint32_t, uint32_t, uint32_t) override { ++frames; }
  void xma_buffer_done(uint32_t c, uint32_t b) override {
    log.push_back("buffer " + std::to_string(c) + " " + std::to_string(b));
  }
  void xma_loop(uint32_t c, uint32_t o, uint32_t r) override {
    log.push_back("loop " + std::to_string(c) + " " + std::to_string(o) + " " + std::to_string(r));
  }
  void xma_stall(uint32_t c, const char* r, uint32_t, uint64_t) override {
    log.push_back("stall " + std::to_string(c) + " " + r);
  }
  uint64_t frames = 0;
};

class XmaEngineTest : public ::testing::Test {
 protected:
  XmaEngineTest() : xma(mem, [] { return kArray; }) {
    xma.set_listener(&ev);
    xma.map_registers();
  }
  uint8_t* phys(uint32_t p) { return mem.translate(0xA0000000 + p); }
  void put(uint32_t p, const Stream& st) { std::memcpy(phys(p), st.bytes.data(), st.bytes.size()); }
  XmaContextData ctx(uint32_t i) { return XmaContextData::load(phys(kArray + 64 * i)); }
  void set(uint32_t i, const XmaContextData& d) { d.store(phys(kArray + 64 * i)); }
  // A mono 48 kHz context reading `in0` into an 8-block output ring.
  uint32_t start(const Stream& in0, uint32_t blocks = 8, bool stereo = false) {
    int i = xma.allocate_context();
    EXPECT_GE(i, 0);
    put(kIn0, in0);
    XmaContextData d;
    d.set_input_buffer_0_ptr(kIn0);
    d.set_input_buffer_0_packet_count(in0.packets);
    d.set_input_buffer_0_valid(1);
    d.set_input_buffer_read_offset(32);
    d.set_output_buffer_ptr(kOut);
    d.set_output_buffer_block_count(blocks);
    d.set_output_buffer_valid(1);
    d.set_sample_rate(3);
    d.set_is_stereo(stereo);
    set(static_cast<uint32_t>(i), d);
    mem.write32(kXmaMmioBase + 4 * (xreg::kKick + static_cast<uint32_t>(i) / 32), 1u << (i % 32));
    return static_cast<uint32_t>(i);
  }
  GuestMemory mem;
  Events ev;
  XmaEngine xma;
};

TEST_F(XmaEngineTest, RegisterPage) {
  EXPECT_EQ(mem.read32(kXmaMmioBase + 4 * xreg::kContextArrayAddress), kArray);
  uint32_t a = mem.read32(kXmaMmioBase + 4 * xreg::kCurrentContextIndex);
  EXPECT_EQ(mem.read32(kXmaMmioBase + 4 * xreg::kCurrentContextIndex), a + 1);
  try {
    mem.read32(kXmaMmioBase + 0x100);
    FAIL() << "no fault";
  } catch (const GuestFault& f) {
    EXPECT_NE(std::string(f.what()).find("no XMA register 0x40 (the XMA block is 0x600-0x6FF)"), std::string::npos)
        << f.what();
  }
  EXPECT_THROW(mem.read16(kXmaMmioBase + 4 * xreg::kContextArrayAddress), GuestFault);
  // Kick, lock and clear name contexts by bit.
  mem.write32(kXmaMmioBase + 4 * (xreg::kKick + 1), 1u << 3);
  EXPECT_TRUE(xma.enabled(35));
  mem.write32(kXmaMmioBase + 4 * (xreg::kLock + 1), 1u << 3);
  EXPECT_FALSE(xma.enabled(35));
  mem.write32(kXmaMmioBase + 4 * (xreg::kClear + 9), 1u << 31);
  EXPECT_EQ(ev.log.back(), "kick 319 clear");
  EXPECT_EQ(xma.index_of(kArray + 64 * 7), 7u);
  EXPECT_FALSE(xma.index_of(kArray + 65).has_value());
  EXPECT_FALSE(xma.index_of(kArray + 64 * 320).has_value());
}

TEST_F(XmaEngineTest, OutputRingAdvancesOneSubframePerPeriodOfVirtualTime) {
  Stream st(40, 1, false);
  uint32_t i = start(st, 30);
  xma.advance(1000);  // starts here
  EXPECT_EQ(ctx(i).output_buffer_write_offset(), 0u);
  EXPECT_EQ(xma.next_event(), 1000 + kSubframe48k);
  xma.advance(1000 + kSubframe48k - 1);
  EXPECT_EQ(ctx(i).output_buffer_write_offset(), 0u);
  xma.advance(1000 + kSubframe48k);
  EXPECT_EQ(ctx(i).output_buffer_write_offset(), 2u);  // 256 mono samples = 2 blocks
  xma.advance(1000 + 5 * 100'000'000ull * 256 / 48000);
  EXPECT_EQ(ctx(i).output_buffer_write_offset(), 10u);
  // Samples are there, big-endian.
  bool nonzero = false;
  for (uint32_t b = 0; b < 10 * 256; b += 2) nonzero |= phys(kOut)[b] != 0 || phys(kOut)[b + 1] != 0;
  EXPECT_TRUE(nonzero);
}

TEST_F(XmaEngineTest, FullRingClearsOutputValidAndStallsUntilTheTitleReads) {
  Stream st(60, 1, true);
  uint32_t i = start(st, 8);
  xma.advance(0);
  xma.advance(10 * kSubframe48k);
  XmaContextData d = ctx(i);
  EXPECT_EQ(d.output_buffer_write_offset(), 0u);  // 4 subframes filled 8 blocks
  EXPECT_EQ(d.output_buffer_valid(), 0u);
  EXPECT_EQ(xma.stats().subframes, 4u);
  EXPECT_EQ(ev.log.back(), "stall 0 output-full");
  EXPECT_EQ(xma.next_event(), kNever);
  // The title consumed 4 blocks and hands the space back.
  d.set_output_buffer_read_offset(4);
  d.set_output_buffer_valid(1);
  set(i, d);
  xma.advance(20 * kSubframe48k);
  EXPECT_EQ(xma.next_event(), 20 * kSubframe48k + kSubframe48k);
  xma.advance(22 * kSubframe48k);
  EXPECT_EQ(ctx(i).output_buffer_write_offset(), 4u);
  EXPECT_EQ(ctx(i).output_buffer_valid(), 0u);
  EXPECT_EQ(xma.stats().subframes, 6u);
}

TEST_F(XmaEngineTest, InputBuffersSwitchAndTheirValidFlagsClear) {
  Stream a(10, 1, true), b(6, 1, true);
  uint32_t i = start(a, 30);
  put(kIn1, b);
  XmaContextData d = ctx(i);
  d.set_input_buffer_1_ptr(kIn1);
  d.set_input_buffer_1_packet_count(b.packets);
  d.set_input_buffer_1_valid(1);
  set(i, d);
  // Drain everything with a title that keeps reading the output.
  uint64_t t = 0;
  for (int step = 0; step < 200; ++step, t += kSubframe48k) {
    xma.advance(t);
    XmaContextData c = ctx(i);
    c.set_output_buffer_read_offset(c.output_buffer_write_offset());
    c.set_output_buffer_valid(1);
    set(i, c);
  }
  d = ctx(i);
  EXPECT_EQ(d.input_buffer_0_valid(), 0u);
  EXPECT_EQ(d.input_buffer_1_valid(), 0u);
  EXPECT_EQ(d.current_buffer(), 0u);  // 0 -> 1 -> 0
  EXPECT_EQ(ev.frames, 16u);
  EXPECT_EQ(xma.stats().buffers, 2u);
  EXPECT_EQ(xma.stats().drains, 1u);
  // 16 * 512 - 64 samples, in whole 256-sample subframes.
  EXPECT_EQ(xma.stats().subframes, (16u * 512 - 64 + 255) / 256);
  EXPECT_EQ(ev.log.back(), "stall 0 input-empty");
  std::vector<std::string> want = {"buffer 0 0", "buffer 0 1"};
  std::vector<std::string> got;
  for (auto& e : ev.log) {
    if (e.rfind("buffer", 0) == 0) got.push_back(e);
  }
  EXPECT_EQ(got, want);
  // New data in buffer 0 restarts it.
  d.set_input_buffer_0_valid(1);
  d.set_input_buffer_read_offset(32);
  d.set_output_buffer_valid(1);
  set(i, d);
  xma.advance(t);
  EXPECT_NE(xma.next_event(), kNever);
}

TEST_F(XmaEngineTest, LoopDataReplaysTheLoopRegion) {
  Stream st(8, 1, true);
  uint32_t i = start(st, 30);
  XmaContextData d = ctx(i);
  d.set_loop_start(xma_frame_offset(&st.s, 2));
  d.set_loop_end(xma_frame_end_offset(&st.s, 5));  // frames 2..5, twice more
  d.set_loop_count(2);
  set(i, d);
  uint64_t t = 0;
  for (int step = 0; step < 100; ++step, t += kSubframe48k) {
    xma.advance(t);
    XmaContextData c = ctx(i);
    c.set_output_buffer_read_offset(c.output_buffer_write_offset());
    c.set_output_buffer_valid(1);
    set(i, c);
  }
  EXPECT_EQ(ev.frames, 8u + 2 * 4);
  EXPECT_EQ(xma.stats().loops, 2u);
  EXPECT_EQ(ctx(i).loop_count(), 0u);
  std::string first_loop = "loop 0 " + std::to_string(xma_frame_offset(&st.s, 2)) + " 1";
  EXPECT_NE(std::find(ev.log.begin(), ev.log.end(), first_loop), ev.log.end());
  EXPECT_EQ(xma.stats().subframes, ((8u + 8) * 512 - 64 + 255) / 256);
}

TEST_F(XmaEngineTest, BadPacketStopsWithAPreciseErrorAndSetsTheErrorStatus) {
  Stream st(10, 1, true);
  st.bytes[4] = 0;
  st.bytes[5] = 0x06;  // first frame 3 bits long
  uint32_t i = start(st, 8);
  xma.advance(0);
  try {
    xma.advance(kSubframe48k);
    FAIL() << "no fault";
  } catch (const XmaFault& f) {
    EXPECT_STREQ(f.what(),
                 "XMA context 0 (physical 0x00400000): input buffer 0 (physical 0x00500000, 1 packet(s)): the frame "
                 "at bit 32 (packet 0) is 3 bits long, shorter than the 31 bits of the smallest frame");
    EXPECT_EQ(f.code(), ExitCode::kGuestFault);
  }
  EXPECT_EQ(ctx(i).error_set(), 1u);
  EXPECT_EQ(ctx(i).error_status(), static_cast<uint32_t>(XmaError::kBadFrame));
  EXPECT_FALSE(xma.enabled(i));
}

TEST_F(XmaEngineTest, StereoWritesFourBlocksPerSubframe) {
  Stream st(10, 2, false);
  uint32_t i = start(st, 16, true);
  xma.advance(0);
  xma.advance(2 * kSubframe48k);
  EXPECT_EQ(ctx(i).output_buffer_write_offset(), 8u);
}

TEST_F(XmaEngineTest, ReleaseZeroesTheContextAndFreesItsSlot) {
  int a = xma.allocate_context(), b = xma.allocate_context();
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 1);
  XmaContextData d;
  d.set_loop_count(7);
  set(0, d);
  xma.release_context(0);
  EXPECT_EQ(ctx(0).loop_count(), 0u);
  EXPECT_EQ(xma.allocate_context(), 0);
  for (int n = 2; n < 320; ++n) EXPECT_EQ(xma.allocate_context(), n);
  EXPECT_EQ(xma.allocate_context(), -1);
}

}  // namespace
}  // namespace xdet::apu
