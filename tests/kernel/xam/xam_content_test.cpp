// XAM content packages over the content store: create/open dispositions,
// the root name as a device, close, delete, enumeration order, creator,
// overlapped failures, and names that would leave the store.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "../export_call.h"
#include "../kernel_fixture.h"
#include "kernel/io/io_state.h"
#include "kernel/objects.h"
#include "kernel/title_state.h"

namespace xdet::test {
namespace {

using namespace kernel;
namespace fsys = std::filesystem;
constexpr KernelModule kXam = KernelModule::kXam;

constexpr uint16_t kCreate = 0x258, kCreateEx = 0x259, kClose = 0x25A, kDelete = 0x25B, kEnumerator = 0x25C,
                   kGetCreator = 0x262, kLicense = 0x266, kEnumerate = 0x250;

struct XamContent : KernelFixture {
  std::string root;
  Thread* t = nullptr;
  void SetUp() override {
    char tmpl[] = "/tmp/xdet_content_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    k->title().set_content_root(root + "/Content");
    t = spawn();
    run_as(t);
  }
  void TearDown() override {
    k.reset();
    fsys::remove_all(root);
  }
  uint32_t call(uint16_t ord, std::initializer_list<uint64_t> args) { return call_export(*k, *t, kXam, ord, args); }
  uint32_t buf(uint32_t n) {
    uint32_t a = data.allocate(n, 8);
    for (uint32_t i = 0; i < n; ++i) mem.write8(a + i, 0);
    return a;
  }
  uint32_t cstr(const std::string& s) {
    uint32_t a = buf(static_cast<uint32_t>(s.size() + 1));
    for (size_t i = 0; i < s.size(); ++i) mem.write8(a + static_cast<uint32_t>(i), static_cast<uint8_t>(s[i]));
    return a;
  }
  // XCONTENT_DATA for the hard drive.
  uint32_t content(uint32_t type, const std::u16string& display, const std::string& file) {
    uint32_t d = buf(0x134);
    mem.write32(d + 0, 1);
    mem.write32(d + 4, type);
    for (size_t i = 0; i < display.size(); ++i) mem.write16(d + 8 + static_cast<uint32_t>(2 * i), display[i]);
    for (size_t i = 0; i < file.size(); ++i) mem.write8(d + 0x108 + static_cast<uint32_t>(i), static_cast<uint8_t>(file[i]));
    return d;
  }
  // Creates `name` on the device behind `path`'s link through the VFS.
  NtStatus write_file(const std::string& path) {
    vfs::FileSystem& fs = k->io().fs();
    vfs::FileSystem::OpenRequest req;
    req.disposition = vfs::Disposition::kOpenIf;
    req.want_write = true;
    std::unique_ptr<vfs::OpenFile> f;
    vfs::CreateAction action;
    vfs::Resolved where = fs.resolve(path);
    if (!where.ok()) return where.status;
    NtStatus st = fs.open(where, req, &f, &action);
    if (st != kStatusSuccess) return st;
    uint32_t done = 0;
    return f->write(0, "save", 4, &done, vfs::kFixedFileTime);
  }
  std::vector<std::string> enumerate(uint32_t user, uint32_t type) {
    uint32_t size = buf(4), handle = buf(4), items = buf(0x134 * 4), count = buf(4);
    EXPECT_EQ(call(kEnumerator, {user, 1, type, 0, 4, size, handle}), 0u);
    std::vector<std::string> names;
    if (call(kEnumerate, {mem.read32(handle), 0, items, 4 * 0x134, count, 0}) != 0) return names;
    for (uint32_t i = 0; i < mem.read32(count); ++i) {
      uint32_t item = items + i * 0x134;
      EXPECT_EQ(mem.read32(item), 1u);
      names.push_back(mem.read_cstring(item + 0x108, 42) + "|" + std::to_string(mem.read16(item + 8)));
    }
    return names;
  }
};

TEST_F(XamContent, CreateMountsTheRootAndOpenFindsItAgain) {
  uint32_t disp = buf(4), lic = buf(4);
  uint32_t save = content(1, u"Slot A", "slot_a");
  // OPEN_EXISTING on a package that does not exist.
  EXPECT_EQ(call(kCreateEx, {0, cstr("save"), save, 3, disp, lic, 0, 0, 0}), 3u);
  EXPECT_EQ(mem.read32(disp), 0u);
  // CREATE_NEW creates it and links save: to it.
  EXPECT_EQ(call(kCreateEx, {0, cstr("save"), save, 1, disp, lic, 0, 0, 0}), 0u);
  EXPECT_EQ(mem.read32(disp), 1u);
  EXPECT_EQ(mem.read32(lic), 0u);
  EXPECT_EQ(write_file("save:\\profile.dat"), kStatusSuccess);
  EXPECT_TRUE(fsys::exists(root + "/Content/Packages/E000000000000001/00000000/00000001/slot_a/profile.dat"));
  // The root is taken while mounted.
  EXPECT_EQ(call(kCreateEx, {0, cstr("SAVE"), save, 4, disp, lic, 0, 0, 0}), 183u);
  EXPECT_EQ(call(kClose, {cstr("save"), 0}), 0u);
  EXPECT_FALSE(k->io().fs().resolve("save:\\profile.dat").ok());
  EXPECT_EQ(call(kClose, {cstr("save"), 0}), 2u);
  // CREATE_NEW again: it exists. OPEN_ALWAYS opens it with its files.
  EXPECT_EQ(call(kCreateEx, {0, cstr("save"), save, 1, disp, lic, 0, 0, 0}), 183u);
  EXPECT_EQ(call(kCreate, {0, cstr("save"), save, 4, disp, lic, 0}), 0u);
  EXPECT_EQ(mem.read32(disp), 2u);
  EXPECT_TRUE(k->io().fs().resolve("save:\\profile.dat").ok());
  EXPECT_EQ(call(kClose, {cstr("save"), 0}), 0u);
  // CREATE_ALWAYS replaces it: the old files are gone.
  EXPECT_EQ(call(kCreateEx, {0, cstr("save"), save, 2, disp, lic, 0, 0, 0}), 0u);
  EXPECT_EQ(mem.read32(disp), 1u);
  EXPECT_FALSE(fsys::exists(root + "/Content/Packages/E000000000000001/00000000/00000001/slot_a/profile.dat"));
  EXPECT_EQ(call(kClose, {cstr("save"), 0}), 0u);
}

TEST_F(XamContent, EnumerationListsPackagesByNameWithTheirHeaders) {
  uint32_t disp = buf(4);
  EXPECT_EQ(call(kCreateEx, {0, cstr("a"), content(1, u"Zed", "zeta"), 1, disp, 0, 0, 0, 0}), 0u);
  EXPECT_EQ(call(kCreateEx, {0, cstr("b"), content(1, u"Alpha", "Alpha"), 1, disp, 0, 0, 0, 0}), 0u);
  EXPECT_EQ(call(kCreateEx, {0, cstr("c"), content(2, u"Dlc", "dlc1"), 1, disp, 0, 0, 0, 0}), 0u);
  EXPECT_EQ(enumerate(0, 1), (std::vector<std::string>{"Alpha|65", "zeta|90"}));
  EXPECT_EQ(enumerate(0xFF, 1), (std::vector<std::string>{"Alpha|65", "zeta|90"}));
  EXPECT_EQ(enumerate(0, 2), (std::vector<std::string>{"dlc1|68"}));
  EXPECT_EQ(enumerate(0, 3), (std::vector<std::string>{}));
  // Deleting: refused while mounted, then gone from the listing.
  EXPECT_EQ(call(kDelete, {0, content(1, u"", "zeta"), 0}), 5u);
  EXPECT_EQ(call(kClose, {cstr("a"), 0}), 0u);
  EXPECT_EQ(call(kDelete, {0, content(1, u"", "zeta"), 0}), 0u);
  EXPECT_EQ(call(kDelete, {0, content(1, u"", "zeta"), 0}), 2u);
  EXPECT_EQ(enumerate(0, 1), (std::vector<std::string>{"Alpha|65"}));
  // Saved games belong to the profile; with none signed in there are none.
  k->title().options().profile_signed_in = false;
  EXPECT_EQ(enumerate(0, 1), (std::vector<std::string>{}));
  EXPECT_EQ(call(kCreateEx, {0, cstr("d"), content(1, u"X", "x"), 1, disp, 0, 0, 0, 0}), 1317u);
}

TEST_F(XamContent, CreatorLicenseAndOverlappedFailures) {
  uint32_t disp = buf(4), is_creator = buf(4), xuid = buf(8), mask = buf(4), lic = buf(4);
  EXPECT_EQ(call(kCreateEx, {0, cstr("s"), content(1, u"S", "s1"), 1, disp, 0, 0, 0, 0}), 0u);
  EXPECT_EQ(call(kGetCreator, {0, content(1, u"", "s1"), is_creator, xuid, 0}), 0u);
  EXPECT_EQ(mem.read32(is_creator), 1u);
  EXPECT_EQ(mem.read64(xuid), 0xE000000000000001ull);
  EXPECT_EQ(call(kGetCreator, {0, content(1, u"", "nope"), is_creator, xuid, 0}), 3u);
  EXPECT_EQ(call(kLicense, {mask, 0}), 0u);
  EXPECT_EQ(mem.read32(mask), 0u);
  k->title().options().license_mask = 1;
  EXPECT_EQ(call(kLicense, {mask, 0}), 0u);
  EXPECT_EQ(mem.read32(mask), 1u);
  EXPECT_EQ(call(kCreateEx, {0, cstr("m"), content(2, u"M", "m1"), 1, disp, lic, 0, 0, 0}), 0u);
  EXPECT_EQ(mem.read32(lic), 1u);
  // An asynchronous failure: ERROR_IO_PENDING, the overlapped says
  // FUNCTION_FAILED with the cause as an HRESULT.
  uint32_t ov = buf(0x1C);
  EXPECT_EQ(call(kCreateEx, {0, cstr("t"), content(1, u"", "missing"), 3, disp, 0, 0, 0, ov}), 997u);
  EXPECT_EQ(mem.read32(ov + 0x00), 1627u);
  EXPECT_EQ(mem.read32(ov + 0x18), 0x80070003u);
  EXPECT_EQ(call(kCreateEx, {0, cstr("t"), content(1, u"", "fresh"), 1, disp, 0, 0, 0, ov}), 997u);
  EXPECT_EQ(mem.read32(ov + 0x00), 0u);
  EXPECT_EQ(mem.read32(ov + 0x04), 1u);
}

TEST_F(XamContent, NamesThatWouldLeaveTheStoreAreRefused) {
  uint32_t disp = buf(4);
  for (const char* bad : {"..", "../x", "a/b", "a\\b", "c:", ""}) {
    EXPECT_EQ(call(kCreateEx, {0, cstr("s"), content(1, u"", bad), 1, disp, 0, 0, 0, 0}), 123u) << bad;
  }
  for (const char* bad_root : {"", "a:b", "..", "x/y"}) {
    EXPECT_EQ(call(kCreateEx, {0, cstr(bad_root), content(1, u"", "ok"), 1, disp, 0, 0, 0, 0}), 123u) << bad_root;
  }
  // Only the hard drive holds content.
  uint32_t dvd = content(1, u"", "ok");
  mem.write32(dvd, 2);
  EXPECT_EQ(call(kCreateEx, {0, cstr("s"), dvd, 1, disp, 0, 0, 0, 0}), 1167u);
  std::error_code ec;
  EXPECT_FALSE(fsys::exists(root + "/x", ec));
  EXPECT_FALSE(fsys::exists(root + "/Content/Packages/E000000000000001/00000000/x", ec));
}

}  // namespace
}  // namespace xdet::test
