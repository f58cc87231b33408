# 64-bit rotates: rldicl / rldicr / rldic / rldimi / rldcl / rldcr and their
# record forms (CR0 from the low 32 bits of the result, console rule).

test_rldicl_extract:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  rldicl r3, r4, 8, 56
  blr
  #_ REGISTER_OUT r3 0x01

test_rldicl_rotate_only:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  rldicl r3, r4, 16, 0
  blr
  #_ REGISTER_OUT r3 0x456789ABCDEF0123

test_rldicl_clrldi:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  clrldi r3, r4, 33
  blr
  #_ REGISTER_OUT r3 0x000000007FFFFFFF

test_rldicl_srdi_63:
  #_ REGISTER_IN r4 0x8000000000000000
  srdi r3, r4, 63
  blr
  #_ REGISTER_OUT r3 1

test_rldicl_record_low_word:
  # Result 0x00000001_00000000: low word zero -> EQ although nonzero.
  #_ REGISTER_IN r4 0x0000000100000000
  rldicl. r3, r4, 0, 0
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000100000000
  #_ REGISTER_OUT r12 0x20000000

test_rldicr_sldi:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  sldi r3, r4, 4
  blr
  #_ REGISTER_OUT r3 0x123456789ABCDEF0

test_rldicr_clrrdi:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  rldicr r3, r4, 0, 15
  blr
  #_ REGISTER_OUT r3 0x0123000000000000

test_rldicr_me63:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  rldicr r3, r4, 60, 63
  blr
  #_ REGISTER_OUT r3 0xF0123456789ABCDE

test_rldicr_record_negative_low:
  #_ REGISTER_IN r4 0x0000000080000000
  rldicr. r3, r4, 0, 63
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x0000000080000000
  #_ REGISTER_OUT r12 0x80000000

test_rldic_basic:
  # rotate left 8, mask bits mb..63-sh = 16..55.
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  rldic r3, r4, 8, 16
  blr
  #_ REGISTER_OUT r3 0x00006789ABCDEF00

test_rldic_wrapping_mask:
  # sh = 60, mb = 8: mask is 8..3 which wraps (mb > 63-sh) -> bits 8..63 and 0..3.
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  rldic r3, r4, 60, 8
  blr
  #_ REGISTER_OUT r3 0xF0FFFFFFFFFFFFFF

test_rldic_sh0:
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  rldic r3, r4, 0, 32
  blr
  #_ REGISTER_OUT r3 0x00000000FFFFFFFF

test_rldimi_insert_low:
  #_ REGISTER_IN r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r4 0x0000000012345678
  rldimi r3, r4, 0, 32
  blr
  #_ REGISTER_OUT r3 0xFFFFFFFF12345678

test_rldimi_insert_high:
  #_ REGISTER_IN r3 0x00000000AAAAAAAA
  #_ REGISTER_IN r4 0x0000000012345678
  insrdi r3, r4, 32, 0
  blr
  #_ REGISTER_OUT r3 0x12345678AAAAAAAA

test_rldimi_wrap:
  # sh = 56, mb = 4 -> mask 4..7 (mb <= 63-sh): a nibble.
  #_ REGISTER_IN r3 0x0000000000000000
  #_ REGISTER_IN r4 0xFFFFFFFFFFFFFFFF
  rldimi r3, r4, 56, 4
  blr
  #_ REGISTER_OUT r3 0x0F00000000000000

test_rldimi_wrapping_mask:
  # sh = 4, mb = 62: mask 62..59 wraps -> all bits except 60 and 61.
  #_ REGISTER_IN r3 0xFFFFFFFFFFFFFFFF
  #_ REGISTER_IN r4 0
  rldimi r3, r4, 4, 62
  blr
  #_ REGISTER_OUT r3 0x000000000000000C

test_rldimi_record:
  #_ REGISTER_IN r3 0x1111111100000000
  #_ REGISTER_IN r4 0
  rldimi. r3, r4, 0, 32
  mfcr r12
  blr
  #_ REGISTER_OUT r3 0x1111111100000000
  #_ REGISTER_OUT r12 0x20000000

test_rldcl_rotate:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  #_ REGISTER_IN r5 0xFFFFFFFFFFFFFF48
  rldcl r3, r4, r5, 0
  blr
  #_ REGISTER_OUT r3 0x23456789ABCDEF01

test_rldcr_rotate_mask:
  #_ REGISTER_IN r4 0x0123456789ABCDEF
  #_ REGISTER_IN r5 4
  rldcr r3, r4, r5, 7
  blr
  #_ REGISTER_OUT r3 0x1200000000000000
