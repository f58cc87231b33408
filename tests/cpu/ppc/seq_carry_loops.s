# Multi-instruction sequences mixing carries, record forms and branches, the
# way compiled 32-bit code uses them.

test_seq_add64_in_halves:
  # (hi:lo) 0x00000001_FFFFFFF0 + 0x00000000_00000020 with 32-bit halves.
  #_ REGISTER_IN r3 1
  #_ REGISTER_IN r4 0xFFFFFFF0
  #_ REGISTER_IN r5 0
  #_ REGISTER_IN r6 0x20
  addc r8, r4, r6
  adde r7, r3, r5
  clrldi r8, r8, 32
  blr
  #_ REGISTER_OUT r7 2
  #_ REGISTER_OUT r8 0x10

test_seq_checksum_loop:
  # Sum of 4 words with end-around carry, CTR-driven loop.
  #_ MEMORY_IN 10001000 FFFFFFFF 00000002 80000000 80000001
  lis r9, 0x1000
  ori r9, r9, 0x0FFC
  li r3, 0
  li r4, 4
  mtctr r4
  addic r3, r3, 0          # clear CA
1:
  lwzu r5, 4(r9)
  adde r3, r3, r5
  clrldi r3, r3, 32
  bdnz 1b
  addze r3, r3
  clrldi r3, r3, 32
  blr
  #_ REGISTER_OUT r3 0x00000004

test_seq_branch_on_carry:
  # Take a branch depending on CA exposed through addze + record form.
  #_ REGISTER_IN r11 0x00000000FFFFFFF0
  li r3, 0
  addic r4, r11, 0x10      # low word wraps -> CA = 1
  li r5, 0
  addze. r5, r5            # r5 = CA; CR0 GT when CA = 1
  bgt 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2
  #_ REGISTER_OUT r4 0x0000000100000000
  #_ REGISTER_OUT r5 1

test_seq_signed_compare_chain:
  # max of three signed words via cmpw/ble chains; only low words compared.
  #_ REGISTER_IN r4 0xFFFFFFFF00000005
  #_ REGISTER_IN r5 0x00000000FFFFFFFF
  #_ REGISTER_IN r6 0x0000000100000003
  mr r3, r4
  cmpw r5, r3
  ble 1f
  mr r3, r5
1:
  cmpw r6, r3
  ble 2f
  mr r3, r6
2:
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFF00000005

test_seq_call_and_return:
  # bl to a helper that doubles r3 and returns with blr; LR saved around it.
  #_ REGISTER_IN r3 21
  mflr r10
  bl 1f
  addi r3, r3, 1
  mtlr r10
  blr
1:
  add r3, r3, r3
  blr
  #_ REGISTER_OUT r3 43

test_seq_jump_table:
  # Indexed jump through a table of offsets, as switch statements compile.
  #_ REGISTER_IN r4 2
  mflr r10
  bl 1f
1:
  mflr r5                  # r5 = address of this instruction
  mtlr r10
  slwi r6, r4, 2
  addi r7, r5, 36          # table address (label 2 below)
  lwzx r8, r7, r6
  add r8, r8, r7
  mtctr r8
  bctr
  .long 0
2:
  .long 3f - 2b
  .long 4f - 2b
  .long 5f - 2b
3:
  li r3, 10
  blr
4:
  li r3, 11
  blr
5:
  li r3, 12
  blr
  #_ REGISTER_OUT r3 12

test_seq_equal_via_carry:
  # Branch-free (a == b) idiom: d = b - a; t = d - 1 (addic); r = ~t + d + CA.
  # With 64-bit operands whose low words differ the result is nonzero even
  # though the CA of addic comes from the low word only.
  #_ REGISTER_IN r11 0x0000000012345678
  #_ REGISTER_IN r30 0xFFFFFFFF12345678
  subf r8, r11, r30
  addic r7, r8, -1
  subfe. r29, r7, r8
  beq 1f
  li r12, 0
  blr
1:
  li r12, 1
  blr
  #_ REGISTER_OUT r8 0xFFFFFFFF00000000
  #_ REGISTER_OUT r7 0xFFFFFFFEFFFFFFFF
  #_ REGISTER_OUT r29 0
  #_ REGISTER_OUT r12 1

test_seq_equal_via_carry_different:
  #_ REGISTER_IN r11 5
  #_ REGISTER_IN r30 7
  subf r8, r11, r30
  addic r7, r8, -1
  subfe. r29, r7, r8
  beq 1f
  li r12, 0
  blr
1:
  li r12, 1
  blr
  #_ REGISTER_OUT r8 2
  #_ REGISTER_OUT r7 1
  #_ REGISTER_OUT r29 0x0000000000000001
  #_ REGISTER_OUT r12 0
