#pragma once
// The 64-byte XMA context as the hardware and the title share it: sixteen
// big-endian dwords in physical memory, tight bitfields (bit 0 = the least
// significant bit of the dword as the guest reads it). Layout after xenia's
// XMA_CONTEXT_DATA (apu/xma_context.h); fields xdet does not use keep their
// bits untouched.
//
//  dword 0: input buffer 0 packets (12) | loop count (8) | input 0 valid (1) |
//           input 1 valid (1) | output blocks (5) | output write offset (5)
//  dword 1: input buffer 1 packets (12) | loop subframe end (2) | - (3) |
//           loop subframe skip (3) | subframe decode count (4) | - (3) |
//           sample rate (2: 24, 32, 44.1, 48 kHz) | stereo (1) | - (1) |
//           output valid (1)
//  dword 2: input read offset in bits (26) | error status (5) | error set (1)
//  dword 3: loop start in bits (26)
//  dword 4: loop end in bits (26) | packet metadata (5) | current buffer (1)
//  dword 5/6/7/8: input buffer 0, input buffer 1, output buffer, overlap-add
//           (physical addresses)
//  dword 9: output read offset in 256-byte blocks (5)
#include <cstdint>

#include "base/byte_order.h"

namespace xdet::apu {

inline constexpr uint32_t kContextBytes = 64;
inline constexpr uint32_t kContextCount = 320;          // 10 register groups of 32
inline constexpr uint32_t kPacketBytes = 2048;
inline constexpr uint32_t kPacketBits = kPacketBytes * 8;
inline constexpr uint32_t kPacketHeaderBits = 32;
inline constexpr uint32_t kOutputBlockBytes = 256;
inline constexpr uint32_t kFrameSamples = 512;          // per channel
inline constexpr uint32_t kSubframeSamples = 256;       // per channel: the output pace unit
inline constexpr uint32_t kLoopForever = 255;

// Context error status values xdet stores (dword 2 bits 26-30, with bit 31
// "error set").
enum class XmaError : uint8_t { kNone = 0, kBadPacket = 1, kBadFrame = 2, kBadReadOffset = 3 };

inline uint32_t sample_rate_hz(uint32_t code) {
  static constexpr uint32_t kRates[4] = {24000, 32000, 44100, 48000};
  return kRates[code & 3];
}

struct XmaContextData {
  uint32_t w[16] = {};

  static XmaContextData load(const uint8_t* p) {
    XmaContextData d;
    for (int i = 0; i < 16; ++i) d.w[i] = load_be32(p + 4 * i);
    return d;
  }
  void store(uint8_t* p) const {
    for (int i = 0; i < 16; ++i) store_be32(p + 4 * i, w[i]);
  }

  static constexpr uint32_t ones(int width) { return width >= 32 ? ~0u : (1u << width) - 1; }
  uint32_t get(int word, int shift, int width) const { return (w[word] >> shift) & ones(width); }
  void set(int word, int shift, int width, uint32_t v) {
    uint32_t mask = ones(width) << shift;
    w[word] = (w[word] & ~mask) | ((v << shift) & mask);
  }

#define XDET_XMA_FIELD(name, word, shift, width)                 \
  uint32_t name() const { return get(word, shift, width); }      \
  void set_##name(uint32_t v) { set(word, shift, width, v); }
  XDET_XMA_FIELD(input_buffer_0_packet_count, 0, 0, 12)
  XDET_XMA_FIELD(loop_count, 0, 12, 8)
  XDET_XMA_FIELD(input_buffer_0_valid, 0, 20, 1)
  XDET_XMA_FIELD(input_buffer_1_valid, 0, 21, 1)
  XDET_XMA_FIELD(output_buffer_block_count, 0, 22, 5)
  XDET_XMA_FIELD(output_buffer_write_offset, 0, 27, 5)
  XDET_XMA_FIELD(input_buffer_1_packet_count, 1, 0, 12)
  XDET_XMA_FIELD(loop_subframe_end, 1, 12, 2)
  XDET_XMA_FIELD(loop_subframe_skip, 1, 17, 3)
  XDET_XMA_FIELD(subframe_decode_count, 1, 20, 4)
  XDET_XMA_FIELD(sample_rate, 1, 27, 2)
  XDET_XMA_FIELD(is_stereo, 1, 29, 1)
  XDET_XMA_FIELD(output_buffer_valid, 1, 31, 1)
  XDET_XMA_FIELD(input_buffer_read_offset, 2, 0, 26)
  XDET_XMA_FIELD(error_status, 2, 26, 5)
  XDET_XMA_FIELD(error_set, 2, 31, 1)
  XDET_XMA_FIELD(loop_start, 3, 0, 26)
  XDET_XMA_FIELD(loop_end, 4, 0, 26)
  XDET_XMA_FIELD(packet_metadata, 4, 26, 5)
  XDET_XMA_FIELD(current_buffer, 4, 31, 1)
  XDET_XMA_FIELD(input_buffer_0_ptr, 5, 0, 32)
  XDET_XMA_FIELD(input_buffer_1_ptr, 6, 0, 32)
  XDET_XMA_FIELD(output_buffer_ptr, 7, 0, 32)
  XDET_XMA_FIELD(output_buffer_read_offset, 9, 0, 5)
#undef XDET_XMA_FIELD

  uint32_t input_valid(uint32_t buffer) const { return buffer ? input_buffer_1_valid() : input_buffer_0_valid(); }
  void set_input_valid(uint32_t buffer, uint32_t v) {
    if (buffer) set_input_buffer_1_valid(v);
    else set_input_buffer_0_valid(v);
  }
  uint32_t input_ptr(uint32_t buffer) const { return buffer ? input_buffer_1_ptr() : input_buffer_0_ptr(); }
  uint32_t input_packets(uint32_t buffer) const {
    return buffer ? input_buffer_1_packet_count() : input_buffer_0_packet_count();
  }
};

}  // namespace xdet::apu
