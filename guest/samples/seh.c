/* Structured exception handling as a title uses it: the kernel dispatches
 * RtlRaiseException and guest faults to the handlers in the image's function
 * table (here the SDK's xdet_try_except / xdet_try_finally and their C
 * scope-table handler, xdet/seh.h).
 *
 * Checks, in order: a raise caught by an except filter; a filter that
 * continues execution after the raise; nested frames where the inner filter
 * continues the search and finally blocks run during the unwind (in order,
 * abnormal); a normal finally; a noncontinuable exception, caught, and
 * continued (which raises STATUS_NONCONTINUABLE_EXCEPTION chaining it); the
 * thread-name exception with and without a handler; access violations
 * (read, write, continued past the faulting load); a trap; an illegal
 * instruction (caught, and continued past); a misaligned lwarx and stwcx.
 * (STATUS_DATATYPE_MISALIGNMENT with the access and address); an exception
 * raised inside a filter (nested); a finally that raises during an unwind
 * (a collided unwind); RtlCaptureContext; and callee-saved
 * registers intact after an unwind. Prints "seh: N failure(s)", then raises
 * an exception nobody handles: the run ends with exit 4 and its report. */
#include "sample_util.h"
#include "xdet/seh.h"

static int g_order[16];
static int g_order_count;
static void note(int v) {
  if (g_order_count < 16) g_order[g_order_count++] = v;
}

__attribute__((noinline)) static void raise_code(ULONG code, ULONG flags, ULONG info) {
  XDET_EXCEPTION_RECORD r = {code, flags, 0, 0, 1, {info}};
  RtlRaiseException(&r);
}

/* ---- 1. caught by EXCEPTION_EXECUTE_HANDLER */
static volatile int g_reached_after_raise;
static void body_raise(PVOID arg) {
  raise_code((ULONG)arg, 0, 0x1234);
  g_reached_after_raise = 1;
}
static LONG filter_execute_info(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  *(ULONG*)arg = p->ExceptionRecord->ExceptionInformation[0];
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}

/* ---- 2. EXCEPTION_CONTINUE_EXECUTION resumes after the raise */
static volatile int g_after_continue;
static void body_continue(PVOID arg) {
  (void)arg;
  raise_code(0xE0000002, 0, 0);
  g_after_continue = 1;
}
static LONG filter_continue_count(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)p;
  ++*(int*)arg;
  return XDET_EXCEPTION_CONTINUE_EXECUTION;
}

/* ---- 3. nested frames: the inner filter passes, finally blocks run on the unwind */
static int g_abnormal_inner = -1, g_abnormal_mid = -1;
static void fin_inner(int abnormal, PVOID arg) {
  (void)arg;
  g_abnormal_inner = abnormal;
  note(3);
}
static void fin_mid(int abnormal, PVOID arg) {
  (void)arg;
  g_abnormal_mid = abnormal;
  note(4);
}
static void raise_e3(PVOID arg) {
  (void)arg;
  raise_code(0xE0000003, 0, 0);
}
static void inner_body(PVOID arg) { xdet_try_finally(raise_e3, arg, fin_inner); }
static LONG filter_pass(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)p;
  (void)arg;
  note(1);
  return XDET_EXCEPTION_CONTINUE_SEARCH;
}
static void mid_try(PVOID arg) {
  ULONG code = 0;
  xdet_try_except(inner_body, arg, filter_pass, 0, &code);
  note(-1); /* not reached: the outer frame takes the exception */
}
static void outer_body(PVOID arg) { xdet_try_finally(mid_try, arg, fin_mid); }
static LONG filter_take(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  note(2);
  return p->ExceptionRecord->ExceptionCode == 0xE0000003 ? XDET_EXCEPTION_EXECUTE_HANDLER
                                                         : XDET_EXCEPTION_CONTINUE_SEARCH;
}

/* ---- 4. a normal finally */
static int g_normal_fin = -1;
static void body_nothing(PVOID arg) { ++*(int*)arg; }
static void fin_normal(int abnormal, PVOID arg) {
  g_normal_fin = abnormal;
  ++*(int*)arg;
}

