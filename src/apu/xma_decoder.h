#pragma once
// Frame-at-a-time XMA decoding with Debian's libavcodec (codec "xma2"),
// single-threaded and bit-exact. The packet layer (xma_packets.h) hands
// over one frame at a time; this wraps it in a synthetic one-stream XMA2
// packet (two when the frame is longer than a packet's payload) so the
// decoder's state (overlap-add between frames) follows the context's
// frames, loops and buffer switches exactly.
//
// libavcodec's XMA2 decoder holds back the first decoded frame (it has no
// overlap partner), drops 64 samples at the start of a stream and keeps
// 4096 samples per stream queued to line up multi-stream files; `drain()`
// releases the queue (plus the last frame's overlap half) and starts a new
// stream. For N frames between drains the decoder therefore yields exactly
// N * 512 - 64 samples per channel.
#include <cstdint>
#include <string>
#include <vector>

struct AVCodecContext;
struct AVFrame;
struct AVPacket;

namespace xdet::apu {

class FrameDecoder {
 public:
  FrameDecoder();
  ~FrameDecoder();
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  // Opens (or reopens, dropping all state) for 1 or 2 channels at `rate` Hz.
  // Returns "" or an error.
  std::string configure(uint32_t channels, uint32_t rate);
  uint32_t channels() const { return channels_; }
  uint32_t rate() const { return rate_; }
  bool open() const { return ctx_ != nullptr; }

  // Decodes one frame (`bits` bits, most significant bit first); appends
  // whatever PCM the decoder releases, interleaved 16-bit. Returns "" or an
  // error (a frame the decoder rejects).
  std::string decode(const uint8_t* data, uint32_t bits, std::vector<int16_t>& out);
  // End of stream: appends the queued samples and resets the decoder.
  std::string drain(std::vector<int16_t>& out);
  // Drops all decoder state (a cleared context, a moved read offset).
  void reset();
  uint64_t frames_since_reset() const { return frames_; }

 private:
  std::string send(const uint8_t* packet, std::vector<int16_t>& out);
  void receive(std::vector<int16_t>& out);
  void close();

  AVCodecContext* ctx_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  uint32_t channels_ = 0;
  uint32_t rate_ = 0;
  uint64_t frames_ = 0;
  int64_t pts_ = 0;
};

}  // namespace xdet::apu
