# Load/store forms beyond plain lwz/stw: byte-reversed (lhbrx/lwbrx/ldbrx,
# sthbrx/stwbrx/stdbrx), multiple (lmw/stmw), string (lswi/lswx/stswi/
# stswx), update forms, lha/lwa sign extension, and the cache/sync ops
# (dcbz clears 32 bytes, dcbz128 clears 128 aligned bytes, dcbt/dcbf/dcbst/
# icbi/sync/lwsync/eieio/isync change nothing visible).
# Scratch memory: 0x10001000..0x1000FFFF.

test_lhbrx_lwbrx_ldbrx:
  #_ MEMORY_IN 10001000 0102030405060708
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r8, 0
  lhbrx r3, r9, r8
  lwbrx r4, r9, r8
  ldbrx r5, r9, r8
  blr
  #_ REGISTER_OUT r3 0x0201
  #_ REGISTER_OUT r4 0x04030201
  #_ REGISTER_OUT r5 0x0807060504030201

test_lhbrx_zero_extends:
  #_ MEMORY_IN 10001000 FF80
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r8, 0
  lhbrx r3, r9, r8
  lwbrx r4, 0, r9
  blr
  #_ REGISTER_OUT r3 0x80FF
  #_ REGISTER_OUT r4 0x000080FF

test_sthbrx_stwbrx_stdbrx:
  #_ REGISTER_IN r3 0x1122334455667788
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r8, 0
  sthbrx r3, r9, r8
  li r8, 4
  stwbrx r3, r9, r8
  li r8, 8
  stdbrx r3, r9, r8
  blr
  #_ MEMORY_OUT 10001000 88770000 88776655 8877665544332211

test_lmw_stmw:
  #_ MEMORY_IN 10001000 00000001 00000002 FFFFFFFF 80000000
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lmw r28, 0(r9)
  stmw r28, 32(r9)
  blr
  #_ REGISTER_OUT r28 1
  #_ REGISTER_OUT r29 2
  #_ REGISTER_OUT r30 0x00000000FFFFFFFF
  #_ REGISTER_OUT r31 0x0000000080000000
  #_ MEMORY_OUT 10001020 00000001 00000002 FFFFFFFF 80000000

test_stmw_stores_low_words:
  #_ REGISTER_IN r30 0xAAAAAAAA12345678
  #_ REGISTER_IN r31 0xBBBBBBBB9ABCDEF0
  lis r9, 0x1000
  ori r9, r9, 0x1000
  stmw r30, 0(r9)
  blr
  #_ MEMORY_OUT 10001000 12345678 9ABCDEF0

test_lswi_partial_word:
  # 7 bytes into r5, r6: the last register is left-justified, zero-padded.
  #_ MEMORY_IN 10001000 41424344 454647
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lswi r5, r9, 7
  blr
  #_ REGISTER_OUT r5 0x41424344
  #_ REGISTER_OUT r6 0x45464700

test_lswi_wraps_to_r0:
  # 12 bytes starting at r30: r30, r31, then r0.
  #_ MEMORY_IN 10001000 00000011 00000022 00000033
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lswi r30, r9, 12
  blr
  #_ REGISTER_OUT r30 0x11
  #_ REGISTER_OUT r31 0x22
  #_ REGISTER_OUT r0 0x33

test_lswi_nb0_means_32:
  #_ MEMORY_IN 10001000 01010101 02020202 03030303 04040404 05050505 06060606 07070707 08080808
  lis r12, 0x1000
  ori r12, r12, 0x1000
  lswi r3, r12, 0
  blr
  #_ REGISTER_OUT r3 0x01010101
  #_ REGISTER_OUT r10 0x08080808

test_lswx_count_from_xer:
  #_ MEMORY_IN 10001000 61626364 65
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r4, 5
  mtxer r4
  li r8, 0
  lswx r5, r9, r8
  blr
  #_ REGISTER_OUT r5 0x61626364
  #_ REGISTER_OUT r6 0x65000000

test_stswi_partial:
  #_ REGISTER_IN r5 0x41424344
  #_ REGISTER_IN r6 0x45464748
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r7, -1
  stw r7, 4(r9)
  stswi r5, r9, 6
  blr
  #_ MEMORY_OUT 10001000 41424344 4546FFFF

test_stswx_count_from_xer:
  #_ REGISTER_IN r5 0x71727374
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r4, 3
  mtxer r4
  li r8, 0
  stswx r5, r9, r8
  blr
  #_ MEMORY_OUT 10001000 71727300

