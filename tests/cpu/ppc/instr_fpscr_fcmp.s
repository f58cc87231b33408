# mffs / mtfsf / mtfsfi / mtfsb0 / mtfsb1 / mcrfs, and fcmpu / fcmpo results
# in the selected CR field and in FPSCR[FPCC] (bits 16..19, host 0x0000F000).
# FPSCR is read back through mffs + stfd and the low word loaded with lwz.

test_mtfsfi_rn_readback:
  lis r9, 0x1000
  ori r9, r9, 0x1000
  mtfsfi 7, 3
  mffs f1
  stfd f1, 0(r9)
  lwz r3, 4(r9)
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT r3 3

test_mtfsb1_mtfsb0:
  lis r9, 0x1000
  ori r9, r9, 0x1000
  mtfsb1 30
  mtfsb1 24
  mtfsb0 30
  mffs f1
  stfd f1, 0(r9)
  lwz r3, 4(r9)
  mtfsb0 24
  blr
  #_ REGISTER_OUT r3 0x00000080

test_mtfsf_field_mask:
  # Only fields 6 and 7 (FLM 0x03) are written from f2's low word.
  #_ REGISTER_IN f2 0x00000000000000F9
  lis r9, 0x1000
  ori r9, r9, 0x1000
  mtfsf 0x03, f2
  mffs f1
  stfd f1, 0(r9)
  lwz r3, 4(r9)
  mtfsfi 6, 0
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT r3 0x000000F9

test_mtfsf_rounding_takes_effect:
  # RN = 1 (toward zero) written by mtfsf changes an fadd's result.
  #_ REGISTER_IN f2 0x0000000000000001
  #_ REGISTER_IN f3 1.0
  #_ REGISTER_IN f4 0x3CA8000000000000
  mtfsf 0x01, f2
  fadd f5, f3, f4
  mtfsfi 7, 0
  fadd f6, f3, f4
  blr
  #_ REGISTER_OUT f5 0x3FF0000000000000
  #_ REGISTER_OUT f6 0x3FF0000000000001

test_fcmpu_less:
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 2.0
  fcmpu cr1, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x08000000

test_fcmpu_greater_cr7:
  #_ REGISTER_IN f1 3.0
  #_ REGISTER_IN f2 2.0
  fcmpu cr7, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000004

test_fcmpu_zeros_equal:
  #_ REGISTER_IN f1 0x8000000000000000
  #_ REGISTER_IN f2 0x0000000000000000
  fcmpu cr0, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x20000000

test_fcmpu_nan_unordered:
  #_ REGISTER_IN f1 0x7FF8000000000000
  #_ REGISTER_IN f2 0.0
  fcmpu cr3, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00010000

test_fcmpo_nan_unordered:
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 0x7FF8000000000000
  fcmpo cr2, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00100000

test_fcmpo_infinities:
  #_ REGISTER_IN f1 0xFFF0000000000000
  #_ REGISTER_IN f2 0x7FF0000000000000
  fcmpo cr6, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000080

test_fcmp_sets_fpcc:
  #_ REGISTER_IN f1 2.0
  #_ REGISTER_IN f2 1.0
  lis r9, 0x1000
  ori r9, r9, 0x1000
  fcmpu cr1, f1, f2
  mffs f3
  stfd f3, 0(r9)
  lwz r3, 4(r9)
  blr
  #_ REGISTER_OUT r3 0x00004000

test_mcrfs_fpcc_to_cr:
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 1.0
  fcmpu cr0, f1, f2
  mcrfs cr5, 4
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x20000200

test_fcmp_leaves_other_fields:
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 2.0
  li r5, -1
  mtcrf 0xFF, r5
  fcmpu cr4, f1, f2
  mfcr r12
  blr
  #_ REGISTER_OUT r12 0x00000000FFFF8FFF
