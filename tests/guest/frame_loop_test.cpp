// The frame-loop sample under `xdet run`: 600 frames with exactly 60 vblank
// callbacks and 187-188 audio callbacks per second of guest time, fences
// in order, bit-identical across runs and policies; --max-frames,
// --audio-out and --dump-frames; and `xdet diff` ignoring device events.
#include <png.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "xdet_cli.h"

namespace {

using xdet_cli::slurp;

std::string scratch(const std::string& name) { return xdet_cli::scratch("frame_loop", name); }

int xdet(const std::string& args, std::string* out = nullptr) { return xdet_cli::run("frame_loop", args, out); }

const std::string kSample = std::string(XDET_SAMPLES_DIR) + "/frame_loop.xex";

// The guest's own lines (without the CLI's summary line).
std::string guest_lines(const std::string& out) {
  std::istringstream in(out);
  std::string line, kept;
  while (std::getline(in, line)) {
    if (line.rfind("xdet run:", 0) != 0) kept += line + "\n";
  }
  return kept;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(FrameLoop, SixHundredFramesOnVirtualTimeBitIdentical) {
  std::string a = scratch("a"), b = scratch("b");
  std::string out, out2;
  ASSERT_EQ(xdet("run --trace " + a + "/t.jsonl " + kSample, &out), 0) << out;
  EXPECT_NE(out.find("frame_loop: 0 failed checks"), std::string::npos) << out;
  EXPECT_NE(out.find("frame_loop: 600 frames, 600 vblanks, 600 CP interrupts"), std::string::npos) << out;
  EXPECT_EQ(count(out, "vblanks 60 audio callbacks 18"), 10u) << out;
  EXPECT_EQ(count(out, "audio callbacks 187\n") + count(out, "audio callbacks 188\n"), 10u) << out;
  ASSERT_EQ(xdet("run --trace " + b + "/t.jsonl " + kSample, &out2), 0) << out2;
  std::string ta = slurp(a + "/t.jsonl");
  EXPECT_EQ(ta, slurp(b + "/t.jsonl"));
  EXPECT_EQ(slurp(a + "/t.exit-thread-state.json"), slurp(b + "/t.exit-thread-state.json"));
  EXPECT_EQ(count(ta, "\"kind\":\"gpu.vblank\""), 600u);
  EXPECT_EQ(count(ta, "\"kind\":\"gpu.swap\""), 600u);
  EXPECT_GE(count(ta, "\"kind\":\"audio.callback\""), 1874u);
  std::string es = slurp(a + "/t.exit-thread-state.json");
  EXPECT_NE(es.find("\"frames\": 600,"), std::string::npos) << es;
  EXPECT_NE(es.find("\"vblanks\": 600,"), std::string::npos) << es;
  EXPECT_NE(es.find("\"name\": \"gpu-interrupt\""), std::string::npos) << es;
  EXPECT_NE(es.find("\"name\": \"audio\""), std::string::npos) << es;
  // Strict priority: the same schedule, the same trace.
  std::string c = scratch("c");
  ASSERT_EQ(xdet("run --sched-policy strict --trace " + c + "/t.jsonl " + kSample, &out2), 0) << out2;
  EXPECT_EQ(ta, slurp(c + "/t.jsonl"));
  // A quantum that cuts slices moves the check points, not what the title observes.
  ASSERT_EQ(xdet("run --quantum 4000 " + kSample, &out2), 0) << out2;
  EXPECT_EQ(guest_lines(out), guest_lines(out2));
}

TEST(FrameLoop, TraceIsIdenticalUnderQuantaThatKeepTheSchedule) {
  // The longest slice of the sample is under 30 000 instructions: from there
  // on no slice is cut by the quantum, the schedule is the same, and so is
  // every byte of the trace (timestamps included).
  std::string a = scratch("q40k"), b = scratch("q100k"), c = scratch("q10k");
  std::string out;
  ASSERT_EQ(xdet("run --quantum 40000 --trace-sched --trace " + a + "/t.jsonl " + kSample, &out), 0) << out;
  ASSERT_EQ(xdet("run --quantum 100000 --trace-sched --trace " + b + "/t.jsonl " + kSample, &out), 0) << out;
  std::string ta = slurp(a + "/t.jsonl");
  EXPECT_EQ(count(ta, "\"reason\":\"quantum\""), 0u);
  // sched.slice.begin carries the budget (the quantum): compare without it.
  ASSERT_EQ(xdet("run --quantum 40000 --trace " + a + "/u.jsonl " + kSample, &out), 0) << out;
  ASSERT_EQ(xdet("run --quantum 100000 --trace " + b + "/u.jsonl " + kSample, &out), 0) << out;
  std::string ua = slurp(a + "/u.jsonl");
  EXPECT_EQ(ua, slurp(b + "/u.jsonl"));
  EXPECT_EQ(count(ua, "\"kind\":\"gpu.swap\""), 600u);
  // The default quantum cuts the frame loop's longest slices: another schedule.
  ASSERT_EQ(xdet("run --trace-sched --trace " + c + "/t.jsonl " + kSample, &out), 0) << out;
  EXPECT_GT(count(slurp(c + "/t.jsonl"), "\"reason\":\"quantum\""), 0u);
}

TEST(FrameLoop, DeadlockBehindRunningDeviceCallbacksIsReported) {
  // Both title threads wait for each other for good; the vblank and audio
  // callbacks keep running (and signalling an event nobody waits on).
  const std::string sample = std::string(XDET_SAMPLES_DIR) + "/device_wedge.xex";
  std::string d = scratch("wedge");
  std::string out;
  ASSERT_EQ(xdet("run --exit-state " + d + "/es.json " + sample, &out), 7) << out;
  EXPECT_NE(out.find("xdet run: deadlock: every title thread waits with no timeout; for 2005 ms of guest time only "
                     "device callbacks ran and none woke a title thread"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("tid 1 main"), std::string::npos) << out;
  EXPECT_NE(out.find("tid 4 worker       prio 0 (effective 31) affinity 0x02 cpu 1: blocked since round 1 in wait-any on "
                     "[event_synchronization"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("audio        prio 15 (effective 15) affinity 0x10 cpu 4: idle device context"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("never reached"), std::string::npos);
  std::string es = slurp(d + "/es.json");
  EXPECT_NE(es.find("\"stop_reason\": \"deadlock\""), std::string::npos) << es;
  EXPECT_NE(es.find("\"exit_code\": 7"), std::string::npos) << es;
  // The window is an option; 0 turns the check off (the run reaches the time limit).
  ASSERT_EQ(xdet("run --device-wedge-ms 500 " + sample, &out), 7) << out;
  EXPECT_NE(out.find("for 501 ms of guest time"), std::string::npos) << out;
  ASSERT_EQ(xdet("run --device-wedge-ms 0 --max-guest-ms 3000 " + sample, &out), 6) << out;
  EXPECT_NE(out.find("guest-time limit reached (3000 ms)"), std::string::npos) << out;
}

TEST(FrameLoop, MaxFramesStopsCleanly) {
  std::string d = scratch("max");
  std::string out;
  ASSERT_EQ(xdet("run --max-frames 30 --exit-state " + d + "/es.json " + kSample, &out), 0) << out;
  EXPECT_NE(out.find("frame-limit"), std::string::npos) << out;
  std::string es = slurp(d + "/es.json");
  EXPECT_NE(es.find("\"stop_reason\": \"frame-limit\""), std::string::npos) << es;
  EXPECT_NE(es.find("\"exit_code\": 0"), std::string::npos) << es;
  EXPECT_NE(es.find("\"frames\": 30,"), std::string::npos) << es;
  EXPECT_EQ(out.find("frame_loop: 0 failed checks"), std::string::npos);  // stopped before the end
}

TEST(FrameLoop, AudioOutIsADeterministicWav) {
  std::string d = scratch("wav");
  std::string out;
  ASSERT_EQ(xdet("run --max-frames 60 --audio-out " + d + "/a.wav " + kSample, &out), 0) << out;
  ASSERT_EQ(xdet("run --max-frames 60 --audio-out " + d + "/b.wav " + kSample, &out), 0) << out;
  std::string wa = slurp(d + "/a.wav"), wb = slurp(d + "/b.wav");
  ASSERT_GT(wa.size(), 58u);
  EXPECT_EQ(wa, wb);
  EXPECT_EQ(wa.substr(0, 4), "RIFF");
  EXPECT_EQ(wa.substr(8, 4), "WAVE");
  // Frames played in the first second: 1 s of 256-sample frames at 48 kHz,
  // minus the first (nothing is queued before the first callback).
  size_t data = wa.find("data");
  ASSERT_NE(data, std::string::npos);
  uint32_t bytes = static_cast<uint8_t>(wa[data + 4]) | static_cast<uint8_t>(wa[data + 5]) << 8 |
                   static_cast<uint8_t>(wa[data + 6]) << 16 | static_cast<uint32_t>(static_cast<uint8_t>(wa[data + 7])) << 24;
  EXPECT_EQ(bytes % (256 * 6 * 4), 0u);
  EXPECT_GE(bytes / (256 * 6 * 4), 180u);
  EXPECT_EQ(wa.size(), data + 8 + bytes);
  // Not silence: the sample writes a sawtooth.
  EXPECT_NE(wa.substr(data + 8, 64), std::string(64, '\0'));
}

TEST(FrameLoop, DumpFramesWritesTheFrontBuffers) {
  std::string d = scratch("png");
  std::string out;
  ASSERT_EQ(xdet("run --max-frames 3 --dump-frames " + d + " " + kSample, &out), 0) << out;
  for (int f = 1; f <= 3; ++f) {
    std::string path = d + "/frame-00000" + std::to_string(f) + ".png";
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    ASSERT_TRUE(png_image_begin_read_from_file(&img, path.c_str())) << path;
    EXPECT_EQ(img.width, 64u);
    EXPECT_EQ(img.height, 64u);
    img.format = PNG_FORMAT_RGBA;
    std::vector<uint8_t> px(PNG_IMAGE_SIZE(img));
    ASSERT_TRUE(png_image_finish_read(&img, nullptr, px.data(), 0, nullptr));
    // The sample fills frame f with 0xFF0000ff (blue = frame number).
    EXPECT_EQ(px[2], f);
    EXPECT_EQ(px[px.size() - 2], f);
    EXPECT_EQ(px[3], 0xFF);
  }
}

TEST(FrameLoop, DiffIgnoresDeviceEvents) {
  xdet_cli::expect_diff_steps_over("frame_loop", scratch("diff"), "--max-frames 20 " + kSample, {"gpu.", "audio."});
}

}  // namespace
