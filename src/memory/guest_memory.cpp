#include "memory/guest_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xdet {

namespace {
constexpr uint64_t kGuestSpace = 1ull << 32;
// A guard after the 4 GiB so a page-crossing access at the very top cannot
// touch unrelated host memory even before its check fails.
constexpr uint64_t kGuard = 1ull << 16;
constexpr uint64_t kBackingSize = GuestMemory::kPhysicalBackingOffset + GuestMemory::kPhysicalSize;

[[noreturn]] void fail_errno(const char* what) {
  throw Error(ExitCode::kInternal, fmt::format("guest memory: {} failed: {}", what, std::strerror(errno)));
}
}  // namespace

const char* access_kind_name(AccessKind kind) {
  switch (kind) {
    case AccessKind::kRead: return "read";
    case AccessKind::kWrite: return "write";
    case AccessKind::kExecute: return "execute";
  }
  return "?";
}

GuestFault::GuestFault(AccessKind kind, uint32_t address, uint32_t size)
    : Error(ExitCode::kGuestFault,
            fmt::format("{} of {} byte(s) at guest address 0x{:08X} is not permitted", access_kind_name(kind),
                        size, address)),
      kind_(kind),
      address_(address),
      size_(size) {}

GuestFault::GuestFault(AccessKind kind, uint32_t address, uint32_t size, const std::string& detail)
    : Error(ExitCode::kGuestFault,
            fmt::format("{} of {} byte(s) at guest address 0x{:08X}: {}", access_kind_name(kind), size, address,
                        detail)),
      kind_(kind),
      address_(address),
      size_(size),
      detail_(detail) {}

GuestMemory::GuestMemory() : perms_(new uint8_t[kPageCount]()) {
  void* p = mmap(nullptr, kGuestSpace + kGuard, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) fail_errno("reserving 4 GiB of host address space");
  base_ = static_cast<uint8_t*>(p);
  backing_fd_ = memfd_create("xdet-guest", MFD_CLOEXEC);
  if (backing_fd_ < 0) fail_errno("memfd_create");
  if (ftruncate(backing_fd_, static_cast<off_t>(kBackingSize)) != 0) fail_errno("sizing the backing file");

  constexpr uint64_t kPhys = kPhysicalBackingOffset;
  map_view(0x00000000, 0x7F000000, 0x00000000);              // v00000000 + v40000000
  map_view(0x7F000000, 0x01000000, kPhys);                    // window onto physical 0..16 MB
  map_view(0x80000000, 0x10000000, 0x80000000);              // XEX 64 KB pages
  map_view(0x90000000, 0x10000000, 0x80000000);              // XEX 4 KB pages: same backing
  map_view(0xA0000000, 0x20000000, kPhys);                    // physical, 64 KB pages
  map_view(0xC0000000, 0x20000000, kPhys);                    // physical, 16 MB pages
  map_view(0xE0000000, 0x1FD00000, kPhys + 0x1000);          // physical, 4 KB pages, +0x1000 quirk
  map_view(0xFFD00000, 0x00300000, 0xFFD00000);              // no heap: private backing, never permitted
}

GuestMemory::~GuestMemory() {
  if (base_) munmap(base_, kGuestSpace + kGuard);
  if (backing_fd_ >= 0) close(backing_fd_);
}

void GuestMemory::map_view(uint32_t guest_addr, uint64_t size, uint64_t backing_offset) {
  void* want = base_ + guest_addr;
  void* got = mmap(want, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, backing_fd_,
                   static_cast<off_t>(backing_offset));
  if (got == MAP_FAILED) fail_errno("mapping a guest view");
}

void GuestMemory::set_protection(uint32_t addr, uint64_t size, uint8_t perms) {
  if (size == 0) return;
  uint64_t first = addr >> kPageShift;
  uint64_t last = (static_cast<uint64_t>(addr) + size - 1) >> kPageShift;
  if (last >= kPageCount) last = kPageCount - 1;
  std::memset(perms_.get() + first, perms, last - first + 1);
}

void GuestMemory::update_protection(uint32_t addr, uint64_t size, uint8_t perms) {
  if (size == 0) return;
  uint64_t first = addr >> kPageShift;
  uint64_t last = (static_cast<uint64_t>(addr) + size - 1) >> kPageShift;
  if (last >= kPageCount) last = kPageCount - 1;
  for (uint64_t page = first; page <= last; ++page) {
    uint8_t old = perms_[page];
    if ((old & kCodeCached) && (perms & kProtExec)) {
      perms_[page] = static_cast<uint8_t>(perms | kCodeCached);
    } else {
      perms_[page] = static_cast<uint8_t>(perms & ~kCodeCached);
      if ((old & kCodeCached) && code_write_hook_) code_write_hook_(static_cast<uint32_t>(page << kPageShift));
    }
  }
}

void GuestMemory::invalidate_code(uint32_t addr, uint64_t size) {
  if (size == 0) return;
  uint64_t first = addr >> kPageShift;
  uint64_t last = (static_cast<uint64_t>(addr) + size - 1) >> kPageShift;
  if (last >= kPageCount) last = kPageCount - 1;
  for (uint64_t page = first; page <= last; ++page) {
    if (perms_[page] & kCodeCached) {
      perms_[page] &= static_cast<uint8_t>(~kCodeCached);
      if (code_write_hook_) code_write_hook_(static_cast<uint32_t>(page << kPageShift));
    }
  }
}

