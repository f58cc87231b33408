# More VMX128 forms: vrlimi128 (rotate words left by z then insert under a
# 4-bit word mask), vslo128/vsro128, lvsl128/lvsr128, lvx128/stvx128
# (address bits 0-3 ignored), vpermwi128 via its mnemonic.

test_vrlimi128_m8_z0:
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  #_ REGISTER_IN v4 [10111213, 14151617, 18191A1B, 1C1D1E1F]
  vor128 v99, v4, v4
  vrlimi128 v99, v3, 8, 0
  vor128 v5, v99, v99
  blr
  #_ REGISTER_OUT v5 [00010203, 14151617, 18191A1B, 1C1D1E1F]

test_vrlimi128_m6_z1:
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  #_ REGISTER_IN v4 [10111213, 14151617, 18191A1B, 1C1D1E1F]
  vor128 v99, v4, v4
  vrlimi128 v99, v3, 6, 1
  vor128 v5, v99, v99
  blr
  #_ REGISTER_OUT v5 [10111213, 08090A0B, 0C0D0E0F, 1C1D1E1F]

test_vrlimi128_mF_z3:
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  #_ REGISTER_IN v4 [10111213, 14151617, 18191A1B, 1C1D1E1F]
  vor128 v99, v4, v4
  vrlimi128 v99, v3, 15, 3
  vor128 v5, v99, v99
  blr
  #_ REGISTER_OUT v5 [0C0D0E0F, 00010203, 04050607, 08090A0B]

test_vrlimi128_m1_z2:
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  #_ REGISTER_IN v4 [10111213, 14151617, 18191A1B, 1C1D1E1F]
  vor128 v99, v4, v4
  vrlimi128 v99, v3, 1, 2
  vor128 v5, v99, v99
  blr
  #_ REGISTER_OUT v5 [10111213, 14151617, 18191A1B, 04050607]

test_vslo128_5:
  # shift left by octets taken from bits 121-124 of vB
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  #_ REGISTER_IN v4 [00000000, 00000000, 00000000, 00000028]
  vslo128 v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [05060708, 090A0B0C, 0D0E0F00, 00000000]

test_vsro128_5:
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  #_ REGISTER_IN v4 [00000000, 00000000, 00000000, 00000028]
  vsro128 v5, v3, v4
  blr
  #_ REGISTER_OUT v5 [00000000, 00000102, 03040506, 0708090A]

test_lvsl128_0:
  li r4, 0
  li r5, 0
  lvsl128 v70, r4, r5
  vor128 v5, v70, v70
  blr
  #_ REGISTER_OUT v5 [00010203, 04050607, 08090A0B, 0C0D0E0F]

test_lvsr128_0:
  li r4, 0
  li r5, 0
  lvsr128 v70, r4, r5
  vor128 v5, v70, v70
  blr
  #_ REGISTER_OUT v5 [10111213, 14151617, 18191A1B, 1C1D1E1F]

test_lvsl128_3:
  li r4, 3
  li r5, 0
  lvsl128 v70, r4, r5
  vor128 v5, v70, v70
  blr
  #_ REGISTER_OUT v5 [03040506, 0708090A, 0B0C0D0E, 0F101112]

test_lvsr128_3:
  li r4, 3
  li r5, 0
  lvsr128 v70, r4, r5
  vor128 v5, v70, v70
  blr
  #_ REGISTER_OUT v5 [0D0E0F10, 11121314, 15161718, 191A1B1C]

test_lvsl128_15:
  li r4, 15
  li r5, 0
  lvsl128 v70, r4, r5
  vor128 v5, v70, v70
  blr
  #_ REGISTER_OUT v5 [0F101112, 13141516, 1718191A, 1B1C1D1E]

test_lvsr128_15:
  li r4, 15
  li r5, 0
  lvsr128 v70, r4, r5
  vor128 v5, v70, v70
  blr
  #_ REGISTER_OUT v5 [01020304, 05060708, 090A0B0C, 0D0E0F10]

test_lvx128_stvx128_ignore_low_bits:
  #_ MEMORY_IN 10001010 00112233 44556677 8899AABB CCDDEEFF
  lis r4, 0x1000
  ori r4, r4, 0x1010
  li r5, 7
  lvx128 v100, r4, r5
  li r5, 0x1D
  stvx128 v100, r4, r5
  vor128 v5, v100, v100
  blr
  #_ REGISTER_OUT v5 [00112233, 44556677, 8899AABB, CCDDEEFF]
  #_ MEMORY_OUT 10001020 00112233 44556677 8899AABB CCDDEEFF

test_vpermwi128_mnemonic:
  # word i of vD = word ((imm >> (6 - 2i)) & 3) of vB; 0x4E = 01 00 11 10.
  #_ REGISTER_IN v3 [00010203, 04050607, 08090A0B, 0C0D0E0F]
  vpermwi128 v88, v3, 0x4E
  vor128 v5, v88, v88
  blr
  #_ REGISTER_OUT v5 [04050607, 00010203, 0C0D0E0F, 08090A0B]


test_vcmpeqfp128_rec_high_regs:
  # Record-form VMX128 compare with all three registers above v63.
  #_ REGISTER_IN v3 [3F800000, 40000000, 7FC00000, 00000000]
  #_ REGISTER_IN v4 [3F800000, 40000000, 7FC00000, 80000000]
  vor128 v64, v3, v3
  vor128 v127, v4, v4
  vcmpeqfp128. v96, v64, v127
  mfocrf r3, 2
  vor128 v5, v96, v96
  blr
  #_ REGISTER_OUT v5 [FFFFFFFF, FFFFFFFF, 00000000, FFFFFFFF]
  #_ REGISTER_OUT r3 0x00000000

test_vcmpgefp128_rec_all_true:
  #_ REGISTER_IN v3 [3F800000, 40000000, 40400000, 00000000]
  #_ REGISTER_IN v4 [3F800000, 3F800000, 3F800000, 80000000]
  vor128 v65, v3, v3
  vcmpgefp128. v97, v65, v4
  mfocrf r3, 2
  vor128 v5, v97, v97
  blr
  #_ REGISTER_OUT v5 [FFFFFFFF, FFFFFFFF, FFFFFFFF, FFFFFFFF]
  #_ REGISTER_OUT r3 0x00000080

test_vupkd3d128_high_regs:
  # D3DCOLOR unpack of ARGB 0x80FF1020 from word 3: x=R, y=G, z=B, w=A as 1.0+n*2^-23.
  #_ REGISTER_IN v3 [00000000, 00000000, 00000000, 80FF1020]
  vor128 v110, v3, v3
  vupkd3d128 v111, v110, 0
  vor128 v5, v111, v111
  blr
  #_ REGISTER_OUT v5 [3F8000FF, 3F800010, 3F800020, 3F800080]
