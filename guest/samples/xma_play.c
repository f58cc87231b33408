/* A title playing an XMA2 stream through an XMA context from its audio
 * render callback. The stream is generated at start-up (xma_stream.h): input
 * buffer 0 holds stream A (40 frames across 2 packets), buffer 1 stream B
 * (24 frames); frames 10-19 of A are looped once (XMASetLoopData); when the
 * hardware has consumed buffer 0 the callback refills it with A, so the
 * context plays A (with the loop), B, A and runs dry. Every callback (each
 * 256 samples at 48 kHz, the context's own output pace) takes one 256-sample
 * subframe from the 8-block output ring, folds it into a checksum and
 * submits it to XAudio (front left and right). Exit code = failed checks. */
#include <stdio.h>
#include <string.h>

#include "xdet/xboxkrnl_video.h"
#include "sample_util.h"
#include "xdet/xma.h"
#include "xma_stream.h"

#define OUT_BLOCKS 8
#define A_FRAMES 40
#define B_FRAMES 24

static xma_stream g_a, g_b;
static uint8_t* g_in_a;
static uint8_t* g_in_b;
static uint32_t g_packets_a, g_packets_b;
static volatile uint8_t* g_out;
static PVOID g_ctx;
static ULONG g_driver;
static KEVENT g_done;
static volatile ULONG g_callbacks, g_subframes, g_idle, g_refills, g_finished;
static ULONG g_checksum = 2166136261u;
static int g_peak;
static float g_frame[6 * 256];

static void build(xma_stream* s, uint8_t* out, uint32_t packets, uint32_t frames, uint32_t width, uint32_t bin0) {
  xma_stream_init(s, out, packets, 1, 48000);
  for (uint32_t i = 0; i < frames; ++i) {
    xma_frame_spec f = {0};
    f.bin = (bin0 + i) % 5;
    f.width = width;
    f.quant = 6;
    f.negative = i & 1;
    xma_add_frame(s, &f);
  }
}

