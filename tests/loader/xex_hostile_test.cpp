// Hostile XEX input: every case must end in an InputError (kBadInput) naming
// the field and its offset, never a crash or an out-of-bounds read.
#include <gtest/gtest.h>

#include "loader/loader.h"
#include "loader/xex2.h"
#include "loader/xex2_format.h"
#include "loader/xex2_writer.h"
#include "xex_fixture.h"

namespace xdet {
namespace {

using namespace xdet::testing;

std::vector<uint8_t> fixture(xex::BaseCompression c = xex::BaseCompression::kRaw, bool encrypt = false) {
  xex::XexBuildSpec s = make_fixture_spec();
  s.compression = c;
  s.encrypt = encrypt;
  return xex::build_xex(s);
}

// Offset of the directory entry with `key`.
uint32_t entry_of(const std::vector<uint8_t>& f, uint32_t key) {
  uint32_t n = load_be32(&f[0x14]);
  for (uint32_t i = 0; i < n; ++i)
    if (load_be32(&f[0x18 + i * 8]) == key) return 0x18 + i * 8;
  ADD_FAILURE() << "key not found";
  return 0;
}

// Runs the full load and returns the error message (fails if none).
std::string load_error(const std::vector<uint8_t>& f) {
  GuestMemory mem;
  MemoryMap map(mem);
  try {
    loader::load_xex(map, f, "hostile.xex");
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::kBadInput);
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

#define EXPECT_MSG(msg, needle) EXPECT_NE((msg).find(needle), std::string::npos) << (msg)

TEST(XexHostile, TooSmallAndBadMagic) {
  EXPECT_MSG(load_error({}), "too small");
  std::vector<uint8_t> f = fixture();
  f[0] = 'Y';
  std::string m = load_error(f);
  EXPECT_MSG(m, "bad magic 0x59455832");
  EXPECT_MSG(m, "offset 0x0");
}

TEST(XexHostile, HeaderSizePastEndAndTruncatedHeaders) {
  std::vector<uint8_t> f = fixture();
  store_be32(&f[8], 0x7FFFFFFF);
  std::string m = load_error(f);
  EXPECT_MSG(m, "header_size 0x7FFFFFFF at offset 0x8");
  f = fixture();
  uint32_t header_size = load_be32(&f[8]);
  f.resize(header_size - 1);  // cut inside the header block
  EXPECT_MSG(load_error(f), "header_size");
}

TEST(XexHostile, HugeHeaderCount) {
  std::vector<uint8_t> f = fixture();
  store_be32(&f[0x14], 0xFFFFFFFF);
  EXPECT_MSG(load_error(f), "header_count 4294967295 at offset 0x14");
}

TEST(XexHostile, SecurityOffsetPastEnd) {
  std::vector<uint8_t> f = fixture();
  store_be32(&f[0x10], 0xFFFFFF00);
  EXPECT_MSG(load_error(f), "security info (security_offset at offset 0x10 = 0xFFFFFF00)");
  f = fixture();
  store_be32(&f[0x10], 0x20);  // inside the directory
  EXPECT_MSG(load_error(f), "overlaps the main header");
}

TEST(XexHostile, PayloadOffsetPastEnd) {
  std::vector<uint8_t> f = fixture();
  uint32_t e = entry_of(f, xex::kHeaderImportLibraries);
  store_be32(&f[e + 4], 0xFFFFFFF0);
  std::string m = load_error(f);
  EXPECT_MSG(m, "IMPORT_LIBRARIES (0x000103FF)");
  EXPECT_MSG(m, fmt::format("directory entry at offset 0x{:X}", e));
}

TEST(XexHostile, OverlappingPayloads) {
  std::vector<uint8_t> f = fixture();
  uint32_t ffi = entry_of(f, xex::kHeaderFileFormatInfo);
  uint32_t tls = entry_of(f, xex::kHeaderTlsInfo);
  store_be32(&f[tls + 4], load_be32(&f[ffi + 4]) + 4);
  std::string m = load_error(f);
  EXPECT_MSG(m, "TLS_INFO");
  EXPECT_MSG(m, "overlaps payload of FILE_FORMAT_INFO");
  // A payload inside the security info.
  f = fixture();
  tls = entry_of(f, xex::kHeaderTlsInfo);
  store_be32(&f[tls + 4], load_be32(&f[0x10]) + 0x20);
  EXPECT_MSG(load_error(f), "overlaps the security info");
}

TEST(XexHostile, DuplicateKey) {
  std::vector<uint8_t> f = fixture();
  uint32_t stack = entry_of(f, xex::kHeaderDefaultStackSize);
  store_be32(&f[stack], xex::kHeaderEntryPoint);
  EXPECT_MSG(load_error(f), "ENTRY_POINT (0x00010100) appears twice");
}

TEST(XexHostile, MissingFileFormatInfo) {
  std::vector<uint8_t> f = fixture();
  store_be32(&f[entry_of(f, xex::kHeaderFileFormatInfo)], 0x00FF00FF);
  EXPECT_MSG(load_error(f), "mandatory FILE_FORMAT_INFO");
}

TEST(XexHostile, BadCompressionAndEncryptionTypes) {
  std::vector<uint8_t> f = fixture();
  uint32_t off = load_be32(&f[entry_of(f, xex::kHeaderFileFormatInfo) + 4]);
  store_be16(&f[off + 6], 7);
  EXPECT_MSG(load_error(f), fmt::format("compression_type 7 at offset 0x{:X}", off + 6));
  f = fixture();
  store_be16(&f[off + 4], 9);
  EXPECT_MSG(load_error(f), fmt::format("encryption_type 9 at offset 0x{:X}", off + 4));
  f = fixture();
  store_be16(&f[off + 6], 3);
  EXPECT_MSG(load_error(f), "delta patch");
}

TEST(XexHostile, HugePageDescriptorCountAndSpan) {
  std::vector<uint8_t> f = fixture();
  uint32_t sec = load_be32(&f[0x10]);
  store_be32(&f[sec + xex::kSecPageDescriptorCount], 0x10000000);
  EXPECT_MSG(load_error(f), "page_descriptor_count at offset");
  f = fixture();
  store_be32(&f[sec + xex::kSecPageDescriptors], 0xFFFFFFF1);  // 0x0FFFFFFF code pages
  EXPECT_MSG(load_error(f), "past the heap end");
  f = fixture();
  store_be32(&f[sec + xex::kSecPageDescriptors], 0x00000017);  // section type 7
  EXPECT_MSG(load_error(f), "section type 7");
}

TEST(XexHostile, BasicBlockOverflows) {
  std::vector<uint8_t> f = fixture(xex::BaseCompression::kBasic);
  uint32_t off = load_be32(&f[entry_of(f, xex::kHeaderFileFormatInfo) + 4]);
  store_be32(&f[off + 8], 0x7FFFFFF0);  // block 0 data_size
  EXPECT_MSG(load_error(f), fmt::format("basic block 0 data_size 0x7FFFFFF0 at offset 0x{:X}", off + 8));
  f = fixture(xex::BaseCompression::kBasic);
  store_be32(&f[off + 12], 0x7FFFFFF0);  // block 0 zero_size
  EXPECT_MSG(load_error(f), "overflows the 0x30000-byte page-descriptor span");
}

TEST(XexHostile, WrongKey) {
  std::vector<uint8_t> f = fixture(xex::BaseCompression::kRaw, true);
  uint32_t sec = load_be32(&f[0x10]);
  f[sec + xex::kSecAesKey] ^= 0x5A;
  std::string m = load_error(f);
  EXPECT_MSG(m, "retail or the devkit key");
  EXPECT_MSG(m, fmt::format("aes_key at offset 0x{:X}", sec + xex::kSecAesKey));
}

TEST(XexHostile, CorruptLzxBlock) {
  std::vector<uint8_t> f = fixture(xex::BaseCompression::kLzxStored);
  uint32_t header_size = load_be32(&f[8]);
  f[header_size + 100] ^= 1;
  std::string m = load_error(f);
  EXPECT_MSG(m, fmt::format("LZX block 0 at file offset 0x{:X} fails its SHA-1 check", header_size));
  // Bad window size.
  f = fixture(xex::BaseCompression::kLzxStored);
  uint32_t off = load_be32(&f[entry_of(f, xex::kHeaderFileFormatInfo) + 4]);
  store_be32(&f[off + 8], 0x1234);
  EXPECT_MSG(load_error(f), "window_size 0x1234");
  // First block size past the end.
  f = fixture(xex::BaseCompression::kLzxStored);
  store_be32(&f[off + 12], 0x7FFFFFFF);
  EXPECT_MSG(load_error(f), "runs past the end of the file");
}

TEST(XexHostile, CorruptLzxStreamWithValidHashes) {
  // Build an LZX container around a stream that is not valid LZX.
  xex::XexBuildSpec s = make_fixture_spec();
  s.compression = xex::BaseCompression::kLzxStored;
  std::vector<uint8_t> f = xex::build_xex(s);
  uint32_t header_size = load_be32(&f[8]);
  uint32_t off = load_be32(&f[entry_of(f, xex::kHeaderFileFormatInfo) + 4]);
  // First block: [next size][next hash][u16 len][stream...]; make the block
  // type bits invalid (type 0) and re-hash the block.
  uint32_t block_size = load_be32(&f[off + 12]);
  f[header_size + 26] = 0x00;
  f[header_size + 27] = 0x00;
  auto digest = xex::sha1(std::span<const uint8_t>(&f[header_size], block_size));
  std::memcpy(&f[off + 16], digest.data(), 20);
  std::string m = load_error(f);
  EXPECT_MSG(m, "LZX stream");
  EXPECT_MSG(m, "is corrupt");
}

TEST(XexHostile, ImportRecordOutsideImage) {
  std::vector<uint8_t> f = fixture();
  xex::XexFile x = xex::parse_xex(f, "f");
  ASSERT_FALSE(x.imports.empty());
  uint32_t field = x.imports[0].offset + 0x28;
  store_be32(&f[field], 0x8F000000);
  std::string m = load_error(f);
  EXPECT_MSG(m, "import record address 0x8F000000");
  EXPECT_MSG(m, fmt::format("file offset 0x{:X}", field));
  // Bad record type inside the image.
  f = fixture();
  store_be32(&f[field], kEntry);  // points at `li r3,0` (type 0x38)
  EXPECT_MSG(load_error(f), "has type 56");
  // Name index out of range.
  f = fixture();
  store_be16(&f[x.imports[0].offset + 0x24], 9);
  EXPECT_MSG(load_error(f), "name_index 9");
}

TEST(XexHostile, NotAPeImage) {
  std::vector<uint8_t> f = fixture();
  uint32_t header_size = load_be32(&f[8]);
  f[header_size] = 'X';
  EXPECT_MSG(load_error(f), "does not decode to a PE image");
  f = fixture();
  f[header_size + 0x84] = 0x4C;  // Machine = 0x014C (x86)
  f[header_size + 0x85] = 0x01;
  EXPECT_MSG(load_error(f), "PE Machine 0x014C at image offset 0x84");
}

TEST(XexHostile, PatchFilesAreRejected) {
  std::vector<uint8_t> f = fixture();
  store_be32(&f[4], 0x21);
  EXPECT_MSG(load_error(f), "patch file");
}

}  // namespace
}  // namespace xdet
