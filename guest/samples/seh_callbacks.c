/* Exceptions inside APC and DPC routines. A routine's own handlers take
 * exceptions raised (or faults) inside it like anywhere else, and the
 * thread then goes on exactly as after the routine returned: a user APC's
 * alertable delay returns STATUS_USER_APC, a DPC's KeInsertQueueDpc returns,
 * a timer DPC signals what the waiting thread waits for. An exception the
 * routine's frames do not take does not go on into the code the routine
 * interrupted: the run stops (exit 4) with a report naming the routine.
 *
 * The command line (`xdet run --args ...`) picks the ending: no argument
 * prints "seh_callbacks: N failure(s)" and exits 0; "apc" then raises from
 * a user APC's normal routine, "dpc" from a DPC routine, with nobody inside
 * the routine handling it, each inside a try in main whose filter must not
 * run (it prints "propagated"). */
#include <string.h>

#include "sample_util.h"
#include "xdet/seh.h"

/* As in apc_dpc.c: the due time in one register, relative (negative, 100 ns). */
BOOLEAN KeSetTimerEx(KTIMER* timer, LONG relative_due_time, LONG period_ms, KDPC* dpc);

static int has_arg(const char* word) {
  const char* cmd = (const char*)XDET_KERNEL_VARIABLE_ADDRESS(ExLoadedCommandLine);
  size_t n = strlen(word);
  for (const char* p = cmd; *p; ++p) {
    if (p != cmd && p[-1] == ' ' && strncmp(p, word, n) == 0 && (p[n] == 0 || p[n] == ' ')) return 1;
  }
  return 0;
}

static KIRQL current_irql(void) {
  KIRQL old = KfRaiseIrql(0);
  KfLowerIrql(old);
  return old;
}

__attribute__((noinline)) static void raise_code(ULONG code) {
  XDET_EXCEPTION_RECORD r = {code, 0, 0, 0, 1, {0xCA11}};
  RtlRaiseException(&r);
}
static void body_raise(PVOID arg) { raise_code((ULONG)arg); }
static volatile ULONG g_unmapped_address = 0x00000020;
static void body_read_av(PVOID arg) { *(ULONG*)arg = *(volatile ULONG*)g_unmapped_address; }
static LONG filter_execute(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)p;
  ++*(int*)arg;
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}
static LONG filter_must_not_run(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  printf("propagated 0x%08x\n", (unsigned)p->ExceptionRecord->ExceptionCode);
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}

/* A user APC whose normal routine catches its own raise. */
static volatile int g_apc_filter_calls, g_apc_irql = -1;
static volatile ULONG g_apc_code;
static void apc_catches(PVOID ctx, PVOID a1, PVOID a2) {
  (void)a1, (void)a2;
  ULONG code = 0;
  int r = xdet_try_except(body_raise, ctx, filter_execute, (PVOID)&g_apc_filter_calls, &code);
  g_apc_code = r == 1 ? code : 0;
  g_apc_irql = current_irql();
}

/* A DPC routine catching an access violation inside itself. */
static volatile int g_dpc_filter_calls, g_dpc_runs;
static volatile ULONG g_dpc_code;
static void dpc_catches(KDPC* dpc, PVOID ctx, PVOID a1, PVOID a2) {
  (void)dpc, (void)ctx, (void)a1, (void)a2;
  ULONG value = 0, code = 0;
  xdet_try_except(body_read_av, &value, filter_execute, (PVOID)&g_dpc_filter_calls, &code);
  g_dpc_code = code;
  ++g_dpc_runs;
}

/* A timer DPC catching a raise, then signalling the waiting thread. */
static KEVENT g_timer_done;
static volatile int g_timer_filter_calls, g_timer_irql = -1;
static volatile ULONG g_timer_code;
static void timer_dpc_catches(KDPC* dpc, PVOID ctx, PVOID a1, PVOID a2) {
  (void)dpc, (void)ctx, (void)a1, (void)a2;
  ULONG code = 0;
  xdet_try_except(body_raise, (PVOID)0xE0000D01, filter_execute, (PVOID)&g_timer_filter_calls, &code);
  g_timer_code = code;
  g_timer_irql = current_irql();
  KeSetEvent(&g_timer_done, 0, FALSE);
}

/* The endings: nobody inside the routine takes the exception. */
static void apc_raises(PVOID ctx, PVOID a1, PVOID a2) {
  (void)a1, (void)a2;
  raise_code((ULONG)ctx);
}
static void dpc_raises(KDPC* dpc, PVOID ctx, PVOID a1, PVOID a2) {
  (void)dpc, (void)a1, (void)a2;
  raise_code((ULONG)ctx);
}
static void wait_alertable(PVOID arg) {
  (void)arg;
  LARGE_INTEGER li;
  li.QuadPart = -10000;
  KeDelayExecutionThread(1, TRUE, &li);
}
static KDPC g_raising_dpc;
static void insert_raising_dpc(PVOID arg) {
  (void)arg;
  KeInsertQueueDpc(&g_raising_dpc, 0, 0);
}

int main(void) {
  HANDLE self = (HANDLE)0xFFFFFFFE;
  LARGE_INTEGER li;
  li.QuadPart = -10000;

  CHECK_EQ(NtQueueApcThread(self, apc_catches, (PVOID)0xE0000A01, 0, 0), STATUS_SUCCESS);
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &li), STATUS_USER_APC);
  CHECK_EQ(g_apc_filter_calls, 1);
  CHECK_EQ(g_apc_code, 0xE0000A01);
  CHECK_EQ(g_apc_irql, 0);
  CHECK_EQ(current_irql(), 0);

  KDPC dpc;
  KeInitializeDpc(&dpc, dpc_catches, 0);
  CHECK_EQ(KeInsertQueueDpc(&dpc, 0, 0), TRUE);
  CHECK_EQ(g_dpc_runs, 1);
  CHECK_EQ(g_dpc_filter_calls, 1);
  CHECK_EQ(g_dpc_code, XDET_STATUS_ACCESS_VIOLATION);
  CHECK_EQ(current_irql(), 0);

  KTIMER timer;
  KDPC tdpc;
  KeInitializeTimerEx(&timer, NotificationTimer);
  KeInitializeDpc(&tdpc, timer_dpc_catches, 0);
  KeInitializeEvent(&g_timer_done, NotificationEvent, FALSE);
  CHECK_EQ(KeSetTimerEx(&timer, -20000, 0, &tdpc), FALSE);
  CHECK_EQ(KeWaitForSingleObject(&g_timer_done, 0, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(g_timer_filter_calls, 1);
  CHECK_EQ(g_timer_code, 0xE0000D01);
  CHECK_EQ(g_timer_irql, 2);
  CHECK_EQ(current_irql(), 0);

  printf("seh_callbacks: %d failure(s)\n", g_failures);
  ULONG code = 0;
  if (has_arg("apc")) {
    NtQueueApcThread(self, apc_raises, (PVOID)0xE0000A0F, 0, 0);
    xdet_try_except(wait_alertable, 0, filter_must_not_run, 0, &code);
    printf("seh_callbacks: not stopped\n");
    return 1;
  }
  if (has_arg("dpc")) {
    KeInitializeDpc(&g_raising_dpc, dpc_raises, (PVOID)0xE0000D0F);
    xdet_try_except(insert_raising_dpc, 0, filter_must_not_run, 0, &code);
    printf("seh_callbacks: not stopped\n");
    return 1;
  }
  return g_failures ? 1 : 0;
}
