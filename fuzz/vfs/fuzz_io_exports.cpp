// The file exports with random guest memory behind their argument
// structures: OBJECT_ATTRIBUTES (root directory, ANSI_STRING pointer),
// ANSI_STRING (length, buffer) holding random bytes or interesting paths
// (escapes, links, devices), IO_STATUS_BLOCKs, information classes, buffer
// lengths and offsets, handles - on real directories: a read-only title
// folder with a symlink leaving it, and a writable scratch device. Every
// call must return a status (never crash or trip a sanitizer), and nothing
// outside the mapped directories may change.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "kernel/exports/exports.h"
#include "kernel/guest_heap.h"
#include "kernel/io/io_state.h"
#include "kernel/kernel.h"

using namespace xdet;
using namespace xdet::kernel;
namespace fsys = std::filesystem;

namespace {

constexpr uint32_t kData = 0x82000000;
constexpr uint32_t kDataSize = 0x10000;
constexpr uint32_t kStrings = kData + 0x8000;  // 8 ANSI_STRINGs + buffers
constexpr uint32_t kAttrs = kData + 0xA000;    // 8 OBJECT_ATTRIBUTES

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() { return n ? (--n, *p++) : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
};

const char* const kPaths[] = {
    "game:\\Data.bin", "GAME:/media/A.TXT", "game:\\media", "game:\\..\\outside\\secret.txt",
    "game:\\media\\escape\\secret.txt", "game:\\media\\escape", "cache:\\new.bin", "cache:\\dir",
    "cache:\\dir\\f.bin", "cache:\\..\\..\\outside\\evil", "\\Device\\Cdrom0\\Data.bin", "/etc/passwd",
    "\\??\\cache:\\x", "d:file", "*.*", "a", "..", "\\Device\\Harddisk0\\Cache0",
};

struct Tree {
  std::string root, game, outside, scratch;
  Tree() {
    char tmpl[] = "/tmp/xdet_fuzz_io_XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    root = tmpl;
    game = root + "/game";
    outside = root + "/outside";
    scratch = root + "/scratch";
    fsys::create_directories(game + "/media");
    fsys::create_directories(outside);
    std::ofstream(game + "/Data.bin") << std::string(5000, 'd');
    std::ofstream(game + "/media/a.txt") << "a";
    std::ofstream(outside + "/secret.txt") << "secret";
    fsys::create_directory_symlink(outside, game + "/media/escape");
  }
  void check_outside() const {
    std::ifstream in(outside + "/secret.txt");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (s != "secret") std::abort();
    if (std::distance(fsys::directory_iterator(outside), fsys::directory_iterator()) != 1) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Tree* tree = [] {
    Tree* t = new Tree();
    static std::string root = t->root;
    std::atexit([] {
      std::error_code ec;
      fsys::remove_all(root, ec);
    });
    return t;
  }();
  static GuestMemory* mem = new GuestMemory();
  static std::vector<ExportInfo> exports = [] {
    ExportTable t = io_exports();
    std::vector<ExportInfo> v(t.entries, t.entries + t.count);
    v.push_back(*find_export(207));  // NtClose
    v.push_back(*find_export(253));  // NtWaitForSingleObjectEx
    return v;
  }();
  fsys::remove_all(tree->scratch);
  fsys::create_directories(tree->scratch);
  mem->set_protection(kData, kDataSize, GuestMemory::kProtRW);
  mem->fill(kData, 0, kDataSize);
  Reader r{data, size};
  // Random guest memory: the first bytes of the input.
  size_t raw = std::min<size_t>(r.u8() * 16u, r.n);
  mem->write_bytes(kData, r.p, raw);
  r.p += raw;
  r.n -= raw;
  // ANSI_STRINGs (a path from the list or random bytes) and OBJECT_ATTRIBUTES.
  for (uint32_t i = 0; i < 8; ++i) {
    uint32_t s = kStrings + 0x100 * i, buf = s + 8;
    uint8_t sel = r.u8();
    std::string text;
    if (sel & 1) {
      text = kPaths[(sel >> 1) % (sizeof(kPaths) / sizeof(kPaths[0]))];
    } else {
      size_t n = std::min<size_t>(sel >> 1, r.n);
      text.assign(reinterpret_cast<const char*>(r.p), n);
      r.p += n;
      r.n -= n;
    }
    mem->write_bytes(buf, text.data(), text.size());
    uint16_t len = static_cast<uint16_t>(text.size());
    if ((sel & 0xC0) == 0xC0) len = static_cast<uint16_t>(r.u32());  // lies about its length
    mem->write16(s, len);
    mem->write16(s + 2, static_cast<uint16_t>(text.size()));
    mem->write32(s + 4, (sel & 0xE0) == 0xA0 ? r.u32() : buf);
    uint32_t a = kAttrs + 16 * i;
    uint8_t root = r.u8();
    mem->write32(a, root < 128 ? 0 : root < 192 ? 0xFFFFFFFDu : kHandleBase + 4 * (root % 8));
    mem->write32(a + 4, (root & 7) == 7 ? r.u32() : s);
    mem->write32(a + 8, 0x40);
  }

  RangeHeap pool(*mem, 0x00100000, 0x00F00000);
  RangeStackAllocator stacks(*mem, 0x70000000, 0x02000000);
  {
    Kernel k(*mem, pool, stacks);
    vfs::FileSystem& fs = k.io().fs();
    std::string error;
    if (!fs.mount("\\Device\\Cdrom0", tree->game, true, vfs::VolumeKind::kDisc, &error)) std::abort();
    fs.names().add_link("game:", "\\Device\\Cdrom0");
    fs.set_scratch_root(tree->scratch);
    if (fs.mount_scratch("\\Device\\Harddisk0\\Cache0", "Cache0", "cache:") != kStatusSuccess) std::abort();
    std::vector<Thread*> threads;
    for (int i = 0; i < 2; ++i) {
      ThreadParams p;
      p.entry_pc = 0x82001000;
      threads.push_back(k.create_thread(i ? threads[0] : nullptr, p, nullptr));
    }
    uint64_t now = 0;
    for (int step = 0; step < 48 && r.n >= 2; ++step) {
      uint8_t op = r.u8();
      if (op >= 0xF0) {  // virtual time passes: asynchronous I/O completes
        now += static_cast<uint64_t>(r.u8()) * 1000;
        k.set_now(now);
        k.expire_deadlines();
        continue;
      }
      Thread* t = threads[op & 1];
      if (!t->runnable()) continue;
      const ExportInfo& e = exports[r.u8() % exports.size()];
      uint32_t sp = t->stack_base - 176;
      t->ctx.gpr[1] = sp;
      for (int a = 0; a < 10; ++a) {
        uint8_t sel = r.u8();
        uint32_t v = r.u32();
        switch (sel % 7) {
          case 0: v &= 0xFF; break;                                  // small integer / class / length
          case 1: v = kData + (v % (kDataSize - 64) & ~3u); break;   // pointer into random memory
          case 2: v = kHandleBase + 4 * (v % 12); break;             // handle-shaped
          case 3: v = kAttrs + 16 * (v % 8); break;                  // OBJECT_ATTRIBUTES
          case 4: v = kStrings + 0x100 * (v % 8); break;             // ANSI_STRING
          case 5: v &= 0xFFFF; break;                                // buffer length
          default: break;                                            // raw word
        }
        if (a < 8) t->ctx.gpr[3 + a] = v;
        else mem->write32(sp + 0x54 + 8 * (a - 8), v);
      }
      k.ready_queue().remove(t);
      t->state = ThreadState::kRunning;
      k.set_current(t);
      DispatchResult d = dispatch_export(k, *t, e.ordinal, 0x82008000);
      if (d.status == DispatchStatus::kFatal) std::abort();
      k.set_current(nullptr);
      if (t->state == ThreadState::kRunning) {
        t->state = ThreadState::kReady;
        if (t->suspend_count == 0) k.ready_queue().insert(t);
      }
    }
    k.set_now(now + units_from_ms(1000));
    k.expire_deadlines();
  }
  tree->check_outside();
  return 0;
}