bool GuestMemory::is_accessible(uint32_t addr, uint64_t size, uint8_t perms) const {
  if (size == 0) return true;
  uint64_t end = static_cast<uint64_t>(addr) + size - 1;
  if (end >= kGuestSpace) return false;
  for (uint64_t page = addr >> kPageShift; page <= (end >> kPageShift); ++page) {
    if ((perms_[page] & perms) != perms) return false;
  }
  return true;
}

void GuestMemory::discard(uint32_t addr, uint64_t size) {
  if (size == 0) return;
  uint64_t start = addr & ~static_cast<uint64_t>(kPageSize - 1);
  uint64_t end = (static_cast<uint64_t>(addr) + size + kPageSize - 1) & ~static_cast<uint64_t>(kPageSize - 1);
  if (end > kGuestSpace) end = kGuestSpace;
  // MADV_REMOVE frees the shared backing, so every alias reads zero again.
  if (madvise(base_ + start, end - start, MADV_REMOVE) != 0) {
    std::memset(base_ + start, 0, end - start);
  }
}

void GuestMemory::check_slow(uint32_t addr, uint64_t size, AccessKind kind) const {
  uint8_t need = kind == AccessKind::kRead ? kProtRead : kind == AccessKind::kWrite ? kProtWrite : kProtExec;
  if (!is_accessible(addr, size, need)) throw GuestFault(kind, addr, static_cast<uint32_t>(size));
}

void GuestMemory::write_slow(uint32_t addr, uint64_t size) {
  if (size == 0) return;  // (addr + size - 1 would underflow at address 0)
  check_slow(addr, size, AccessKind::kWrite);
  uint64_t end = static_cast<uint64_t>(addr) + size - 1;
  for (uint64_t page = addr >> kPageShift; page <= (end >> kPageShift); ++page) {
    if (perms_[page] & kCodeCached) {
      perms_[page] &= static_cast<uint8_t>(~kCodeCached);
      if (code_write_hook_) code_write_hook_(static_cast<uint32_t>(page << kPageShift));
    }
  }
}

void GuestMemory::read_bytes(uint32_t addr, void* out, uint64_t size) const {
  check_slow(addr, size, AccessKind::kRead);
  std::memcpy(out, base_ + addr, size);
}

void GuestMemory::write_bytes(uint32_t addr, const void* in, uint64_t size) {
  write_slow(addr, size);
  std::memcpy(base_ + addr, in, size);
}

void GuestMemory::fill(uint32_t addr, uint8_t value, uint64_t size) {
  write_slow(addr, size);
  std::memset(base_ + addr, value, size);
}

uint8_t* GuestMemory::checked_ptr(uint32_t addr, uint64_t size, AccessKind kind) {
  if (kind == AccessKind::kWrite) write_slow(addr, size);
  else check_slow(addr, size, kind);
  return base_ + addr;
}

void GuestMemory::map_mmio(uint32_t base, uint32_t size, MmioHandler* handler, const char* name) {
  if ((base | size) & (kPageSize - 1) || size == 0 || !handler) {
    throw Error(ExitCode::kInternal, fmt::format("guest memory: bad MMIO region {} at 0x{:08X}", name, base));
  }
  unmap_mmio(base);
  invalidate_code(base, size);
  set_protection(base, size, kMmio);
  MmioRegion r{base, size, handler, name};
  auto it = mmio_.begin();
  while (it != mmio_.end() && it->base < base) ++it;
  mmio_.insert(it, r);
}

void GuestMemory::unmap_mmio(uint32_t base, const MmioHandler* handler) {
  for (auto it = mmio_.begin(); it != mmio_.end(); ++it) {
    if (it->base == base) {
      if (handler && it->handler != handler) return;
      set_protection(it->base, it->size, 0);
      mmio_.erase(it);
      return;
    }
  }
}

const GuestMemory::MmioRegion* GuestMemory::find_mmio(uint32_t addr, uint32_t size) const {
  for (const MmioRegion& r : mmio_) {
    if (addr >= r.base && static_cast<uint64_t>(addr) + size <= static_cast<uint64_t>(r.base) + r.size) return &r;
  }
  return nullptr;
}

uint64_t GuestMemory::mmio_read(uint32_t addr, uint32_t size) const {
  const MmioRegion* r = find_mmio(addr, size);
  if (!r) throw GuestFault(AccessKind::kRead, addr, size, "access crosses the end of a device register page");
  return r->handler->mmio_read(addr, size);
}

void GuestMemory::mmio_write(uint32_t addr, uint32_t size, uint64_t value) {
  const MmioRegion* r = find_mmio(addr, size);
  if (!r) throw GuestFault(AccessKind::kWrite, addr, size, "access crosses the end of a device register page");
  r->handler->mmio_write(addr, size, value);
}

std::string GuestMemory::read_cstring(uint32_t addr, size_t max_len) const {
  std::string s;
  for (size_t i = 0; i < max_len; ++i) {
    char c = static_cast<char>(read8(addr + static_cast<uint32_t>(i)));
    if (c == 0) break;
    s.push_back(c);
  }
  return s;
}

}  // namespace xdet
