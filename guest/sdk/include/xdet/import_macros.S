/* Assembler macros that emit kernel import records (xex2-format.md §6).
 *
 * For a function import NAME (library index LIB: 0 xboxkrnl.exe, 1 xam.xex):
 *   __imp_NAME  4-byte variable record  (LIB << 16) | ORD    in .xdet.iat.NAME
 *   NAME        16-byte thunk           0x01000000 | (LIB << 16) | ORD,
 *                                       .long __imp_NAME, mtctr r11, bctr
 *                                                             in .xdet.thunk.NAME
 * The loader rewrites the thunk to `sc 2; blr; nop; nop`, so C code simply
 * calls NAME. The second word references __imp_NAME only so that
 * --gc-sections keeps the pair together. `xdet pack` finds the records
 * between the linker-script symbols __xdet_iat_start/_end and
 * __xdet_thunks_start/_end.
 *
 * XDET_IMPORT_STACKARGS is for kernel functions with more than 8 arguments:
 * the SysV caller leaves argument 9+ at 8(r1) in 4-byte slots, the console
 * convention reads them at r1+0x54+8*(n-9); NAME is a shim that copies them
 * and calls the real thunk. */
.macro XDET_IMPORT_RECORDS sym, imp, lib, ord
  .section .xdet.iat.\imp,"a",@progbits
  .balign 4
  .globl __imp_\imp
__imp_\imp:
  .long (\lib << 16) | \ord
  .section .xdet.thunk.\imp,"ax",@progbits
  .balign 16
  .globl \sym
  .type \sym,@function
\sym:
  .long 0x01000000 | (\lib << 16) | \ord
  .long __imp_\imp
  mtctr 11
  bctr
  .size \sym, 16
.endm

.macro XDET_IMPORT name, lib, ord
  XDET_IMPORT_RECORDS \name, \name, \lib, \ord
.endm

.macro XDET_IMPORT_VAR name, lib, ord
  .section .xdet.iat.\name,"a",@progbits
  .balign 4
  .globl __imp_\name
__imp_\name:
  .long (\lib << 16) | \ord
.endm

.macro XDET_IMPORT_STACKARGS name, lib, ord, nargs
  XDET_IMPORT_RECORDS __xdet_thunk_\name, \name, \lib, \ord
  .section .text.xdet_shim.\name,"ax",@progbits
  .balign 4
  .globl \name
  .type \name,@function
\name:
  .set xdet_frame, (0x58 + 8 * (\nargs - 9) + 15) & ~15
  mflr 0
  stwu 1, -xdet_frame(1)
  stw 0, xdet_frame + 4(1)
  .set xdet_k, 0
  .rept \nargs - 8
  lwz 0, xdet_frame + 8 + 4 * xdet_k(1)
  stw 0, 0x54 + 8 * xdet_k(1)
  .set xdet_k, xdet_k + 1
  .endr
  bl __xdet_thunk_\name
  lwz 0, xdet_frame + 4(1)
  mtlr 0
  addi 1, 1, xdet_frame
  blr
  .size \name, . - \name
.endm
