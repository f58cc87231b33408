/* XMA decoder contexts (xboxkrnl 0x224-0x238) and the XMA register page. */
#ifndef XDET_XMA_H
#define XDET_XMA_H

#include "xdet/xboxkrnl.h"

typedef struct {
  ULONG loop_start;          /* bit offset into the input buffer */
  ULONG loop_end;
  uint8_t loop_count;        /* 0 no loop, 255 forever */
  uint8_t loop_subframe_end;
  uint8_t loop_subframe_skip;
  uint8_t pad;
} XMA_LOOP_DATA;

typedef struct {
  PVOID input_buffer_0;
  ULONG input_buffer_0_packets;   /* 2048-byte packets */
  PVOID input_buffer_1;
  ULONG input_buffer_1_packets;
  ULONG input_buffer_read_offset; /* bits, packet headers included (usually 32) */
  PVOID output_buffer;
  ULONG output_buffer_blocks;     /* 256-byte blocks, at most 31 */
  PVOID work_buffer;
  ULONG subframe_decode_count;
  ULONG channel_count;            /* 0 mono, 1 stereo */
  ULONG sample_rate;              /* 0 24 kHz, 1 32 kHz, 2 44.1 kHz, 3 48 kHz */
  XMA_LOOP_DATA loop_data;
} XMA_CONTEXT_INIT;

NTSTATUS XMACreateContext(PVOID* context);                      /* 0x224 */
ULONG XMAInitializeContext(PVOID context, XMA_CONTEXT_INIT* init); /* 0x225 */
ULONG XMAReleaseContext(PVOID context);                         /* 0x226 */
ULONG XMAEnableContext(PVOID context);                          /* 0x227 */
ULONG XMADisableContext(PVOID context, BOOLEAN wait);           /* 0x228 */
ULONG XMAGetOutputBufferWriteOffset(PVOID context);             /* 0x229 */
ULONG XMASetOutputBufferReadOffset(PVOID context, ULONG blocks); /* 0x22A */
ULONG XMAGetOutputBufferReadOffset(PVOID context);              /* 0x22B */
ULONG XMASetOutputBufferValid(PVOID context);                   /* 0x22C */
ULONG XMAIsOutputBufferValid(PVOID context);                    /* 0x22D */
ULONG XMASetInputBuffer0Valid(PVOID context);                   /* 0x22E */
ULONG XMAIsInputBuffer0Valid(PVOID context);                    /* 0x22F */
ULONG XMASetInputBuffer1Valid(PVOID context);                   /* 0x230 */
ULONG XMAIsInputBuffer1Valid(PVOID context);                    /* 0x231 */
ULONG XMASetInputBuffer0(PVOID context, PVOID buffer, ULONG packets); /* 0x232 */
ULONG XMASetInputBuffer1(PVOID context, PVOID buffer, ULONG packets); /* 0x233 */
ULONG XMAGetPacketMetadata(PVOID context);                      /* 0x234 */
ULONG XMABlockWhileInUse(PVOID context);                        /* 0x235 */
ULONG XMASetLoopData(PVOID context, XMA_LOOP_DATA* loop);       /* 0x236 */
ULONG XMASetInputBufferReadOffset(PVOID context, ULONG bits);   /* 0x237 */
ULONG XMAGetInputBufferReadOffset(PVOID context);               /* 0x238 */

/* The XMA register page: register n is the 32-bit word at 0x7FEA0000 + 4n. */
#define XMA_REG(n) (*(volatile ULONG*)(0x7FEA0000u + 4u * (n)))
#define XMA_REG_CONTEXT_ARRAY 0x600
#define XMA_REG_KICK 0x650  /* + context / 32, bit context % 32 */
#define XMA_REG_LOCK 0x690
#define XMA_REG_CLEAR 0x6A0

#endif
