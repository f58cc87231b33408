/* Video (Vd*) and audio (XAudio*) kernel functions, with the GPU register
 * page and PM4 packet helpers a title's graphics runtime uses. */
#ifndef XDET_XBOXKRNL_VIDEO_H
#define XDET_XBOXKRNL_VIDEO_H

#include "xdet/xboxkrnl.h"

typedef struct {
  ULONG display_width;
  ULONG display_height;
  ULONG is_interlaced;
  ULONG is_widescreen;
  ULONG is_hi_def;
  float refresh_rate;
  ULONG video_standard;
  ULONG unknown_0x8a;
  ULONG unknown_0x01;
  ULONG reserved[3];
} X_VIDEO_MODE;

typedef void (*PGRAPHICS_INTERRUPT_CALLBACK)(ULONG source, PVOID user_data);
typedef void (*PXAUDIO_RENDER_CALLBACK)(ULONG* callback_arg_cell);
typedef struct {
  PXAUDIO_RENDER_CALLBACK callback;
  PVOID callback_arg;
} XAUDIO_REGISTER_CLIENT;

ULONG VdInitializeEngines(ULONG unk, PVOID callback, PVOID arg, PVOID pfp, PVOID me); /* 0x1C2 */
void VdShutdownEngines(void);                                                     /* 0x1DC */
void VdQueryVideoMode(X_VIDEO_MODE* mode);                                        /* 0x1CA */
ULONG VdQueryVideoFlags(void);                                                    /* 0x1C9 */
void VdGetCurrentDisplayInformation(PVOID info);                                  /* 0x1BA */
void VdSetGraphicsInterruptCallback(PGRAPHICS_INTERRUPT_CALLBACK cb, PVOID user); /* 0x1D5 */
void VdInitializeRingBuffer(ULONG physical_base, ULONG size_log2);                /* 0x1C3 */
void VdEnableRingBufferRPtrWriteBack(ULONG physical_address, ULONG block_log2);   /* 0x1B6 */
ULONG VdGetGraphicsAsicID(void);                                                  /* 0x1BC */
ULONG VdSwap(PVOID ring_space, PVOID fetch_constant, PVOID unk2, PVOID unk3, PVOID unk4, ULONG* front_buffer,
             ULONG* format, ULONG* color_space, ULONG* width, ULONG* height);    /* 0x25B */

NTSTATUS XAudioRegisterRenderDriverClient(XAUDIO_REGISTER_CLIENT* client, ULONG* driver); /* 0x1F3 */
NTSTATUS XAudioUnregisterRenderDriverClient(ULONG driver);                        /* 0x1F4 */
NTSTATUS XAudioSubmitRenderDriverFrame(ULONG driver, const float* samples);       /* 0x1F5 */
NTSTATUS XAudioGetSpeakerConfig(ULONG* config);                                   /* 0x1FF */

/* The GPU register page: register n is the 32-bit word at 0x7FC80000 + 4n. */
#define XGPU_REG(n) (*(volatile ULONG*)(0x7FC80000u + 4u * (n)))
#define XGPU_CP_RB_RPTR 0x01C4
#define XGPU_CP_RB_WPTR 0x01C5
#define XGPU_SCRATCH_UMSK 0x01DC
#define XGPU_SCRATCH_ADDR 0x01DD
#define XGPU_SCRATCH_REG0 0x0578

#define PM4_TYPE0(reg, count) ((((ULONG)(count) - 1) << 16) | (ULONG)(reg))
#define PM4_TYPE2 0x80000000u
#define PM4_TYPE3(op, count) (0xC0000000u | (((ULONG)(count) - 1) << 16) | ((ULONG)(op) << 8))
#define PM4_NOP 0x10
#define PM4_DRAW_INDX_2 0x36
#define PM4_MEM_WRITE 0x3D
#define PM4_INTERRUPT 0x54
#define PM4_EVENT_WRITE_SHD 0x58
#define PM4_ENDIAN_8IN32 2

#endif
