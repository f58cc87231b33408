// Arbitrary ring-buffer contents (plus an indirect buffer and the register
// page) through the command processor: a bad stream may only end in a
// GpuFault or GuestFault, never a crash, a hang or an out-of-range access.
#include <cstddef>
#include <cstdint>

#include "gpu/command_processor.h"

using namespace xdet;
using namespace xdet::gpu;

namespace {
GuestMemory& memory() {
  static GuestMemory mem;  // 4 GiB reservation: once per process
  return mem;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  GuestMemory& mem = memory();
  CommandProcessor cp(mem, GpuConfig{1280, 720, (data[0] & 1) != 0});
  cp.map_registers();
  constexpr uint32_t kRing = 0x00100000;
  cp.initialize_ring_buffer(kRing, 8);  // 512 dwords
  cp.enable_read_pointer_writeback(0x00200000, data[1] & 7);
  size_t words = (size - 2) / 4;
  if (words > 512) words = 512;
  for (size_t i = 0; i < words; ++i) {
    const uint8_t* p = data + 2 + 4 * i;
    uint32_t w = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    cp.phys_write32_be(kRing + 4 * static_cast<uint32_t>(i), w);
    // The same words as an indirect buffer where the stream points one.
    cp.phys_write32_be(0x00300000 + 4 * static_cast<uint32_t>(i), w);
  }
  try {
    mem.write32(kGpuMmioBase + 4 * reg::kCpRbWptr, static_cast<uint32_t>(words));
    for (uint64_t t = 1; t <= 64; ++t) {
      cp.advance(t * 100'000);
      if (!cp.busy()) break;
    }
    (void)mem.read32(kGpuMmioBase + 4 * (data[0] % 0x5003));
  } catch (const GpuFault&) {
  } catch (const GuestFault&) {
  }
  return 0;
}
