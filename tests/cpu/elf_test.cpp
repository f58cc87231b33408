// ELF reader and program loader: malformed input is rejected with the file
// offset, never a crash.
#include <gtest/gtest.h>

#include <cstring>

#include "base/byte_order.h"
#include "base/error.h"
#include "cpu/harness/elf_image.h"
#include "cpu/harness/elf_loader.h"

namespace xdet::cpu {
namespace {

// A minimal ELF32 big-endian PowerPC executable with one PT_LOAD segment
// holding `code` at 0x10000000.
std::vector<uint8_t> make_elf32(const std::vector<uint32_t>& code) {
  std::vector<uint8_t> f(52 + 32 + 4 * code.size(), 0);
  std::memcpy(f.data(), "\x7F" "ELF", 4);
  f[4] = 1;
  f[5] = 2;
  f[6] = 1;
  store_be16(&f[16], 2);
  store_be16(&f[18], 20);
  store_be32(&f[20], 1);
  store_be32(&f[24], 0x10000000 + 84);
  store_be32(&f[28], 52);
  store_be16(&f[40], 52);
  store_be16(&f[42], 32);
  store_be16(&f[44], 1);
  store_be16(&f[46], 40);
  uint8_t* ph = &f[52];
  store_be32(ph + 0, 1);
  store_be32(ph + 4, 0);
  store_be32(ph + 8, 0x10000000);
  store_be32(ph + 12, 0x10000000);
  store_be32(ph + 16, static_cast<uint32_t>(f.size()));
  store_be32(ph + 20, static_cast<uint32_t>(f.size()));
  store_be32(ph + 24, 5);
  for (size_t k = 0; k < code.size(); ++k) store_be32(&f[84 + 4 * k], code[k]);
  return f;
}

TEST(ElfImage, ParsesAMinimalExecutable) {
  ElfImage img = ElfImage::parse(make_elf32({0x38600001}), "t.elf");
  EXPECT_FALSE(img.is64());
  EXPECT_EQ(img.entry(), 0x10000054u);
  ASSERT_EQ(img.segments().size(), 1u);
  GuestMemory mem;
  LoadedProgram p = load_elf_program(mem, img);
  EXPECT_EQ(p.entry, 0x10000054u);
  EXPECT_EQ(mem.read32(0x10000054), 0x38600001u);
  EXPECT_TRUE(mem.is_accessible(0x10000054, 4, GuestMemory::kProtExec));
  EXPECT_FALSE(mem.is_accessible(0x10000054, 4, GuestMemory::kProtWrite));
}

void expect_input_error(std::vector<uint8_t> bytes, const char* needle) {
  try {
    ElfImage img = ElfImage::parse(std::move(bytes), "bad.elf");
    GuestMemory mem;
    load_elf_program(mem, img);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ElfImage, RejectsMalformedFilesWithOffsets) {
  expect_input_error({}, "offset 0x0");
  auto f = make_elf32({0});
  f[0] = 'X';
  expect_input_error(f, "bad magic");
  f = make_elf32({0});
  f[5] = 1;
  expect_input_error(f, "big-endian");
  f = make_elf32({0});
  store_be16(&f[18], 3);
  expect_input_error(f, "not PowerPC");
  f = make_elf32({0});
  store_be32(&f[52 + 16], 0x100000);  // filesz past EOF
  store_be32(&f[52 + 20], 0x100000);
  expect_input_error(f, "past the end");
  f = make_elf32({0});
  store_be32(&f[28], 0xFFFFFFF0);  // program headers past EOF
  expect_input_error(f, "program header table");
  f = make_elf32({0});
  store_be32(&f[24], 0x20000000);  // entry outside any segment
  expect_input_error(f, "entry point");
  f = make_elf32({0});
  f.resize(60);  // truncated inside the program header table
  expect_input_error(f, "program header table");
}

// gcc emits a bss-only RW segment with p_filesz 0 and a p_offset past the
// end of the file when a program's only writable data is .bss.
TEST(ElfImage, AcceptsBssOnlySegmentWithOffsetPastEndOfFile) {
  std::vector<uint8_t> f = make_elf32({0x38600001});
  size_t code_size = f.size();
  store_be16(&f[44], 2);  // two program headers: insert the second after the first
  f.insert(f.begin() + 84, 32, 0);
  store_be32(&f[52 + 16], static_cast<uint32_t>(f.size()));
  store_be32(&f[52 + 20], static_cast<uint32_t>(f.size()));
  store_be32(&f[24], 0x10000000 + 116);
  uint8_t* bss = &f[84];
  store_be32(bss + 0, 1);
  store_be32(bss + 4, static_cast<uint32_t>(code_size + 0x10000));  // p_offset past EOF
  store_be32(bss + 8, 0x10020000);
  store_be32(bss + 12, 0x10020000);
  store_be32(bss + 16, 0);        // p_filesz
  store_be32(bss + 20, 0x2000);   // p_memsz
  store_be32(bss + 24, 6);        // RW
  ElfImage img = ElfImage::parse(f, "bss.elf");
  GuestMemory mem;
  LoadedProgram p = load_elf_program(mem, img);
  EXPECT_EQ(mem.read32(p.entry), 0x38600001u);
  EXPECT_TRUE(mem.is_accessible(0x10020000, 0x2000, GuestMemory::kProtWrite));
  EXPECT_EQ(mem.read32(0x10021FFC), 0u);
  // A segment that does claim file bytes past the end is still rejected.
  store_be32(bss + 16, 4);
  expect_input_error(f, "past the end");
}

}  // namespace
}  // namespace xdet::cpu
