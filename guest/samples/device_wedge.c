/* A title that deadlocks while its device callbacks keep running: main and a
 * worker each wait (no timeout) for an event only the other sets after its
 * own wait returns, while a vblank callback and an XAudio render callback
 * keep signalling an event nobody waits on. Nothing but the callbacks can
 * run; xdet reports the deadlock (exit 7) instead of running to the
 * guest-time limit. */
#include <stdio.h>

#include "sample_util.h"
#include "xdet/xboxkrnl_video.h"

static KEVENT g_to_main, g_to_worker, g_tick;
static volatile ULONG g_vblanks, g_audio;
static ULONG g_driver;
static float g_silence[6 * 256];

static void on_interrupt(ULONG source, PVOID user) {
  (void)user;
  if (source == 0) ++g_vblanks;
  KeSetEvent(&g_tick, 0, FALSE);
}

static void on_audio(ULONG* cell) {
  (void)cell;
  ++g_audio;
  KeSetEvent(&g_tick, 0, FALSE);
  XAudioSubmitRenderDriverFrame(g_driver, g_silence);
}

static ULONG worker(PVOID ctx) {
  (void)ctx;
  KeWaitForSingleObject(&g_to_worker, 0, 0, FALSE, 0);
  KeSetEvent(&g_to_main, 0, FALSE);
  return 0;
}

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  KeInitializeEvent(&g_to_main, SynchronizationEvent, FALSE);
  KeInitializeEvent(&g_to_worker, SynchronizationEvent, FALSE);
  KeInitializeEvent(&g_tick, SynchronizationEvent, FALSE);
  VdSetGraphicsInterruptCallback(on_interrupt, 0);
  XAUDIO_REGISTER_CLIENT client = {on_audio, 0};
  XAudioRegisterRenderDriverClient(&client, &g_driver);
  spawn_named("worker", worker, 0, 1, 0);
  printf("device_wedge: waiting for the worker\n");
  KeWaitForSingleObject(&g_to_main, 0, 0, FALSE, 0);
  KeSetEvent(&g_to_worker, 0, FALSE);
  printf("device_wedge: never reached\n");
  return 1;
}
