// XAudio render-driver clients and the XMA context exports. The render
// callback runs on the kernel's audio context every 256 samples at 48 kHz of
// virtual time (kernel/devices); submitted frames wait in a bounded
// per-client queue. XMA contexts live in the XMA engine's context array
// (src/apu); the accessors read and write the context's bitfields in guest
// memory as the console's kernel does.
#include <cstring>

#include "apu/xma_context_data.h"
#include "kernel/exports/exports.h"
#include "memory/memory_map.h"

namespace xdet::kernel {

namespace {

constexpr NtStatus kStatusNoMemory = 0xC0000017;
constexpr NtStatus kStatusInvalidHandle = 0xC0000008;

void xaudio_register_render_driver_client(ExportCall& c) {
  uint32_t pair = c.arg(0), out = c.arg(1);
  if (!pair || !out) return c.ret(kStatusInvalidParameter);
  uint32_t callback = c.mem().read32(pair), arg = c.mem().read32(pair + 4);
  uint32_t driver = c.k.devices().register_audio_client(callback, arg);
  if (!driver) return c.ret(kStatusNoMemory);
  c.mem().write32(out, driver);
  c.resolve("driver", TraceValue::hex32(driver));
  c.ret(kStatusSuccess);
}

void xaudio_unregister_render_driver_client(ExportCall& c) {
  c.ret(c.k.devices().unregister_audio_client(c.arg(0)) ? kStatusSuccess : kStatusInvalidHandle);
}

void xaudio_submit_render_driver_frame(ExportCall& c) {
  c.ret(c.k.devices().submit_audio_frame(c.arg(0), c.arg(1)) ? kStatusSuccess : kStatusInvalidHandle);
}

void xaudio_get_speaker_config(ExportCall& c) {
  c.mem().write32(c.arg(0), 0x00010001);
  c.ret(kStatusSuccess);
}

void xaudio_get_voice_category_volume_change_mask(ExportCall& c) {
  c.mem().write32(c.arg(1), 0);
  c.ret(kStatusSuccess);
}

void xaudio_get_voice_category_volume(ExportCall& c) {
  float one = 1.0f;
  uint32_t bits;
  std::memcpy(&bits, &one, 4);
  c.mem().write32(c.arg(1), bits);
  c.ret(kStatusSuccess);
}

// ---------------------------------------------------------------- XMA

constexpr uint32_t kXmaInvalidArg = 0x80070057;  // E_INVALIDARG

// Physical address of a guest pointer into any view of physical memory.
uint32_t physical_of(ExportCall& c, uint32_t address) {
  if (address >= 0xA0000000u) {
    if (MemoryMap* map = c.k.memory_map()) return map->physical_address(address);
  }
  return address & 0x1FFFFFFF;
}

// The hardware index of the context pointer in argument 0, or -1.
int xma_index(ExportCall& c) {
  uint32_t p = c.arg(0);
  if (!p) return -1;
  auto i = c.k.devices().xma().index_of(physical_of(c, p));
  return i ? static_cast<int>(*i) : -1;
}

apu::XmaContextData load_context(ExportCall& c, int i) {
  return apu::XmaContextData::load(c.k.devices().xma().context_ptr(static_cast<uint32_t>(i)));
}
void store_context(ExportCall& c, int i, const apu::XmaContextData& d) {
  d.store(c.k.devices().xma().context_ptr(static_cast<uint32_t>(i)));
}

void xma_create_context(ExportCall& c) {
  uint32_t out = c.arg(0);
  if (!out) return c.ret(kStatusInvalidParameter);
  int i = c.k.devices().xma().allocate_context();
  uint32_t p = i < 0 ? 0 : c.k.devices().xma_context_address(static_cast<uint32_t>(i));
  c.mem().write32(out, p);
  if (!p) return c.ret(kStatusNoMemory);
  c.resolve("context", TraceValue::hex32(p));
  c.ret(kStatusSuccess);
}

void xma_release_context(ExportCall& c) {
  int i = xma_index(c);
  if (i >= 0) c.k.devices().xma().release_context(static_cast<uint32_t>(i));
  c.ret(0);
}

// XMA_CONTEXT_INIT (56 bytes): input buffer 0 pointer and packet count,
// input buffer 1 pointer and packet count, input read offset (bits), output
// buffer pointer and 256-byte block count, work buffer, subframe decode
// count, channel count (0 mono, 1 stereo), sample-rate code, XMA_LOOP_DATA.
void xma_initialize_context(ExportCall& c) {
  int i = xma_index(c);
  uint32_t init = c.arg(1);
  if (i < 0 || !init) return c.ret(kXmaInvalidArg);
  GuestMemory& m = c.mem();
  uint32_t in0 = m.read32(init + 0), in1 = m.read32(init + 8), out = m.read32(init + 20);
  if (!out) return c.ret(kXmaInvalidArg);
  apu::XmaContextData d;
  d.set_input_buffer_0_ptr(in0 ? physical_of(c, in0) : 0);
  d.set_input_buffer_0_packet_count(m.read32(init + 4));
  d.set_input_buffer_1_ptr(in1 ? physical_of(c, in1) : 0);
  d.set_input_buffer_1_packet_count(m.read32(init + 12));
  d.set_input_buffer_read_offset(m.read32(init + 16));
  d.set_output_buffer_ptr(physical_of(c, out));
  d.set_output_buffer_block_count(m.read32(init + 24));
  d.set_subframe_decode_count(m.read32(init + 32));
  d.set_is_stereo(m.read32(init + 36) >= 1);
  d.set_sample_rate(m.read32(init + 40));
  d.set_loop_start(m.read32(init + 44));
  d.set_loop_end(m.read32(init + 48));
  d.set_loop_count(m.read8(init + 52));
  d.set_loop_subframe_end(m.read8(init + 53));
  d.set_loop_subframe_skip(m.read8(init + 54));
  store_context(c, i, d);
  c.k.devices().xma().clear(static_cast<uint32_t>(i));
  c.ret(0);
}

// XMA_LOOP_DATA (12 bytes): loop start, loop end (bits), count,
// subframe end, subframe skip.
void xma_set_loop_data(ExportCall& c) {
  int i = xma_index(c);
  uint32_t loop = c.arg(1);
  if (i < 0 || !loop) return c.ret(kXmaInvalidArg);
  GuestMemory& m = c.mem();
  apu::XmaContextData d = load_context(c, i);
  d.set_loop_start(m.read32(loop + 0));
  d.set_loop_end(m.read32(loop + 4));
  d.set_loop_count(m.read8(loop + 8));
  d.set_loop_subframe_end(m.read8(loop + 9));
  d.set_loop_subframe_skip(m.read8(loop + 10));
  store_context(c, i, d);
  c.ret(0);
}

void xma_enable_context(ExportCall& c) {
  int i = xma_index(c);
  if (i < 0) return c.ret(kXmaInvalidArg);
  c.k.devices().xma().enable(static_cast<uint32_t>(i));
  c.ret(0);
}

// Decoding happens at scheduler check points, never while a guest thread
// runs, so the hardware is never mid-context here: disabling and waiting
// for the context to be out of use both complete at once.
void xma_disable_context(ExportCall& c) {
  int i = xma_index(c);
  if (i < 0) return c.ret(kXmaInvalidArg);
  c.k.devices().xma().disable(static_cast<uint32_t>(i));
  c.ret(0);
}

void xma_block_while_in_use(ExportCall& c) { c.ret(xma_index(c) < 0 ? kXmaInvalidArg : 0); }

// Getters return 0 for a pointer that is not a context; setters E_INVALIDARG.
template <uint32_t (apu::XmaContextData::*Get)() const>
void xma_get(ExportCall& c) {
  int i = xma_index(c);
  c.ret(i < 0 ? 0 : (load_context(c, i).*Get)());
}

template <void (apu::XmaContextData::*Set)(uint32_t), bool kFromArg>
void xma_set(ExportCall& c) {
  int i = xma_index(c);
  if (i < 0) return c.ret(kXmaInvalidArg);
  apu::XmaContextData d = load_context(c, i);
  (d.*Set)(kFromArg ? c.arg(1) : 1u);
  store_context(c, i, d);
  c.ret(0);
}

template <int kBuffer>
void xma_set_input_buffer(ExportCall& c) {
  int i = xma_index(c);
  if (i < 0 || !c.arg(1)) return c.ret(kXmaInvalidArg);
  apu::XmaContextData d = load_context(c, i);
  if (kBuffer == 0) {
    d.set_input_buffer_0_ptr(physical_of(c, c.arg(1)));
    d.set_input_buffer_0_packet_count(c.arg(2));
  } else {
    d.set_input_buffer_1_ptr(physical_of(c, c.arg(1)));
    d.set_input_buffer_1_packet_count(c.arg(2));
  }
  store_context(c, i, d);
  c.ret(0);
}

using D = apu::XmaContextData;

const ExportInfo kExports[] = {
    {499, "XAudioRegisterRenderDriverClient", 2, xaudio_register_render_driver_client},
    {500, "XAudioUnregisterRenderDriverClient", 1, xaudio_unregister_render_driver_client},
    {501, "XAudioSubmitRenderDriverFrame", 2, xaudio_submit_render_driver_frame},
    {503, "XAudioGetVoiceCategoryVolumeChangeMask", 2, xaudio_get_voice_category_volume_change_mask},
    {504, "XAudioGetVoiceCategoryVolume", 2, xaudio_get_voice_category_volume},
    {511, "XAudioGetSpeakerConfig", 1, xaudio_get_speaker_config},
    {548, "XMACreateContext", 1, xma_create_context},
    {549, "XMAInitializeContext", 2, xma_initialize_context},
    {550, "XMAReleaseContext", 1, xma_release_context},
    {551, "XMAEnableContext", 1, xma_enable_context},
    {552, "XMADisableContext", 2, xma_disable_context},
    {553, "XMAGetOutputBufferWriteOffset", 1, xma_get<&D::output_buffer_write_offset>},
    {554, "XMASetOutputBufferReadOffset", 2, xma_set<&D::set_output_buffer_read_offset, true>},
    {555, "XMAGetOutputBufferReadOffset", 1, xma_get<&D::output_buffer_read_offset>},
    {556, "XMASetOutputBufferValid", 1, xma_set<&D::set_output_buffer_valid, false>},
    {557, "XMAIsOutputBufferValid", 1, xma_get<&D::output_buffer_valid>},
    {558, "XMASetInputBuffer0Valid", 1, xma_set<&D::set_input_buffer_0_valid, false>},
    {559, "XMAIsInputBuffer0Valid", 1, xma_get<&D::input_buffer_0_valid>},
    {560, "XMASetInputBuffer1Valid", 1, xma_set<&D::set_input_buffer_1_valid, false>},
    {561, "XMAIsInputBuffer1Valid", 1, xma_get<&D::input_buffer_1_valid>},
    {562, "XMASetInputBuffer0", 3, xma_set_input_buffer<0>},
    {563, "XMASetInputBuffer1", 3, xma_set_input_buffer<1>},
    {564, "XMAGetPacketMetadata", 1, xma_get<&D::packet_metadata>},
    {565, "XMABlockWhileInUse", 1, xma_block_while_in_use},
    {566, "XMASetLoopData", 2, xma_set_loop_data},
    {567, "XMASetInputBufferReadOffset", 2, xma_set<&D::set_input_buffer_read_offset, true>},
    {568, "XMAGetInputBufferReadOffset", 1, xma_get<&D::input_buffer_read_offset>},
};

}  // namespace

ExportTable audio_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
