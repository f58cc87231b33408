// XAudio render-driver clients. The render callback runs on the kernel's
// audio context every 256 samples at 48 kHz of virtual time
// (kernel/devices); submitted frames wait in a bounded per-client queue.
#include <cstring>

#include "kernel/exports/exports.h"

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

const ExportInfo kExports[] = {
    {499, "XAudioRegisterRenderDriverClient", 2, xaudio_register_render_driver_client},
    {500, "XAudioUnregisterRenderDriverClient", 1, xaudio_unregister_render_driver_client},
    {501, "XAudioSubmitRenderDriverFrame", 2, xaudio_submit_render_driver_frame},
    {503, "XAudioGetVoiceCategoryVolumeChangeMask", 2, xaudio_get_voice_category_volume_change_mask},
    {504, "XAudioGetVoiceCategoryVolume", 2, xaudio_get_voice_category_volume},
    {511, "XAudioGetSpeakerConfig", 1, xaudio_get_speaker_config},
};

}  // namespace

ExportTable audio_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
