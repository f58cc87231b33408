# Scalar FP arithmetic special cases: invalid operations give the default
# QNaN 0x7FF8000000000000; a NaN operand is returned quieted, picked in ISA
# priority order frA, frB, frC; single-precision forms round once to single;
# signed zeros of exact-zero sums follow the rounding mode.

test_fadd_inf_minus_inf:
  #_ REGISTER_IN f1 0x7FF0000000000000
  #_ REGISTER_IN f2 0xFFF0000000000000
  fadd f3, f1, f2
  blr
  #_ REGISTER_OUT f3 0x7FF8000000000000

test_fmul_zero_times_inf:
  #_ REGISTER_IN f1 0x8000000000000000
  #_ REGISTER_IN f2 0x7FF0000000000000
  fmul f3, f1, f2
  blr
  #_ REGISTER_OUT f3 0x7FF8000000000000

test_fdiv_zero_by_zero_and_by_zero:
  #_ REGISTER_IN f1 0.0
  #_ REGISTER_IN f2 -3.0
  fdiv f3, f1, f1
  fdiv f4, f2, f1
  blr
  #_ REGISTER_OUT f3 0x7FF8000000000000
  #_ REGISTER_OUT f4 0xFFF0000000000000

test_fsqrt_negative:
  #_ REGISTER_IN f1 -4.0
  #_ REGISTER_IN f2 0x8000000000000000
  fsqrt f3, f1
  fsqrt f4, f2
  blr
  #_ REGISTER_OUT f3 0x7FF8000000000000
  #_ REGISTER_OUT f4 0x8000000000000000

test_fadd_nan_priority_a_then_b:
  #_ REGISTER_IN f1 0x7FF8000000000111
  #_ REGISTER_IN f2 0xFFF8000000000222
  fadd f3, f1, f2
  fadd f4, f2, f1
  blr
  #_ REGISTER_OUT f3 0x7FF8000000000111
  #_ REGISTER_OUT f4 0xFFF8000000000222

test_fadd_snan_quieted:
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 0x7FF0000000000333
  fadd f3, f1, f2
  blr
  #_ REGISTER_OUT f3 0x7FF8000000000333

test_fmadd_nan_priority_a_b_c:
  # fmadd frD, frA, frC, frB: NaN priority is frA, then frB, then frC.
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 0x7FF8000000000002
  #_ REGISTER_IN f3 0x7FF8000000000003
  fmadd f4, f1, f3, f2
  fmadd f5, f3, f1, f2
  blr
  #_ REGISTER_OUT f4 0x7FF8000000000002
  #_ REGISTER_OUT f5 0x7FF8000000000003

test_fmadd_inf_times_zero_plus_qnan:
  # The QNaN operand wins over the invalid 0*inf.
  #_ REGISTER_IN f1 0x7FF0000000000000
  #_ REGISTER_IN f2 0x7FF8000000000005
  #_ REGISTER_IN f3 0.0
  fmadd f4, f1, f3, f2
  blr
  #_ REGISTER_OUT f4 0x7FF8000000000005

test_fsub_exact_zero_sign:
  # x - x = +0 in round-to-nearest, -0 when rounding toward -inf.
  #_ REGISTER_IN f1 5.0
  fsub f2, f1, f1
  mtfsfi 7, 3
  fsub f3, f1, f1
  mtfsfi 7, 0
  blr
  #_ REGISTER_OUT f2 0x0000000000000000
  #_ REGISTER_OUT f3 0x8000000000000000

test_fadds_rounds_to_single:
  # 1 + 2^-30 rounds to 1.0 in single precision.
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 0x3E10000000000000
  fadds f3, f1, f2
  fadd f4, f1, f2
  blr
  #_ REGISTER_OUT f3 0x3FF0000000000000
  #_ REGISTER_OUT f4 0x3FF0000000400000

test_fmuls_overflow_to_inf:
  #_ REGISTER_IN f1 1.0e30
  fmuls f3, f1, f1
  fmul f4, f1, f1
  blr
  #_ REGISTER_OUT f3 0x7FF0000000000000
  #_ REGISTER_OUT f4 0x4C63E9E4E4C2F345

test_fdivs_single_rounding:
  # 1/3 in single precision, widened.
  #_ REGISTER_IN f1 1.0
  #_ REGISTER_IN f2 3.0
  fdivs f3, f1, f2
  blr
  #_ REGISTER_OUT f3 0x3FD5555560000000

test_fmadds_single_rounding_once:
  # (1 + 2^-23) * (1 + 2^-23) + 0 = 1 + 2^-22 + 2^-46: one rounding to single
  # gives 1 + 2^-22 (the 2^-46 is below half an ulp).
  #_ REGISTER_IN f1 0x3FF0000020000000
  #_ REGISTER_IN f2 0.0
  fmadds f3, f1, f1, f2
  blr
  #_ REGISTER_OUT f3 0x3FF0000040000000

test_fneg_abs_keep_nan_sign_rules:
  #_ REGISTER_IN f1 0xFFF8000000000000
  fabs f2, f1
  fnabs f3, f2
  blr
  #_ REGISTER_OUT f2 0x7FF8000000000000
  #_ REGISTER_OUT f3 0xFFF8000000000000

test_fctiwz_record_cr1:
  # Record form copies FPSCR[0:3] into CR1; an exact conversion raises no
  # exception, so CR1 (preset to 1111) becomes 0.
  #_ REGISTER_IN f1 2.0
  li r5, -1
  mtcrf 0x40, r5
  fctiwz. f2, f1
  mfcr r12
  blr
  #_ REGISTER_OUT f2 0x0000000000000002
  #_ REGISTER_OUT r12 0x00000000
