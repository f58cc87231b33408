// pack -> inspect (parse) -> load on the real hello sample, for every format
// `xdet pack` can produce; the loaded guest memory must be identical.
#include <gtest/gtest.h>

#include <cstring>

#include "base/byte_order.h"
#include "loader/elf_to_xex.h"
#include "loader/loader.h"
#include "loader/xex2_format.h"

namespace xdet {
namespace {

struct Combo {
  xex::BaseCompression compression;
  bool encrypt, devkit;
  const char* name;
};

TEST(PackRoundTrip, HelloLoadsIdenticallyInEveryFormat) {
  std::vector<uint8_t> elf = loader::read_file(XDET_HELLO_ELF);
  const Combo combos[] = {{xex::BaseCompression::kRaw, false, false, "raw"},
                          {xex::BaseCompression::kBasic, false, false, "basic"},
                          {xex::BaseCompression::kRaw, true, false, "raw+aes"},
                          {xex::BaseCompression::kBasic, true, false, "basic+aes"},
                          {xex::BaseCompression::kBasic, true, true, "basic+aes-devkit"},
                          {xex::BaseCompression::kLzxStored, true, false, "lzx-stored+aes"},
                          {xex::BaseCompression::kLzx, false, false, "lzx"},
                          {xex::BaseCompression::kLzx, true, true, "lzx+aes-devkit"}};
  std::vector<uint8_t> reference;
  for (const Combo& c : combos) {
    SCOPED_TRACE(c.name);
    xex::XexBuildSpec spec = xex::spec_from_elf(elf, "hello.elf");
    spec.compression = c.compression;
    spec.encrypt = c.encrypt;
    spec.devkit_key = c.devkit;
    std::vector<uint8_t> file = xex::build_xex(spec);
    xex::XexFile parsed = xex::parse_xex(file, c.name);  // what inspect reads
    EXPECT_EQ(parsed.format.encryption, c.encrypt ? xex::kEncryptionNormal : xex::kEncryptionNone);
    GuestMemory mem;
    MemoryMap map(mem);
    loader::LoadedModule m = loader::load_xex(map, file, c.name);
    std::vector<uint8_t> bytes(mem.translate(m.image_base), mem.translate(m.image_base) + m.image_size);
    if (reference.empty()) reference = bytes;
    else EXPECT_TRUE(bytes == reference);
  }
}

TEST(PackRoundTrip, LoadedImageMatchesTheElf) {
  std::vector<uint8_t> elf = loader::read_file(XDET_HELLO_ELF);
  xex::XexBuildSpec spec = xex::spec_from_elf(elf, "hello.elf");
  std::vector<uint8_t> file = loader::read_file(XDET_HELLO_XEX);
  GuestMemory mem;
  MemoryMap map(mem);
  loader::LoadedModule m = loader::load_xex(map, file, "hello.xex");
  EXPECT_EQ(m.entry_point, spec.entry_point);
  EXPECT_EQ(m.image_base, 0x82000000u);
  EXPECT_EQ(m.main_thread_stack_size(), 0x40000u);
  ASSERT_TRUE(m.execution);
  EXPECT_EQ(m.execution->title_id, 0x58440000u);
  // DbgPrint is the only import: a variable slot and a thunk.
  ASSERT_EQ(m.imports.size(), 2u);
  const loader::ImportRecord* thunk = nullptr;
  for (const auto& r : m.imports)
    if (r.kind == loader::ImportKind::kFunction) thunk = &r;
  ASSERT_NE(thunk, nullptr);
  EXPECT_EQ(thunk->name, "DbgPrint");
  EXPECT_EQ(thunk->ordinal, 3);
  EXPECT_EQ(mem.fetch32(thunk->record_address), xex::kThunkSyscall);
  // Outside the PE header page and the patched records, memory is the ELF.
  for (uint32_t off = 0x1000; off < spec.image.size(); off += 4) {
    uint32_t addr = m.image_base + off;
    if (m.find_record(addr) || (thunk && addr >= thunk->record_address && addr < thunk->record_address + 16))
      continue;
    ASSERT_EQ(load_be32(mem.translate(addr)), load_be32(&spec.image[off])) << std::hex << addr;
  }
  // The string DbgPrint receives is in read-only data.
  const char* needle = "hello from xdet guest";
  bool found = false;
  for (uint32_t off = 0; off + std::strlen(needle) < m.image_size && !found; ++off)
    found = std::memcmp(mem.translate(m.image_base + off), needle, std::strlen(needle)) == 0;
  EXPECT_TRUE(found);
}

TEST(PackRoundTrip, CliOutputIsTheDeterministicBuild) {
  std::vector<uint8_t> elf = loader::read_file(XDET_HELLO_ELF);
  xex::XexBuildSpec spec = xex::spec_from_elf(elf, "hello.elf");
  spec.default_stack_size = 0x40000;
  spec.title_id = 0x58440000;
  spec.original_pe_name = "hello.exe";
  EXPECT_EQ(xex::build_xex(spec), loader::read_file(XDET_HELLO_XEX));
}

std::string elf_error(const std::vector<uint8_t>& elf) {
  try {
    xex::spec_from_elf(elf, "bad.elf");
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::kBadInput);
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

TEST(PackHostile, BadElfInputsGivePreciseErrors) {
  const std::vector<uint8_t> good = loader::read_file(XDET_HELLO_ELF);
  auto contains = [](const std::string& m, const char* needle) {
    EXPECT_NE(m.find(needle), std::string::npos) << m;
  };
  contains(elf_error({}), "extends past the end of the file");
  std::vector<uint8_t> e = good;
  e[0] = 'X';
  contains(elf_error(e), "not an ELF file");
  e = good;
  e[4] = 2;  // ELFCLASS64
  contains(elf_error(e), "is not 32-bit big-endian");
  e = good;
  store_be16(&e[18], 62);  // x86-64
  contains(elf_error(e), "e_machine 62 at offset 0x12");
  e = good;
  store_be32(&e[32], 0x7FFFFFF0);  // e_shoff
  contains(elf_error(e), "section header table at file offset 0x7FFFFFF0");
  e = good;
  store_be32(&e[24], 0x10000);  // e_entry outside the image
  contains(elf_error(e), "entry point 0x00010000");
  e = good;
  e.resize(e.size() / 2);  // truncated
  EXPECT_FALSE(elf_error(e).empty());
}

}  // namespace
}  // namespace xdet
