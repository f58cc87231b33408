// Video (Vd*): display mode, ring buffer set-up, the graphics interrupt
// callback, VdSwap and the Vd variables. The GPU itself (register page,
// command processor, vblank) is kernel/devices + src/gpu.
#include <cstring>

#include "kernel/exports/exports.h"
#include "memory/memory_map.h"

namespace xdet::kernel {

namespace {

// A GPU address: physical, whatever view of physical memory the guest
// passed (the 0xE0000000 view is offset by 0x1000 on the console).
uint32_t gpu_physical(ExportCall& c, uint32_t address) {
  if (address >= 0xA0000000u) {
    if (MemoryMap* map = c.k.memory_map()) return map->physical_address(address);
  }
  return address & 0x1FFFFFFF;
}

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

const DeviceOptions& video(ExportCall& c) { return c.k.devices().options(); }

void vd_initialize_engines(ExportCall& c) { c.ret(1); }
void vd_shutdown_engines(ExportCall&) {}

// X_VIDEO_MODE (48 bytes).
void write_video_mode(ExportCall& c, uint32_t p) {
  const DeviceOptions& o = video(c);
  GuestMemory& m = c.mem();
  m.fill(p, 0, 48);
  m.write32(p + 0x00, o.width);
  m.write32(p + 0x04, o.height);
  m.write32(p + 0x08, 0);                          // progressive
  m.write32(p + 0x0C, 1);                          // widescreen
  m.write32(p + 0x10, o.height >= 720 ? 1 : 0);    // high definition
  m.write32(p + 0x14, float_bits(static_cast<float>(o.refresh_hz)));
  m.write32(p + 0x18, 1);                          // NTSC
  m.write32(p + 0x1C, 0x4A);
  m.write32(p + 0x20, 1);
}

void vd_query_video_mode(ExportCall& c) { write_video_mode(c, c.arg(0)); }

void vd_query_video_flags(ExportCall& c) {
  const DeviceOptions& o = video(c);
  uint32_t flags = 1;  // widescreen
  if (o.width >= 1024) flags |= 2;
  if (o.width >= 1920) flags |= 4;
  c.ret(flags);
}

// X_DISPLAY_INFO (0x58 bytes).
void vd_get_current_display_information(ExportCall& c) {
  const DeviceOptions& o = video(c);
  uint32_t p = c.arg(0);
  GuestMemory& m = c.mem();
  m.fill(p, 0, 0x58);
  m.write16(p + 0x00, static_cast<uint16_t>(o.width));
  m.write16(p + 0x02, static_cast<uint16_t>(o.height));
  m.write32(p + 0x08 + 0x08, o.width);             // scaler source rect x2, y2
  m.write32(p + 0x08 + 0x0C, o.height);
  m.write32(p + 0x08 + 0x10, o.width);             // scaled output
  m.write32(p + 0x08 + 0x14, o.height);
  m.write16(p + 0x48, static_cast<uint16_t>(o.width));
  m.write16(p + 0x4A, static_cast<uint16_t>(o.height));
  m.write32(p + 0x4C, float_bits(static_cast<float>(o.refresh_hz)));
  m.write16(p + 0x56, static_cast<uint16_t>(o.width));
}

void vd_get_current_display_gamma(ExportCall& c) {
  c.mem().write32(c.arg(0), 2);                    // BT.709
  c.mem().write32(c.arg(1), float_bits(2.22222233f));
}

void vd_set_display_mode(ExportCall& c) { c.ret(0); }

void vd_set_graphics_interrupt_callback(ExportCall& c) {
  c.k.devices().set_interrupt_callback(c.arg(0), c.arg(1));
}

void vd_initialize_ring_buffer(ExportCall& c) {
  c.k.devices().gpu().initialize_ring_buffer(gpu_physical(c, c.arg(0)), c.arg(1));
}

void vd_enable_ring_buffer_rptr_write_back(ExportCall& c) {
  c.k.devices().gpu().enable_read_pointer_writeback(gpu_physical(c, c.arg(0)), c.arg(1));
}

void vd_get_system_command_buffer(ExportCall& c) {
  c.mem().fill(c.arg(0), 0, 0x94);
  c.mem().write32(c.arg(0), 0xBEEF0000);
  c.mem().write32(c.arg(1), 0xBEEF0001);
}

void vd_set_system_command_buffer_gpu_identifier_address(ExportCall&) {}

// Fills the scaler command area with type-2 fillers: the headless GPU has
// no scaler to program.
void vd_initialize_scaler_command_buffer(ExportCall& c) {
  uint32_t dest = c.arg(10), count = c.arg(11);
  for (uint32_t i = 0; i < count; ++i) c.mem().write32(dest + 4 * i, gpu::pm4::type2());
  c.ret(count);
}

void vd_call_graphics_notification_routines(ExportCall& c) { c.ret(0); }
void vd_get_graphics_asic_id(ExportCall& c) { c.ret(0x11); }
void vd_is_hsio_training_succeeded(ExportCall& c) { c.ret(1); }

void vd_persist_display(ExportCall& c) {
  uint32_t out = c.arg(1);
  if (out) {
    uint32_t a = 0;
    if (MemoryMap* map = c.k.memory_map()) a = map->system_alloc(64, 32, true);
    else a = c.k.pool().allocate(64, 32);
    c.mem().write32(out, a);
  }
  c.ret(1);
}

void vd_retrain_edram(ExportCall& c) { c.ret(0); }
void vd_enable_disable_clock_gating(ExportCall& c) { c.ret(0); }

// VdSwap(ring space, fetch constant, ?, ?, ?, &front buffer, &format,
// &color space, &width, &height): writes the 64-dword swap block into the
// ring space the title reserved; the frame is presented when the command
// processor reaches it.
void vd_swap(ExportCall& c) {
  GuestMemory& m = c.mem();
  uint32_t ring = c.arg(0), fetch = c.arg(1);
  uint32_t front_virtual = m.read32(c.arg(5));
  uint32_t width = c.arg(8) ? m.read32(c.arg(8)) : video(c).width;
  uint32_t height = c.arg(9) ? m.read32(c.arg(9)) : video(c).height;
  uint32_t front = gpu_physical(c, front_virtual);
  uint32_t words[6];
  for (int i = 0; i < 6; ++i) words[i] = m.read32(fetch + 4 * i);
  words[1] = (words[1] & 0xFFFu) | (front & ~0xFFFu);  // base address in 4 KB units
  m.fill(ring, 0, 64 * 4);
  m.write32(ring, gpu::pm4::type0(gpu::reg::kFetchConstantBase, 6));
  for (int i = 0; i < 6; ++i) m.write32(ring + 4 + 4 * i, words[i]);
  m.write32(ring + 28, gpu::pm4::type3(gpu::pm4::kXeSwap, 4));
  m.write32(ring + 32, gpu::pm4::kSwapSignature);
  m.write32(ring + 36, front);
  m.write32(ring + 40, width);
  m.write32(ring + 44, height);
  for (uint32_t i = 12; i < 64; ++i) m.write32(ring + 4 * i, gpu::pm4::type2());
  c.resolve("front_buffer", TraceValue::hex32(front));
  c.ret(0);
}

const ExportInfo kExports[] = {
    {433, "VdCallGraphicsNotificationRoutines", 2, vd_call_graphics_notification_routines},
    {436, "VdEnableDisableClockGating", 1, vd_enable_disable_clock_gating},
    {438, "VdEnableRingBufferRPtrWriteBack", 2, vd_enable_ring_buffer_rptr_write_back},
    {441, "VdGetCurrentDisplayGamma", 2, vd_get_current_display_gamma},
    {442, "VdGetCurrentDisplayInformation", 1, vd_get_current_display_information},
    {444, "VdGetGraphicsAsicID", 0, vd_get_graphics_asic_id},
    {445, "VdGetSystemCommandBuffer", 2, vd_get_system_command_buffer},
    {450, "VdInitializeEngines", 5, vd_initialize_engines},
    {451, "VdInitializeRingBuffer", 2, vd_initialize_ring_buffer},
    {453, "VdInitializeScalerCommandBuffer", 12, vd_initialize_scaler_command_buffer, nullptr,
     "writes type-2 fillers: there is no scaler to program"},
    {454, "VdIsHSIOTrainingSucceeded", 0, vd_is_hsio_training_succeeded},
    {455, "VdPersistDisplay", 2, vd_persist_display},
    {457, "VdQueryVideoFlags", 0, vd_query_video_flags},
    {458, "VdQueryVideoMode", 1, vd_query_video_mode},
    {467, "VdSetDisplayMode", 1, vd_set_display_mode},
    {469, "VdSetGraphicsInterruptCallback", 2, vd_set_graphics_interrupt_callback},
    {473, "VdSetSystemCommandBufferGpuIdentifierAddress", 1, vd_set_system_command_buffer_gpu_identifier_address},
    {476, "VdShutdownEngines", 0, vd_shutdown_engines},
    {603, "VdSwap", 10, vd_swap},
    {617, "VdRetrainEDRAM", 0, vd_retrain_edram},
    {618, "VdRetrainEDRAMWorker", 1, vd_retrain_edram},
};

}  // namespace

ExportTable video_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
