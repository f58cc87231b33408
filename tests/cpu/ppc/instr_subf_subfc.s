# subf / subfc (RB - RA) incl. record and overflow forms. 64-bit result,
# CA / CR0 / OV from the low 32 bits (console 32-bit-mode rule).

test_subf_basic:
  #_ REGISTER_IN r4 3
  #_ REGISTER_IN r5 10
  subf r3, r4, r5
  blr
  #_ REGISTER_OUT r3 7

test_subf_negative_64:
  #_ REGISTER_IN r4 10
  #_ REGISTER_IN r5 3
  subf r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFF9

test_subf_high_word_only:
  # Difference 0x1_00000000: CR0 looks at the low word, which is zero -> EQ.
  #_ REGISTER_IN r4 0x0000000100000000
  #_ REGISTER_IN r5 0x0000000200000000
  subf. r3, r4, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000100000000
  #_ REGISTER_OUT r12 0x20000000

test_subf_record_low_negative:
  #_ REGISTER_IN r4 0
  #_ REGISTER_IN r5 0x00000000F0000000
  subf. r3, r4, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x00000000F0000000
  #_ REGISTER_OUT r12 0x80000000

test_subf_does_not_touch_ca:
  #_ REGISTER_IN r4 1
  #_ REGISTER_IN r5 0
  li r3, -1
  addic r3, r3, 1        # CA = 1
  subf r3, r4, r5        # would borrow, but subf leaves CA alone
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_OUT r6 1

test_subfo_overflow:
  # 0x80000000 - 1 in the 32-bit view overflows (most-negative minus one).
  #_ REGISTER_IN r4 1
  #_ REGISTER_IN r5 0xFFFFFFFF80000000
  subfo. r3, r4, r5
  mfxer r7
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFF7FFFFFFF
  #_ REGISTER_OUT r7 0xC0000000
  #_ REGISTER_OUT r12 0x50000000

test_subfo_clears_ov_keeps_so:
  #_ REGISTER_IN r4 1
  #_ REGISTER_IN r5 0xFFFFFFFF80000000
  subfo r3, r4, r5
  subfo r3, r4, r4
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0x80000000

test_subfc_no_borrow:
  # RB >= RA (unsigned, low word): CA = 1.
  #_ REGISTER_IN r4 3
  #_ REGISTER_IN r5 10
  subfc r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 7
  #_ REGISTER_OUT r6 1

test_subfc_equal:
  #_ REGISTER_IN r4 0x1234
  #_ REGISTER_IN r5 0x1234
  subfc. r3, r4, r5
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r6 1
  #_ REGISTER_OUT r12 0x20000000

test_subfc_borrow:
  #_ REGISTER_IN r4 10
  #_ REGISTER_IN r5 3
  subfc. r3, r4, r5
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFF9
  #_ REGISTER_OUT r6 0
  #_ REGISTER_OUT r12 0x80000000

test_subfc_carry_from_low_word:
  # Low words: 0x00000001 - 0x00000002 borrows (CA = 0) although the 64-bit
  # values (RB = 0x1_00000001 > RA = 2) would not borrow.
  #_ REGISTER_IN r4 2
  #_ REGISTER_IN r5 0x0000000100000001
  subfc r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFF
  #_ REGISTER_OUT r6 0

test_subfc_carry_low_word_no_borrow:
  # Low words: 5 - 3 no borrow (CA = 1) although 64-bit RB < RA.
  #_ REGISTER_IN r4 0x0000000100000003
  #_ REGISTER_IN r5 5
  subfc r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFF00000002
  #_ REGISTER_OUT r6 1

test_subfco_overflow:
  # 0x7FFFFFFF - (-1) overflows in 32 bits.
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 0x000000007FFFFFFF
  subfco r3, r4, r5
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0x0000000080000000
  #_ REGISTER_OUT r7 0xC0000000

test_neg_basic:
  #_ REGISTER_IN r4 5
  neg. r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r3 -5
  #_ REGISTER_OUT r12 0x80000000

test_nego_most_negative:
  #_ REGISTER_IN r4 0xFFFFFFFF80000000
  nego r3, r4
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0x0000000080000000
  #_ REGISTER_OUT r7 0xC0000000

test_subfze_basic:
  # ~RA + CA: with CA = 0 -> -RA-1.
  #_ REGISTER_IN r4 5
  subfze r3, r4
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -6
  #_ REGISTER_OUT r6 0

test_subfze_zero_ca:
  #_ REGISTER_IN r4 0
  li r3, -1
  addic r3, r3, 1
  subfze. r3, r4
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r6 1
  #_ REGISTER_OUT r12 0x20000000