/* ---- 5. noncontinuable */
static ULONG g_seen_flags;
static void body_noncontinuable(PVOID arg) {
  (void)arg;
  raise_code(0xE0000005, XDET_EXCEPTION_NONCONTINUABLE, 0);
}
static LONG filter_flags_execute(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  g_seen_flags = p->ExceptionRecord->ExceptionFlags;
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}
static LONG filter_continue_e5(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  return p->ExceptionRecord->ExceptionCode == 0xE0000005 ? XDET_EXCEPTION_CONTINUE_EXECUTION
                                                         : XDET_EXCEPTION_CONTINUE_SEARCH;
}
static void body_continue_noncontinuable(PVOID arg) {
  ULONG code = 0;
  xdet_try_except(body_noncontinuable, arg, filter_continue_e5, 0, &code);
}
static ULONG g_chained_code;
static LONG filter_chained(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  XDET_EXCEPTION_RECORD* chained = p->ExceptionRecord->ExceptionRecord;
  g_chained_code = chained ? chained->ExceptionCode : 0;
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}

/* ---- 6. the thread-name exception */
static ULONG g_name_code;
static void body_name(PVOID arg) { set_thread_name(0xFFFFFFFF, (const char*)arg); }
static LONG filter_name(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  g_name_code = p->ExceptionRecord->ExceptionCode;
  return XDET_EXCEPTION_CONTINUE_EXECUTION; /* as the XDK's SetThreadName does */
}
static ULONG worker(PVOID ctx) {
  int dummy = 0;
  ULONG code = 0;
  (void)ctx;
  set_thread_name(0xFFFFFFFF, "seh_unhandled_name"); /* no handler: execution continues */
  return (ULONG)xdet_try_except(body_name, (PVOID) "seh_worker", filter_name, &dummy, &code);
}

/* ---- 7. access violations and a trap */
/* Read through a volatile so the compiler does not see a constant address. */
static volatile ULONG g_unmapped_address = 0x00000010;
#define kUnmapped ((volatile ULONG*)g_unmapped_address)
static ULONG g_av_kind = 99, g_av_address;
static void body_read_av(PVOID arg) { *(ULONG*)arg = *kUnmapped; }
static void body_write_av(PVOID arg) {
  (void)arg;
  *kUnmapped = 5;
}
static LONG filter_av(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  if (p->ExceptionRecord->ExceptionCode != XDET_STATUS_ACCESS_VIOLATION) return XDET_EXCEPTION_CONTINUE_SEARCH;
  g_av_kind = p->ExceptionRecord->ExceptionInformation[0];
  g_av_address = p->ExceptionRecord->ExceptionInformation[1];
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}
static ULONG g_skipped_value;
static void body_skip_load(PVOID arg) {
  ULONG v;
  (void)arg;
  __asm__ volatile("li %0, 7\n\tlwz %0, 0(%1)" : "=&b"(v) : "b"(kUnmapped) : "memory");
  g_skipped_value = v;
}
static LONG filter_skip(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  ++*(int*)arg;
  if (p->ExceptionRecord->ExceptionCode != XDET_STATUS_ACCESS_VIOLATION &&
      p->ExceptionRecord->ExceptionCode != XDET_STATUS_BREAKPOINT &&
      p->ExceptionRecord->ExceptionCode != XDET_STATUS_ILLEGAL_INSTRUCTION) {
    return XDET_EXCEPTION_CONTINUE_SEARCH;
  }
  p->ContextRecord->Iar += 4; /* past the faulting instruction */
  return XDET_EXCEPTION_CONTINUE_EXECUTION;
}
static volatile int g_after_trap;
static void body_trap(PVOID arg) {
  (void)arg;
  __asm__ volatile("twi 31, 0, 22" ::: "memory"); /* the console's debug break */
  g_after_trap = 1;
}

