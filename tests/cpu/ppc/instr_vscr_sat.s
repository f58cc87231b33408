# VSCR[SAT] (word 3 bit 0 of mfvscr) is set, and stays set, when a saturating
# vector op clamps; mtvscr writes it back. VSCR starts at zero in the runner.

test_vscr_sat_set_by_saturating_add:
  #_ REGISTER_IN v3 [FF000000, 00000000, 00000000, 00000000]
  #_ REGISTER_IN v4 [01000000, 00000000, 00000000, 00000000]
  vaddubs v5, v3, v4
  mfvscr v6
  blr
  #_ REGISTER_OUT v5 [FF000000, 00000000, 00000000, 00000000]
  #_ REGISTER_OUT v6 [00000000, 00000000, 00000000, 00000001]

test_vscr_sat_sticky_and_cleared_by_mtvscr:
  #_ REGISTER_IN v3 [7FFFFFFF, 00000000, 00000000, 00000000]
  #_ REGISTER_IN v4 [00000001, 00000000, 00000000, 00000000]
  vaddsws v5, v3, v4
  vadduwm v7, v3, v4
  mfvscr v6
  vxor v8, v8, v8
  mtvscr v8
  mfvscr v9
  blr
  #_ REGISTER_OUT v5 [7FFFFFFF, 00000000, 00000000, 00000000]
  #_ REGISTER_OUT v6 [00000000, 00000000, 00000000, 00000001]
  #_ REGISTER_OUT v9 [00000000, 00000000, 00000000, 00000000]

test_vscr_no_sat_when_in_range:
  #_ REGISTER_IN v3 [01020304, 00000000, 00000000, 00000000]
  vaddubs v5, v3, v3
  mfvscr v6
  blr
  #_ REGISTER_OUT v6 [00000000, 00000000, 00000000, 00000000]

test_vscr_sat_from_vctsxs:
  #_ REGISTER_IN v3 [7F800000, 00000000, 00000000, 00000000]
  vctsxs v5, v3, 0
  mfvscr v6
  blr
  #_ REGISTER_OUT v5 [7FFFFFFF, 00000000, 00000000, 00000000]
  #_ REGISTER_OUT v6 [00000000, 00000000, 00000000, 00000001]

test_vscr_sat_from_pack:
  #_ REGISTER_IN v3 [00000100, 00000000, 00000000, 00000000]
  vpkswss v5, v3, v3
  vpkuhus v7, v3, v3
  mfvscr v6
  blr
  #_ REGISTER_OUT v6 [00000000, 00000000, 00000000, 00000001]
  #_ REGISTER_OUT v7 [00FF0000, 00000000, 00FF0000, 00000000]
