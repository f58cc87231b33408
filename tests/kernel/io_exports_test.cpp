// The file, directory, volume, completion-port and symbolic-link exports,
// called by ordinal like the CPU runner calls them, over real temporary
// directories: structure layouts, status codes, synchronous and
// asynchronous completion in virtual time, the refused escapes, and the
// canonical path in args_resolved.path.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "kernel/exports/exports.h"
#include "kernel/io/io_state.h"
#include "kernel_fixture.h"

namespace xdet::test {
namespace {

using namespace kernel;
namespace fsys = std::filesystem;

enum : uint16_t {
  kNtClose = 207,
  kNtCreateEvent = 209,
  kNtCreateFile = 210,
  kNtCreateIoCompletion = 211,
  kNtFlushBuffersFile = 219,
  kNtOpenFile = 223,
  kNtOpenSymbolicLinkObject = 224,
  kNtQueryDirectoryFile = 228,
  kNtQueryFullAttributesFile = 231,
  kNtQueryInformationFile = 232,
  kNtQuerySymbolicLinkObject = 236,
  kNtQueryVolumeInformationFile = 239,
  kNtReadFile = 240,
  kNtReadFileScatter = 241,
  kNtRemoveIoCompletion = 244,
  kNtSetInformationFile = 247,
  kNtSetIoCompletion = 248,
  kNtWaitForSingleObjectEx = 253,
  kNtWriteFile = 255,
  kObCreateSymbolicLink = 259,
  kObDeleteSymbolicLink = 260,
};

constexpr uint32_t kGenericRead = 0x80000000u, kGenericWrite = 0x40000000u;
constexpr uint32_t kSyncIo = 0x20, kDirectoryFile = 0x01;
constexpr uint32_t kOpen = 1, kCreate = 2, kOpenIf = 3, kOverwriteIf = 5;

void write_file(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// Remembers args_resolved.path / pattern of every kernel.call.
class PathSink final : public TraceSink {
 public:
  std::vector<std::pair<std::string, std::string>> calls;  // (name, path)
  std::vector<std::string> patterns;
  void emit(const TraceEvent& ev) override {
    if (ev.kind != TraceKind::kKernelCall) return;
    std::string name, path;
    for (uint32_t i = 0; i < ev.field_count; ++i) {
      const TraceField& f = ev.fields[i];
      if (!std::strcmp(f.key, "name")) name = f.value.str;
      if (!std::strcmp(f.key, "args_resolved")) {
        for (uint32_t j = 0; j < f.value.count; ++j) {
          const TraceField& r = f.value.fields[j];
          if (!std::strcmp(r.key, "path")) path = r.value.str;
          if (!std::strcmp(r.key, "pattern")) patterns.push_back(r.value.str);
        }
      }
    }
    calls.emplace_back(name, path);
  }
  void flush() override {}
};

struct IoExports : KernelFixture {
  std::string root, game, outside, scratch;
  Thread* t = nullptr;
  PathSink sink;

  void SetUp() override {
    char tmpl[] = "/tmp/xdet_io_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    game = root + "/game";
    outside = root + "/outside";
    scratch = root + "/scratch";
    fsys::create_directories(game + "/Media/Sub");
    fsys::create_directories(outside);
    fsys::create_directories(scratch);
    write_file(outside + "/secret.txt", "top secret");
    std::string big;
    for (int i = 0; i < 10000; ++i) big.push_back(static_cast<char>('a' + i % 26));
    write_file(game + "/Data.bin", "DATA-0123456789");
    write_file(game + "/Big.bin", big);
    write_file(game + "/Media/b.txt", "bee");
    write_file(game + "/Media/a.txt", "ay");
    write_file(game + "/Media/C.bin", "sea");
    fsys::create_directory_symlink(outside, game + "/Media/escape");
    vfs::FileSystem& fs = k->io().fs();
    std::string error;
    ASSERT_TRUE(fs.mount("\\Device\\Cdrom0", game, true, vfs::VolumeKind::kDisc, &error)) << error;
    ASSERT_EQ(fs.names().add_link("game:", "\\Device\\Cdrom0"), kStatusSuccess);
    fs.set_scratch_root(scratch);
    ASSERT_EQ(fs.mount_scratch("\\Device\\Harddisk0\\Cache0", "Cache0", "cache:"), kStatusSuccess);
    k->set_trace_sink(&sink);
    t = spawn();
    run_as(t);
  }
  void TearDown() override {
    k.reset();
    EXPECT_EQ(fsys::directory_entry(outside + "/secret.txt").file_size(), 10u);
    EXPECT_EQ(std::distance(fsys::directory_iterator(outside), fsys::directory_iterator()), 1);
    fsys::remove_all(root);
  }

  uint32_t call_as(Thread* th, uint16_t ord, std::vector<uint32_t> args) {
    uint32_t sp = static_cast<uint32_t>(th->ctx.gpr[1]);
    for (size_t i = 0; i < args.size(); ++i) {
      if (i < 8) th->ctx.gpr[3 + i] = args[i];
      else mem.write32(sp + 0x54 + 8 * static_cast<uint32_t>(i - 8), args[i]);
    }
    th->ctx.lr = 0x82010000;
    DispatchResult r = dispatch_export(*k, *th, ord, 0x82000000 + 16u * ord);
    EXPECT_EQ(r.status, DispatchStatus::kDone) << r.message;
    return r3(th);
  }
  uint32_t call(uint16_t ord, std::vector<uint32_t> args) { return call_as(t, ord, std::move(args)); }

  uint32_t alloc(uint32_t size) {
    uint32_t a = data.allocate(size, 16);
    mem.fill(a, 0, size);
    return a;
  }
  uint32_t ansi(const std::string& s) {
    uint32_t buf = alloc(static_cast<uint32_t>(s.size()) + 1);
    mem.write_bytes(buf, s.data(), s.size());
    uint32_t a = alloc(8);
    mem.write16(a, static_cast<uint16_t>(s.size()));
    mem.write16(a + 2, static_cast<uint16_t>(s.size() + 1));
    mem.write32(a + 4, buf);
    return a;
  }
  uint32_t objattr(const std::string& name, uint32_t root_dir = 0) {
    uint32_t oa = alloc(12);
    mem.write32(oa, root_dir);
    mem.write32(oa + 4, ansi(name));
    mem.write32(oa + 8, 0x40);  // OBJ_CASE_INSENSITIVE
    return oa;
  }
  // NtCreateFile; returns the status, *h the handle, *info the IOSB information.
  uint32_t create(const std::string& name, uint32_t access, uint32_t disposition, uint32_t options, uint32_t* h,
                  uint32_t* info = nullptr, uint32_t root_dir = 0) {
    uint32_t ph = alloc(4), iosb = alloc(8);
    uint32_t st = call(kNtCreateFile, {ph, access, objattr(name, root_dir), iosb, 0, 0, 0, disposition, options});
    *h = mem.read32(ph);
    if (info) *info = mem.read32(iosb + 4);
    EXPECT_EQ(mem.read32(iosb), st);
    return st;
  }
  std::string read_guest(uint32_t addr, uint32_t n) {
    std::string s(n, '\0');
    mem.read_bytes(addr, s.data(), n);
    return s;
  }
  // Runs the clock forward and completes what is due.
  void advance(uint64_t units) {
    end_slice(t);
    k->set_now(k->now() + units);
    k->expire_deadlines();
    run_as(t);
  }
  std::string last_path(const std::string& name) const {
    for (auto it = sink.calls.rbegin(); it != sink.calls.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return "<none>";
  }
};

TEST_F(IoExports, SynchronousOpenReadQueryClose) {
  uint32_t h = 0, info = 0;
  ASSERT_EQ(create("game:\\DATA.bin", kGenericRead, kOpen, kSyncIo, &h, &info), kStatusSuccess);
  EXPECT_EQ(info, 1u);  // FILE_OPENED
  EXPECT_EQ(last_path("NtCreateFile"), "\\Device\\Cdrom0\\DATA.bin");
  uint32_t buf = alloc(64), iosb = alloc(8);
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 4, 0}), kStatusSuccess);
  EXPECT_EQ(last_path("NtReadFile"), "\\Device\\Cdrom0\\DATA.bin");
  EXPECT_EQ(read_guest(buf, 4), "DATA");
  EXPECT_EQ(mem.read32(iosb), kStatusSuccess);
  EXPECT_EQ(mem.read32(iosb + 4), 4u);
  // The file pointer moved; a read past the end is END_OF_FILE.
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 64, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(iosb + 4), 11u);
  EXPECT_EQ(read_guest(buf, 11), "-0123456789");
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 64, 0}), kStatusEndOfFile);
  EXPECT_EQ(mem.read32(iosb), kStatusEndOfFile);
  EXPECT_EQ(mem.read32(iosb + 4), 0u);
  // An explicit offset.
  uint32_t off = alloc(8);
  mem.write64(off, 5);
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 3, off}), kStatusSuccess);
  EXPECT_EQ(read_guest(buf, 3), "012");
  // FilePositionInformation, FileStandardInformation, FileNetworkOpenInformation.
  uint32_t out = alloc(64);
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 8, 14}), kStatusSuccess);
  EXPECT_EQ(mem.read64(out), 8u);
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 24, 5}), kStatusSuccess);
  EXPECT_EQ(mem.read64(out + 0), 2048u);  // allocation: one disc sector
  EXPECT_EQ(mem.read64(out + 8), 15u);
  EXPECT_EQ(mem.read8(out + 0x15), 0u);
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 56, 34}), kStatusSuccess);
  EXPECT_EQ(mem.read64(out + 0x00), 132223104000000000ull);  // fixed times
  EXPECT_EQ(mem.read64(out + 0x28), 15u);
  EXPECT_EQ(mem.read32(out + 0x30), 0x01u);  // read-only
  EXPECT_EQ(mem.read32(iosb + 4), 56u);
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 4, 14}), kStatusInfoLengthMismatch);
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 64, 99}), kStatusInvalidInfoClass);
  // Set the position, flush, close.
  mem.write64(out, 1);
  EXPECT_EQ(call(kNtSetInformationFile, {h, iosb, out, 8, 14}), kStatusSuccess);
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 4, 0}), kStatusSuccess);
  EXPECT_EQ(read_guest(buf, 4), "ATA-");
  EXPECT_EQ(call(kNtFlushBuffersFile, {h, iosb}), kStatusSuccess);
  EXPECT_EQ(call(kNtClose, {h}), kStatusSuccess);
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 4, 0}), kStatusInvalidHandle);
}

