# fabs / fnabs / fneg / fmr (pure sign-bit operations, NaN payloads kept),
# fsel (>= 0 selects FRC, -0 counts as >= 0, NaN selects FRB), and the signs
# of the negated fused multiply-adds.

test_fabs_negative:
  #_ REGISTER_IN f1 -2.5
  fabs f1, f1
  blr
  #_ REGISTER_OUT f1 2.5

test_fabs_negative_zero:
  #_ REGISTER_IN f1 0x8000000000000000
  fabs f2, f1
  blr
  #_ REGISTER_OUT f2 0x0000000000000000

test_fabs_nan_payload_kept:
  #_ REGISTER_IN f1 0xFFF4000000000123
  fabs f2, f1
  blr
  #_ REGISTER_OUT f2 0x7FF4000000000123

test_fabs_neg_inf:
  #_ REGISTER_IN f1 0xFFF0000000000000
  fabs f2, f1
  blr
  #_ REGISTER_OUT f2 0x7FF0000000000000

test_fnabs_positive:
  #_ REGISTER_IN f1 0x3FF0000000000000
  fnabs f2, f1
  blr
  #_ REGISTER_OUT f2 0xBFF0000000000000

test_fneg_zero:
  #_ REGISTER_IN f1 0x0000000000000000
  fneg f2, f1
  blr
  #_ REGISTER_OUT f2 0x8000000000000000

test_fneg_snan_not_quieted:
  #_ REGISTER_IN f1 0x7FF0000000000001
  fneg f2, f1
  fmr f3, f1
  blr
  #_ REGISTER_OUT f2 0xFFF0000000000001
  #_ REGISTER_OUT f3 0x7FF0000000000001

test_fsel_positive_selects_c:
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  fsel f0, f1, f2, f3
  blr
  #_ REGISTER_OUT f0 2.0

test_fsel_negative_selects_b:
  #_ REGISTER_IN f1 -1.0
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  fsel f0, f1, f2, f3
  blr
  #_ REGISTER_OUT f0 3.0

test_fsel_negative_zero_is_ge:
  #_ REGISTER_IN f1 0x8000000000000000
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  fsel f0, f1, f2, f3
  blr
  #_ REGISTER_OUT f0 2.0

test_fsel_nan_selects_b:
  #_ REGISTER_IN f1 0x7FF8000000000000
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  fsel f0, f1, f2, f3
  blr
  #_ REGISTER_OUT f0 3.0

test_fsel_neg_inf_selects_b:
  #_ REGISTER_IN f1 0xFFF0000000000000
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  fsel f0, f1, f2, f3
  blr
  #_ REGISTER_OUT f0 3.0

test_fsel_moves_bits_exactly:
  #_ REGISTER_IN f1 0.0
  #_ REGISTER_IN f2 0x7FF0000000000001
  #_ REGISTER_IN f3 3.0
  fsel f0, f1, f2, f3
  blr
  #_ REGISTER_OUT f0 0x7FF0000000000001

test_fnmsub_sign:
  # -(a*c - b) = -(2*3 - 1) = -5
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  #_ REGISTER_IN f4 1.0
  fnmsub f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 -5.0

test_fnmsub_zero_result_sign:
  # a*c - b = +0 -> negated: -0.
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  #_ REGISTER_IN f4 6.0
  fnmsub f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 0x8000000000000000

test_fnmadd_sign:
  # -(a*c + b) = -(2*3 + 1) = -7
  #_ REGISTER_IN f2 2.0
  #_ REGISTER_IN f3 3.0
  #_ REGISTER_IN f4 1.0
  fnmadd f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 -7.0

test_fnmadds_sign:
  #_ REGISTER_IN f2 -2.0
  #_ REGISTER_IN f3 3.0
  #_ REGISTER_IN f4 1.0
  fnmadds f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 5.0

test_fnmsubs_sign:
  #_ REGISTER_IN f2 -2.0
  #_ REGISTER_IN f3 3.0
  #_ REGISTER_IN f4 1.0
  fnmsubs f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 7.0

test_fnmadd_nan_not_negated:
  # A NaN result is not negated: the quiet NaN from an operand keeps its sign.
  #_ REGISTER_IN f2 0x7FF8000000000000
  #_ REGISTER_IN f3 3.0
  #_ REGISTER_IN f4 1.0
  fnmadd f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 0x7FF8000000000000

test_fmsub_fused_single_rounding:
  # a*c - b with a*c not representable: (1+2^-52)*(1-2^-52) - 1 = -2^-104,
  # which only a fused operation gets (a separate multiply rounds to 1.0).
  #_ REGISTER_IN f2 0x3FF0000000000001
  #_ REGISTER_IN f3 0x3FEFFFFFFFFFFFFE
  #_ REGISTER_IN f4 1.0
  fmsub f1, f2, f3, f4
  blr
  #_ REGISTER_OUT f1 0xB970000000000000
