/* Title entry point. The loader's main thread starts here with r3 = 0,
 * r1 = stack top (already minus the 176-byte host frame), r13 = KPCR and
 * LR = the return-to-kernel sentinel; returning ends the thread with r3 as
 * its exit code. The image is mapped zero-filled, so .bss needs no clearing. */
  .section .text._start,"ax",@progbits
  .globl _start
  .type _start,@function
_start:
  mflr 0
  stwu 1, -32(1)
  stw 0, 36(1)
  li 3, 0          /* argc */
  li 4, 0          /* argv */
  bl main
  lwz 0, 36(1)
  mtlr 0
  addi 1, 1, 32
  blr
  .size _start, . - _start

  .section .note.GNU-stack,"",@progbits
