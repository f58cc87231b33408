# Unaligned scalar loads/stores (the console handles them in hardware for
# ordinary loads/stores), single-precision loads/stores (no quieting of SNaNs,
# denormal singles widen exactly, stfs denormalizes), FP update forms.

test_unaligned_scalar:
  #_ MEMORY_IN 10001000 00112233 44556677 8899AABB CCDDEEFF
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lwz r3, 1(r9)
  lhz r4, 3(r9)
  li r8, 5
  ldx r5, r9, r8
  lfd f1, 3(r9)
  stw r3, 0x21(r9)
  li r8, 0x2B
  stdx r5, r9, r8
  lwbrx r6, 0, r9
  blr
  #_ REGISTER_OUT r3 0x11223344
  #_ REGISTER_OUT r4 0x3344
  #_ REGISTER_OUT r5 0x5566778899AABBCC
  #_ REGISTER_OUT f1 0x33445566778899AA
  #_ MEMORY_OUT 10001021 11223344
  #_ MEMORY_OUT 1000102B 5566778899AABBCC

test_fp_single_loads:
  #_ MEMORY_IN 10001000 3FC00000 7F800001 00000001
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lfs f1, 0(r9)
  lfs f2, 4(r9)
  lfs f3, 8(r9)
  stfs f1, 0x10(r9)
  stfs f2, 0x14(r9)
  stfs f3, 0x18(r9)
  blr
  #_ REGISTER_OUT f1 1.5
  #_ REGISTER_OUT f2 0x7FF0000020000000
  #_ REGISTER_OUT f3 0x36A0000000000000
  #_ MEMORY_OUT 10001010 3FC00000 7F800001 00000001

test_fp_update_forms:
  #_ MEMORY_IN 10001000 00000000 3F800000 40000000 00000000 4008000000000000
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lfsu f1, 4(r9)
  li r8, 4
  lfsux f2, r9, r8
  lfdu f3, 8(r9)
  stfsu f2, 8(r9)
  mr r3, r9
  blr
  #_ REGISTER_OUT f1 1.0
  #_ REGISTER_OUT f2 2.0
  #_ REGISTER_OUT f3 3.0
  #_ REGISTER_OUT r3 0x10001018
  #_ MEMORY_OUT 10001018 40000000

test_stfs_small_double_denormalizes:
  # 2^-130 is a single-precision denormal: stfs stores 0x00080000.
  #_ REGISTER_IN f1 0x37D0000000000000
  lis r9, 0x1000
  ori r9, r9, 0x1000
  stfs f1, 0(r9)
  blr
  #_ MEMORY_OUT 10001000 00080000
