/* __try/__except and __try/__finally as calls (xdet/seh.h), written the way
 * the console compiler lays out a function with a language handler: the
 * handler and its scope table just before the function, the prolog
 * `mflr r12; stw r12,-8(r1); stwu r1,-N(r1)` (or a register save helper
 * call), a .pdata entry. The kernel's virtual unwinder reads these prologs
 * back; RtlUnwind lands on the except blocks with r1 = the function's frame
 * and the exception code in r3. */
#include "xdet/seh_macros.S"

/* int xdet_try_except(body r3, arg r4, filter r5, filter_arg r6, ULONG* code r7)
 * Frame (64 bytes): 16 filter, 20 filter_arg, 24 code pointer. */
  .section .text.xdet_try_except,"ax",@progbits
  XDET_PDATA_EH xdet_c_specific_handler, .Ltry_except_scope
  .globl xdet_try_except
  .type xdet_try_except,@function
xdet_try_except:
  mflr 12
  stw 12, -8(1)
  stwu 1, -64(1)
.Ltry_except_prolog_end:
  stw 5, 16(1)
  stw 6, 20(1)
  stw 7, 24(1)
  mtctr 3
  mr 3, 4
.Ltry_except_begin:
  bctrl
.Ltry_except_end:
  li 3, 0
.Ltry_except_return:
  addi 1, 1, 64
  lwz 12, -8(1)
  mtlr 12
  blr
.Ltry_except_target:           /* the except block: r3 = exception code */
  lwz 4, 24(1)
  cmpwi 4, 0
  beq 1f
  stw 3, 0(4)
1:
  li 3, 1
  b .Ltry_except_return
.Ltry_except_fn_end:
  .size xdet_try_except, . - xdet_try_except
  XDET_RUNTIME_FUNCTION xdet_try_except, .Ltry_except_prolog_end, .Ltry_except_fn_end, 1

/* The filter funclet: (pointers r3, establisher frame r4) -> filter(pointers, filter_arg). */
  .section .text.xdet_try_except_filter,"ax",@progbits
xdet_try_except_filter:
  lwz 12, 16(4)
  lwz 4, 20(4)
  mtctr 12
  bctr

  .section .rodata.xdet_try_except_scope,"a",@progbits
  .balign 4
.Ltry_except_scope:
  .long 1
  .long .Ltry_except_begin, .Ltry_except_end, xdet_try_except_filter, .Ltry_except_target

/* A register save helper in the console compiler's style (__savegprlr_29,
 * 32-bit stores): saves r29-r31 and the LR held in r12 below the caller's
 * r1, before its frame exists. */
  .section .text.xdet_savegprlr_29,"ax",@progbits
  .globl xdet_savegprlr_29
xdet_savegprlr_29:
  stw 29, -20(1)
  stw 30, -16(1)
  stw 31, -12(1)
  stw 12, -8(1)
  blr

/* void xdet_try_finally(body r3, arg r4, fin r5)
 * Keeps fin/arg in r31/r30 (saved by the helper) and in the frame (16 fin,
 * 20 arg, 24 "the termination handler has started") for the funclet. */
  .section .text.xdet_try_finally,"ax",@progbits
  XDET_PDATA_EH xdet_c_specific_handler, .Ltry_finally_scope
  .globl xdet_try_finally
  .type xdet_try_finally,@function
xdet_try_finally:
  mflr 12
  bl xdet_savegprlr_29
  stwu 1, -64(1)
.Ltry_finally_prolog_end:
  mr 31, 5
  mr 30, 4
  stw 5, 16(1)
  stw 4, 20(1)
  li 0, 0
  stw 0, 24(1)
  mtctr 3
  mr 3, 4
.Ltry_finally_begin:
  bctrl
.Ltry_finally_end:
  mtctr 31                     /* the normal path: fin(0, arg) */
  li 3, 0
  mr 4, 30
  bctrl
  addi 1, 1, 64
  lwz 12, -8(1)
  lwz 29, -20(1)
  lwz 30, -16(1)
  lwz 31, -12(1)
  mtlr 12
  blr
.Ltry_finally_fn_end:
  .size xdet_try_finally, . - xdet_try_finally
  XDET_RUNTIME_FUNCTION xdet_try_finally, .Ltry_finally_prolog_end, .Ltry_finally_fn_end, 1

/* The termination funclet: (abnormal r3, establisher frame r4) -> fin(abnormal, arg),
 * at most once per activation: a collided unwind (an exception raised by
 * fin itself and handled further out) calls the frame's handler again. */
  .section .text.xdet_try_finally_funclet,"ax",@progbits
xdet_try_finally_funclet:
  lwz 0, 24(4)
  cmpwi 0, 0
  bnelr
  li 0, 1
  stw 0, 24(4)
  lwz 12, 16(4)
  lwz 4, 20(4)
  mtctr 12
  bctr

  .section .rodata.xdet_try_finally_scope,"a",@progbits
  .balign 4
.Ltry_finally_scope:
  .long 1
  .long .Ltry_finally_begin, .Ltry_finally_end, xdet_try_finally_funclet, 0

  .section .note.GNU-stack,"",@progbits