/* ---- 7b. an illegal instruction and misaligned reservations */
static volatile int g_after_illegal;
static ULONG g_fault_address, g_fault_iar, g_fault_params, g_fault_info[2];
static void body_illegal(PVOID arg) {
  (void)arg;
  __asm__ volatile(".long 0x00000000" ::: "memory"); /* primary opcode 0: no instruction */
  g_after_illegal = 1;
}
static LONG filter_fault_record(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  g_fault_address = (ULONG)p->ExceptionRecord->ExceptionAddress;
  g_fault_iar = p->ContextRecord->Iar;
  g_fault_params = p->ExceptionRecord->NumberParameters;
  g_fault_info[0] = p->ExceptionRecord->ExceptionInformation[0];
  g_fault_info[1] = p->ExceptionRecord->ExceptionInformation[1];
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}
static ULONG g_reserve_words[4] __attribute__((aligned(16)));
static void body_lwarx_misaligned(PVOID arg) {
  ULONG v;
  (void)arg;
  __asm__ volatile("lwarx %0, 0, %1" : "=r"(v) : "r"((char*)g_reserve_words + 2) : "memory");
  g_reserve_words[3] = v;
}
static void body_stwcx_misaligned(PVOID arg) {
  ULONG v = 9;
  (void)arg;
  __asm__ volatile("stwcx. %0, 0, %1" : : "r"(v), "r"((char*)g_reserve_words + 6) : "memory", "cr0");
}

/* ---- 8. an exception raised inside a filter */
static ULONG g_inner_filter_code;
static LONG filter_raises(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)p;
  ULONG code = 0;
  /* A second exception inside the filter, caught inside it. */
  xdet_try_except(body_raise, (PVOID)0xE0000008, filter_execute_info, arg, &code);
  g_inner_filter_code = code;
  return XDET_EXCEPTION_EXECUTE_HANDLER;
}

/* ---- 10. a finally that raises during an unwind: a collided unwind */
static int g_fin_raises_calls;
static void raise_ea(PVOID arg) {
  (void)arg;
  raise_code(0xE000000A, 0, 0);
}
static void fin_raises(int abnormal, PVOID arg) {
  (void)arg;
  ++g_fin_raises_calls;
  if (abnormal) raise_code(0xE000000C, 0, 0);
}
static void body_b(PVOID arg) { xdet_try_finally(raise_ea, arg, fin_raises); }
static LONG filter_only_ea(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  return p->ExceptionRecord->ExceptionCode == 0xE000000A ? XDET_EXCEPTION_EXECUTE_HANDLER
                                                         : XDET_EXCEPTION_CONTINUE_SEARCH;
}
static int g_middle_result = -1;
static void body_a(PVOID arg) {
  ULONG code = 0;
  g_middle_result = xdet_try_except(body_b, arg, filter_only_ea, 0, &code);
}
static LONG filter_only_ec(XDET_EXCEPTION_POINTERS* p, PVOID arg) {
  (void)arg;
  return p->ExceptionRecord->ExceptionCode == 0xE000000C ? XDET_EXCEPTION_EXECUTE_HANDLER
                                                         : XDET_EXCEPTION_CONTINUE_SEARCH;
}

/* ---- 9. callee-saved registers survive an unwind */
static volatile int g_seed = 3;
__attribute__((noinline)) static int keep_registers(void) {
  int a = g_seed * 5, b = g_seed * 7, c = g_seed * 11, d = g_seed * 13;
  double f = g_seed * 1.5;
  ULONG code = 0;
  int r = xdet_try_except(outer_body, 0, filter_take, 0, &code);
  return (a == 15 && b == 21 && c == 33 && d == 39 && f == 4.5 && r == 1 && code == 0xE0000003) ? 1 : 0;
}

