# sld / srd / srad / sradi with shift amounts >= 64 (bit 57 of RB = 0x40 set)
# and the CA rules of the algebraic right shifts (CA = 1 iff the source is
# negative and 1 bits were shifted out).

test_sld_basic:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  #_ REGISTER_IN r5 8
  sld r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0x23456789ABCDEF00

test_sld_64_zero:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 64
  sld r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0

test_sld_127_zero:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 127
  sld r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0

test_sld_128_wraps:
  # Only the low 7 bits of RB count: 128 -> 0.
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  #_ REGISTER_IN r5 128
  sld r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0x0123456789ABCDEF

test_sld_record_low_word:
  #_ REGISTER_IN r4 1
  #_ REGISTER_IN r5 32
  sld. r3, r4, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000100000000
  #_ REGISTER_OUT r12 0x20000000

test_srd_64_zero:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 0x40
  srd r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0

test_srd_63:
  #_ REGISTER_IN r4 0x8000000000000000
  #_ REGISTER_IN r5 63
  srd r3, r4, r5
  blr
  #_ REGISTER_OUT r3 1

test_srad_positive:
  #_ REGISTER_IN r4 0x7000000000000000
  #_ REGISTER_IN r5 60
  srad r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 7
  #_ REGISTER_OUT r6 0

test_srad_negative_exact:
  # -16 >> 4: no 1 bits shifted out -> CA = 0.
  #_ REGISTER_IN r4 -16
  #_ REGISTER_IN r5 4
  srad r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -1
  #_ REGISTER_OUT r6 0

test_srad_negative_inexact:
  #_ REGISTER_IN r4 -17
  #_ REGISTER_IN r5 4
  srad r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -2
  #_ REGISTER_OUT r6 1

test_srad_64_negative:
  #_ REGISTER_IN r4 0x8000000000000000
  #_ REGISTER_IN r5 64
  srad r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_OUT r6 1

test_srad_64_positive:
  #_ REGISTER_IN r4 0x7FFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 100
  srad r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r6 0

test_srad_zero_shift:
  #_ REGISTER_IN r4 -5
  #_ REGISTER_IN r5 0
  srad r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -5
  #_ REGISTER_OUT r6 0

test_srad_record:
  #_ REGISTER_IN r4 0x8000000000000000
  #_ REGISTER_IN r5 32
  srad. r3, r4, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFF80000000
  #_ REGISTER_OUT r12 0x80000000

test_sradi_negative_inexact:
  #_ REGISTER_IN r4 -3
  sradi r3, r4, 1
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -2
  #_ REGISTER_OUT r6 1

test_sradi_63:
  #_ REGISTER_IN r4 0x8000000000000001
  sradi r3, r4, 63
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 -1
  #_ REGISTER_OUT r6 1

test_sraw_ignores_high_word:
  #_ REGISTER_IN r4 0x7FFFFFFF80000000
  #_ REGISTER_IN r5 4
  sraw r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFF8000000
  #_ REGISTER_OUT r6 0

test_sraw_32_or_more:
  #_ REGISTER_IN r4 0x0000000080000001
  #_ REGISTER_IN r5 32
  sraw r3, r4, r5
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_OUT r6 1

test_slw_32_zero:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r5 32
  slw r3, r4, r5
  blr
  #_ REGISTER_OUT r3 0

test_srw_high_word_dropped:
  #_ REGISTER_IN r4 0xFFFFFFFF00000010
  #_ REGISTER_IN r5 4
  srw r3, r4, r5
  blr
  #_ REGISTER_OUT r3 1
