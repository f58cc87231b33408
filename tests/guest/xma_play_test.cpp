// The xma_play sample under `xdet run`: a title plays a generated XMA2
// stream through an XMA context from its audio callback. The PCM it reads
// from the output ring is exactly libavcodec's decode of the frames in the
// order the hardware takes them (loop, buffer switch, refill), bit-identical
// across runs and policies; XMA device events stay out of `xdet diff`.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "xdet_cli.h"

#include "apu/xma_decoder.h"
#include "apu/xma_packets.h"
#include "xma_stream.h"

namespace {

using xdet_cli::slurp;

std::string scratch(const std::string& name) { return xdet_cli::scratch("xma_play", name); }

int xdet(const std::string& args, std::string* out = nullptr) { return xdet_cli::run("xma_play", args, out); }

const std::string kSample = std::string(XDET_SAMPLES_DIR) + "/xma_play.xex";

// The sample's streams, built the same way (guest/samples/xma_play.c).
struct Built {
  std::vector<uint8_t> bytes = std::vector<uint8_t>(4 * XMA_PACKET_BYTES);
  xma_stream s{};
  uint32_t packets = 0;
  Built(uint32_t frames, uint32_t width, uint32_t bin0) {
    xma_stream_init(&s, bytes.data(), 4, 1, 48000);
    for (uint32_t i = 0; i < frames; ++i) {
      xma_frame_spec f{};
      f.bin = (bin0 + i) % 5;
      f.width = width;
      f.quant = 6;
      f.negative = static_cast<int32_t>(i & 1);
      xma_add_frame(&s, &f);
    }
    packets = xma_finish(&s);
  }
  xdet::apu::XmaFrame frame(uint32_t i) const {
    return xdet::apu::read_frame({bytes.data(), packets}, xma_frame_offset(&s, i));
  }
};

// FNV-1a over the big-endian PCM the title reads, as the sample folds it.
std::string expected_summary() {
  Built a(40, 120, 0), b(24, 60, 2);
  std::vector<std::pair<const Built*, uint32_t>> order;
  for (uint32_t i = 0; i < 20; ++i) order.push_back({&a, i});
  for (uint32_t i = 10; i < 40; ++i) order.push_back({&a, i});  // 10..19 twice: the loop
  for (uint32_t i = 0; i < 24; ++i) order.push_back({&b, i});
  for (uint32_t i = 0; i < 40; ++i) order.push_back({&a, i});  // the refilled buffer 0
  xdet::apu::FrameDecoder dec;
  EXPECT_EQ(dec.configure(1, 48000), "");
  std::vector<int16_t> pcm;
  for (auto& [st, i] : order) {
    xdet::apu::XmaFrame f = st->frame(i);
    EXPECT_EQ(dec.decode(f.data.data(), f.bits, pcm), "");
  }
  EXPECT_EQ(dec.drain(pcm), "");
  size_t subframes = (pcm.size() + 255) / 256;
  pcm.resize(subframes * 256, 0);
  uint32_t h = 2166136261u;
  int peak = 0;
  for (int16_t v : pcm) {
    uint16_t u = static_cast<uint16_t>(v);
    h = (h ^ (u >> 8)) * 16777619u;
    h = (h ^ (u & 0xFF)) * 16777619u;
    peak = std::max(peak, std::abs(static_cast<int>(v)));
  }
  return fmt::format("{} subframes from {} frames, ", subframes, order.size()) +
         fmt::format("checksum {:08x}, peak {}", h, peak);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(XmaPlay, TitleHearsExactlyTheDecodedStreamBitIdentically) {
  std::string a = scratch("a"), b = scratch("b");
  std::string out, out2;
  ASSERT_EQ(xdet("run --trace " + a + "/t.jsonl " + kSample, &out), 0) << out;
  EXPECT_NE(out.find("xma_play: 0 failed checks"), std::string::npos) << out;
  std::string want = expected_summary();
  // "N subframes from M frames, C callbacks, checksum ..., peak ...": compare around the callbacks.
  size_t at = out.find("xma_play: 228 subframes from 114 frames, ");
  ASSERT_NE(at, std::string::npos) << out;
  std::string line = out.substr(at + 10, out.find('\n', at) - at - 10);
  EXPECT_EQ(line.substr(0, line.find(" callbacks")).substr(0, want.find(", ") + 2), want.substr(0, want.find(", ") + 2));
  EXPECT_EQ(line.substr(line.find("checksum")), want.substr(want.find("checksum"))) << line << "\n" << want;

  ASSERT_EQ(xdet("run --trace " + b + "/t.jsonl " + kSample, &out2), 0) << out2;
  EXPECT_EQ(out, out2);
  std::string ta = slurp(a + "/t.jsonl");
  EXPECT_EQ(ta, slurp(b + "/t.jsonl"));
  EXPECT_EQ(count(ta, "\"kind\":\"xma.frame\""), 114u);
  EXPECT_EQ(count(ta, "\"kind\":\"xma.loop\""), 1u);
  EXPECT_EQ(count(ta, "\"kind\":\"xma.buffer\""), 3u);
  EXPECT_NE(ta.find("\"payload\":{\"context\":0,\"reason\":\"input-empty\",\"write_offset\":0,\"subframes\":228}"),
            std::string::npos);
  // Strict priority: what the title hears does not depend on the policy.
  ASSERT_EQ(xdet("run --sched-policy strict " + kSample, &out2), 0) << out2;
  EXPECT_EQ(out2.substr(0, out2.find("xdet run:")), out.substr(0, out.find("xdet run:")));
}

TEST(XmaPlay, AudioOutCarriesTheDecodedSignal) {
  std::string d = scratch("wav");
  std::string out;
  ASSERT_EQ(xdet("run --audio-out " + d + "/a.wav " + kSample, &out), 0) << out;
  ASSERT_EQ(xdet("run --audio-out " + d + "/b.wav " + kSample, &out), 0) << out;
  std::string wa = slurp(d + "/a.wav");
  EXPECT_EQ(wa, slurp(d + "/b.wav"));
  size_t data = wa.find("data");
  ASSERT_NE(data, std::string::npos);
  bool nonzero = false;
  for (size_t i = data + 8; i < wa.size(); ++i) nonzero |= wa[i] != 0;
  EXPECT_TRUE(nonzero);
}

TEST(XmaPlay, DiffIgnoresXmaEvents) {
  xdet_cli::expect_diff_steps_over("xma_play", scratch("diff"), kSample, {"xma.", "audio."});
}

}  // namespace