static void on_audio(ULONG* cell) {
  (void)cell;
  ++g_callbacks;
  memset(g_frame, 0, sizeof(g_frame));
  ULONG w = XMAGetOutputBufferWriteOffset(g_ctx), r = XMAGetOutputBufferReadOffset(g_ctx);
  ULONG avail = XMAIsOutputBufferValid(g_ctx) ? (w + OUT_BLOCKS - r) % OUT_BLOCKS : OUT_BLOCKS;
  if (avail >= 2) {
    for (ULONG i = 0; i < 256; ++i) {
      ULONG block = (r + i / 128) % OUT_BLOCKS, at = block * 256 + (i % 128) * 2;
      uint8_t hi = g_out[at], lo = g_out[at + 1];
      int v = (short)((hi << 8) | lo);
      g_checksum = (g_checksum ^ hi) * 16777619u;
      g_checksum = (g_checksum ^ lo) * 16777619u;
      if (v > g_peak) g_peak = v;
      if (-v > g_peak) g_peak = -v;
      g_frame[i] = g_frame[256 + i] = (float)v / 32768.0f;
    }
    XMASetOutputBufferReadOffset(g_ctx, (r + 2) % OUT_BLOCKS);
    XMASetOutputBufferValid(g_ctx);
    ++g_subframes;
    g_idle = 0;
  } else if (g_subframes) {
    ++g_idle;
  }
  /* The hardware is done with buffer 0: hand stream A over again (once). */
  if (!g_refills && !XMAIsInputBuffer0Valid(g_ctx)) {
    XMASetInputBuffer0(g_ctx, g_in_a, g_packets_a);
    XMASetInputBuffer0Valid(g_ctx);
    ++g_refills;
  }
  if (g_refills && g_idle >= 4 && !g_finished && !XMAIsInputBuffer0Valid(g_ctx) && !XMAIsInputBuffer1Valid(g_ctx)) {
    g_finished = 1;
    KeSetEvent(&g_done, 0, FALSE);
  }
  XAudioSubmitRenderDriverFrame(g_driver, g_frame);
}

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  g_in_a = (uint8_t*)MmAllocatePhysicalMemoryEx(0, 4 * XMA_PACKET_BYTES, PAGE_READWRITE, 0, 0xFFFFFFFF, 4096);
  g_in_b = (uint8_t*)MmAllocatePhysicalMemoryEx(0, 4 * XMA_PACKET_BYTES, PAGE_READWRITE, 0, 0xFFFFFFFF, 4096);
  g_out = (volatile uint8_t*)MmAllocatePhysicalMemoryEx(0, OUT_BLOCKS * 256, PAGE_READWRITE, 0, 0xFFFFFFFF, 4096);
  if (!g_in_a || !g_in_b || !g_out) {
    printf("FAIL: no physical memory\n");
    return 1;
  }
  build(&g_a, g_in_a, 4, A_FRAMES, 120, 0);
  build(&g_b, g_in_b, 4, B_FRAMES, 60, 2);
  g_packets_a = xma_finish(&g_a);
  g_packets_b = xma_finish(&g_b);
  printf("xma_play: stream A %u frames in %u packets, stream B %u frames in %u packets\n", g_a.frames, g_packets_a,
         g_b.frames, g_packets_b);
  CHECKF(g_packets_a == 2 && g_packets_b == 1, "packets %u %u", g_packets_a, g_packets_b);

  CHECKF(XMACreateContext(&g_ctx) == 0 && g_ctx, "XMACreateContext");
  ULONG ctx_phys = MmGetPhysicalAddress(g_ctx);
  CHECKF(XMA_REG(XMA_REG_CONTEXT_ARRAY) == ctx_phys, "context array register %08x, first context at %08x",
        XMA_REG(XMA_REG_CONTEXT_ARRAY), ctx_phys);
  CHECKF(XMAIsInputBuffer0Valid(g_ctx) == 0 && XMAIsInputBuffer1Valid(g_ctx) == 0, "fresh context valid flags");

  XMA_CONTEXT_INIT init;
  memset(&init, 0, sizeof(init));
  init.input_buffer_0 = g_in_a;
  init.input_buffer_0_packets = g_packets_a;
  init.input_buffer_1 = g_in_b;
  init.input_buffer_1_packets = g_packets_b;
  init.input_buffer_read_offset = 32;
  init.output_buffer = (PVOID)g_out;
  init.output_buffer_blocks = OUT_BLOCKS;
  init.subframe_decode_count = 2;
  init.channel_count = 0;
  init.sample_rate = 3;
  CHECKF(XMAInitializeContext(g_ctx, &init) == 0, "XMAInitializeContext");
  XMA_LOOP_DATA loop = {xma_frame_offset(&g_a, 10), xma_frame_end_offset(&g_a, 19), 1, 0, 0, 0};
  CHECKF(XMASetLoopData(g_ctx, &loop) == 0, "XMASetLoopData");
  CHECKF(XMAGetInputBufferReadOffset(g_ctx) == 32, "read offset %u", XMAGetInputBufferReadOffset(g_ctx));
  XMASetOutputBufferValid(g_ctx);
  XMASetInputBuffer0Valid(g_ctx);
  XMASetInputBuffer1Valid(g_ctx);
  CHECKF(XMAIsOutputBufferValid(g_ctx) && XMAIsInputBuffer0Valid(g_ctx) && XMAIsInputBuffer1Valid(g_ctx),
        "valid flags after set");

  KeInitializeEvent(&g_done, NotificationEvent, FALSE);
  XAUDIO_REGISTER_CLIENT client = {on_audio, 0};
  CHECKF(XAudioRegisterRenderDriverClient(&client, &g_driver) == 0, "register audio client");
  CHECKF(XMAEnableContext(g_ctx) == 0, "XMAEnableContext");
  KeWaitForSingleObject(&g_done, 0, 0, FALSE, 0);

  /* A 10..19 looped once: 40 + 10 + 24 + 40 frames, N * 512 - 64 samples
   * in 256-sample subframes (the last one padded). */
  ULONG frames = A_FRAMES + 10 + B_FRAMES + A_FRAMES, want = (frames * 512 - 64 + 255) / 256;
  printf("xma_play: %u subframes from %u frames, %u callbacks, checksum %08x, peak %d\n", (ULONG)g_subframes, frames,
         (ULONG)g_callbacks, g_checksum, g_peak);
  CHECKF(g_subframes == want, "%u subframes, expected %u", (ULONG)g_subframes, want);
  CHECKF(g_refills == 1, "refills %u", (ULONG)g_refills);
  CHECKF(g_peak > 0 && g_peak < 32767, "peak %d", g_peak);
  CHECKF(XMAGetOutputBufferWriteOffset(g_ctx) == XMAGetOutputBufferReadOffset(g_ctx), "ring drained");
  CHECKF(XMAGetInputBufferReadOffset(g_ctx) == 32, "read offset after the end %u", XMAGetInputBufferReadOffset(g_ctx));
  CHECKF(XMADisableContext(g_ctx, TRUE) == 0 && XMABlockWhileInUse(g_ctx) == 0, "disable");
  CHECKF(XMAReleaseContext(g_ctx) == 0, "release");
  XAudioUnregisterRenderDriverClient(g_driver);
  printf("xma_play: %d failed checks\n", g_failures);
  return g_failures;
}
