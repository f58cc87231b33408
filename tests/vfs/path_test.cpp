// Guest path canonicalisation: separators, DOS-device names, symbolic
// links, devices, '.' and '..', case-insensitivity, refused names and the
// listing order. Pure string work (no host files).
#include <gtest/gtest.h>

#include "vfs/path.h"

namespace xdet::vfs {
namespace {

Components split(std::string_view p, bool dos = true) {
  Components c;
  EXPECT_EQ(split_guest_path(p, dos, &c), kStatusSuccess) << p;
  return c;
}

struct ConsoleNamespace : ::testing::Test {
  Namespace ns;
  void SetUp() override {
    ASSERT_EQ(ns.add_device("\\Device\\Cdrom0"), 0);
    ASSERT_EQ(ns.add_device("\\Device\\Harddisk0\\Partition1"), 1);
    ASSERT_EQ(ns.add_device("\\Device\\Harddisk0\\Cache0"), 2);
    ASSERT_EQ(ns.add_link("game:", "\\Device\\Cdrom0"), kStatusSuccess);
    ASSERT_EQ(ns.add_link("\\??\\d:", "\\Device\\Cdrom0"), kStatusSuccess);
    ASSERT_EQ(ns.add_link("cache:", "\\Device\\Harddisk0\\Cache0"), kStatusSuccess);
  }
  std::string canon(std::string_view p) {
    Resolved r = ns.resolve(p);
    EXPECT_EQ(r.status, kStatusSuccess) << p;
    return r.canonical;
  }
  NtStatus status(std::string_view p) { return ns.resolve(p).status; }
};

TEST(SplitGuestPath, SeparatorsEmptyComponentsAndDosDevices) {
  EXPECT_EQ(split("game:\\a\\b"), (Components{"??", "game:", "a", "b"}));
  EXPECT_EQ(split("game:/a//b/"), (Components{"??", "game:", "a", "b"}));
  EXPECT_EQ(split("\\Device\\Cdrom0\\x"), (Components{"Device", "Cdrom0", "x"}));
  EXPECT_EQ(split("/Device/Cdrom0"), (Components{"Device", "Cdrom0"}));
  // "d:file" is "\??\d:\file".
  EXPECT_EQ(split("d:file.bin"), (Components{"??", "d:", "file.bin"}));
  EXPECT_EQ(split("\\??\\d:file.bin"), (Components{"??", "d:", "file.bin"}));
  Components c;
  EXPECT_EQ(split_guest_path("", true, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(split_guest_path("relative", false, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(split_guest_path("game:\\a\x01", true, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(split_guest_path("game:\\caf\xc3\xa9", true, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(split_guest_path("game:\\a*b", true, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(split_guest_path("game:\\a|b", true, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(split_guest_path(std::string(300, 'a'), true, &c), kStatusObjectNameInvalid);
  EXPECT_EQ(join_path({"Device", "Cdrom0", "a"}), "\\Device\\Cdrom0\\a");
  EXPECT_EQ(join_path({}), "\\");
}

TEST_F(ConsoleNamespace, LinksDevicesAndCase) {
  EXPECT_EQ(canon("game:\\Media\\a.bin"), "\\Device\\Cdrom0\\Media\\a.bin");
  EXPECT_EQ(canon("GAME:/Media/a.bin"), "\\Device\\Cdrom0\\Media\\a.bin");
  EXPECT_EQ(canon("d:\\x"), "\\Device\\Cdrom0\\x");
  EXPECT_EQ(canon("\\??\\D:\\x"), "\\Device\\Cdrom0\\x");
  EXPECT_EQ(canon("\\device\\CDROM0\\x"), "\\Device\\Cdrom0\\x");  // device in its registered spelling
  EXPECT_EQ(canon("game:"), "\\Device\\Cdrom0");
  EXPECT_EQ(canon("cache:\\f"), "\\Device\\Harddisk0\\Cache0\\f");
  Resolved r = ns.resolve("game:\\A\\b.TXT");
  EXPECT_EQ(r.device, 0);
  EXPECT_EQ(r.rel, (Components{"A", "b.TXT"}));  // the guest's spelling is kept
  // Devices match whole components: Partition10 is not Partition1.
  EXPECT_EQ(status("\\Device\\Harddisk0\\Partition10\\x"), kStatusObjectPathNotFound);
  EXPECT_EQ(canon("\\Device\\Harddisk0\\Partition1\\x"), "\\Device\\Harddisk0\\Partition1\\x");
}

TEST_F(ConsoleNamespace, DotAndDotDotStayInsideTheDevice) {
  EXPECT_EQ(canon("game:\\a\\.\\b\\..\\c"), "\\Device\\Cdrom0\\a\\c");
  EXPECT_EQ(canon("game:\\a\\.."), "\\Device\\Cdrom0");
  // '..' above the device root is refused, however it is spelled.
  EXPECT_EQ(status("game:\\.."), kStatusObjectNameInvalid);
  EXPECT_EQ(status("game:\\..\\secret"), kStatusObjectNameInvalid);
  EXPECT_EQ(status("game:\\a\\..\\..\\secret"), kStatusObjectNameInvalid);
  EXPECT_EQ(status("game:/../../../etc/passwd"), kStatusObjectNameInvalid);
  EXPECT_EQ(status("\\Device\\Cdrom0\\..\\Harddisk0\\Partition1\\x"), kStatusObjectNameInvalid);
  EXPECT_EQ(status("cache:\\..\\..\\x"), kStatusObjectNameInvalid);
  // '.' and '..' are not namespace components.
  EXPECT_EQ(status("\\Device\\.\\Cdrom0\\x"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("\\Device\\Harddisk0\\..\\Cdrom0\\x"), kStatusObjectPathNotFound);
}

TEST_F(ConsoleNamespace, HostAbsolutePathsAndUnknownDevicesNameNothing) {
  EXPECT_EQ(status("/etc/passwd"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("\\etc\\passwd"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("/tmp"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("C:\\Windows\\system.ini"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("e:\\x"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("\\??\\x"), kStatusObjectPathNotFound);
  EXPECT_EQ(status("game:\\a:b"), kStatusObjectNameInvalid);  // ':' inside a file name
  EXPECT_EQ(status("game:\\a\"b"), kStatusObjectNameInvalid);
}

TEST_F(ConsoleNamespace, SymbolicLinksChainAndLoopsStop) {
  ASSERT_EQ(ns.add_link("save:", "\\Device\\Harddisk0\\Partition1\\Content\\0001"), kStatusSuccess);
  ASSERT_EQ(ns.add_link("\\??\\alias:", "save:\\sub"), kStatusSuccess);
  EXPECT_EQ(canon("save:\\x"), "\\Device\\Harddisk0\\Partition1\\Content\\0001\\x");
  EXPECT_EQ(canon("ALIAS:\\x"), "\\Device\\Harddisk0\\Partition1\\Content\\0001\\sub\\x");
  // '..' under a link with a subdirectory target stays on the device.
  EXPECT_EQ(canon("save:\\..\\y"), "\\Device\\Harddisk0\\Partition1\\Content\\y");
  EXPECT_EQ(status("save:\\..\\..\\..\\y"), kStatusObjectNameInvalid);
  // A link to itself never resolves.
  ASSERT_EQ(ns.add_link("loop:", "loop:\\a"), kStatusSuccess);
  EXPECT_EQ(status("loop:\\x"), kStatusObjectPathNotFound);
  // Creation/deletion rules.
  EXPECT_EQ(ns.add_link("SAVE:", "\\Device\\Cdrom0"), kStatusObjectNameCollision);
  EXPECT_EQ(ns.add_link("bad:", "\\Device\\..\\x"), kStatusObjectNameInvalid);
  EXPECT_EQ(ns.add_link("", "\\Device\\Cdrom0"), kStatusObjectNameInvalid);
  ASSERT_NE(ns.find_link("\\??\\Save:"), nullptr);
  EXPECT_EQ(ns.find_link("save:")->target_text, "\\Device\\Harddisk0\\Partition1\\Content\\0001");
  EXPECT_EQ(ns.remove_link("Save:"), kStatusSuccess);
  EXPECT_EQ(ns.remove_link("save:"), kStatusObjectNameNotFound);
  EXPECT_EQ(status("save:\\x"), kStatusObjectPathNotFound);
  // A removed device is gone; the others keep their indices.
  EXPECT_TRUE(ns.remove_device(2));
  EXPECT_EQ(status("cache:\\x"), kStatusObjectPathNotFound);
  EXPECT_EQ(ns.resolve("game:\\x").device, 0);
}

TEST_F(ConsoleNamespace, RelativeToADirectoryHandle) {
  Resolved dir = ns.resolve("game:\\Media");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(ns.resolve_relative(dir, "a.bin").canonical, "\\Device\\Cdrom0\\Media\\a.bin");
  EXPECT_EQ(ns.resolve_relative(dir, "\\a.bin").canonical, "\\Device\\Cdrom0\\Media\\a.bin");
  EXPECT_EQ(ns.resolve_relative(dir, "..\\x").canonical, "\\Device\\Cdrom0\\x");
  EXPECT_EQ(ns.resolve_relative(dir, "").canonical, "\\Device\\Cdrom0\\Media");
  EXPECT_EQ(ns.resolve_relative(dir, "..\\..\\x").status, kStatusObjectNameInvalid);
}

TEST(Names, ValidityWildcardsAndListingOrder) {
  EXPECT_TRUE(valid_file_name("Data.bin"));
  EXPECT_TRUE(valid_file_name("a b (1)"));
  for (const char* bad : {"", ".", "..", "a:b", "a*", "a?", "a<", "a>", "a|", "a\"", "a+b", "a,b", "a\\b", "a/b"}) {
    EXPECT_FALSE(valid_file_name(bad)) << bad;
  }
  EXPECT_FALSE(valid_file_name(std::string(256, 'x')));
  EXPECT_TRUE(valid_pattern("*.bin"));
  EXPECT_FALSE(valid_pattern("a\\*"));

  EXPECT_TRUE(wildcard_match("*", "anything"));
  EXPECT_TRUE(wildcard_match("*.*", "noext"));  // the console's match-all
  EXPECT_TRUE(wildcard_match("*.BIN", "data.bin"));
  EXPECT_FALSE(wildcard_match("*.bin", "data.bin2"));
  EXPECT_TRUE(wildcard_match("d?ta.*", "DATA.txt"));
  EXPECT_FALSE(wildcard_match("d?ta", "dta"));
  EXPECT_TRUE(wildcard_match("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(wildcard_match("*a*b*c", "xxaxxcxxb"));
  EXPECT_TRUE(wildcard_match("exact.txt", "EXACT.TXT"));
  EXPECT_FALSE(wildcard_match("exact.txt", "exact.txt1"));

  EXPECT_TRUE(equal_nocase("ABC", "abc"));
  EXPECT_FALSE(equal_nocase("abc", "abd"));
  EXPECT_LT(compare_nocase("a", "B"), 0);   // case-insensitive first
  EXPECT_LT(compare_nocase("A.txt", "a.txt"), 0);  // then raw bytes
  EXPECT_LT(compare_nocase("ab", "abc"), 0);
  EXPECT_LT(compare_nocase("_x", "a"), 0);   // '_' (0x5F) < 'a' (0x61) once lowered
  EXPECT_EQ(compare_nocase("same", "same"), 0);
}

}  // namespace
}  // namespace xdet::vfs
