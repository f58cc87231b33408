#pragma once
// The XMA packet and frame layer: what the console's XMA parser does before
// any audio is decoded. An input buffer is a run of 2048-byte packets; each
// starts with a 32-bit header (frames beginning in the packet (6), bits
// that finish the previous frame (15), metadata (3), packets to skip to
// this stream's next packet (8)). Frames are length-prefixed bit strings
// (15-bit length) that run on across packet boundaries, skipping headers.
// Offsets are bit offsets into the buffer, packet headers included, as the
// context's input read offset counts them (the first frame of a buffer is
// usually at bit 32).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apu/xma_context_data.h"

namespace xdet::apu {

inline constexpr uint32_t kFrameLengthBits = 15;
// The smallest frame the decoder accepts: length, tile header, DRC byte,
// trim flag, subframe header, one coefficient flag, filler and trailer.
inline constexpr uint32_t kMinFrameBits = 31;
inline constexpr uint32_t kBufferDone = ~0u;

struct PacketHeader {
  uint32_t frame_count = 0;         // frames beginning in this packet
  uint32_t first_frame_offset = 0;  // bits after the header that belong to the previous frame
  uint32_t metadata = 0;
  uint32_t skip = 0;                // packets to skip to this stream's next packet
};
PacketHeader packet_header(const uint8_t* packet);

// A malformed packet, frame or read offset; the message says which and where.
class XmaStreamError : public std::runtime_error {
 public:
  XmaStreamError(XmaError code, const std::string& what) : std::runtime_error(what), code_(code) {}
  XmaError code() const { return code_; }

 private:
  XmaError code_;
};

struct XmaBuffer {
  const uint8_t* data = nullptr;
  uint32_t packets = 0;
};

struct XmaFrame {
  uint32_t offset = 0;          // buffer bit offset of the frame's first bit
  uint32_t bits = 0;            // its length
  std::vector<uint8_t> data;    // its bits, contiguous, most significant bit first
  uint32_t end_offset = 0;      // buffer bit offset just after its last bit
  uint32_t next_offset = 0;     // where the next frame starts, or kBufferDone
};

// The first frame at or after `offset`: a frame start, or bit 0..32 of a
// packet (its header's first frame; packets without frames are skipped).
// kBufferDone when the buffer has no further frame. Throws XmaStreamError
// for an offset past the buffer or inside a frame and for bad headers.
uint32_t resolve_frame_start(const XmaBuffer& b, uint32_t offset);

// Reads the frame starting at `offset` (resolved with resolve_frame_start
// first); next_offset is resolved too. Throws XmaStreamError.
XmaFrame read_frame(const XmaBuffer& b, uint32_t offset);

}  // namespace xdet::apu
