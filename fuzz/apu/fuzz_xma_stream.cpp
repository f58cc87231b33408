// Arbitrary bytes as an XMA context's input buffer (and its context fields)
// through the XMA engine: a bad stream may only end in an XmaFault or a
// GuestFault, never a crash, a hang or an out-of-range access.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "apu/xma_engine.h"

using namespace xdet;
using namespace xdet::apu;

namespace {
GuestMemory& memory() {
  static GuestMemory mem;  // 4 GiB reservation: once per process
  return mem;
}
constexpr uint32_t kArray = 0x00400000, kIn = 0x00500000, kOut = 0x00700000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 16) return 0;
  GuestMemory& mem = memory();
  XmaEngine xma(mem, [] { return kArray; });
  xma.map_registers();
  const uint32_t packets = 1 + data[0] % 4;
  uint8_t* in = mem.translate(0xA0000000 + kIn);
  std::memset(in, 0, packets * kPacketBytes);
  std::memcpy(in, data + 16, std::min<size_t>(size - 16, packets * kPacketBytes));
  XmaContextData d;
  d.set_input_buffer_0_ptr(kIn);
  d.set_input_buffer_0_packet_count(packets);
  d.set_input_buffer_0_valid(1);
  d.set_input_buffer_1_ptr(data[1] & 1 ? kIn : 0);
  d.set_input_buffer_1_packet_count(data[1] >> 4);
  d.set_input_buffer_1_valid(data[1] >> 1 & 1);
  d.set_input_buffer_read_offset((uint32_t{data[2]} << 8 | data[3]) % (packets * kPacketBits + 64));
  d.set_output_buffer_ptr(kOut);
  d.set_output_buffer_block_count(data[4] % 32);
  d.set_output_buffer_valid(1);
  d.set_sample_rate(data[5]);
  d.set_is_stereo(data[5] >> 2 & 1);
  d.set_loop_count(data[6]);
  d.set_loop_start((uint32_t{data[7]} << 8 | data[8]) % (packets * kPacketBits));
  d.set_loop_end((uint32_t{data[9]} << 8 | data[10]) % (packets * kPacketBits));
  try {
    d.store(xma.context_ptr(0));
    mem.write32(kXmaMmioBase + 4 * xreg::kKick, 1);
    for (uint64_t t = 0; t <= 40; ++t) xma.advance(t * 600'000);
    (void)mem.read32(kXmaMmioBase + 4 * (0x5F0 + data[11] % 0x120));
  } catch (const XmaFault&) {
  } catch (const GuestFault&) {
  }
  return 0;
}
