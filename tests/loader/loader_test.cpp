// Loader round trips (build -> parse -> load) for every producible format and
// the import/protection rules of xex2-format.md.
#include "loader/loader.h"

#include <gtest/gtest.h>

#include "loader/xex2_format.h"
#include "loader/lzx.h"
#include "loader/xex2_writer.h"
#include "xex_fixture.h"

namespace xdet {
namespace {

using namespace xdet::testing;
using loader::ImportKind;
using loader::LoadedModule;

struct Combo {
  xex::BaseCompression compression;
  bool encrypt;
  bool devkit;
  const char* name;
};

const Combo kCombos[] = {
    {xex::BaseCompression::kRaw, false, false, "raw"},
    {xex::BaseCompression::kBasic, false, false, "basic"},
    {xex::BaseCompression::kLzxStored, false, false, "lzx"},
    {xex::BaseCompression::kRaw, true, false, "raw+aes-retail"},
    {xex::BaseCompression::kBasic, true, false, "basic+aes-retail"},
    {xex::BaseCompression::kLzxStored, true, false, "lzx+aes-retail"},
    {xex::BaseCompression::kRaw, true, true, "raw+aes-devkit"},
    {xex::BaseCompression::kBasic, true, true, "basic+aes-devkit"},
    {xex::BaseCompression::kLzxStored, true, true, "lzx+aes-devkit"},
    {xex::BaseCompression::kLzx, false, false, "lzx-compressed"},
    {xex::BaseCompression::kLzx, true, false, "lzx-compressed+aes-retail"},
};

std::vector<uint8_t> build(const Combo& c) {
  xex::XexBuildSpec s = make_fixture_spec();
  s.compression = c.compression;
  s.encrypt = c.encrypt;
  s.devkit_key = c.devkit;
  return xex::build_xex(s);
}

loader::ImportResolver stamp_resolver() {
  loader::ImportResolver r;
  r.variable_address = [](exports::KernelModule m, uint16_t ordinal) -> std::optional<uint32_t> {
    if (m == exports::KernelModule::kXboxkrnl && ordinal == 0xAD) return 0x00021000u;
    return std::nullopt;
  };
  return r;
}

TEST(Loader, EveryFormatLoadsIdenticalGuestMemory) {
  std::vector<uint8_t> reference;
  for (const Combo& c : kCombos) {
    SCOPED_TRACE(c.name);
    std::vector<uint8_t> file = build(c);
    GuestMemory mem;
    MemoryMap map(mem);
    loader::ImportResolver resolver = stamp_resolver();
    LoadedModule m = loader::load_xex(map, file, c.name, &resolver);
    EXPECT_EQ(m.image_base, kBase);
    EXPECT_EQ(m.image_size, 0x30000u);
    EXPECT_EQ(m.key, !c.encrypt ? xex::KeyKind::kNone : c.devkit ? xex::KeyKind::kDevkit : xex::KeyKind::kRetail);
    std::vector<uint8_t> bytes(mem.translate(kBase), mem.translate(kBase) + m.image_size);
    if (reference.empty()) reference = bytes;
    else EXPECT_TRUE(bytes == reference) << "guest memory differs from the raw load";
  }
}

TEST(Loader, HeadersAndModuleInfo) {
  std::vector<uint8_t> file = build(kCombos[0]);
  GuestMemory mem;
  MemoryMap map(mem);
  LoadedModule m = loader::load_xex(map, file, "fixture.xex");
  EXPECT_EQ(m.entry_point, kEntry);
  ASSERT_TRUE(m.default_stack_size);
  EXPECT_EQ(*m.default_stack_size, 0x20000u);
  EXPECT_EQ(m.main_thread_stack_size(), 0x20000u);
  ASSERT_TRUE(m.tls);
  EXPECT_EQ(m.tls->slot_count, 8u);
  EXPECT_EQ(m.tls->raw_data_address, 0x82028000u);
  ASSERT_TRUE(m.execution);
  EXPECT_EQ(m.execution->title_id, 0x58440001u);
  ASSERT_TRUE(m.execution_info_offset);
  EXPECT_EQ(load_be32(&m.header_block[*m.execution_info_offset + 12]), 0x58440001u);
  EXPECT_EQ(m.module_flags, xex::kModuleTitle);
  EXPECT_EQ(m.code_start, kBase);
  EXPECT_EQ(m.code_end, kBase + 0x10000);
  ASSERT_EQ(m.sections.size(), 3u);
  EXPECT_EQ(m.sections[1].name, ".rdata");
  EXPECT_EQ(m.sections[1].address, 0x82010000u);
  ASSERT_EQ(m.runs.size(), 3u);
  EXPECT_EQ(m.runs[2].section_type, xex::kSectionData);
  EXPECT_EQ(m.xex.original_pe_name.value_or(""), "fixture.exe");
  EXPECT_EQ(m.full_image_size, 0x30000u);
  EXPECT_EQ(mem.read32(kBase), 0x4D5A9000u);  // MZ\x90\0 at the base
}

TEST(Loader, ThunksAreRewrittenAndFindable) {
  std::vector<uint8_t> file = build(kCombos[1]);
  GuestMemory mem;
  MemoryMap map(mem);
  loader::ImportResolver resolver = stamp_resolver();
  LoadedModule m = loader::load_xex(map, file, "fixture.xex", &resolver);
  for (uint32_t t : {kThunkDbgPrint, kThunkXamUnknown, kThunkKeTls}) {
    EXPECT_EQ(mem.fetch32(t), xex::kThunkSyscall);
    EXPECT_EQ(mem.fetch32(t + 4), xex::kThunkBlr);
    EXPECT_EQ(mem.read32(t + 8), xex::kThunkNop);
    EXPECT_EQ(mem.read32(t + 12), xex::kThunkNop);
  }
  const loader::ImportRecord* r = m.find_thunk(kThunkDbgPrint);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name, "DbgPrint");
  EXPECT_EQ(r->library, "xboxkrnl.exe");
  EXPECT_EQ(r->ordinal, 3);
  EXPECT_TRUE(r->known);
  EXPECT_TRUE(r->kernel);
  const loader::ImportRecord* x = m.find_thunk(kThunkXamUnknown);
  ASSERT_NE(x, nullptr);
  EXPECT_FALSE(x->known);
  EXPECT_EQ(x->name, "xam.xex!ordinal_0x7FF");
  EXPECT_EQ(m.find_thunk(kThunkDbgPrint + 4), nullptr);
  EXPECT_EQ(m.find_thunk(kIatDbgPrint), nullptr);  // a variable record, not a thunk
  EXPECT_EQ(m.imports.size(), 9u);
}

TEST(Loader, VariableSlotsFollowTheResolutionRules) {
  std::vector<uint8_t> file = build(kCombos[0]);
  GuestMemory mem;
  MemoryMap map(mem);
  loader::ImportResolver resolver = stamp_resolver();
  LoadedModule m = loader::load_xex(map, file, "fixture.xex", &resolver);
  EXPECT_EQ(mem.read32(kIatDbgPrint), kThunkDbgPrint);       // function: its callable thunk
  EXPECT_EQ(mem.read32(kIatRegion), 0xD00CBEEFu);            // unimplemented variable 0x0C
  EXPECT_EQ(mem.read32(kIatStamp), 0x00021000u);             // resolved by the kernel
  EXPECT_EQ(mem.read32(kIatXamUnknown), kThunkXamUnknown);
  EXPECT_EQ(mem.read32(kIatOther), xex::kUnresolvedVariable);
  EXPECT_EQ(m.find_record(kIatStamp)->slot_value, 0x00021000u);
  EXPECT_EQ(m.find_record(kIatStamp)->kind, ImportKind::kVariable);
  EXPECT_EQ(m.find_record(kIatStamp)->name, "KeTimeStampBundle");
}

TEST(Loader, FunctionVariableWithoutThunkGetsDeadCode) {
  xex::XexBuildSpec s = make_fixture_spec();
  s.imports.push_back({"xboxkrnl.exe", 0x0CC, 0x82010018, 0});  // NtAllocateVirtualMemory, no thunk
  std::vector<uint8_t> file = xex::build_xex(s);
  GuestMemory mem;
  MemoryMap map(mem);
  loader::load_xex(map, file, "fixture.xex");
  EXPECT_EQ(mem.read32(0x82010018), xex::kFunctionInVariableSlot);
}

TEST(Loader, PageDescriptorProtections) {
  std::vector<uint8_t> file = build(kCombos[0]);
  GuestMemory mem;
  MemoryMap map(mem);
  loader::load_xex(map, file, "fixture.xex");
  EXPECT_EQ(mem.fetch32(kEntry), 0x38600000u);
  EXPECT_THROW(mem.write32(kEntry, 0), GuestFault);        // code: read-only
  EXPECT_THROW(mem.write32(kIatDbgPrint, 0), GuestFault);  // read-only data
  EXPECT_EQ(mem.read32(kDataWord), 0xCAFEF00Du);
  EXPECT_NO_THROW(mem.write32(kDataWord, 1));              // data: read/write
  EXPECT_THROW(mem.read32(kBase + 0x30000), GuestFault);   // past the image
  EXPECT_EQ(map.query_address_protect(kEntry), xdk::kPageReadOnly);
  EXPECT_EQ(map.query_address_protect(kDataWord), xdk::kPageReadWrite);
}

TEST(Loader, LoadingTwiceAtTheSameBaseFails) {
  std::vector<uint8_t> file = build(kCombos[0]);
  GuestMemory mem;
  MemoryMap map(mem);
  loader::load_xex(map, file, "a.xex");
  try {
    loader::load_xex(map, file, "b.xex");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos);
  }
}

