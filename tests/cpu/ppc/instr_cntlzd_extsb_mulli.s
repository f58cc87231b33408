# cntlzd, extsb(.), mulli, andi. (and cntlzw/extsw record forms).

test_cntlzd_zero:
  #_ REGISTER_IN r5 0
  cntlzd r6, r5
  blr
  #_ REGISTER_OUT r6 64

test_cntlzd_top_bit:
  #_ REGISTER_IN r5 0x8000000000000000
  cntlzd r6, r5
  blr
  #_ REGISTER_OUT r6 0

test_cntlzd_low_word_only:
  #_ REGISTER_IN r5 0x0000000000010000
  cntlzd r6, r5
  blr
  #_ REGISTER_OUT r6 47

test_cntlzd_one:
  #_ REGISTER_IN r5 1
  cntlzd. r6, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r6 63
  #_ REGISTER_OUT r12 0x40000000

test_cntlzd_record_zero:
  #_ REGISTER_IN r5 0x0000000100000000
  cntlzd. r6, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r6 31
  #_ REGISTER_OUT r12 0x40000000

test_cntlzw_ignores_high_word:
  #_ REGISTER_IN r5 0xFFFFFFFF00000000
  cntlzw. r6, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r6 32
  #_ REGISTER_OUT r12 0x40000000

test_extsb_positive:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFF7F
  extsb r3, r4
  blr
  #_ REGISTER_OUT r3 0x7F

test_extsb_negative:
  #_ REGISTER_IN r4 0x0000000000000080
  extsb. r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFF80
  #_ REGISTER_OUT r12 0x80000000

test_extsb_zero_record:
  #_ REGISTER_IN r4 0x1234567890ABCD00
  extsb. r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r12 0x20000000

test_extsw_record_high:
  #_ REGISTER_IN r4 0x00000000F0000000
  extsw. r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFF0000000
  #_ REGISTER_OUT r12 0x80000000

test_mulli_negative_imm:
  #_ REGISTER_IN r4 7
  mulli r3, r4, -3
  blr
  #_ REGISTER_OUT r3 -21

test_mulli_64bit_product:
  #_ REGISTER_IN r4 0x0000000100000001
  mulli r3, r4, 0x100
  blr
  #_ REGISTER_OUT r3 0x0000010000000100

test_mulli_wraps:
  #_ REGISTER_IN r4 0x4000000000000000
  mulli r3, r4, 4
  blr
  #_ REGISTER_OUT r3 0

test_andi_record_low_word_sign:
  # andi. with 0x8000: result 0x8000 is positive as a 32-bit value -> GT.
  #_ REGISTER_IN r5 0xFFFFFFFFFFFFFFFF
  andi. r11, r5, 0x8000
  mfcr r12
  blr
  #_ REGISTER_OUT r11 0x8000
  #_ REGISTER_OUT r12 0x40000000

test_andi_record_zero:
  #_ REGISTER_IN r5 0xFFFFFFFFFFFF0000
  andi. r11, r5, 0xFFFF
  mfcr r12
  blr
  #_ REGISTER_OUT r11 0
  #_ REGISTER_OUT r12 0x20000000

test_andis_record_negative_low:
  #_ REGISTER_IN r5 0xFFFFFFFFFFFFFFFF
  andis. r11, r5, 0x8000
  mfcr r12
  blr
  #_ REGISTER_OUT r11 0x80000000
  #_ REGISTER_OUT r12 0x80000000

test_andi_record_keeps_so:
  #_ REGISTER_IN r7 0x7FFFFFFF
  #_ REGISTER_IN r5 3
  addo r8, r7, r7
  andi. r11, r5, 1
  mfcr r12
  blr
  #_ REGISTER_OUT r11 1
  #_ REGISTER_OUT r12 0x50000000

test_mulld_mulhd_pair:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 0xFFFFFFFFFFFFFFFF
  mulld r3, r4, r5
  mulhd r6, r4, r5
  mulhdu r7, r4, r5
  blr
  #_ REGISTER_OUT r3 1
  #_ REGISTER_OUT r6 0
  #_ REGISTER_OUT r7 0xFFFFFFFFFFFFFFFE

test_mulldo_overflow:
  #_ REGISTER_IN r4 0x4000000000000000
  #_ REGISTER_IN r5 4
  mulldo r3, r4, r5
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r7 0xC0000000

test_mullwo_overflow:
  #_ REGISTER_IN r4 0x10000
  #_ REGISTER_IN r5 0x10000
  mullwo. r3, r4, r5
  mfxer r7
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000100000000
  #_ REGISTER_OUT r7 0xC0000000
  #_ REGISTER_OUT r12 0x30000000
