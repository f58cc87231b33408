/* Assembler macros for table-based exception handling (the console's SEH,
 * docs/kernel.md "Exceptions"). gcc emits no .pdata; a function written in
 * assembly declares its own function table entry:
 *
 *     .section .text.my_func,"ax",@progbits
 *     XDET_PDATA_EH my_handler, my_handler_data   (only if it has a handler)
 *   my_func:
 *     mflr 12 ; stw 12,-8(1) ; stwu 1,-N(1)      (the console compiler's prolog)
 *   .Lmy_func_prolog_end:
 *     ...
 *   .Lmy_func_end:
 *     XDET_RUNTIME_FUNCTION my_func, .Lmy_func_prolog_end, .Lmy_func_end, 1
 *
 * XDET_PDATA_EH puts the language handler and its data in the 8 bytes just
 * before the function (PDATA_EH); XDET_RUNTIME_FUNCTION adds the entry
 * (BeginAddress, prolog and function length in instructions, the 32-bit
 * flag, the exception flag) to .pdata, which xex.ld keeps between
 * __xdet_pdata_start and __xdet_pdata_end. `xdet pack` merges these entries
 * with ones it derives from the ELF symbol table for every other function
 * (gcc's prologs), sorts them and writes the image's exception directory. */
.macro XDET_PDATA_EH handler, data
  .balign 8
  .long \handler
  .long \data
.endm

.macro XDET_RUNTIME_FUNCTION func, prolog_end, end, has_handler
  .pushsection .pdata,"a",@progbits
  .balign 4
  .long \func
  .long ((\prolog_end - \func) >> 2) | (((\end - \func) >> 2) << 8) | (1 << 30) | (\has_handler << 31)
  .popsection
.endm
