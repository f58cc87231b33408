/* A title's frame loop on the headless GPU: a ring buffer with read-pointer
 * write-back, the graphics interrupt callback (vblank + command-processor
 * interrupts), per frame a fence (MEM_WRITE and EVENT_WRITE_SHD), a draw, an
 * INTERRUPT and VdSwap, waiting on the fence and on vblank; plus an XAudio
 * render client submitting a frame per callback. Prints per-second counts
 * (taken at every 60th vblank, i.e. each second of guest time) and checks
 * fences, write-backs and swaps. Exit code = failed checks.
  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdet/xboxkrnl_video.h"
#include "sample_util.h"

#define RING_LOG2 13                 /* 2^(13+3) bytes = 64 KB */
#define RING_DWORDS (1u << (RING_LOG2 + 1))
#define FB_W 64
#define FB_H 64
#define MAX_SECONDS 64

static volatile ULONG* g_ring;       /* ring buffer (virtual) */
static ULONG g_ring_phys;
static volatile ULONG* g_misc;       /* write-back, fences (physical page) */
static ULONG g_misc_phys;
static volatile ULONG* g_fb;         /* front buffer */
static ULONG g_wptr;
static KEVENT g_fence_event, g_vblank_event;
static volatile ULONG g_vblanks, g_cp_interrupts, g_frames, g_audio_callbacks, g_bad_irq_context;
static ULONG g_sec_frames[MAX_SECONDS], g_sec_vblanks[MAX_SECONDS], g_sec_audio[MAX_SECONDS];
static volatile ULONG g_seconds;
static ULONG g_driver;
static float g_samples[6 * 256];

static ULONG pcr_word(ULONG offset) {
  ULONG v;
  __asm__ volatile("lwzx %0, 13, %1" : "=r"(v) : "r"(offset));
  return v;
}

static void on_interrupt(ULONG source, PVOID user) {
  /* Interrupt context: TLS pointer hidden, DISPATCH_LEVEL. */
  if (pcr_word(0) != 0 || (pcr_word(0x18) >> 24) != 2 || user != (PVOID)&g_vblanks) ++g_bad_irq_context;
  if (source == 0) {
    ULONG n = ++g_vblanks;
    if (n % 60 == 0 && g_seconds < MAX_SECONDS) {
      ULONG s = g_seconds;
      g_sec_frames[s] = g_frames;
      g_sec_vblanks[s] = n;
      g_sec_audio[s] = g_audio_callbacks;
      g_seconds = s + 1;
    }
    KeSetEvent(&g_vblank_event, 0, FALSE);
  } else {
    ++g_cp_interrupts;
    KeSetEvent(&g_fence_event, 0, FALSE);
  }
}

static void on_audio(ULONG* arg_cell) {
  ULONG n = ++g_audio_callbacks;
  if (*arg_cell != 0xA0D10000u) ++g_bad_irq_context;
  for (int ch = 0; ch < 6; ++ch) {
    for (int i = 0; i < 256; ++i) {
      int v = (int)((n * 256 + (ULONG)i) * (ULONG)(ch + 1) % 200u) - 100;
      g_samples[ch * 256 + i] = (float)v / 128.0f;
    }
  }
  XAudioSubmitRenderDriverFrame(g_driver, g_samples);
}

static void emit(ULONG dword) {
  g_ring[g_wptr] = dword;
  g_wptr = (g_wptr + 1) % RING_DWORDS;
}

/* Keeps the next `n` dwords contiguous (pads the ring's end with type-2). */
static void reserve(ULONG n) {
  if (g_wptr + n > RING_DWORDS) {
    while (g_wptr != 0) emit(PM4_TYPE2);
  }
}

