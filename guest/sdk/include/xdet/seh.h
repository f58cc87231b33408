/* Structured exception handling for xdet guest programs, as Xbox 360 titles
 * use it: table-based (.pdata), dispatched by the kernel's RtlRaiseException
 * and RtlUnwind (docs/kernel.md "Exceptions").
 *
 * gcc has no __try/__except, so the SDK provides them as calls:
 *   xdet_try_except(body, arg, filter, filter_arg, &code)
 *       runs body(arg) in a __try; an exception raised inside (also by a
 *       guest fault) asks filter(pointers, filter_arg):
 *       XDET_EXCEPTION_EXECUTE_HANDLER unwinds to here (running __finally
 *       blocks on the way) and returns 1 with the code in *code;
 *       XDET_EXCEPTION_CONTINUE_SEARCH passes it to outer handlers;
 *       XDET_EXCEPTION_CONTINUE_EXECUTION resumes at the (possibly modified)
 *       context. Returns 0 when body returns normally.
 *   xdet_try_finally(body, arg, fin)
 *       runs body(arg), then fin(0, arg); when an unwind passes through,
 *       fin(1, arg) runs during it.
 * Both are assembly functions with a function table entry and the language
 * handler xdet_c_specific_handler (the SDK's __C_specific_handler), whose
 * handler data is a scope table. Link guest/sdk/src/seh.S and
 * seh_handler.c (xdet_add_guest_sample(... SEH)); `xdet pack` then emits
 * the exception directory. */
#ifndef XDET_SEH_H
#define XDET_SEH_H

#include "xdet/kernel_types.h"

typedef struct _XDET_EXCEPTION_RECORD {
  ULONG ExceptionCode;
  ULONG ExceptionFlags;
  struct _XDET_EXCEPTION_RECORD* ExceptionRecord;
  PVOID ExceptionAddress;
  ULONG NumberParameters;
  ULONG ExceptionInformation[15];
} XDET_EXCEPTION_RECORD;

/* CONTEXT as the XDK lays it out for Xenon (0xA40 bytes). */
typedef struct _XDET_CONTEXT {
  ULONG ContextFlags;
  ULONG Msr;
  ULONG Iar;
  ULONG Lr;
  unsigned long long Ctr;
  unsigned long long Gpr[32];
  ULONG Cr;
  ULONG Xer;
  unsigned long long Fpscr;
  unsigned long long Fpr[32];
  ULONG UserModeControl;
  ULONG Fill;
  ULONG Vscr[4];
  ULONG Vr[128][4];
} XDET_CONTEXT;
_Static_assert(sizeof(XDET_CONTEXT) == 0xA40, "CONTEXT layout");

typedef struct {
  ULONG BeginAddress;
  ULONG Flags; /* prolog length 0-7, function length 8-29, 32-bit 30, exception flag 31 */
} XDET_RUNTIME_FUNCTION;

typedef struct {
  ULONG ControlPc;
  XDET_RUNTIME_FUNCTION* FunctionEntry;
  ULONG EstablisherFrame;
  XDET_CONTEXT* ContextRecord;
} XDET_DISPATCHER_CONTEXT;

typedef struct {
  XDET_EXCEPTION_RECORD* ExceptionRecord;
  XDET_CONTEXT* ContextRecord;
} XDET_EXCEPTION_POINTERS;

/* A C scope table: the language handler's data. HandlerAddress is a filter
 * funclet filter(pointers, establisher_frame) (or 1: always handle) with
 * JumpTarget the except block, or, with JumpTarget 0, a termination
 * funclet fin(abnormal, establisher_frame). */
typedef struct {
  ULONG Count;
  struct {
    ULONG BeginAddress, EndAddress, HandlerAddress, JumpTarget;
  } ScopeRecord[];
} XDET_SCOPE_TABLE;

typedef enum {
  XDET_EXCEPTION_CONTINUE_EXECUTION_DISPOSITION = 0, /* ExceptionContinueExecution */
  XDET_EXCEPTION_CONTINUE_SEARCH_DISPOSITION = 1,    /* ExceptionContinueSearch */
  XDET_EXCEPTION_NESTED_DISPOSITION = 2,             /* ExceptionNestedException */
  XDET_EXCEPTION_COLLIDED_DISPOSITION = 3,           /* ExceptionCollidedUnwind */
} XDET_EXCEPTION_DISPOSITION;

/* Filter results (excpt.h). */
#define XDET_EXCEPTION_EXECUTE_HANDLER 1
#define XDET_EXCEPTION_CONTINUE_SEARCH 0
#define XDET_EXCEPTION_CONTINUE_EXECUTION (-1)

/* ExceptionFlags. */
#define XDET_EXCEPTION_NONCONTINUABLE 0x01
#define XDET_EXCEPTION_UNWINDING 0x02
#define XDET_EXCEPTION_EXIT_UNWIND 0x04
#define XDET_EXCEPTION_STACK_INVALID 0x08
#define XDET_EXCEPTION_NESTED_CALL 0x10
#define XDET_EXCEPTION_TARGET_UNWIND 0x20
#define XDET_EXCEPTION_COLLIDED_UNWIND 0x40

#define XDET_STATUS_ACCESS_VIOLATION 0xC0000005u
#define XDET_STATUS_BREAKPOINT 0x80000003u
#define XDET_STATUS_DATATYPE_MISALIGNMENT 0x80000002u
#define XDET_STATUS_ILLEGAL_INSTRUCTION 0xC000001Du
#define XDET_STATUS_NONCONTINUABLE_EXCEPTION 0xC0000025u
#define XDET_STATUS_INVALID_DISPOSITION 0xC0000026u

void RtlRaiseException(void* record);
void RtlUnwind(PVOID target_frame, PVOID target_ip, XDET_EXCEPTION_RECORD* record, PVOID return_value);
void RtlCaptureContext(XDET_CONTEXT* context);

typedef void (*xdet_try_body)(PVOID arg);
typedef LONG (*xdet_filter)(XDET_EXCEPTION_POINTERS* pointers, PVOID arg);
typedef void (*xdet_finally)(int abnormal, PVOID arg);

int xdet_try_except(xdet_try_body body, PVOID arg, xdet_filter filter, PVOID filter_arg, ULONG* code);
void xdet_try_finally(xdet_try_body body, PVOID arg, xdet_finally fin);

XDET_EXCEPTION_DISPOSITION xdet_c_specific_handler(XDET_EXCEPTION_RECORD* record, PVOID establisher_frame,
                                                   XDET_CONTEXT* context, XDET_DISPATCHER_CONTEXT* dispatcher);

#endif
