# AltiVec float ops: arithmetic (round to nearest, denormals flushed to zero,
# NaN propagation: first NaN operand quieted), fused vmaddfp/vnmsubfp,
# rounding to integral (vrfin/vrfiz/vrfip/vrfim), conversions with scale and
# saturation (vcfsx/vcfux/vctsxs/vctuxs), estimates on exact special inputs,
# compares incl. vcmpbfp and record forms.

test_vaddfp_1:
  #_ REGISTER_IN v3 [3FC00000, C0100000, 7149F2CA, 00000000]
  #_ REGISTER_IN v4 [3E800000, 40100000, 7149F2CA, 80000000]
  vaddfp v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [3FE00000, 00000000, 71C9F2CA, 00000000]

test_vsubfp_1:
  #_ REGISTER_IN v3 [3FC00000, C0100000, 7149F2CA, 00000000]
  #_ REGISTER_IN v4 [3E800000, 40100000, 7149F2CA, 80000000]
  vsubfp v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [3FA00000, C0900000, 00000000, 00000000]

test_vaddfp_overflow_inf:
  #_ REGISTER_IN v3 [7F7FFFFF, FF7FFFFF, 7F800000, 3F800000]
  #_ REGISTER_IN v4 [7F7FFFFF, FF7FFFFF, FF800000, 7F800000]
  vaddfp v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [7F800000, FF800000, 7FC00000, 7F800000]

test_vaddfp_denormal_input_flushed:
  # 0x00400000 is a denormal: read as 0
  #_ REGISTER_IN v3 [00400000, 80400000, 00800000, 00000001]
  #_ REGISTER_IN v4 [00000000, 80000000, 00000000, 00800000]
  vaddfp v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [00000000, 80000000, 00800000, 00800000]

test_vsubfp_denormal_result_flushed:
  # 1.5*2^-126 - 2^-126 = 2^-127 (denormal) -> +0
  #_ REGISTER_IN v3 [00C00000, 80C00000, 00000000, 00000000]
  #_ REGISTER_IN v4 [00800000, 80800000, 00000000, 00000000]
  vsubfp v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [00000000, 80000000, 00000000, 00000000]

test_vaddfp_nan_propagation:
  # first NaN operand (va) wins and is quieted
  #_ REGISTER_IN v3 [7F800001, 3F800000, FFC00001, 7FC00000]
  #_ REGISTER_IN v4 [7FC00002, 7F800002, 7FC00003, 3F800000]
  vaddfp v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [7FC00001, 7FC00002, FFC00001, 7FC00000]

test_vmaddfp_1:
  # va*vc + vb
  #_ REGISTER_IN v3 [40400000, BF000000, 40000000, 1E3CE508]
  #_ REGISTER_IN v4 [3F800000, 3F800000, 40C00000, 00000000]
  #_ REGISTER_IN v6 [40800000, 41000000, C0400000, 1E3CE508]
  vmaddfp v5, v3, v6, v4
  blr
  #_ REGISTER_OUT v5 [41500000, C0400000, 00000000, 00000000]

test_vnmsubfp_1:
  # -(va*vc - vb)
  #_ REGISTER_IN v3 [40400000, BF000000, 40000000, 1E3CE508]
  #_ REGISTER_IN v4 [3F800000, 3F800000, 40C00000, 00000000]
  #_ REGISTER_IN v6 [40800000, 41000000, C0400000, 1E3CE508]
  vnmsubfp v5, v3, v6, v4
  blr
  #_ REGISTER_OUT v5 [C1300000, 40A00000, 41400000, 80000000]

test_vmaxfp_vminfp_zeros:
  # max(+0,-0)=+0, min(+0,-0)=-0
  #_ REGISTER_IN v3 [00000000, 80000000, 3F800000, BF800000]
  #_ REGISTER_IN v4 [80000000, 00000000, C0000000, C0400000]
  vmaxfp v5, v3, v4
  vminfp v6, v3, v4
  blr
  #_ REGISTER_OUT v5 [00000000, 00000000, 3F800000, BF800000]
  #_ REGISTER_OUT v6 [80000000, 80000000, C0000000, C0400000]

test_vrfin_ties_even:
  #_ REGISTER_IN v3 [40200000, C0200000, 40600000, BF400000]
  vrfin v5, v3
  blr
  #_ REGISTER_OUT v5 [40000000, C0000000, 40800000, BF800000]

test_vrfiz_1:
  #_ REGISTER_IN v3 [40200000, C0200000, 40600000, BF400000]
  vrfiz v5, v3
  blr
  #_ REGISTER_OUT v5 [40000000, C0000000, 40400000, 80000000]

test_vrfip_1:
  #_ REGISTER_IN v3 [40200000, C0200000, 40600000, BF400000]
  vrfip v5, v3
  blr
  #_ REGISTER_OUT v5 [40400000, C0000000, 40800000, 80000000]

test_vrfim_1:
  #_ REGISTER_IN v3 [40200000, C0200000, 40600000, BF400000]
  vrfim v5, v3
  blr
  #_ REGISTER_OUT v5 [40000000, C0400000, 40400000, BF800000]

test_vrfin_large_and_special:
  # values >= 2^23 are already integral; inf kept; NaN quieted
  #_ REGISTER_IN v3 [4B000001, 7F800000, 7F800001, FF800000]
  vrfin v5, v3
  blr
  #_ REGISTER_OUT v5 [4B000001, 7F800000, 7FC00001, FF800000]