TEST_F(IoExports, AsynchronousReadIsPendingUntilItsVirtualTime) {
  uint32_t h = 0;
  ASSERT_EQ(create("game:\\Big.bin", kGenericRead, kOpen, 0, &h), kStatusSuccess);
  uint32_t ph = alloc(4);
  ASSERT_EQ(call(kNtCreateEvent, {ph, 0, 0, 0}), kStatusSuccess);  // notification, clear
  uint32_t ev = mem.read32(ph);
  uint32_t buf = alloc(4096), iosb = alloc(8), off = alloc(8);
  mem.write64(off, 100);
  // An asynchronous file object has no file pointer: the offset is required.
  EXPECT_EQ(call(kNtReadFile, {h, ev, 0, 0, iosb, buf, 4096, 0}), kStatusInvalidParameter);
  uint64_t start = k->now();
  EXPECT_EQ(call(kNtReadFile, {h, ev, 0, 0, iosb, buf, 4096, off}), kStatusPending);
  EXPECT_EQ(mem.read32(iosb), kStatusPending);
  EXPECT_EQ(mem.read32(iosb + 4), 0u);
  EXPECT_EQ(mem.read8(buf), 0u);  // nothing transferred yet
  uint32_t zero = alloc(8);
  EXPECT_EQ(call(kNtWaitForSingleObjectEx, {ev, 1, 0, zero}), kStatusTimeout);
  // Due at start + 20 us + 4096/64 units.
  uint64_t due = start + kIoBaseLatencyUnits + 4096 / kIoBytesPerUnit;
  EXPECT_EQ(k->next_deadline(), due);
  advance(due - k->now() - 1);
  EXPECT_EQ(mem.read32(iosb), kStatusPending);
  advance(1);
  EXPECT_EQ(mem.read32(iosb), kStatusSuccess);
  EXPECT_EQ(mem.read32(iosb + 4), 4096u);
  EXPECT_EQ(read_guest(buf, 3), "wxy");  // offset 100 = 'a' + 100 % 26
  EXPECT_EQ(call(kNtWaitForSingleObjectEx, {ev, 1, 0, zero}), kStatusSuccess);
  // Without an event the file object itself is signalled; EOF completes
  // asynchronously too.
  mem.write64(off, 20000);
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, buf, 16, off}), kStatusPending);
  EXPECT_EQ(call(kNtWaitForSingleObjectEx, {h, 1, 0, zero}), kStatusTimeout);
  advance(kIoBaseLatencyUnits + 1);
  EXPECT_EQ(mem.read32(iosb), kStatusEndOfFile);
  EXPECT_EQ(call(kNtWaitForSingleObjectEx, {h, 1, 0, zero}), kStatusSuccess);
  // Closing with a request in flight: the request still completes.
  mem.write64(off, 0);
  EXPECT_EQ(call(kNtReadFile, {h, ev, 0, 0, iosb, buf, 8, off}), kStatusPending);
  EXPECT_EQ(call(kNtClose, {h}), kStatusSuccess);
  advance(kIoBaseLatencyUnits + 1);
  EXPECT_EQ(mem.read32(iosb), kStatusSuccess);
  EXPECT_EQ(read_guest(buf, 8), "abcdefgh");
  EXPECT_EQ(k->io().pending_count(), 0u);
}

