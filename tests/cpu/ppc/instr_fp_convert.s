# fctiw / fctiwz / fctid / fctidz on NaN, infinities and out-of-range values,
# the rounding modes selected by FPSCR[RN] (mtfsfi 7), fcfid, frsp.
# The word conversions are checked both as the whole FPR (the console suite
# expects the 32-bit result sign-extended) and through stfiwx (low word only).

test_fctiw_nan:
  #_ REGISTER_IN f0 0x7FF8000000000000
  lis r9, 0x1000
  ori r9, r9, 0x1000
  fctiw f1, f0
  stfiwx f1, 0, r9
  lwz r3, 0(r9)
  blr
  #_ REGISTER_OUT r3 0x0000000080000000

test_fctiwz_snan:
  #_ REGISTER_IN f0 0xFFF0000000000001
  lis r9, 0x1000
  ori r9, r9, 0x1000
  fctiwz f1, f0
  stfiwx f1, 0, r9
  lwz r3, 0(r9)
  blr
  #_ REGISTER_OUT r3 0x0000000080000000

test_fctiw_too_large:
  #_ REGISTER_IN f0 1.0e10
  fctiw f1, f0
  blr
  #_ REGISTER_OUT f1 0x000000007FFFFFFF

test_fctiw_too_small:
  #_ REGISTER_IN f0 -1.0e10
  fctiw f1, f0
  blr
  #_ REGISTER_OUT f1 0xFFFFFFFF80000000

test_fctiw_nearest_even_default:
  #_ REGISTER_IN f0 2.5
  #_ REGISTER_IN f2 3.5
  #_ REGISTER_IN f4 -2.5
  fctiw f1, f0
  fctiw f3, f2
  fctiw f5, f4
  blr
  #_ REGISTER_OUT f1 0x0000000000000002
  #_ REGISTER_OUT f3 0x0000000000000004
  #_ REGISTER_OUT f5 0xFFFFFFFFFFFFFFFE

test_fctiw_round_toward_zero_mode:
  #_ REGISTER_IN f0 -2.7
  mtfsfi 7, 1
  fctiw f1, f0
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT f1 0xFFFFFFFFFFFFFFFE

test_fctiw_round_up_mode:
  #_ REGISTER_IN f0 2.1
  #_ REGISTER_IN f2 -2.9
  mtfsfi 7, 2
  fctiw f1, f0
  fctiw f3, f2
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT f1 0x0000000000000003
  #_ REGISTER_OUT f3 0xFFFFFFFFFFFFFFFE

test_fctiw_round_down_mode:
  #_ REGISTER_IN f0 2.9
  #_ REGISTER_IN f2 -2.1
  mtfsfi 7, 3
  fctiw f1, f0
  fctiw f3, f2
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT f1 0x0000000000000002
  #_ REGISTER_OUT f3 0xFFFFFFFFFFFFFFFD

test_fctiwz_ignores_mode:
  #_ REGISTER_IN f0 2.9
  mtfsfi 7, 2
  fctiwz f1, f0
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT f1 0x0000000000000002

test_fctiw_just_below_overflow_rounds_up:
  # 2147483647.5 rounds (nearest-even) to 2^31, which is out of range.
  #_ REGISTER_IN f0 2147483647.5
  fctiw f1, f0
  fctiwz f2, f0
  blr
  #_ REGISTER_OUT f1 0x000000007FFFFFFF
  #_ REGISTER_OUT f2 0x000000007FFFFFFF

test_fctid_nan:
  #_ REGISTER_IN f0 0x7FF8000000000000
  fctid f1, f0
  fctidz f2, f0
  blr
  #_ REGISTER_OUT f1 0x8000000000000000
  #_ REGISTER_OUT f2 0x8000000000000000

test_fctid_infinities:
  #_ REGISTER_IN f0 0x7FF0000000000000
  #_ REGISTER_IN f2 0xFFF0000000000000
  fctid f1, f0
  fctid f3, f2
  blr
  #_ REGISTER_OUT f1 0x7FFFFFFFFFFFFFFF
  #_ REGISTER_OUT f3 0x8000000000000000

