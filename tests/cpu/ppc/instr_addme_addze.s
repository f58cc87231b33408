# addme / addze (and their record forms). Xenon rule (FORMAT.md section 7):
# the 64-bit sum is kept, but XER[CA] and CR0 come from the low 32 bits.
# CA is exposed with `adde rX, r0, r0` (r0 = 0).

test_addze_noca:
  #_ REGISTER_IN r4 7
  addze r3, r4
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 7
  #_ REGISTER_OUT r6 0

test_addze_ca_in:
  #_ REGISTER_IN r4 7
  li r3, -1
  addic r3, r3, 1       # low word wraps: CA = 1
  addze r3, r4
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 8
  #_ REGISTER_OUT r6 0

test_addze_low_word_carry:
  # 0x00000001_FFFFFFFF + CA: the 64-bit result is 0x2_00000000 and the
  # low word wraps, so CA = 1 and CR0 sees a zero low word (EQ).
  #_ REGISTER_IN r4 0x00000001FFFFFFFF
  li r3, -1
  addic r3, r3, 1
  addze. r3, r4
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000200000000
  #_ REGISTER_OUT r6 1
  #_ REGISTER_OUT r12 0x20000000

test_addze_cr_negative_low:
  #_ REGISTER_IN r4 0x0000000080000000
  addze. r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000080000000
  #_ REGISTER_OUT r12 0x80000000

test_addze_cr_so_copied:
  # SO is set by an overflowing addo first and is copied into CR0[SO].
  #_ REGISTER_IN r7 0x7FFFFFFF
  #_ REGISTER_IN r4 5
  addo r8, r7, r7
  addze. r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r3 5
  #_ REGISTER_OUT r12 0x50000000

test_addme_noca:
  # RA + CA - 1 with CA = 0: 5 - 1 = 4, carry out of the low word (5 + 0xFFFFFFFF).
  #_ REGISTER_IN r4 5
  addme r3, r4
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r3 4
  #_ REGISTER_OUT r6 1

test_addme_zero_noca:
  # 0 + 0 - 1 = -1, no carry out.
  #_ REGISTER_IN r4 0
  addme. r3, r4
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_OUT r6 0
  #_ REGISTER_OUT r12 0x80000000

test_addme_ca_in:
  # CA = 1: result = RA, carry out iff RA's low word != 0 ... for RA=0: 0+0xFFFFFFFF+1 wraps.
  #_ REGISTER_IN r4 0
  li r3, -1
  addic r3, r3, 1
  addme. r3, r4
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0
  #_ REGISTER_OUT r6 1
  #_ REGISTER_OUT r12 0x20000000

test_addme_high_word:
  # 0x00000001_00000000 - 1 = 0x00000000_FFFFFFFF. The low-word addition
  # 0 + 0xFFFFFFFF does not carry (CA = 0); CR0 from the low word: negative.
  #_ REGISTER_IN r4 0x0000000100000000
  addme. r3, r4
  adde r6, r0, r0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFF
  #_ REGISTER_OUT r6 0
  #_ REGISTER_OUT r12 0x80000000

test_addmeo_overflow:
  # 0x80000000 + 0xFFFFFFFF (32-bit view) overflows: OV = SO = 1.
  #_ REGISTER_IN r4 0x0000000080000000
  addmeo r3, r4
  mfxer r7
  blr
  #_ REGISTER_OUT r3 0x000000007FFFFFFF
  #_ REGISTER_OUT r7 0xE0000000

test_addzeo_overflow:
  #_ REGISTER_IN r4 0x000000007FFFFFFF
  li r3, -1
  addic r3, r3, 1
  addzeo. r3, r4
  mfxer r7
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000080000000
  #_ REGISTER_OUT r7 0xC0000000
  #_ REGISTER_OUT r12 0x90000000