TEST_F(IoExports, WritesCreateAndDirectoryOptionsOnTheScratchDevice) {
  uint32_t h = 0, info = 0;
  ASSERT_EQ(create("cache:\\Saves", kGenericRead, kCreate, kDirectoryFile | kSyncIo, &h, &info), kStatusSuccess);
  EXPECT_EQ(info, 2u);  // FILE_CREATED
  uint32_t dir = h;
  // Relative to the directory handle.
  ASSERT_EQ(create("slot.dat", kGenericWrite | kGenericRead, kCreate, kSyncIo, &h, &info, dir), kStatusSuccess);
  EXPECT_EQ(last_path("NtCreateFile"), "\\Device\\Harddisk0\\Cache0\\Saves\\slot.dat");
  uint32_t buf = alloc(32), iosb = alloc(8);
  mem.write_bytes(buf, "saved game", 10);
  EXPECT_EQ(call(kNtWriteFile, {h, 0, 0, 0, iosb, buf, 10, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(iosb + 4), 10u);
  uint32_t off = alloc(8);
  mem.write64(off, ~0ull);  // FILE_WRITE_TO_END_OF_FILE
  mem.write_bytes(buf, "!", 1);
  EXPECT_EQ(call(kNtWriteFile, {h, 0, 0, 0, iosb, buf, 1, off}), kStatusSuccess);
  std::ifstream in(scratch + "/Cache0/Saves/slot.dat");
  std::string host((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(host, "saved game!");
  // Its times are virtual: the creation time is the system time of the call.
  uint32_t out = alloc(64);
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 40, 4}), kStatusSuccess);
  EXPECT_EQ(mem.read64(out), k->system_time());
  EXPECT_EQ(mem.read32(out + 0x20), 0x80u);
  // End of file.
  mem.write64(out, 4);
  EXPECT_EQ(call(kNtSetInformationFile, {h, iosb, out, 8, 20}), kStatusSuccess);
  EXPECT_EQ(fsys::file_size(scratch + "/Cache0/Saves/slot.dat"), 4u);
  // Rename, then delete on close.
  uint32_t ren = alloc(16);
  mem.write32(ren, 0);
  mem.write32(ren + 4, 0);
  uint32_t name = ansi("cache:\\Saves\\moved.dat");
  mem.write_bytes(ren + 8, mem.translate(name), 8);
  EXPECT_EQ(call(kNtSetInformationFile, {h, iosb, ren, 16, 10}), kStatusSuccess);
  EXPECT_TRUE(fsys::exists(scratch + "/Cache0/Saves/moved.dat"));
  EXPECT_EQ(call(kNtQueryInformationFile, {h, iosb, out, 8, 14}), kStatusSuccess);
  mem.write8(out, 1);
  EXPECT_EQ(call(kNtSetInformationFile, {h, iosb, out, 1, 13}), kStatusSuccess);
  EXPECT_EQ(call(kNtClose, {h}), kStatusSuccess);
  EXPECT_FALSE(fsys::exists(scratch + "/Cache0/Saves/moved.dat"));
  // Dispositions and directory options.
  EXPECT_EQ(create("cache:\\saves", kGenericRead, kCreate, kDirectoryFile, &h), kStatusObjectNameCollision);
  EXPECT_EQ(create("cache:\\saves", kGenericRead, kOpen, 0x40, &h), kStatusFileIsADirectory);
  EXPECT_EQ(create("cache:\\none.bin", kGenericRead, kOpen, 0, &h), kStatusObjectNameNotFound);
  EXPECT_EQ(create("cache:\\nodir\\x.bin", kGenericRead, kOpenIf, 0, &h), kStatusObjectPathNotFound);
  EXPECT_EQ(create("cache:\\x.bin", kGenericRead, 9, 0, &h), kStatusInvalidParameter);
  // Reading a directory handle.
  EXPECT_EQ(call(kNtReadFile, {dir, 0, 0, 0, iosb, buf, 4, 0}), kStatusInvalidDeviceRequest);
}

TEST_F(IoExports, TheTitleFolderIsReadOnlyAndEscapesAreRefused) {
  uint32_t h = 0;
  EXPECT_EQ(create("game:\\new.bin", kGenericWrite, kCreate, kSyncIo, &h), kStatusAccessDenied);
  EXPECT_EQ(create("game:\\Data.bin", kGenericWrite, kOverwriteIf, kSyncIo, &h), kStatusAccessDenied);
  ASSERT_EQ(create("game:\\Data.bin", kGenericWrite | kGenericRead, kOpen, kSyncIo, &h), kStatusSuccess);
  uint32_t buf = alloc(8), iosb = alloc(8);
  EXPECT_EQ(call(kNtWriteFile, {h, 0, 0, 0, iosb, buf, 4, 0}), kStatusAccessDenied);
  EXPECT_FALSE(fsys::exists(game + "/new.bin"));
  // '..' past the root, absolute host paths, a host symlink out.
  EXPECT_EQ(create("game:\\..\\outside\\secret.txt", kGenericRead, kOpen, 0, &h), kStatusObjectNameInvalid);
  EXPECT_EQ(create("cache:\\..\\..\\outside\\evil.txt", kGenericWrite, kCreate, 0, &h), kStatusObjectNameInvalid);
  EXPECT_EQ(create(outside + "/secret.txt", kGenericRead, kOpen, 0, &h), kStatusObjectPathNotFound);
  EXPECT_EQ(create("\\" + outside + "\\secret.txt", kGenericRead, kOpen, 0, &h), kStatusObjectPathNotFound);
  EXPECT_EQ(create("game:\\Media\\escape\\secret.txt", kGenericRead, kOpen, 0, &h), kStatusAccessDenied);
  EXPECT_EQ(create("game:\\Media\\escape", kGenericRead, kOpen, kDirectoryFile, &h), kStatusAccessDenied);
  uint32_t dir = 0;
  ASSERT_EQ(create("game:\\Media", kGenericRead, kOpen, kDirectoryFile, &dir), kStatusSuccess);
  EXPECT_EQ(create("..\\..\\outside\\secret.txt", kGenericRead, kOpen, 0, &h, nullptr, dir), kStatusObjectNameInvalid);
  uint32_t out = alloc(56);
  EXPECT_EQ(call(kNtQueryFullAttributesFile, {objattr("game:\\Media\\escape\\secret.txt"), out}), kStatusAccessDenied);
  EXPECT_EQ(call(kNtQueryFullAttributesFile, {objattr("game:\\..\\outside"), out}), kStatusObjectNameInvalid);
  EXPECT_EQ(call(kNtQueryFullAttributesFile, {objattr("game:\\Media\\A.TXT"), out}), kStatusSuccess);
  EXPECT_EQ(last_path("NtQueryFullAttributesFile"), "\\Device\\Cdrom0\\Media\\A.TXT");
  EXPECT_EQ(mem.read64(out + 0x28), 2u);
  EXPECT_EQ(call(kNtQueryFullAttributesFile, {objattr("game:\\Media\\none"), out}), kStatusObjectNameNotFound);
  EXPECT_EQ(call(kNtCreateFile, {alloc(4), kGenericRead, 0, alloc(8), 0, 0, 0, kOpen, 0}), kStatusInvalidParameter);
}

TEST_F(IoExports, DirectoryQueriesAreSortedFilteredAndRestartable) {
  uint32_t dir = 0;
  ASSERT_EQ(create("game:\\media", kGenericRead, kOpen, kDirectoryFile | kSyncIo, &dir), kStatusSuccess);
  uint32_t info = alloc(0x200), iosb = alloc(8);
  auto next = [&](uint32_t pattern, uint32_t restart) {
    uint32_t st = call(kNtQueryDirectoryFile, {dir, 0, 0, 0, iosb, info, 0x200, pattern, restart});
    return std::make_pair(st, st == kStatusSuccess ? read_guest(info + 0x40, mem.read32(info + 0x3C)) : "");
  };
  // Everything, sorted case-insensitively; the escaping symlink is not listed.
  std::vector<std::string> all;
  for (;;) {
    auto [st, name] = next(0, 0);
    if (st != kStatusSuccess) {
      EXPECT_EQ(st, kStatusNoMoreFiles);
      break;
    }
    all.push_back(name);
  }
  EXPECT_EQ(all, (std::vector<std::string>{"a.txt", "b.txt", "C.bin", "Sub"}));
  EXPECT_EQ(last_path("NtQueryDirectoryFile"), "\\Device\\Cdrom0\\media");
  // Restart with a pattern; the layout of one entry.
  auto [st, name] = next(ansi("*.TXT"), 1);
  ASSERT_EQ(st, kStatusSuccess);
  EXPECT_EQ(name, "a.txt");
  EXPECT_EQ(sink.patterns.back(), "*.TXT");
  EXPECT_EQ(mem.read32(info + 0x00), 0u);  // next entry offset
  EXPECT_EQ(mem.read32(info + 0x04), 0u);  // file index
  EXPECT_EQ(mem.read64(info + 0x08), 132223104000000000ull);
  EXPECT_EQ(mem.read64(info + 0x28), 2u);     // end of file
  EXPECT_EQ(mem.read64(info + 0x30), 2048u);  // allocation
  EXPECT_EQ(mem.read32(info + 0x38), 0x01u);
  EXPECT_EQ(mem.read32(iosb + 4), 0x40u + 5);
  EXPECT_EQ(next(0, 0).second, "b.txt");  // the pattern holds for the scan
  EXPECT_EQ(next(ansi("*.bin"), 0).first, kStatusNoMoreFiles);  // ignored without a restart
  EXPECT_EQ(next(ansi("*.bin"), 1).second, "C.bin");
  EXPECT_EQ(next(0, 1).second, "C.bin");  // restart keeps the pattern
  EXPECT_EQ(next(ansi("zz*"), 1).first, kStatusNoSuchFile);
  EXPECT_EQ(next(ansi("b.TXT"), 1).second, "b.txt");
  EXPECT_EQ(call(kNtQueryDirectoryFile, {dir, 0, 0, 0, iosb, info, 71, 0, 1}), kStatusInfoLengthMismatch);
  EXPECT_EQ(call(kNtQueryDirectoryFile, {dir, 0, 0, 0, iosb, info, 0x200, ansi("a\\b"), 1}), kStatusObjectNameInvalid);
  uint32_t file = 0;
  ASSERT_EQ(create("game:\\Data.bin", kGenericRead, kOpen, kSyncIo, &file), kStatusSuccess);
  EXPECT_EQ(call(kNtQueryDirectoryFile, {file, 0, 0, 0, iosb, info, 0x200, 0, 0}), kStatusInvalidParameter);
}

TEST_F(IoExports, VolumeInformation) {
  uint32_t h = 0, c = 0;
  ASSERT_EQ(create("game:\\Data.bin", kGenericRead, kOpen, kSyncIo, &h), kStatusSuccess);
  ASSERT_EQ(create("cache:\\", kGenericRead, kOpen, kDirectoryFile, &c), kStatusSuccess);
  uint32_t out = alloc(64), iosb = alloc(8);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {h, iosb, out, 24, 3}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out + 0x14), 2048u);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {c, iosb, out, 24, 3}), kStatusSuccess);
  EXPECT_EQ(mem.read64(out + 0x00), (20ull << 30) / 16384);
  EXPECT_EQ(mem.read64(out + 0x08), (16ull << 30) / 16384);
  EXPECT_EQ(mem.read32(out + 0x10), 32u);
  EXPECT_EQ(mem.read32(out + 0x14), 512u);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {h, iosb, out, 64, 5}), kStatusSuccess);
  EXPECT_EQ(read_guest(out + 12, mem.read32(out + 8)), "GDFX");
  EXPECT_EQ(mem.read32(iosb + 4), 16u);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {c, iosb, out, 64, 5}), kStatusSuccess);
  EXPECT_EQ(read_guest(out + 12, 4), "FATX");
  EXPECT_EQ(mem.read32(out + 4), 42u);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {c, iosb, out, 15, 5}), kStatusInfoLengthMismatch);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {h, iosb, out, 8, 4}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out), 0x02u);  // FILE_DEVICE_CD_ROM
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {h, iosb, out, 24, 1}), kStatusSuccess);
  EXPECT_EQ(mem.read32(iosb + 4), 0x11u);
  EXPECT_EQ(call(kNtQueryVolumeInformationFile, {h, iosb, out, 64, 2}), kStatusInvalidInfoClass);
}