test_update_forms:
  #_ MEMORY_IN 10001000 00000000 0000FFFE 00000000 80000000
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lwzu r3, 4(r9)
  lhau r4, 2(r9)
  li r8, 6
  lwzux r5, r9, r8
  blr
  #_ REGISTER_OUT r3 0xFFFE
  #_ REGISTER_OUT r4 -2
  #_ REGISTER_OUT r5 0x80000000
  #_ REGISTER_OUT r9 0x1000100C

test_lwa_lha_sign_extend:
  #_ MEMORY_IN 10001000 FFFFFFF0 8001
  lis r9, 0x1000
  ori r9, r9, 0x1000
  lwa r3, 0(r9)
  lha r4, 4(r9)
  lhz r5, 4(r9)
  li r8, 0
  lwax r6, r9, r8
  blr
  #_ REGISTER_OUT r3 -16
  #_ REGISTER_OUT r4 0xFFFFFFFFFFFF8001
  #_ REGISTER_OUT r5 0x8001
  #_ REGISTER_OUT r6 -16

test_dcbz_clears_32_bytes:
  # dcbz clears the 32-byte block containing the address (0x10001048 -> 0x10001040).
  #_ MEMORY_IN 10001020 FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF
  #_ MEMORY_IN 10001040 FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFF
  #_ MEMORY_IN 10001060 FFFFFFFF
  lis r9, 0x1000
  ori r9, r9, 0x1040
  li r8, 8
  dcbz r9, r8
  blr
  #_ MEMORY_OUT 1000103C FFFFFFFF 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 FFFFFFFF

test_dcbz128_clears_128_bytes:
  # dcbz128 (dcbz with L=1, encoded by hand: 0x7C2...7EC) clears 128 aligned bytes.
  #_ MEMORY_IN 1000107C FFFFFFFF FFFFFFFF
  #_ MEMORY_IN 100010F8 FFFFFFFF FFFFFFFF FFFFFFFF
  lis r9, 0x1000
  ori r9, r9, 0x1080
  li r8, 0x44
  .long 0x7C2947EC
  blr
  #_ MEMORY_OUT 1000107C FFFFFFFF 00000000
  #_ MEMORY_OUT 100010F8 00000000 00000000 FFFFFFFF

test_cache_and_sync_ops_are_noops:
  #_ MEMORY_IN 10001000 12345678
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r8, 0
  dcbt r9, r8
  dcbtst r9, r8
  dcbf r9, r8
  dcbst r9, r8
  icbi r9, r8
  sync
  lwsync
  eieio
  isync
  lwz r3, 0(r9)
  blr
  #_ REGISTER_OUT r3 0x12345678
  #_ MEMORY_OUT 10001000 12345678

test_mftb_advances:
  mftb r3
  nop
  nop
  mftb r4
  subf r5, r3, r4
  li r6, 0
  cmpdi r5, 0
  ble 1f
  li r6, 1
1:
  blr
  #_ REGISTER_OUT r6 1

test_lwarx_stwcx_success:
  #_ MEMORY_IN 10001000 00000005
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r8, 0
  lwarx r3, r9, r8
  addi r3, r3, 1
  stwcx. r3, r9, r8
  mfcr r12
  lwz r4, 0(r9)
  blr
  #_ REGISTER_OUT r4 6
  #_ REGISTER_OUT r12 0x20000000

test_stwcx_without_reservation_fails:
  #_ MEMORY_IN 10001000 00000005
  lis r9, 0x1000
  ori r9, r9, 0x1000
  li r8, 0
  li r3, 9
  stwcx. r3, r9, r8
  mfcr r12
  lwz r4, 0(r9)
  blr
  #_ REGISTER_OUT r4 5
  #_ REGISTER_OUT r12 0

test_ldarx_stdcx_success:
  #_ MEMORY_IN 10001008 0000000100000002
  lis r9, 0x1000
  ori r9, r9, 0x1008
  li r8, 0
  ldarx r3, r9, r8
  addi r3, r3, 1
  stdcx. r3, r9, r8
  mfcr r12
  ld r4, 0(r9)
  blr
  #_ REGISTER_OUT r3 0x0000000100000003
  #_ REGISTER_OUT r4 0x0000000100000003
  #_ REGISTER_OUT r12 0x20000000