test_fctid_out_of_range:
  #_ REGISTER_IN f0 1.0e19
  #_ REGISTER_IN f2 -1.0e19
  fctidz f1, f0
  fctidz f3, f2
  blr
  #_ REGISTER_OUT f1 0x7FFFFFFFFFFFFFFF
  #_ REGISTER_OUT f3 0x8000000000000000

test_fctid_large_exact:
  #_ REGISTER_IN f0 0x43E0000000000000
  #_ REGISTER_IN f2 0xC3E0000000000000
  #_ REGISTER_IN f4 0x43DFFFFFFFFFFFFF
  fctid f1, f0
  fctid f3, f2
  fctid f5, f4
  blr
  #_ REGISTER_OUT f1 0x7FFFFFFFFFFFFFFF
  #_ REGISTER_OUT f3 0x8000000000000000
  #_ REGISTER_OUT f5 0x7FFFFFFFFFFFFC00

test_fctid_rounding_mode:
  #_ REGISTER_IN f0 -0.5
  mtfsfi 7, 3
  fctid f1, f0
  mtfsfi 7, 0
  fctid f2, f0
  blr
  #_ REGISTER_OUT f1 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_OUT f2 0

test_fcfid_roundtrip:
  #_ REGISTER_IN f0 0xFFFFFFFFFFFFFFF9
  fcfid f1, f0
  blr
  #_ REGISTER_OUT f1 -7.0

test_fcfid_rounds:
  # 2^53 + 1 is not representable; nearest-even gives 2^53.
  #_ REGISTER_IN f0 0x0020000000000001
  fcfid f1, f0
  blr
  #_ REGISTER_OUT f1 0x4340000000000000

test_frsp_rounds_nearest:
  # 1 + 2^-24 is the midpoint between 1.0 and the next single: ties to even -> 1.0;
  # 1 + 2^-24 + 2^-52 is above the midpoint -> 1 + 2^-23.
  #_ REGISTER_IN f0 0x3FF0000010000000
  #_ REGISTER_IN f2 0x3FF0000010000001
  frsp f1, f0
  frsp f3, f2
  blr
  #_ REGISTER_OUT f1 0x3FF0000000000000
  #_ REGISTER_OUT f3 0x3FF0000020000000

test_frsp_round_toward_zero:
  #_ REGISTER_IN f2 0x3FF000001FFFFFFF
  mtfsfi 7, 1
  frsp f3, f2
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT f3 0x3FF0000000000000

test_frsp_overflow_to_inf:
  #_ REGISTER_IN f0 1.0e300
  #_ REGISTER_IN f2 -1.0e300
  frsp f1, f0
  frsp f3, f2
  blr
  #_ REGISTER_OUT f1 0x7FF0000000000000
  #_ REGISTER_OUT f3 0xFFF0000000000000

test_frsp_qnan_payload_truncated:
  #_ REGISTER_IN f0 0x7FF8000123456789
  frsp f1, f0
  blr
  #_ REGISTER_OUT f1 0x7FF8000120000000

test_frsp_snan_quieted:
  #_ REGISTER_IN f0 0x7FF0000100000000
  frsp f1, f0
  blr
  #_ REGISTER_OUT f1 0x7FF8000100000000

test_fres_specials:
  #_ REGISTER_IN f0 0x7FF0000000000000
  #_ REGISTER_IN f2 0x0000000000000000
  #_ REGISTER_IN f4 0x8000000000000000
  fres f1, f0
  fres f3, f2
  fres f5, f4
  blr
  #_ REGISTER_OUT f1 0x0000000000000000
  #_ REGISTER_OUT f3 0x7FF0000000000000
  #_ REGISTER_OUT f5 0xFFF0000000000000

test_frsqrte_specials:
  #_ REGISTER_IN f0 0x7FF0000000000000
  #_ REGISTER_IN f2 0x0000000000000000
  #_ REGISTER_IN f4 -4.0
  #_ REGISTER_IN f6 0x8000000000000000
  frsqrte f1, f0
  frsqrte f3, f2
  frsqrte f5, f4
  frsqrte f7, f6
  blr
  #_ REGISTER_OUT f1 0x0000000000000000
  #_ REGISTER_OUT f3 0x7FF0000000000000
  #_ REGISTER_OUT f5 0x7FF8000000000000
  #_ REGISTER_OUT f7 0xFFF0000000000000