test_vcfsx_scale:
  # signed words / 2^3
  #_ REGISTER_IN v3 [00000008, FFFFFFF0, 00000001, 80000000]
  vcfsx v5, v3, 3
  blr
  #_ REGISTER_OUT v5 [3F800000, C0000000, 3E000000, CD800000]

test_vcfux_scale:
  # unsigned words / 2^1; 0xFFFFFFFF rounds to 2^32 before scaling
  #_ REGISTER_IN v3 [00000008, FFFFFFF0, 00000001, FFFFFFFF]
  vcfux v5, v3, 1
  blr
  #_ REGISTER_OUT v5 [40800000, 4F000000, 3F000000, 4F000000]

test_vctsxs_saturate:
  # x*2^2 truncated; saturates; NaN -> 0
  #_ REGISTER_IN v3 [BFF33333, 501502F9, D01502F9, 7FC00000]
  vctsxs v5, v3, 2
  blr
  #_ REGISTER_OUT v5 [FFFFFFF9, 7FFFFFFF, 80000000, 00000000]

test_vctuxs_saturate:
  # negative -> 0, too large -> 0xFFFFFFFF, NaN -> 0
  #_ REGISTER_IN v3 [BFF33333, 501502F9, 40F80000, 7FC00000]
  vctuxs v5, v3, 0
  blr
  #_ REGISTER_OUT v5 [00000000, FFFFFFFF, 00000007, 00000000]

test_vrefp_specials:
  # 1/+0=+inf, 1/-0=-inf, 1/inf=+0, NaN quieted
  #_ REGISTER_IN v3 [00000000, 80000000, 7F800000, 7F800001]
  vrefp v5, v3
  blr
  #_ REGISTER_OUT v5 [7F800000, FF800000, 00000000, 7FC00001]

test_vrsqrtefp_specials:
  # +0 -> +inf, -0 -> -inf, +inf -> +0, negative -> QNaN
  #_ REGISTER_IN v3 [00000000, 80000000, 7F800000, C0800000]
  vrsqrtefp v5, v3
  blr
  #_ REGISTER_OUT v5 [7F800000, FF800000, 00000000, 7FC00000]

test_vexptefp_integers:
  # 2^x is exact for integral x
  #_ REGISTER_IN v3 [40400000, C0000000, 00000000, 41200000]
  vexptefp v5, v3
  blr
  #_ REGISTER_OUT v5 [41000000, 3E800000, 3F800000, 44800000]

test_vlogefp_powers:
  # log2 is exact for powers of two
  #_ REGISTER_IN v3 [41000000, 3E800000, 3F800000, 44800000]
  vlogefp v5, v3
  blr
  #_ REGISTER_OUT v5 [40400000, C0000000, 00000000, 41200000]

test_vlogefp_specials:
  # log2(+0) = -inf, log2(negative) = QNaN, log2(+inf) = +inf
  #_ REGISTER_IN v3 [00000000, BF800000, 7F800000, 80000000]
  vlogefp v5, v3
  blr
  #_ REGISTER_OUT v5 [FF800000, 7FC00000, 7F800000, FF800000]

test_vcmpeqfp_rec_none:
  #_ REGISTER_IN v3 [3F800000, 3F800000, 3F800000, 3F800000]
  #_ REGISTER_IN v4 [40000000, 40000000, 40000000, 40000000]
  vcmpeqfp. v5, v3, v4
  mfocrf r3, 2
  blr
  #_ REGISTER_OUT v5 [00000000, 00000000, 00000000, 00000000]
  #_ REGISTER_OUT r3 0x00000020

test_vcmpgefp_mixed_nan:
  # NaN compares false
  #_ REGISTER_IN v3 [3F800000, 40000000, 7FC00000, BF800000]
  #_ REGISTER_IN v4 [3F800000, 3F800000, 3F800000, 00000000]
  vcmpgefp. v5, v3, v4
  mfocrf r3, 2
  blr
  #_ REGISTER_OUT v5 [FFFFFFFF, FFFFFFFF, 00000000, 00000000]
  #_ REGISTER_OUT r3 0x00000000

test_vcmpgtfp_all:
  #_ REGISTER_IN v3 [40000000, 40000000, 40000000, 40000000]
  #_ REGISTER_IN v4 [3F800000, FF800000, 80000000, C0A00000]
  vcmpgtfp. v5, v3, v4
  mfocrf r3, 2
  blr
  #_ REGISTER_OUT v5 [FFFFFFFF, FFFFFFFF, FFFFFFFF, FFFFFFFF]
  #_ REGISTER_OUT r3 0x00000080

test_vcmpbfp_bounds:
  # bit0: a > b, bit1: a < -b; CR6 EQ bit (0x2) set iff all in bounds
  #_ REGISTER_IN v3 [3F000000, 40400000, C0400000, 7FC00000]
  #_ REGISTER_IN v4 [3F800000, 3F800000, 3F800000, 3F800000]
  vcmpbfp. v5, v3, v4
  mfocrf r3, 2
  blr
  #_ REGISTER_OUT v5 [00000000, 80000000, 40000000, C0000000]
  #_ REGISTER_OUT r3 0x00000000

test_vcmpbfp_all_in_bounds:
  #_ REGISTER_IN v3 [3F000000, BF800000, 3F800000, 00000000]
  #_ REGISTER_IN v4 [3F800000, 3F800000, 3F800000, 3F800000]
  vcmpbfp. v5, v3, v4
  mfocrf r3, 2
  blr
  #_ REGISTER_OUT v5 [00000000, 00000000, 00000000, 00000000]
  #_ REGISTER_OUT r3 0x00000020


