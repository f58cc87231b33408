# cmpwi/cmpdi (cmpi) and cmplw/cmpld (cmpl): word compares look only at the
# low 32 bits (sign- or zero-extended), doubleword compares at all 64. The
# target field is selectable; SO is copied into the field's fourth bit.

test_cmpdi_high_word_gt:
  #_ REGISTER_IN r3 0x0000000100000000
  cmpdi r3, 2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x40000000

test_cmpwi_high_word_ignored:
  #_ REGISTER_IN r3 0x0000000100000000
  cmpwi r3, 2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x80000000

test_cmpwi_negative_imm_eq:
  #_ REGISTER_IN r3 0x00000000FFFFFFFF
  cmpwi cr3, r3, -1
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00020000

test_cmpdi_negative_imm:
  #_ REGISTER_IN r3 0x00000000FFFFFFFF
  cmpdi cr7, r3, -1
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000004

test_cmpwi_so_copied:
  #_ REGISTER_IN r7 0x7FFFFFFF
  #_ REGISTER_IN r3 5
  addo r8, r7, r7
  cmpwi cr1, r3, 5
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x03000000

test_cmpd_signed:
  #_ REGISTER_IN r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r4 1
  cmpd cr2, r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00800000

test_cmpld_unsigned:
  #_ REGISTER_IN r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r4 1
  cmpld cr2, r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00400000

test_cmpld_high_words:
  #_ REGISTER_IN r3 0x0000000100000000
  #_ REGISTER_IN r4 0x0000000200000000
  cmpld r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x80000000

test_cmplw_high_words_ignored:
  #_ REGISTER_IN r3 0x0000000100000000
  #_ REGISTER_IN r4 0x0000000200000000
  cmplw r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x20000000

test_cmplw_unsigned_low:
  #_ REGISTER_IN r3 0x0000000080000000
  #_ REGISTER_IN r4 0xFFFFFFFF00000001
  cmplw cr6, r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000040

test_cmpw_signed_low:
  #_ REGISTER_IN r3 0x0000000080000000
  #_ REGISTER_IN r4 0xFFFFFFFF00000001
  cmpw cr6, r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000080

test_cmplwi_max:
  #_ REGISTER_IN r3 0xFFFFFFFF0000FFFF
  cmplwi cr5, r3, 0xFFFF
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000200

test_cmp_only_target_field_changes:
  #_ REGISTER_IN r3 1
  #_ REGISTER_IN r4 2
  lis r5, 0x1234
  ori r5, r5, 0x5678
  mtcrf 0xFF, r5
  cmpw cr0, r3, r4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x82345678
