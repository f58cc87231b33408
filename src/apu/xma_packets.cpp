#include "apu/xma_packets.h"

#include <fmt/format.h>

namespace xdet::apu {

PacketHeader packet_header(const uint8_t* p) {
  uint32_t h = static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
               static_cast<uint32_t>(p[2]) << 8 | p[3];
  return {h >> 26, (h >> 11) & 0x7FFF, (h >> 8) & 7, h & 0xFF};
}

namespace {

PacketHeader header_at(const XmaBuffer& b, uint32_t packet) { return packet_header(b.data + packet * kPacketBytes); }

// Reads bits of one stream, crossing from a packet's end to the payload of
// the stream's next packet.
class Cursor {
 public:
  Cursor(const XmaBuffer& b, uint32_t packet, uint32_t bit) : b_(b), packet_(packet), bit_(bit) {}
  // False when the stream runs past the buffer's last packet.
  bool read(uint32_t n, uint32_t* value) {
    uint32_t v = 0;
    for (uint32_t i = 0; i < n; ++i) {
      if (bit_ == kPacketBits) {
        packet_ += 1 + header_at(b_, packet_).skip;
        bit_ = kPacketHeaderBits;
        if (packet_ >= b_.packets) return false;
      }
      const uint8_t byte = b_.data[packet_ * kPacketBytes + (bit_ >> 3)];
      v = (v << 1) | ((byte >> (7 - (bit_ & 7))) & 1u);
      ++bit_;
    }
    *value = v;
    return true;
  }
  uint32_t packet() const { return packet_; }
  uint32_t bit() const { return bit_; }

 private:
  const XmaBuffer& b_;
  uint32_t packet_;
  uint32_t bit_;
};

uint32_t frame_length_at(const XmaBuffer& b, uint32_t packet, uint32_t bit) {
  Cursor c(b, packet, bit);
  uint32_t len = 0;
  if (!c.read(kFrameLengthBits, &len)) {
    throw XmaStreamError(XmaError::kBadFrame,
                         fmt::format("the length of the frame at bit {} (packet {}) runs past the buffer's end",
                                     packet * kPacketBits + bit, packet));
  }
  if (len < kMinFrameBits) {
    throw XmaStreamError(XmaError::kBadFrame,
                         fmt::format("the frame at bit {} (packet {}) is {} bits long, shorter than the {} bits of the "
                                     "smallest frame",
                                     packet * kPacketBits + bit, packet, len, kMinFrameBits));
  }
  return len;
}

// First-frame bit of a packet that has frames.
uint32_t first_frame_bit(const XmaBuffer& b, uint32_t packet) {
  PacketHeader h = header_at(b, packet);
  uint32_t bit = kPacketHeaderBits + h.first_frame_offset;
  if (bit >= kPacketBits) {
    throw XmaStreamError(XmaError::kBadPacket,
                         fmt::format("packet {} has {} frame(s) but puts its first frame at bit {}, past the packet's "
                                     "end (header {:02X}{:02X}{:02X}{:02X})",
                                     packet, h.frame_count, bit, b.data[packet * kPacketBytes],
                                     b.data[packet * kPacketBytes + 1], b.data[packet * kPacketBytes + 2],
                                     b.data[packet * kPacketBytes + 3]));
  }
  return bit;
}

// Index of the frame starting at `bit` among the frames beginning in `packet`.
uint32_t frame_index(const XmaBuffer& b, uint32_t packet, uint32_t bit) {
  PacketHeader h = header_at(b, packet);
  if (h.frame_count > 0) {
    uint32_t pos = first_frame_bit(b, packet);
    for (uint32_t i = 0; i < h.frame_count && pos < kPacketBits; ++i) {
      if (pos == bit) return i;
      if (pos > bit) break;
      pos += frame_length_at(b, packet, pos);
    }
  }
  throw XmaStreamError(XmaError::kBadReadOffset,
                       fmt::format("read offset {} (bit {} of packet {}) is not the start of a frame",
                                   packet * kPacketBits + bit, bit, packet));
}

}  // namespace

uint32_t resolve_frame_start(const XmaBuffer& b, uint32_t offset) {
  uint32_t packet = offset / kPacketBits, bit = offset % kPacketBits;
  if (packet >= b.packets) {
    throw XmaStreamError(XmaError::kBadReadOffset,
                         fmt::format("read offset {} is past the end of the buffer ({} packet(s), {} bits)", offset,
                                     b.packets, b.packets * kPacketBits));
  }
  if (bit > kPacketHeaderBits) {
    frame_index(b, packet, bit);  // validates
    return offset;
  }
  for (;;) {
    PacketHeader h = header_at(b, packet);
    if (h.frame_count > 0) return packet * kPacketBits + first_frame_bit(b, packet);
    packet += 1 + h.skip;
    if (packet >= b.packets) return kBufferDone;
  }
}

XmaFrame read_frame(const XmaBuffer& b, uint32_t offset) {
  const uint32_t packet = offset / kPacketBits, bit = offset % kPacketBits;
  const uint32_t index = frame_index(b, packet, bit);
  XmaFrame f;
  f.offset = offset;
  f.bits = frame_length_at(b, packet, bit);
  f.data.assign((f.bits + 7) / 8, 0);
  Cursor c(b, packet, bit);
  for (uint32_t i = 0; i < f.bits; i += 8) {
    uint32_t n = std::min<uint32_t>(8, f.bits - i), v = 0;
    if (!c.read(n, &v)) {
      throw XmaStreamError(XmaError::kBadFrame,
                           fmt::format("the frame at bit {} (packet {}) is {} bits long and runs past the end of the "
                                       "buffer ({} packet(s))",
                                       offset, packet, f.bits, b.packets));
    }
    f.data[i / 8] = static_cast<uint8_t>(v << (8 - n));
  }
  // Where the next frame starts.
  const uint32_t end_packet = c.packet(), end_bit = c.bit();
  f.end_offset = end_packet * kPacketBits + end_bit;
  const PacketHeader end_header = header_at(b, end_packet);
  if (end_packet == packet) {
    if (index + 1 < end_header.frame_count && end_bit < kPacketBits) {
      f.next_offset = packet * kPacketBits + end_bit;
      return f;
    }
  } else if (end_header.frame_count > 0) {
    uint32_t first = first_frame_bit(b, end_packet);
    if (first != end_bit) {
      throw XmaStreamError(XmaError::kBadPacket,
                           fmt::format("packet {} puts its first frame at bit {}, but the frame from packet {} ends at "
                                       "bit {}",
                                       end_packet, first, packet, end_bit));
    }
    f.next_offset = end_packet * kPacketBits + end_bit;
    return f;
  }
  uint32_t next = end_packet + 1 + end_header.skip;
  f.next_offset = next >= b.packets ? kBufferDone : resolve_frame_start(b, next * kPacketBits);
  return f;
}

}  // namespace xdet::apu