TEST_F(IoExports, CompletionPortsQueueWaitAndReceiveFileCompletions) {
  uint32_t ph = alloc(4);
  ASSERT_EQ(call(kNtCreateIoCompletion, {ph, 0, 0, 1}), kStatusSuccess);
  uint32_t port = mem.read32(ph);
  uint32_t pkey = alloc(4), papc = alloc(4), iosb = alloc(8), zero = alloc(8);
  EXPECT_EQ(call(kNtRemoveIoCompletion, {port, pkey, papc, iosb, zero}), kStatusTimeout);
  EXPECT_EQ(call(kNtSetIoCompletion, {port, 11, 22, 0xC0000011u, 33}), kStatusSuccess);
  EXPECT_EQ(call(kNtSetIoCompletion, {port, 44, 55, 0, 66}), kStatusSuccess);
  EXPECT_EQ(call(kNtRemoveIoCompletion, {port, pkey, papc, iosb, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(pkey), 11u);
  EXPECT_EQ(mem.read32(papc), 22u);
  EXPECT_EQ(mem.read32(iosb), 0xC0000011u);
  EXPECT_EQ(mem.read32(iosb + 4), 33u);
  EXPECT_EQ(call(kNtRemoveIoCompletion, {port, pkey, papc, iosb, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(pkey), 44u);
  // A remover blocks until a packet arrives from another thread.
  Thread* waiter = t;
  call(kNtRemoveIoCompletion, {port, pkey, papc, iosb, 0});
  EXPECT_EQ(waiter->state, ThreadState::kWaiting);  // blocked: r3 is written when it resumes
  end_slice(waiter);
  Thread* poster = spawn();
  run_as(poster);
  EXPECT_EQ(call_as(poster, kNtSetIoCompletion, {port, 77, 88, 0, 99}), kStatusSuccess);
  EXPECT_EQ(waiter->state, ThreadState::kReady);
  EXPECT_EQ(r3(waiter), kStatusSuccess);
  EXPECT_EQ(mem.read32(pkey), 77u);
  EXPECT_EQ(mem.read32(iosb + 4), 99u);
  end_slice(poster);
  run_as(t);
  // A file associated with the port posts its completions (key, ApcContext).
  uint32_t h = 0;
  ASSERT_EQ(create("game:\\Big.bin", kGenericRead, kOpen, 0, &h), kStatusSuccess);
  uint32_t assoc = alloc(8);
  mem.write32(assoc, port);
  mem.write32(assoc + 4, 0x1234);
  EXPECT_EQ(call(kNtSetInformationFile, {h, iosb, assoc, 8, 30}), kStatusSuccess);
  uint32_t buf = alloc(64), riosb = alloc(8), off = alloc(8);
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0xABCD, riosb, buf, 64, off}), kStatusPending);
  EXPECT_EQ(call(kNtRemoveIoCompletion, {port, pkey, papc, iosb, zero}), kStatusTimeout);
  advance(kIoBaseLatencyUnits + 1);
  EXPECT_EQ(call(kNtRemoveIoCompletion, {port, pkey, papc, iosb, zero}), kStatusSuccess);
  EXPECT_EQ(mem.read32(pkey), 0x1234u);
  EXPECT_EQ(mem.read32(papc), 0xABCDu);
  EXPECT_EQ(mem.read32(iosb + 4), 64u);
  EXPECT_EQ(call(kNtClose, {h}), kStatusSuccess);
  EXPECT_EQ(call(kNtClose, {port}), kStatusSuccess);
  EXPECT_EQ(call(kNtSetIoCompletion, {port, 1, 2, 3, 4}), kStatusInvalidHandle);
}

TEST_F(IoExports, SymbolicLinks) {
  EXPECT_EQ(call(kObCreateSymbolicLink, {ansi("\\??\\save:"), ansi("\\Device\\Harddisk0\\Cache0\\Saves")}),
            kStatusSuccess);
  EXPECT_EQ(last_path("ObCreateSymbolicLink"), "\\??\\save:");
  EXPECT_EQ(call(kObCreateSymbolicLink, {ansi("SAVE:"), ansi("\\Device\\Cdrom0")}), kStatusObjectNameCollision);
  EXPECT_EQ(call(kObCreateSymbolicLink, {ansi("bad:"), ansi("\\Device\\Cdrom0\\..")}), kStatusObjectNameInvalid);
  uint32_t h = 0;
  ASSERT_EQ(create("cache:\\Saves", kGenericRead, kCreate, kDirectoryFile, &h), kStatusSuccess);
  ASSERT_EQ(create("save:\\a.dat", kGenericWrite, kCreate, kSyncIo, &h), kStatusSuccess);
  EXPECT_EQ(last_path("NtCreateFile"), "\\Device\\Harddisk0\\Cache0\\Saves\\a.dat");
  EXPECT_TRUE(fsys::exists(scratch + "/Cache0/Saves/a.dat"));
  uint32_t ph = alloc(4);
  ASSERT_EQ(call(kNtOpenSymbolicLinkObject, {ph, objattr("\\??\\SAVE:")}), kStatusSuccess);
  uint32_t target = alloc(8), tbuf = alloc(64);
  mem.write16(target + 2, 64);
  mem.write32(target + 4, tbuf);
  EXPECT_EQ(call(kNtQuerySymbolicLinkObject, {mem.read32(ph), target}), kStatusSuccess);
  EXPECT_EQ(read_guest(tbuf, mem.read16(target)), "\\Device\\Harddisk0\\Cache0\\Saves");
  mem.write16(target + 2, 4);
  EXPECT_EQ(call(kNtQuerySymbolicLinkObject, {mem.read32(ph), target}), kStatusBufferTooSmall);
  EXPECT_EQ(call(kNtOpenSymbolicLinkObject, {ph, objattr("nolink:")}), kStatusObjectNameNotFound);
  EXPECT_EQ(call(kObDeleteSymbolicLink, {ansi("save:")}), kStatusSuccess);
  EXPECT_EQ(call(kObDeleteSymbolicLink, {ansi("save:")}), kStatusObjectNameNotFound);
  EXPECT_EQ(create("save:\\a.dat", kGenericRead, kOpen, 0, &h), kStatusObjectPathNotFound);
}

TEST_F(IoExports, ScatterReadAndBadArguments) {
  uint32_t h = 0;
  ASSERT_EQ(create("game:\\Big.bin", kGenericRead, kOpen, kSyncIo, &h), kStatusSuccess);
  uint32_t p0 = data.allocate(4096, 4096), p1 = data.allocate(4096, 4096);
  uint32_t segs = alloc(8), iosb = alloc(8);
  mem.write32(segs, p0);
  mem.write32(segs + 4, p1);
  EXPECT_EQ(call(kNtReadFileScatter, {h, 0, 0, 0, iosb, segs, 8192, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(iosb + 4), 8192u);
  EXPECT_EQ(mem.read8(p0), 'a');
  EXPECT_EQ(mem.read8(p1), static_cast<uint8_t>('a' + 4096 % 26));
  // Unmapped buffers, bad handles and events.
  EXPECT_EQ(call(kNtReadFile, {h, 0, 0, 0, iosb, 0x10, 16, 0}), kStatusAccessViolation);
  EXPECT_EQ(call(kNtReadFile, {0xF8001230u, 0, 0, 0, iosb, alloc(16), 16, 0}), kStatusInvalidHandle);
  uint32_t port_h = alloc(4);
  ASSERT_EQ(call(kNtCreateIoCompletion, {port_h, 0, 0, 1}), kStatusSuccess);
  EXPECT_EQ(call(kNtReadFile, {mem.read32(port_h), 0, 0, 0, iosb, alloc(16), 16, 0}), kStatusObjectTypeMismatch);
  EXPECT_EQ(call(kNtReadFile, {h, h, 0, 0, iosb, alloc(16), 16, 0}), kStatusObjectTypeMismatch);
  EXPECT_EQ(call(kNtQueryInformationFile, {mem.read32(port_h), iosb, alloc(8), 8, 14}), kStatusObjectTypeMismatch);
}

TEST_F(IoExports, CompletionApcRoutineIsQueuedToTheIssuerAsAUserApc) {
  uint32_t h = 0;
  ASSERT_EQ(create("game:\\Data.bin", kGenericRead, kOpen, kSyncIo, &h), kStatusSuccess);
  uint32_t iosb = alloc(8);
  t->ctx.gpr[3] = h;
  t->ctx.gpr[4] = 0;
  t->ctx.gpr[5] = 0x82001000;  // an APC routine
  t->ctx.gpr[6] = 0x1234;
  t->ctx.gpr[7] = iosb;
  t->ctx.gpr[8] = alloc(16);
  t->ctx.gpr[9] = 4;
  t->ctx.gpr[10] = 0;
  DispatchResult r = dispatch_export(*k, *t, kNtReadFile, 0x82000000 + 16u * kNtReadFile);
  ASSERT_TRUE(k->io().apcs_supported());
  EXPECT_EQ(r.status, DispatchStatus::kDone) << r.message;
  EXPECT_EQ(static_cast<uint32_t>(t->ctx.gpr[3]), kStatusSuccess);
  // ApcRoutine(ApcContext, IoStatusBlock, 0), a user APC (mode 1) for the
  // caller's next alertable wait.
  ASSERT_EQ(t->user_apcs.size(), 1u);
  uint32_t apc = t->user_apcs.front();
  EXPECT_EQ(mem.read8(apc + 0x02), 1);
  EXPECT_EQ(mem.read32(apc + 0x18), 0x82001000u);
  EXPECT_EQ(mem.read32(apc + 0x1C), 0x1234u);
  EXPECT_EQ(mem.read32(apc + 0x20), iosb);
  EXPECT_EQ(mem.read32(apc + 0x24), 0u);
  EXPECT_FALSE(t->user_apc_delivery);
}

}  // namespace
}  // namespace xdet::test