int main(void) {
  ULONG code = 0, info = 0;
  int r;

  r = xdet_try_except(body_raise, (PVOID)0xE0000001, filter_execute_info, &info, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, 0xE0000001);
  CHECK_EQ(info, 0x1234);
  CHECK_EQ(g_reached_after_raise, 0);

  int calls = 0;
  code = 0;
  r = xdet_try_except(body_continue, 0, filter_continue_count, &calls, &code);
  CHECK_EQ(r, 0);
  CHECK_EQ(calls, 1);
  CHECK_EQ(g_after_continue, 1);

  g_order_count = 0;
  CHECK_EQ(keep_registers(), 1);
  CHECK_EQ(g_order_count, 4);
  CHECK_EQ(g_order[0], 1); /* inner filter: continue search */
  CHECK_EQ(g_order[1], 2); /* outer filter: execute handler */
  CHECK_EQ(g_order[2], 3); /* inner finally, during the unwind */
  CHECK_EQ(g_order[3], 4); /* middle finally */
  CHECK_EQ(g_abnormal_inner, 1);
  CHECK_EQ(g_abnormal_mid, 1);

  int count = 0;
  xdet_try_finally(body_nothing, &count, fin_normal);
  CHECK_EQ(count, 2);
  CHECK_EQ(g_normal_fin, 0);

  code = 0;
  r = xdet_try_except(body_noncontinuable, 0, filter_flags_execute, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, 0xE0000005);
  CHECK_EQ(g_seen_flags & XDET_EXCEPTION_NONCONTINUABLE, XDET_EXCEPTION_NONCONTINUABLE);
  code = 0;
  r = xdet_try_except(body_continue_noncontinuable, 0, filter_chained, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, XDET_STATUS_NONCONTINUABLE_EXCEPTION);
  CHECK_EQ(g_chained_code, 0xE0000005);

  HANDLE t = spawn(worker, 0, 1, 0);
  NtWaitForSingleObjectEx(t, 1, FALSE, 0);
  CHECK_EQ(g_name_code, 0x406D1388);

  ULONG value = 0;
  code = 0;
  r = xdet_try_except(body_read_av, &value, filter_av, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, XDET_STATUS_ACCESS_VIOLATION);
  CHECK_EQ(g_av_kind, 0);
  CHECK_EQ(g_av_address, 0x10);
  r = xdet_try_except(body_write_av, 0, filter_av, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(g_av_kind, 1);
  CHECK_EQ(g_av_address, 0x10);
  calls = 0;
  r = xdet_try_except(body_skip_load, 0, filter_skip, &calls, &code);
  CHECK_EQ(r, 0);
  CHECK_EQ(calls, 1);
  CHECK_EQ(g_skipped_value, 7);
  calls = 0;
  r = xdet_try_except(body_trap, 0, filter_skip, &calls, &code);
  CHECK_EQ(r, 0);
  CHECK_EQ(calls, 1);
  CHECK_EQ(g_after_trap, 1);

  calls = 0;
  r = xdet_try_except(body_illegal, 0, filter_skip, &calls, &code);
  CHECK_EQ(r, 0);
  CHECK_EQ(calls, 1);
  CHECK_EQ(g_after_illegal, 1);
  g_after_illegal = 0;
  code = 0;
  r = xdet_try_except(body_illegal, 0, filter_fault_record, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, XDET_STATUS_ILLEGAL_INSTRUCTION);
  CHECK_EQ(g_after_illegal, 0);
  CHECK_EQ(g_fault_params, 0);
  CHECK(g_fault_address >= (ULONG)body_illegal && g_fault_address < (ULONG)body_illegal + 64);
  CHECK_EQ(g_fault_iar, g_fault_address);
  CHECK_EQ(*(ULONG*)g_fault_address, 0);
  code = 0;
  r = xdet_try_except(body_lwarx_misaligned, 0, filter_fault_record, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, XDET_STATUS_DATATYPE_MISALIGNMENT);
  CHECK_EQ(g_fault_params, 2);
  CHECK_EQ(g_fault_info[0], 0);
  CHECK_EQ(g_fault_info[1], (ULONG)g_reserve_words + 2);
  CHECK_EQ(g_fault_iar, g_fault_address);
  code = 0;
  r = xdet_try_except(body_stwcx_misaligned, 0, filter_fault_record, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, XDET_STATUS_DATATYPE_MISALIGNMENT);
  CHECK_EQ(g_fault_info[0], 1);
  CHECK_EQ(g_fault_info[1], (ULONG)g_reserve_words + 6);

  info = 0;
  code = 0;
  r = xdet_try_except(body_raise, (PVOID)0xE0000009, filter_raises, &info, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, 0xE0000009);
  CHECK_EQ(g_inner_filter_code, 0xE0000008);

  code = 0;
  r = xdet_try_except(body_a, 0, filter_only_ec, 0, &code);
  CHECK_EQ(r, 1);
  CHECK_EQ(code, 0xE000000C);
  CHECK_EQ(g_fin_raises_calls, 1);
  CHECK_EQ(g_middle_result, -1); /* the middle frame was unwound, never returned */

  XDET_CONTEXT ctx;
  RtlCaptureContext(&ctx);
  CHECK(ctx.Iar != 0);
  CHECK(ctx.Gpr[1] != 0 && ctx.Gpr[1] == (ULONG)ctx.Gpr[1]);

  printf("seh: %d failure(s)\n", g_failures);
  raise_code(0xE0000BAD, 0, 0x5EC0); /* nobody handles it: exit 4 */
  printf("seh: not stopped\n");
  return 1;
}
