/* The SDK's C language handler (the role of the console CRT's
 * __C_specific_handler): the handler data is a scope table (xdet/seh.h).
 *
 * First pass: for each scope whose range holds the control PC, with an
 * except block, ask its filter: EXECUTE_HANDLER unwinds to the except block
 * (RtlUnwind, which does not return here), CONTINUE_EXECUTION resumes,
 * CONTINUE_SEARCH tries the next scope, then the next frame.
 * Second pass (unwinding): run the termination funclets of the scopes
 * holding the control PC, stopping at the target scope of a target unwind. */
#include "xdet/seh.h"

typedef LONG (*scope_filter)(XDET_EXCEPTION_POINTERS* pointers, PVOID establisher_frame);
typedef void (*scope_termination)(int abnormal, PVOID establisher_frame);

XDET_EXCEPTION_DISPOSITION xdet_c_specific_handler(XDET_EXCEPTION_RECORD* record, PVOID establisher_frame,
                                                   XDET_CONTEXT* context, XDET_DISPATCHER_CONTEXT* dispatcher) {
  /* PDATA_EH: the handler data sits in the word just before the function. */
  const ULONG* begin = (const ULONG*)dispatcher->FunctionEntry->BeginAddress;
  const XDET_SCOPE_TABLE* table = (const XDET_SCOPE_TABLE*)begin[-1];
  ULONG pc = dispatcher->ControlPc;
  if (!(record->ExceptionFlags & (XDET_EXCEPTION_UNWINDING | XDET_EXCEPTION_EXIT_UNWIND))) {
    XDET_EXCEPTION_POINTERS pointers = {record, context};
    for (ULONG i = 0; i < table->Count; ++i) {
      ULONG b = table->ScopeRecord[i].BeginAddress, e = table->ScopeRecord[i].EndAddress;
      ULONG target = table->ScopeRecord[i].JumpTarget;
      if (pc < b || pc >= e || !target) continue;
      ULONG h = table->ScopeRecord[i].HandlerAddress;
      LONG verdict = h == 1 ? XDET_EXCEPTION_EXECUTE_HANDLER : ((scope_filter)h)(&pointers, establisher_frame);
      if (verdict < 0) return XDET_EXCEPTION_CONTINUE_EXECUTION_DISPOSITION;
      if (verdict > 0) {
        RtlUnwind(establisher_frame, (PVOID)target, record, (PVOID)record->ExceptionCode);
      }
    }
    return XDET_EXCEPTION_CONTINUE_SEARCH_DISPOSITION;
  }
  for (ULONG i = 0; i < table->Count; ++i) {
    ULONG b = table->ScopeRecord[i].BeginAddress, e = table->ScopeRecord[i].EndAddress;
    ULONG target = table->ScopeRecord[i].JumpTarget;
    if (pc < b || pc >= e) continue;
    if ((record->ExceptionFlags & XDET_EXCEPTION_TARGET_UNWIND) && target == context->Iar) break;
    if (!target) ((scope_termination)table->ScopeRecord[i].HandlerAddress)(1, establisher_frame);
  }
  return XDET_EXCEPTION_CONTINUE_SEARCH_DISPOSITION;
}
