/* Conformance: events. An auto-reset (synchronization) event releases
 * exactly one waiter per set; a manual-reset (notification) event releases
 * all and stays signalled until reset; pulse releases the current waiters
 * and leaves the event clear; Nt* handle forms and their status codes. */
#include "sample_util.h"

static KEVENT g_auto, g_manual, g_pulse;
static volatile int g_woken_auto, g_woken_manual, g_woken_pulse;

static ULONG wait_auto(PVOID ctx) {
  (void)ctx;
  KeWaitForSingleObject(&g_auto, 0, 1, FALSE, 0);
  ++g_woken_auto;
  return 0;
}
static ULONG wait_manual(PVOID ctx) {
  (void)ctx;
  KeWaitForSingleObject(&g_manual, 0, 1, FALSE, 0);
  ++g_woken_manual;
  return 0;
}
static ULONG wait_pulse(PVOID ctx) {
  (void)ctx;
  KeWaitForSingleObject(&g_pulse, 0, 1, FALSE, 0);
  ++g_woken_pulse;
  return 0;
}

int main(void) {
  LARGE_INTEGER poll;
  poll.QuadPart = 0;

  KeInitializeEvent(&g_auto, SynchronizationEvent, FALSE);
  CHECK_EQ(g_auto.Header.Type, KOBJECT_EVENT_SYNCHRONIZATION);
  for (int i = 0; i < 3; ++i) spawn(wait_auto, 0, 1 + i, 0);
  sleep_100ns(10000);
  CHECK_EQ(g_woken_auto, 0);
  for (int i = 1; i <= 3; ++i) {
    KeSetEvent(&g_auto, 0, FALSE);
    sleep_100ns(10000);
    CHECK_EQ(g_woken_auto, i); /* exactly one waiter per set */
    CHECK_EQ(g_auto.Header.SignalState, 0);
  }
  KeSetEvent(&g_auto, 0, FALSE); /* nobody waiting: stays signalled */
  CHECK_EQ(g_auto.Header.SignalState, 1);
  CHECK_EQ(KeWaitForSingleObject(&g_auto, 0, 1, FALSE, &poll), STATUS_SUCCESS);
  CHECK_EQ(KeWaitForSingleObject(&g_auto, 0, 1, FALSE, &poll), STATUS_TIMEOUT);

  KeInitializeEvent(&g_manual, NotificationEvent, FALSE);
  for (int i = 0; i < 3; ++i) spawn(wait_manual, 0, 1 + i, 0);
  sleep_100ns(10000);
  KeSetEvent(&g_manual, 0, FALSE);
  sleep_100ns(10000);
  CHECK_EQ(g_woken_manual, 3); /* all waiters */
  CHECK_EQ(g_manual.Header.SignalState, 1);
  CHECK_EQ(KeWaitForSingleObject(&g_manual, 0, 1, FALSE, &poll), STATUS_SUCCESS);
  CHECK_EQ(KeResetEvent(&g_manual), 1); /* previous state */
  CHECK_EQ(g_manual.Header.SignalState, 0);

  KeInitializeEvent(&g_pulse, NotificationEvent, FALSE);
  for (int i = 0; i < 2; ++i) spawn(wait_pulse, 0, 4, 0);
  sleep_100ns(10000);
  KePulseEvent(&g_pulse, 0, FALSE);
  sleep_100ns(10000);
  CHECK_EQ(g_woken_pulse, 2);
  CHECK_EQ(g_pulse.Header.SignalState, 0);

  HANDLE h = 0;
  LONG prev = -1;
  CHECK_EQ(NtCreateEvent(&h, 0, SynchronizationEvent, TRUE), STATUS_SUCCESS);
  CHECK_EQ(h & 0xFC000000u, 0xF8000000u);
  CHECK_EQ(NtWaitForSingleObjectEx(h, 1, FALSE, &poll), STATUS_SUCCESS);
  CHECK_EQ(NtWaitForSingleObjectEx(h, 1, FALSE, &poll), STATUS_TIMEOUT);
  CHECK_EQ(NtSetEvent(h, &prev), STATUS_SUCCESS);
  CHECK_EQ(prev, 0);
  CHECK_EQ(NtClearEvent(h), STATUS_SUCCESS);
  CHECK_EQ(NtWaitForSingleObjectEx(h, 1, FALSE, &poll), STATUS_TIMEOUT);
  CHECK_EQ(NtClose(h), STATUS_SUCCESS);
  CHECK_EQ(NtClose(h), STATUS_INVALID_HANDLE);
  CHECK_EQ(NtSetEvent(0xF8007FF0u, 0), STATUS_INVALID_HANDLE);

  printf("sync_events: %d failure(s)\n", g_failures);
  return g_failures;
}