TEST(Loader, FourKilobytePageImagesGoToV9) {
  xex::XexBuildSpec s = make_fixture_spec();
  // Rebase the fixture at 0x92000000 with 4 KB pages.
  std::vector<uint8_t> image(0x30000, 0);
  std::memcpy(image.data() + 0x1000, s.image.data() + 0x1000, 0x2F000);
  s.image = image;
  s.image_base = 0x92000000;
  s.entry_point = 0x92001000;
  s.imports = {{"xboxkrnl.exe", 0x003, 0x92010000, 0x92001100}};
  s.sections = {{".text", 0x92001000, 0xF000, 0x60000020}};
  s.tls.reset();
  s.runs = {{16, xex::kSectionCode}, {32, xex::kSectionData}};
  s.compression = xex::BaseCompression::kBasic;
  std::vector<uint8_t> file = xex::build_xex(s);
  GuestMemory mem;
  MemoryMap map(mem);
  LoadedModule m = loader::load_xex(map, file, "v9.xex");
  EXPECT_EQ(m.image_base, 0x92000000u);
  EXPECT_EQ(m.xex.image_page_size(), 0x1000u);
  EXPECT_EQ(m.xex.security.image_flags & xex::kImageFlag4kbPages, xex::kImageFlag4kbPages);
  EXPECT_EQ(mem.fetch32(0x92001100), xex::kThunkSyscall);
  EXPECT_EQ(map.lookup_heap(0x92000000)->name(), "v90000000");
  EXPECT_THROW(mem.write32(0x92001000, 0), GuestFault);
  EXPECT_NO_THROW(mem.write32(0x92010000, 0));
}

