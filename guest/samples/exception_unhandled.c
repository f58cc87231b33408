/* An exception nobody handles: RtlRaiseException with an application code
 * two calls deep in a named worker thread. The run stops with exit 4 and a
 * report naming the code, its parameters, the thread, the calling PC and
 * the call stack (tests/guest checks the report and that two runs agree). */
#include "sample_util.h"

static volatile int g_depth;

__attribute__((noinline)) static void raise_it(ULONG code) {
  XDET_EXCEPTION_RECORD r = {code, 0, 0, (PVOID)raise_it, 2, {0x11111111, 0x22222222}};
  RtlRaiseException(&r);
  ++g_depth; /* not reached */
}

__attribute__((noinline)) static void middle(ULONG code) {
  ++g_depth;
  raise_it(code);
  ++g_depth;
}

static ULONG worker(PVOID ctx) {
  set_thread_name(0xFFFFFFFF, "thrower");
  middle((ULONG)ctx);
  return 0;
}

int main(void) {
  HANDLE t = spawn(worker, (PVOID)0xE0001234, 2, 0);
  NtWaitForSingleObjectEx(t, 1, FALSE, 0);
  printf("exception_unhandled: not stopped\n");
  return 1;
}
