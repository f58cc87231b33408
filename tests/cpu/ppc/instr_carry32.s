# XER[CA] of 32-bit-semantics carrying ops comes from the low 32 bits while
# the 64-bit result is kept (console rule): addc, adde, addic(.), subfc,
# subfe, subfic. CA is read back with adde rX, r0, r0 (r0 = 0).

test_addc_low_word_carry_only:
  # low words 0xFFFFFFFF + 1 carry; the 64-bit sum does not.
  #_ REGISTER_IN r4 0x00000000FFFFFFFF
  #_ REGISTER_IN r5 1
  addc r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0x0000000100000000
  #_ REGISTER_OUT r6 1

test_addc_64bit_carry_not_counted:
  # 0xFFFFFFFF_00000000 + 0x00000001_00000000 wraps 64 bits but not the low word.
  #_ REGISTER_IN r4 0xFFFFFFFF00000000
  #_ REGISTER_IN r5 0x0000000100000000
  addc r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r6 0

test_adde_carry_chain:
  # 64-bit add as two 32-bit halves: low words carry into the high add.
  #_ REGISTER_IN r4 0x00000000FFFFFFFF
  #_ REGISTER_IN r5 0x0000000000000001
  #_ REGISTER_IN r7 0x0000000000000010
  #_ REGISTER_IN r8 0x0000000000000020
  addc r3, r4, r5
  adde r9, r7, r8
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r9 0x31
  #_ REGISTER_OUT r6 0

test_adde_ca_in_causes_carry:
  #_ REGISTER_IN r4 0x00000000FFFFFFFF
  li r3, -1
  addic r3, r3, 1
  adde r3, r4, r0
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0x0000000100000000
  #_ REGISTER_OUT r6 1

test_addic_record:
  # addic. r3, r4, -1 with r4 = 0x1_00000000: low word 0 + 0xFFFFFFFF no carry,
  # result 0x0_FFFFFFFF: CR0 from the low word -> LT.
  #_ REGISTER_IN r4 0x0000000100000000
  addic. r3, r4, -1
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFF
  #_ REGISTER_OUT r6 0
  #_ REGISTER_OUT r12 0x80000000

test_subfe_borrow_chain:
  # (0x1_00000000) - 1 done as 32-bit halves: low borrow propagates.
  #_ REGISTER_IN r4 1
  #_ REGISTER_IN r5 0
  #_ REGISTER_IN r7 0
  #_ REGISTER_IN r8 1
  subfc r3, r4, r5
  subfe r9, r7, r8
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_OUT r9 0

test_subfic_low_word:
  # 5 - 0x1_00000006: low words 5 - 6 borrow -> CA = 0.
  #_ REGISTER_IN r4 0x0000000100000006
  subfic r3, r4, 5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFEFFFFFFFF
  #_ REGISTER_OUT r6 0

test_subfic_zero:
  #_ REGISTER_IN r4 0
  subfic r3, r4, 0
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r6 1

test_srawi_ca_from_low_word:
  #_ REGISTER_IN r4 0x00000000FFFFFFFF
  srawi r3, r4, 1
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -1
  #_ REGISTER_OUT r6 1

test_mfspr_mtspr_round_trip:
  # XER, LR, CTR and VRSAVE (SPR 256) keep what is written.
  #_ REGISTER_IN r4 0x12345678
  mflr r10
  mtspr 256, r4
  mfspr r5, 256
  mtctr r4
  mfctr r6
  lis r7, 0xE000
  mtxer r7
  mfxer r8
  mtlr r4
  mflr r9
  mtlr r10
  li r7, 0
  mtxer r7
  blr
  #_ REGISTER_OUT r5 0x12345678
  #_ REGISTER_OUT r6 0x12345678
  #_ REGISTER_OUT r8 0xE0000000
  #_ REGISTER_OUT r9 0x12345678
