# divw / divwu / divd / divdu edge cases. The word forms zero-extend the
# 32-bit quotient into the 64-bit register (the console test suite encodes
# -1 / 1 = 0x00000000FFFFFFFF). Division by zero and the signed overflow
# case leave 0 in RD; their o-forms set OV and SO.

test_divw_neg_quotient_zero_extended:
  #_ REGISTER_IN r4 -12
  #_ REGISTER_IN r5 4
  divw r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFD

test_divw_uses_low_words:
  # Only the low words take part: 0x....00000010 / 0x....00000004.
  #_ REGISTER_IN r4 0x1234567800000010
  #_ REGISTER_IN r5 0xFFFFFFFF00000004
  divw r3, r4, r5
  blr
  #_ REGISTER_OUT r3 4

test_divw_truncates_toward_zero:
  #_ REGISTER_IN r4 -7
  #_ REGISTER_IN r5 2
  divw r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFD

test_divw_record_negative:
  # CR0 is taken from the low 32 bits of the result: negative.
  #_ REGISTER_IN r4 -8
  #_ REGISTER_IN r5 2
  divw. r3, r4, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFC
  #_ REGISTER_OUT r12 0x80000000

test_divwo_by_zero:
  #_ REGISTER_IN r4 5
  #_ REGISTER_IN r5 0
  divwo. r3, r4, r5
  mfxer r7
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0xC0000000
  #_ REGISTER_OUT r12 0x30000000

test_divwo_overflow:
  #_ REGISTER_IN r4 0x0000000080000000
  #_ REGISTER_IN r5 -1
  divwo r3, r4, r5
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0xC0000000

test_divwo_ok_clears_ov:
  #_ REGISTER_IN r4 9
  #_ REGISTER_IN r5 0
  divwo r3, r4, r5
  li r5, 3
  divwo r3, r4, r5
  mfxer r7
  blr
  #_ REGISTER_OUT r3 3
  #_ REGISTER_OUT r7 0x80000000

test_divwuo_by_zero:
  #_ REGISTER_IN r4 5
  #_ REGISTER_IN r5 0
  divwuo r3, r4, r5
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0xC0000000

test_divwu_large:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 2
  divwu r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0x000000007FFFFFFF

test_divdo_overflow:
  #_ REGISTER_IN r4 0x8000000000000000
  #_ REGISTER_IN r5 -1
  divdo. r3, r4, r5
  mfxer r7
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0xC0000000
  #_ REGISTER_OUT r12 0x30000000

test_divd_negative:
  #_ REGISTER_IN r4 -100
  #_ REGISTER_IN r5 7
  divd r3, r4, r5
  blr
  #_ REGISTER_OUT r3 -14

test_divduo_by_zero:
  #_ REGISTER_IN r4 100
  #_ REGISTER_IN r5 0
  divduo r3, r4, r5
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0xC0000000
