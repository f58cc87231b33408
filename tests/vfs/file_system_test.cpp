// The host side of the VFS on real temporary directories: case-insensitive
// lookup, listing order, fixed times, read-only and writable devices, the
// scratch mount API, and every way out of a mapped directory (.. past the
// root, absolute host paths, host symlinks to files and directories
// outside, symlinks to '..', special files) refused - with proof that
// nothing outside was read, written, created or listed.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "vfs/file_system.h"
#include "vfs/scratch.h"

namespace xdet::vfs {
namespace {

namespace fsys = std::filesystem;

void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

std::string read_host(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Layout (host):
//   <root>/outside/secret.txt            "top secret"
//   <root>/outside/dir/                   (a directory outside)
//   <root>/game/Data.bin                  "DATA-0123456789"
//   <root>/game/Mixed, <root>/game/mixed  ("upper", "lower")
//   <root>/game/sub/inner.txt             "inner"
//   <root>/game/inside_link -> sub/inner.txt, dir_link -> sub
//   <root>/game/escape_dir -> <root>/outside, escape_file -> <root>/outside/secret.txt
//   <root>/game/up_link -> .., rel_escape -> ../outside/secret.txt
//   <root>/game/dangling -> nowhere, <root>/game/fifo (a FIFO)
//   <root>/game/caf\xc3\xa9.txt (a name the console cannot spell)
//   <root>/scratch/                       the writable scratch root
struct VfsFixture : ::testing::Test {
  std::string root, game, outside, scratch;
  FileSystem fs;

  void SetUp() override {
    char tmpl[] = "/tmp/xdet_vfs_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    game = root + "/game";
    outside = root + "/outside";
    scratch = root + "/scratch";
    fsys::create_directories(game + "/sub");
    fsys::create_directories(outside + "/dir");
    fsys::create_directories(scratch);
    write_file(outside + "/secret.txt", "top secret");
    write_file(game + "/Data.bin", "DATA-0123456789");
    write_file(game + "/Mixed", "upper");
    write_file(game + "/mixed", "lower");
    write_file(game + "/sub/inner.txt", "inner");
    write_file(game + "/caf\xc3\xa9.txt", "x");
    fsys::create_symlink("sub/inner.txt", game + "/inside_link");
    fsys::create_directory_symlink("sub", game + "/dir_link");
    fsys::create_directory_symlink(outside, game + "/escape_dir");
    fsys::create_symlink(outside + "/secret.txt", game + "/escape_file");
    fsys::create_directory_symlink("..", game + "/up_link");
    fsys::create_symlink("../outside/secret.txt", game + "/rel_escape");
    fsys::create_symlink("nowhere", game + "/dangling");
    ASSERT_EQ(::mkfifo((game + "/fifo").c_str(), 0644), 0);
    std::string error;
    ASSERT_TRUE(fs.mount("\\Device\\Cdrom0", game, true, VolumeKind::kDisc, &error)) << error;
    ASSERT_EQ(fs.names().add_link("game:", "\\Device\\Cdrom0"), kStatusSuccess);
    fs.set_scratch_root(scratch);
    ASSERT_EQ(fs.mount_scratch("\\Device\\Harddisk0\\Cache0", "Cache0", "cache:"), kStatusSuccess);
  }
  void TearDown() override {
    // Nothing outside the mapped directories changed.
    EXPECT_EQ(read_host(outside + "/secret.txt"), "top secret");
    size_t n = 0;
    for (auto it = fsys::recursive_directory_iterator(outside); it != fsys::recursive_directory_iterator(); ++it) ++n;
    EXPECT_EQ(n, 2u) << "something was created outside the mapped directories";
    fsys::remove_all(root);
  }

  NtStatus open(std::string_view path, std::unique_ptr<OpenFile>* out, Disposition d = Disposition::kOpen,
                bool write = false, bool dir = false, CreateAction* action_out = nullptr) {
    FileSystem::OpenRequest req;
    req.disposition = d;
    req.want_write = write;
    req.directory_file = dir;
    req.now = kFixedFileTime + 12345;
    CreateAction action;
    NtStatus st = fs.open(fs.resolve(path), req, out, &action);
    if (action_out) *action_out = action;
    return st;
  }
  std::string contents(OpenFile& f) {
    char buf[256];
    uint32_t got = 0;
    EXPECT_EQ(f.read(0, buf, sizeof(buf), &got), kStatusSuccess);
    return std::string(buf, got);
  }
  std::vector<std::string> names(std::string_view dir) {
    std::unique_ptr<OpenFile> f;
    EXPECT_EQ(open(dir, &f), kStatusSuccess) << dir;
    std::vector<DirEntry> entries;
    EXPECT_EQ(f->list(&entries), kStatusSuccess);
    std::vector<std::string> out;
    for (const DirEntry& e : entries) out.push_back(e.name);
    return out;
  }
};

TEST_F(VfsFixture, CaseInsensitiveLookupWithADeterministicChoice) {
  std::unique_ptr<OpenFile> f;
  ASSERT_EQ(open("game:\\DATA.BIN", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "DATA-0123456789");
  EXPECT_EQ(f->canonical(), "\\Device\\Cdrom0\\DATA.BIN");
  ASSERT_EQ(open("GAME:/SUB/Inner.TXT", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "inner");
  // Two host names differ only in case: the exact spelling wins, otherwise
  // the first in listing order ("Mixed" < "mixed").
  ASSERT_EQ(open("game:\\mixed", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "lower");
  ASSERT_EQ(open("game:\\Mixed", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "upper");
  ASSERT_EQ(open("game:\\MIXED", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "upper");
  EXPECT_EQ(open("game:\\missing.bin", &f), kStatusObjectNameNotFound);
  EXPECT_EQ(open("game:\\nodir\\x.bin", &f), kStatusObjectPathNotFound);
  EXPECT_EQ(open("game:\\Data.bin\\x", &f), kStatusObjectPathNotFound);  // a file is not a directory
}

TEST_F(VfsFixture, ListingsAreSortedAndShowOnlyWhatTheGuestMayOpen) {
  EXPECT_EQ(names("game:\\"), (std::vector<std::string>{"Data.bin", "dir_link", "inside_link", "Mixed", "mixed", "sub"}));
  EXPECT_EQ(names("game:\\dir_link"), (std::vector<std::string>{"inner.txt"}));
  std::unique_ptr<OpenFile> f;
  ASSERT_EQ(open("game:\\", &f), kStatusSuccess);
  std::vector<DirEntry> entries;
  ASSERT_EQ(f->list(&entries), kStatusSuccess);
  for (const DirEntry& e : entries) {
    EXPECT_EQ(e.info.times.creation, kFixedFileTime) << e.name;  // never the host's times
    EXPECT_EQ(e.info.times.last_write, kFixedFileTime) << e.name;
    if (e.name == "Data.bin") {
      EXPECT_EQ(e.info.size, 15u);
      EXPECT_EQ(e.info.allocation_size, 2048u);  // disc sectors
      EXPECT_EQ(e.info.attributes, kAttrReadOnly);
    }
    if (e.name == "sub") {
      EXPECT_EQ(e.info.attributes, kAttrDirectory);
    }
  }
}

TEST_F(VfsFixture, DotDotPastTheRootIsRefused) {
  std::unique_ptr<OpenFile> f;
  for (const char* p : {"game:\\..\\outside\\secret.txt", "game:\\sub\\..\\..\\outside\\secret.txt",
                        "game:/../outside/secret.txt", "cache:\\..\\..\\outside\\secret.txt",
                        "\\Device\\Cdrom0\\..\\outside\\secret.txt"}) {
    EXPECT_EQ(open(p, &f), kStatusObjectNameInvalid) << p;
    FileInfo info;
    EXPECT_EQ(fs.stat(fs.resolve(p), &info), kStatusObjectNameInvalid) << p;
    EXPECT_EQ(open(p, &f, Disposition::kOpenIf, true), kStatusObjectNameInvalid) << p;
  }
}

TEST_F(VfsFixture, AbsoluteHostPathsAreRefused) {
  std::unique_ptr<OpenFile> f;
  std::string host_secret = outside + "/secret.txt";
  for (const std::string& p : {host_secret, std::string("/etc/passwd"), std::string("\\etc\\passwd"),
                               std::string("C:\\secret.txt"), "game:" + host_secret}) {
    NtStatus st = open(p, &f);
    EXPECT_TRUE(st == kStatusObjectPathNotFound || st == kStatusObjectNameNotFound) << p << " " << std::hex << st;
    EXPECT_NE(open(p, &f, Disposition::kOpenIf, true), kStatusSuccess) << p;
  }
}

TEST_F(VfsFixture, HostSymlinksLeavingTheDeviceAreRefused) {
  std::unique_ptr<OpenFile> f;
  for (const char* p : {"game:\\escape_file", "game:\\escape_dir\\secret.txt", "game:\\escape_dir",
                        "game:\\up_link\\outside\\secret.txt", "game:\\rel_escape", "game:\\up_link"}) {
    EXPECT_EQ(open(p, &f), kStatusAccessDenied) << p;
    FileInfo info;
    EXPECT_EQ(fs.stat(fs.resolve(p), &info), kStatusAccessDenied) << p;
  }
  // Symlinks inside the device work.
  ASSERT_EQ(open("game:\\inside_link", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "inner");
  ASSERT_EQ(open("game:\\DIR_LINK\\inner.txt", &f), kStatusSuccess);
  EXPECT_EQ(contents(*f), "inner");
  // Dangling links do not exist; special files are refused.
  EXPECT_EQ(open("game:\\dangling", &f), kStatusObjectNameNotFound);
  EXPECT_EQ(open("game:\\fifo", &f), kStatusAccessDenied);
  // A symlink planted in a writable device: no creation through it.
  fsys::create_directory_symlink(outside, scratch + "/Cache0/planted");
  fsys::create_symlink(outside + "/secret.txt", scratch + "/Cache0/planted_file");
  EXPECT_EQ(open("cache:\\planted\\new.txt", &f, Disposition::kCreate, true), kStatusAccessDenied);
  EXPECT_EQ(open("cache:\\planted\\secret.txt", &f, Disposition::kOverwriteIf, true), kStatusAccessDenied);
  EXPECT_EQ(open("cache:\\planted_file", &f, Disposition::kOverwriteIf, true), kStatusAccessDenied);
  EXPECT_EQ(open("cache:\\planted_file", &f, Disposition::kOpen, true), kStatusAccessDenied);
  EXPECT_EQ(names("cache:\\"), std::vector<std::string>{});
}

TEST_F(VfsFixture, TheTitleFolderIsReadOnly) {
  std::unique_ptr<OpenFile> f;
  CreateAction action;
  EXPECT_EQ(open("game:\\new.bin", &f, Disposition::kCreate, true), kStatusAccessDenied);
  EXPECT_EQ(open("game:\\Data.bin", &f, Disposition::kOverwriteIf, true), kStatusAccessDenied);
  EXPECT_EQ(open("game:\\newdir", &f, Disposition::kCreate, false, true), kStatusAccessDenied);
  // Opening an existing file for write works, without write access.
  ASSERT_EQ(open("game:\\Data.bin", &f, Disposition::kOpen, true, false, &action), kStatusSuccess);
  EXPECT_EQ(action, CreateAction::kOpened);
  EXPECT_FALSE(f->writable());
  uint32_t done = 1;
  EXPECT_EQ(f->write(0, "x", 1, &done, kFixedFileTime), kStatusAccessDenied);
  EXPECT_EQ(done, 0u);
  EXPECT_EQ(f->set_size(0, kFixedFileTime), kStatusAccessDenied);
  EXPECT_EQ(f->set_delete_on_close(true), kStatusAccessDenied);
  EXPECT_EQ(read_host(game + "/Data.bin"), "DATA-0123456789");
  EXPECT_FALSE(fsys::exists(game + "/new.bin"));
}

TEST_F(VfsFixture, WritableDevicesCreateWriteReadDeleteRename) {
  std::unique_ptr<OpenFile> f;
  CreateAction action;
  ASSERT_EQ(open("cache:\\Save", &f, Disposition::kCreate, false, true, &action), kStatusSuccess);
  EXPECT_EQ(action, CreateAction::kCreated);
  EXPECT_TRUE(f->directory());
  ASSERT_EQ(open("cache:\\save\\Slot1.dat", &f, Disposition::kCreate, true, false, &action), kStatusSuccess);
  EXPECT_EQ(f->canonical(), "\\Device\\Harddisk0\\Cache0\\save\\Slot1.dat");
  uint32_t done = 0;
  ASSERT_EQ(f->write(0, "hello world", 11, &done, kFixedFileTime + 777), kStatusSuccess);
  EXPECT_EQ(done, 11u);
  EXPECT_EQ(contents(*f), "hello world");
  EXPECT_EQ(read_host(scratch + "/Cache0/Save/Slot1.dat"), "hello world");
  FileInfo info;
  ASSERT_EQ(f->info(&info), kStatusSuccess);
  EXPECT_EQ(info.size, 11u);
  EXPECT_EQ(info.allocation_size, 16384u);
  EXPECT_EQ(info.attributes, kAttrNormal);
  EXPECT_EQ(info.times.creation, kFixedFileTime + 12345);  // virtual time passed in
  EXPECT_EQ(info.times.last_write, kFixedFileTime + 777);
  // Reads past the end.
  char buf[8];
  uint32_t got = 9;
  EXPECT_EQ(f->read(11, buf, 8, &got), kStatusEndOfFile);
  EXPECT_EQ(got, 0u);
  EXPECT_EQ(f->read(8, buf, 8, &got), kStatusSuccess);
  EXPECT_EQ(got, 3u);
  EXPECT_EQ(f->read(0, buf, 0, &got), kStatusSuccess);
  // Case-insensitive collision and dispositions.
  EXPECT_EQ(open("cache:\\SAVE\\slot1.DAT", &f, Disposition::kCreate, true, false, &action), kStatusObjectNameCollision);
  EXPECT_EQ(action, CreateAction::kExists);
  ASSERT_EQ(open("cache:\\save\\slot1.dat", &f, Disposition::kOpenIf, true, false, &action), kStatusSuccess);
  EXPECT_EQ(action, CreateAction::kOpened);
  EXPECT_EQ(contents(*f), "hello world");
  ASSERT_EQ(open("cache:\\save\\slot1.dat", &f, Disposition::kOverwrite, true, false, &action), kStatusSuccess);
  EXPECT_EQ(action, CreateAction::kOverwritten);
  ASSERT_EQ(f->info(&info), kStatusSuccess);
  EXPECT_EQ(info.size, 0u);
  EXPECT_EQ(open("cache:\\save\\none.dat", &f, Disposition::kOverwrite, true), kStatusObjectNameNotFound);
  EXPECT_EQ(open("cache:\\save", &f, Disposition::kOpen, false, false), kStatusSuccess);
  FileSystem::OpenRequest req;
  req.non_directory_file = true;
  EXPECT_EQ(fs.open(fs.resolve("cache:\\save"), req, &f, &action), kStatusFileIsADirectory);
  req = {};
  req.directory_file = true;
  EXPECT_EQ(fs.open(fs.resolve("cache:\\save\\slot1.dat"), req, &f, &action), kStatusNotADirectory);
  // Size changes.
  ASSERT_EQ(open("cache:\\save\\slot1.dat", &f, Disposition::kOpen, true), kStatusSuccess);
  ASSERT_EQ(f->set_size(100, kFixedFileTime), kStatusSuccess);
  EXPECT_EQ(fsys::file_size(scratch + "/Cache0/Save/Slot1.dat"), 100u);
  // Rename within the device; across devices is refused.
  ASSERT_EQ(f->rename(fs.resolve("cache:\\save\\renamed.dat"), false), kStatusSuccess);
  EXPECT_TRUE(fsys::exists(scratch + "/Cache0/Save/renamed.dat"));
  EXPECT_EQ(f->canonical(), "\\Device\\Harddisk0\\Cache0\\save\\renamed.dat");
  EXPECT_EQ(f->rename(fs.resolve("game:\\x"), false), kStatusNotSameDevice);
  EXPECT_EQ(f->rename(fs.resolve("cache:\\..\\x"), false), kStatusObjectNameInvalid);
  // Delete on close; a non-empty directory cannot be deleted.
  std::unique_ptr<OpenFile> d;
  ASSERT_EQ(open("cache:\\save", &d), kStatusSuccess);
  EXPECT_EQ(d->set_delete_on_close(true), kStatusDirectoryNotEmpty);
  ASSERT_EQ(f->set_delete_on_close(true), kStatusSuccess);
  f.reset();
  EXPECT_FALSE(fsys::exists(scratch + "/Cache0/Save/renamed.dat"));
  ASSERT_EQ(d->set_delete_on_close(true), kStatusSuccess);
  d.reset();
  EXPECT_FALSE(fsys::exists(scratch + "/Cache0/Save"));
  EXPECT_EQ(open("cache:\\", &f, Disposition::kOpen), kStatusSuccess);
  EXPECT_EQ(f->set_delete_on_close(true), kStatusCannotDelete);
}

TEST_F(VfsFixture, ScratchMountsAndVolumes) {
  EXPECT_EQ(fs.mount_scratch("\\Device\\Content\\0001", "Content/0001", "save0:"), kStatusSuccess);
  EXPECT_TRUE(fsys::is_directory(scratch + "/Content/0001"));
  std::unique_ptr<OpenFile> f;
  ASSERT_EQ(open("save0:\\profile.bin", &f, Disposition::kCreate, true), kStatusSuccess);
  EXPECT_TRUE(fsys::exists(scratch + "/Content/0001/profile.bin"));
  EXPECT_EQ(fs.mount_scratch("\\Device\\Content\\0001", "Content/0002"), kStatusObjectNameCollision);
  EXPECT_EQ(fs.mount_scratch("\\Device\\Content\\0003", "../escape"), kStatusObjectNameInvalid);
  EXPECT_EQ(fs.mount_scratch("\\Device\\Content\\0003", "a/../../escape"), kStatusObjectNameInvalid);
  EXPECT_EQ(fs.mount_scratch("\\Device\\Content\\0003", ""), kStatusObjectNameInvalid);
  EXPECT_EQ(fs.unmount("\\Device\\Content\\0001"), kStatusSuccess);
  EXPECT_EQ(open("save0:\\profile.bin", &f), kStatusObjectPathNotFound);
  VolumeInfo disc = fs.volume(0), disk = fs.volume(1);
  EXPECT_STREQ(disc.fs_name, "GDFX");
  EXPECT_TRUE(disc.read_only);
  EXPECT_EQ(disc.bytes_per_sector, 2048u);
  EXPECT_STREQ(disk.fs_name, "FATX");
  EXPECT_EQ(disk.total_units * disk.sectors_per_unit * disk.bytes_per_sector, 20ull << 30);
  EXPECT_NE(disc.serial_number, disk.serial_number);
}

TEST(ScratchDir, FreshPerRunAndRemovedUnlessKept) {
  std::string error, kept_path, gone_path;
  {
    auto a = ScratchDir::create("/tmp", &error);
    auto b = ScratchDir::create("/tmp", &error);
    ASSERT_TRUE(a && b) << error;
    EXPECT_NE(a->path(), b->path());
    EXPECT_TRUE(fsys::is_empty(a->path()));
    write_file(a->path() + "/f", "x");
    fsys::create_directory_symlink("/tmp", a->path() + "/link");  // removal does not follow it
    gone_path = a->path();
    b->set_keep(true);
    kept_path = b->path();
  }
  EXPECT_FALSE(fsys::exists(gone_path));
  EXPECT_TRUE(fsys::exists("/tmp"));
  EXPECT_TRUE(fsys::is_directory(kept_path));
  fsys::remove_all(kept_path);
}

}  // namespace
}  // namespace xdet::vfs
