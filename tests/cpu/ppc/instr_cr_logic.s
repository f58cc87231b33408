# Condition-register moves and logic: mcrf, mcrxr, crand/cror/crxor/creqv/
# crnand/crnor/crandc/crorc, mtcrf/mtocrf, mfocrf.
# CR is loaded with a known pattern via mtcrf 0xFF.

test_mcrf_copies_field:
  lis r5, 0x1234
  ori r5, r5, 0x5678
  mtcrf 0xFF, r5
  mcrf cr7, cr1
  mcrf cr0, cr6
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x72345672

test_mcrxr_moves_and_clears:
  # XER = SO|OV|CA -> cr3 = 0b1110 and XER[0:3] cleared.
  #_ REGISTER_IN r7 0x7FFFFFFF
  li r3, -1
  addic r3, r3, 1
  addo r8, r7, r7
  mcrxr cr3
  mfcr r12
  mfxer r11
  blr
  #_ REGISTER_OUT r12 0x000E0000
  #_ REGISTER_OUT r11 0

test_mcrxr_ca_only:
  li r3, -1
  addic r3, r3, 1
  mcrxr cr7
  mfcr r12
  adde r6, r0, r0
  blr
  #_ REGISTER_OUT r12 0x00000002
  #_ REGISTER_OUT r6 0

test_crand_all_combinations:
  # bits 0..3 = 0011 (a), bits 4..7 = 0101 (b); results go to bits 8..11.
  lis r5, 0x3500
  mtcrf 0xFF, r5
  crand 8, 0, 4
  crand 9, 1, 5
  crand 10, 2, 6
  crand 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35100000

test_cror_all_combinations:
  lis r5, 0x3500
  mtcrf 0xFF, r5
  cror 8, 0, 4
  cror 9, 1, 5
  cror 10, 2, 6
  cror 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35700000

test_crxor_all_combinations:
  lis r5, 0x3500
  mtcrf 0xFF, r5
  crxor 8, 0, 4
  crxor 9, 1, 5
  crxor 10, 2, 6
  crxor 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35600000

test_creqv_all_combinations:
  lis r5, 0x3500
  mtcrf 0xFF, r5
  creqv 8, 0, 4
  creqv 9, 1, 5
  creqv 10, 2, 6
  creqv 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35900000

test_crnand_all_combinations:
  lis r5, 0x3500
  mtcrf 0xFF, r5
  crnand 8, 0, 4
  crnand 9, 1, 5
  crnand 10, 2, 6
  crnand 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35E00000

test_crnor_all_combinations:
  lis r5, 0x3500
  mtcrf 0xFF, r5
  crnor 8, 0, 4
  crnor 9, 1, 5
  crnor 10, 2, 6
  crnor 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35800000

test_crandc_all_combinations:
  # a & ~b: a=0011, b=0101 -> 0010
  lis r5, 0x3500
  mtcrf 0xFF, r5
  crandc 8, 0, 4
  crandc 9, 1, 5
  crandc 10, 2, 6
  crandc 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35200000

test_crorc_all_combinations:
  # a | ~b: a=0011, b=0101 -> 1011
  lis r5, 0x3500
  mtcrf 0xFF, r5
  crorc 8, 0, 4
  crorc 9, 1, 5
  crorc 10, 2, 6
  crorc 11, 3, 7
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x35B00000

test_crset_crclr_same_bit:
  crset 31
  crclr 0
  crnot 1, 0
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x40000001

test_mtcrf_partial_mask:
  lis r5, 0xABCD
  ori r5, r5, 0xEF01
  mtcrf 0x81, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0xA0000001

test_mtocrf_single_field:
  lis r5, 0xABCD
  ori r5, r5, 0xEF01
  mtocrf 0x20, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00C00000

test_mfocrf_single_field:
  lis r5, 0xABCD
  ori r5, r5, 0xEF01
  mtcrf 0xFF, r5
  mfocrf r6, 0x04
  blr
  #_ REGISTER_OUT r6 0x00000F00

test_mtcrf_ignores_high_word:
  #_ REGISTER_IN r5 0xFFFFFFFF00000000
  mtcrf 0xFF, r5
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0
