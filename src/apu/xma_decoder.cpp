#include "apu/xma_decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
}

#include "apu/xma_context_data.h"

namespace xdet::apu {

namespace {

constexpr uint32_t kPayloadBits = kPacketBits - kPacketHeaderBits;

std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof(buf));
  return buf;
}

void put_header(uint8_t* p, uint32_t frames, uint32_t prev_bits) {
  uint32_t h = (frames << 26) | (prev_bits << 11) | (1u << 8);
  p[0] = static_cast<uint8_t>(h >> 24);
  p[1] = static_cast<uint8_t>(h >> 16);
  p[2] = static_cast<uint8_t>(h >> 8);
  p[3] = static_cast<uint8_t>(h);
}

// Copies `n` bits from src (starting at bit `from`) to dst's payload
// (starting at bit 32).
void copy_bits(uint8_t* dst, const uint8_t* src, uint32_t from, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t s = from + i, d = kPacketHeaderBits + i;
    if ((src[s >> 3] >> (7 - (s & 7))) & 1u) dst[d >> 3] = static_cast<uint8_t>(dst[d >> 3] | (0x80u >> (d & 7)));
  }
}

int16_t to_pcm16(float x) {
  float v = x * 32768.0f;
  if (!(v > -32768.0f)) return -32768;  // also NaN
  if (v >= 32767.0f) return 32767;
  return static_cast<int16_t>(std::lrintf(v));
}

}  // namespace

FrameDecoder::FrameDecoder() = default;
FrameDecoder::~FrameDecoder() { close(); }

void FrameDecoder::close() {
  if (ctx_) avcodec_free_context(&ctx_);
  if (frame_) av_frame_free(&frame_);
  if (packet_) av_packet_free(&packet_);
  channels_ = rate_ = 0;
}

std::string FrameDecoder::configure(uint32_t channels, uint32_t rate) {
  close();
  // libavcodec logs to stderr; nothing it says may reach the run's output.
  av_log_set_level(AV_LOG_QUIET);
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_XMA2);
  if (!codec) return "libavcodec has no XMA2 decoder";
  ctx_ = avcodec_alloc_context3(codec);
  frame_ = av_frame_alloc();
  packet_ = av_packet_alloc();
  if (!ctx_ || !frame_ || !packet_) {
    close();
    return "out of host memory for the XMA decoder";
  }
  av_channel_layout_default(&ctx_->ch_layout, static_cast<int>(channels));
  ctx_->sample_rate = static_cast<int>(rate);
  ctx_->thread_count = 1;
  ctx_->flags |= AV_CODEC_FLAG_BITEXACT;
  // XMA2WAVEFORMATEX-sized extradata: one stream, no channel mask.
  ctx_->extradata = static_cast<uint8_t*>(av_mallocz(34 + AV_INPUT_BUFFER_PADDING_SIZE));
  if (!ctx_->extradata) {
    close();
    return "out of host memory for the XMA decoder";
  }
  ctx_->extradata_size = 34;
  ctx_->extradata[0] = 1;
  int r = avcodec_open2(ctx_, codec, nullptr);
  if (r < 0) {
    close();
    return "cannot open libavcodec's XMA2 decoder: " + av_error(r);
  }
  channels_ = channels;
  rate_ = rate;
  frames_ = 0;
  pts_ = 0;
  return {};
}

void FrameDecoder::reset() {
  if (ctx_) avcodec_flush_buffers(ctx_);
  frames_ = 0;
}

void FrameDecoder::receive(std::vector<int16_t>& out) {
  while (avcodec_receive_frame(ctx_, frame_) == 0) {
    const int n = frame_->nb_samples;
    const float* ch0 = reinterpret_cast<const float*>(frame_->extended_data[0]);
    const float* ch1 = channels_ > 1 ? reinterpret_cast<const float*>(frame_->extended_data[1]) : nullptr;
    for (int i = 0; i < n; ++i) {
      out.push_back(to_pcm16(ch0[i]));
      if (ch1) out.push_back(to_pcm16(ch1[i]));
    }
    av_frame_unref(frame_);
  }
}

std::string FrameDecoder::send(const uint8_t* packet, std::vector<int16_t>& out) {
  int r = av_new_packet(packet_, static_cast<int>(kPacketBytes));
  if (r < 0) return "out of host memory for an XMA packet";
  std::memcpy(packet_->data, packet, kPacketBytes);
  packet_->pts = pts_;
  pts_ += kFrameSamples;
  r = avcodec_send_packet(ctx_, packet_);
  av_packet_unref(packet_);
  if (r < 0) return "the decoder rejected the frame: " + av_error(r);
  receive(out);
  return {};
}

std::string FrameDecoder::decode(const uint8_t* data, uint32_t bits, std::vector<int16_t>& out) {
  if (!ctx_) return "the XMA decoder is not configured";
  uint8_t packet[kPacketBytes];
  const uint32_t first = std::min(bits, kPayloadBits);
  std::memset(packet, 0, sizeof(packet));
  put_header(packet, 1, 0);
  copy_bits(packet, data, 0, first);
  // The frame's last bit says whether more frames follow in the packet; the
  // synthetic packet holds this one only.
  if (bits <= kPayloadBits) {
    uint32_t last = kPacketHeaderBits + bits - 1;
    packet[last >> 3] = static_cast<uint8_t>(packet[last >> 3] & ~(0x80u >> (last & 7)));
  }
  std::string err = send(packet, out);
  if (!err.empty() || bits <= kPayloadBits) {
    ++frames_;
    return err;
  }
  std::memset(packet, 0, sizeof(packet));
  put_header(packet, 0, bits - first);
  copy_bits(packet, data, first, bits - first);
  uint32_t last = kPacketHeaderBits + (bits - first) - 1;
  packet[last >> 3] = static_cast<uint8_t>(packet[last >> 3] & ~(0x80u >> (last & 7)));
  ++frames_;
  return send(packet, out);
}

std::string FrameDecoder::drain(std::vector<int16_t>& out) {
  if (!ctx_) return {};
  int r = avcodec_send_packet(ctx_, nullptr);
  if (r < 0 && r != AVERROR_EOF) return "cannot drain the XMA decoder: " + av_error(r);
  receive(out);
  reset();
  return {};
}

}  // namespace xdet::apu