TEST(Loader, DllOrdinalExportTable) {
  std::vector<uint8_t> file = build(kCombos[0]);
  // Put an export table in the data page and point security export_table at it.
  uint32_t header_size = load_be32(&file[8]);
  uint32_t table = 0x82020100;
  uint8_t* t = &file[header_size + (table - kBase)];
  store_be32(t + 32, 0x8200);  // image_base_hi
  store_be32(t + 36, 3);       // count
  store_be32(t + 40, 5);       // base ordinal
  store_be32(t + 44, 0x1000);  // ordinal 5 -> 0x82001000
  store_be32(t + 48, 0);       // ordinal 6: absent
  store_be32(t + 52, 0x1200);  // ordinal 7 -> 0x82001200
  uint32_t sec = load_be32(&file[0x10]);
  store_be32(&file[sec + xex::kSecExportTable], table);
  GuestMemory mem;
  MemoryMap map(mem);
  LoadedModule m = loader::load_xex(map, file, "dll.xex");
  EXPECT_EQ(m.export_address(5).value_or(0), 0x82001000u);
  EXPECT_FALSE(m.export_address(6));
  EXPECT_EQ(m.export_address(7).value_or(0), 0x82001200u);
  EXPECT_FALSE(m.export_address(8));
  // A table that does not fit is a precise error.
  store_be32(&file[header_size + (table - kBase) + 36], 0x7FFFFFFF);
  GuestMemory mem2;
  MemoryMap map2(mem2);
  EXPECT_THROW(loader::load_xex(map2, file, "dll.xex"), InputError);
}