int main(int argc, char** argv) {
  ULONG frames = 600;
  (void)argc;
  (void)argv;
  X_VIDEO_MODE mode;
  VdQueryVideoMode(&mode);
  printf("frame_loop: video mode %ux%u, %d Hz, flags %u, asic %x\n", mode.display_width, mode.display_height,
         (int)mode.refresh_rate, VdQueryVideoFlags(), VdGetGraphicsAsicID());
  VdInitializeEngines(0, 0, 0, 0, 0);

  g_ring = (volatile ULONG*)MmAllocatePhysicalMemoryEx(0, RING_DWORDS * 4, PAGE_READWRITE, 0, 0xFFFFFFFF, 4096);
  g_misc = (volatile ULONG*)MmAllocatePhysicalMemoryEx(0, 4096, PAGE_READWRITE, 0, 0xFFFFFFFF, 4096);
  g_fb = (volatile ULONG*)MmAllocatePhysicalMemoryEx(0, FB_W * FB_H * 4, PAGE_READWRITE, 0, 0xFFFFFFFF, 4096);
  if (!g_ring || !g_misc || !g_fb) {
    printf("FAIL: no physical memory\n");
    return 1;
  }
  g_ring_phys = MmGetPhysicalAddress((PVOID)g_ring);
  g_misc_phys = MmGetPhysicalAddress((PVOID)g_misc);
  memset((void*)g_misc, 0, 4096);

  KeInitializeEvent(&g_fence_event, SynchronizationEvent, FALSE);
  KeInitializeEvent(&g_vblank_event, SynchronizationEvent, FALSE);
  VdInitializeRingBuffer(g_ring_phys, RING_LOG2);
  VdEnableRingBufferRPtrWriteBack(g_misc_phys, 6);
  VdSetGraphicsInterruptCallback(on_interrupt, (PVOID)&g_vblanks);

  XAUDIO_REGISTER_CLIENT client = {on_audio, (PVOID)0xA0D10000u};
  CHECKF(XAudioRegisterRenderDriverClient(&client, &g_driver) == 0, "register audio client");
  CHECKF((g_driver & 0xFFFF0000u) == 0x41550000u, "driver handle %08x", g_driver);

  /* Fetch constant 0 describing the 8888 front buffer (format 6). */
  ULONG fetch[6] = {0, 6, ((FB_H - 1) << 13) | (FB_W - 1), 0, 0, 0};
  ULONG front = (ULONG)g_fb, format = 6, color_space = 0, width = FB_W, height = FB_H;
  ULONG last_fence = 0;

  for (ULONG f = 1; f <= frames; ++f) {
    for (ULONG i = 0; i < FB_W * FB_H; ++i) g_fb[i] = 0xFF000000u | (f & 0xFF) | ((f >> 8) << 16);
    reserve(8 + 64);
    emit(PM4_TYPE3(PM4_MEM_WRITE, 2));
    emit((g_misc_phys + 0x40) | PM4_ENDIAN_8IN32);
    emit(f);
    emit(PM4_TYPE3(PM4_DRAW_INDX_2, 1));
    emit((3u << 16) | 4);                  /* 3 indices, triangle list */
    emit(PM4_TYPE3(PM4_EVENT_WRITE_SHD, 3));
    emit(0x14);
    emit((g_misc_phys + 0x44) | PM4_ENDIAN_8IN32);
    emit(f * 2);
    emit(PM4_TYPE3(PM4_INTERRUPT, 1));
    emit(1u << 2);
    VdSwap((PVOID)&g_ring[g_wptr], fetch, 0, 0, 0, &front, &format, &color_space, &width, &height);
    g_wptr = (g_wptr + 64) % RING_DWORDS;
    ULONG kicked = g_wptr;
    XGPU_REG(XGPU_CP_RB_WPTR) = kicked;

    KeWaitForSingleObject(&g_fence_event, 0, 0, FALSE, 0);
    ULONG fence = g_misc[0x40 / 4], fence2 = g_misc[0x44 / 4];
    CHECKF(fence == f && fence > last_fence, "frame %u: MEM_WRITE fence %u after %u", f, fence, last_fence);
    CHECKF(fence2 == 2 * f, "frame %u: EVENT_WRITE_SHD fence %u", f, fence2);
    last_fence = fence;
    /* The swap block follows the interrupt: the CP catches up shortly after. */
    KeWaitForSingleObject(&g_vblank_event, 0, 0, FALSE, 0);
    CHECKF(g_misc[0] == kicked, "frame %u: read-pointer write-back %u, write pointer %u", f, g_misc[0], kicked);
    CHECKF(XGPU_REG(XGPU_CP_RB_RPTR) == kicked, "frame %u: CP_RB_RPTR", f);
    g_frames = f;
  }

  printf("frame_loop: %u frames, %u vblanks, %u CP interrupts, %u audio callbacks\n", (ULONG)g_frames,
         (ULONG)g_vblanks, (ULONG)g_cp_interrupts, (ULONG)g_audio_callbacks);
  ULONG prev_f = 0, prev_v = 0, prev_a = 0;
  for (ULONG s = 0; s < g_seconds; ++s) {
    ULONG df = g_sec_frames[s] - prev_f, dv = g_sec_vblanks[s] - prev_v, da = g_sec_audio[s] - prev_a;
    printf("second %u: frames %u vblanks %u audio callbacks %u\n", s + 1, df, dv, da);
    CHECKF(dv == 60, "second %u: %u vblanks", s + 1, dv);
    CHECKF(da == 187 || da == 188, "second %u: %u audio callbacks", s + 1, da);
    prev_f = g_sec_frames[s];
    prev_v = g_sec_vblanks[s];
    prev_a = g_sec_audio[s];
  }
  CHECKF(g_cp_interrupts == frames, "CP interrupts %u", (ULONG)g_cp_interrupts);
  CHECKF(g_bad_irq_context == 0, "callbacks outside their context conventions: %u", (ULONG)g_bad_irq_context);
  XAudioUnregisterRenderDriverClient(g_driver);
  printf("frame_loop: %d failed checks\n", g_failures);
  return g_failures;
}
