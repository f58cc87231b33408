# Conditional branches with every BO form (CTR decrement, branch on CTR zero /
# non-zero, with and without a CR condition), bcctr/bclr with and without LK.
# r3 records which path ran; LR is saved in r10 around code that changes it.

test_bdnz_loop_count:
  li r3, 0
  li r4, 5
  mtctr r4
1:
  addi r3, r3, 1
  bdnz 1b
  mfctr r5
  blr
  #_ REGISTER_OUT r3 5
  #_ REGISTER_OUT r5 0

test_bdz_taken_when_ctr_reaches_zero:
  li r3, 0
  li r4, 1
  mtctr r4
  bdz 1f
  li r3, 1
  blr
1:
  li r3, 2
  mfctr r5
  blr
  #_ REGISTER_OUT r3 2
  #_ REGISTER_OUT r5 0

test_bdz_ctr_wraps_from_zero:
  # CTR = 0 is decremented to 0xFFFF...F (the decrement is 64-bit; only the
  # test looks at the low word): bdz falls through.
  li r3, 0
  li r4, 0
  mtctr r4
  bdz 1f
  mfctr r5
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 1
  #_ REGISTER_OUT r5 0xFFFFFFFFFFFFFFFF

test_bdnzt_both_true:
  # BO=8: decrement, branch if CTR != 0 and CR bit true.
  li r3, 0
  li r4, 2
  mtctr r4
  crset 2
  bc 8, 2, 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2

test_bdnzt_ctr_zero_not_taken:
  li r3, 0
  li r4, 1
  mtctr r4
  crset 2
  bc 8, 2, 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 1

test_bdnzf_taken:
  # BO=0: decrement, branch if CTR != 0 and CR bit false.
  li r3, 0
  li r4, 3
  mtctr r4
  crclr 5
  bc 0, 5, 1f
  li r3, 1
  blr
1:
  mfctr r5
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2
  #_ REGISTER_OUT r5 2

test_bdzt_taken:
  # BO=10: decrement, branch if CTR == 0 and CR bit true.
  li r3, 0
  li r4, 1
  mtctr r4
  crset 31
  bc 10, 31, 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2

test_bdzf_condition_true_not_taken:
  # BO=2: decrement, branch if CTR == 0 and CR bit false; the bit is true.
  li r3, 0
  li r4, 1
  mtctr r4
  crset 0
  bc 2, 0, 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 1

test_bt_does_not_touch_ctr:
  # BO=12: branch if true, CTR untouched.
  li r3, 0
  li r4, 7
  mtctr r4
  crset 6
  bc 12, 6, 1f
  li r3, 1
  blr
1:
  mfctr r5
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2
  #_ REGISTER_OUT r5 7

test_bf_not_taken:
  # BO=4: branch if false; bit is set, so fall through.
  li r3, 0
  crset 9
  bc 4, 9, 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 1

test_branch_always_bo20:
  li r3, 0
  bc 20, 0, 1f
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2

test_bdnz_tests_low_word_only:
  # Like CR0 and CA, the CTR test uses the low 32 bits (32-bit-mode rule the
  # console suite encodes): CTR = 0x1_00000001 decremented is 0x1_00000000,
  # whose low word is zero, so bdnz falls through; CTR keeps all 64 bits.
  #_ REGISTER_IN r4 0x0000000100000001
  li r3, 0
  mtctr r4
  bdnz 1f
  mfctr r5
  li r3, 1
  blr
1:
  li r3, 2
  blr
  #_ REGISTER_OUT r3 1
  #_ REGISTER_OUT r5 0x0000000100000000

test_bcctr_to_ctr:
  mflr r10
  li r3, 0
  bl 1f
1:
  mflr r4
  addi r4, r4, 28
  mtctr r4
  mtlr r10
  bctr
  li r3, 1
  blr
  li r3, 2
  blr
  #_ REGISTER_OUT r3 2

test_bcctrl_sets_lr:
  mflr r10
  bl 1f
1:
  mflr r4
  addi r5, r4, 16
  mtctr r5
  bctrl
  mflr r6
  subf r7, r4, r6
  mtlr r10
  blr
  #_ REGISTER_OUT r7 16

test_bcctr_conditional_not_taken:
  mflr r10
  li r3, 0
  bl 1f
1:
  mflr r4
  addi r4, r4, 32
  mtctr r4
  crclr 2
  mtlr r10
  beqctr
  li r3, 1
  blr
  li r3, 2
  blr
  #_ REGISTER_OUT r3 1

test_bclr_conditional_taken:
  li r3, 0
  crset 2
  beqlr
  li r3, 1
  blr
  #_ REGISTER_OUT r3 0

test_bclrl_swaps_lr:
  # blrl jumps to the old LR and leaves the return address in LR.
  mflr r10
  bl 1f
1:
  mflr r4
  addi r5, r4, 16
  mtlr r5
  blrl
  mflr r6
  subf r7, r4, r6
  mtlr r10
  blr
  #_ REGISTER_OUT r7 16

test_bdnzlr_decrements:
  li r3, 0
  li r4, 2
  mtctr r4
  bdnzlr
  li r3, 1
  blr
  #_ REGISTER_OUT r3 0

test_bl_link_value:
  mflr r10
  bl 1f
1:
  mflr r4
  bl 2f
  nop
2:
  mflr r5
  subf r6, r4, r5
  mtlr r10
  blr
  #_ REGISTER_OUT r6 8