TEST(Loader, Xex1SecurityLayout) {
  // Rewrite the fixture's XEX2 security info in the XEX1 layout.
  std::vector<uint8_t> file = build(kCombos[1]);
  uint32_t sec = load_be32(&file[0x10]);
  const uint8_t* old = &file[sec];
  uint32_t count = load_be32(old + xex::kSecPageDescriptorCount);
  std::vector<uint8_t> x1(0x168 + count * 24, 0);
  store_be32(&x1[0x000], static_cast<uint32_t>(x1.size()));
  store_be32(&x1[0x004], load_be32(old + xex::kSecImageSize));
  store_be32(&x1[0x130], load_be32(old + xex::kSecLoadAddress));
  store_be32(&x1[0x154], 0xFFFFFFFF);
  store_be32(&x1[0x164], count);
  std::memcpy(&x1[0x168], old + xex::kSecPageDescriptors, count * 24);
  uint32_t old_size = xex::kSecPageDescriptors + count * 24;
  ASSERT_LE(x1.size(), old_size);
  std::memset(&file[sec], 0, old_size);
  std::memcpy(&file[sec], x1.data(), x1.size());
  store_be32(&file[0], xex::kMagicXex1);
  GuestMemory mem;
  MemoryMap map(mem);
  LoadedModule m = loader::load_xex(map, file, "xex1.xex");
  EXPECT_TRUE(m.xex.is_xex1);
  EXPECT_EQ(m.xex.security.load_address, kBase);
  EXPECT_EQ(m.runs.size(), 3u);
  EXPECT_EQ(mem.read32(kDataWord), 0xCAFEF00Du);
  EXPECT_EQ(mem.fetch32(kThunkDbgPrint), xex::kThunkSyscall);
}

TEST(Writer, OutputIsDeterministic) {
  for (const Combo& c : kCombos) EXPECT_EQ(build(c), build(c)) << c.name;
}

TEST(Writer, BasicCompressionElidesZeroRuns) {
  std::vector<uint8_t> raw = build(kCombos[0]);
  std::vector<uint8_t> basic = build(kCombos[1]);
  EXPECT_LT(basic.size(), raw.size() / 4);
  xex::XexFile x = xex::parse_xex(basic, "basic");
  EXPECT_EQ(x.format.compression, xex::kCompressionBasic);
  EXPECT_GE(x.format.basic_blocks.size(), 3u);
}

std::vector<uint8_t> lzx_round_trip(const std::vector<uint8_t>& data, size_t* compressed_size = nullptr) {
  std::vector<uint8_t> stream = xex::lzx_compress(data);
  if (compressed_size) *compressed_size = stream.size();
  std::vector<uint8_t> out(data.size());
  std::string error;
  EXPECT_TRUE(xex::lzx_decompress(stream, out, 0x8000, &error)) << error;
  return out;
}

TEST(Lzx, CompressorRoundTripsThroughLibmspack) {
  // Text-like data with long-range repeats, crossing several 32 KB frames.
  std::vector<uint8_t> text;
  uint32_t seed = 12345;
  while (text.size() < 0x2A123) {
    seed = seed * 1103515245 + 12345;
    const char* words[] = {"kernel ", "thread ", "event ", "wait ", "xex ", "\n", "0123456789 "};
    const char* w = words[(seed >> 16) % 7];
    text.insert(text.end(), w, w + std::strlen(w));
  }
  size_t compressed = 0;
  EXPECT_EQ(lzx_round_trip(text, &compressed), text);
  EXPECT_LT(compressed, text.size() / 3);
  // Incompressible bytes, long zero runs (matches of the maximum length), tiny inputs.
  std::vector<uint8_t> noise(0x9001);
  for (size_t i = 0; i < noise.size(); ++i) {
    seed = seed * 1103515245 + 12345;
    noise[i] = static_cast<uint8_t>(seed >> 16);
  }
  EXPECT_EQ(lzx_round_trip(noise), noise);
  std::vector<uint8_t> zeros(0x30000, 0);
  EXPECT_EQ(lzx_round_trip(zeros, &compressed), zeros);
  EXPECT_LT(compressed, 0x1000u);
  for (size_t n : {1, 2, 3, 4, 257, 258, 0x8000, 0x8001}) {
    std::vector<uint8_t> small(n);
    for (size_t i = 0; i < n; ++i) small[i] = static_cast<uint8_t>(i % 5);
    EXPECT_EQ(lzx_round_trip(small), small) << n;
  }
}

TEST(Lzx, StoredStreamDecodesThroughLibmspack) {
  std::vector<uint8_t> data(0x18005);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i * 31) ^ (i >> 8));
  std::vector<uint8_t> stream = xex::lzx_encode_stored(data);
  std::vector<uint8_t> out(data.size());
  std::string error;
  ASSERT_TRUE(xex::lzx_decompress(stream, out, 0x8000, &error)) << error;
  EXPECT_EQ(out, data);
  // Truncated stream: a precise error, not a crash.
  stream.resize(stream.size() / 2);
  EXPECT_FALSE(xex::lzx_decompress(stream, out, 0x8000, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace xdet
