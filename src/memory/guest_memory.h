#pragma once
// The 32-bit guest address space.
//
// 4 GiB of host address space is reserved once; guest address A lives at
// host_base() + A, so translation is one add. The console's views of physical
// RAM (0xA0000000, 0xC0000000, 0xE0000000 +0x1000, the 0x7F000000 window) and
// the two XEX views (0x80000000 and 0x90000000) alias each other, so the host
// region is built from shared mappings of one sparse memfd backing file: the
// same physical byte really is visible at every alias.
//
// Host pages are always read/write; guest protection is a software table with
// one byte per 4 KiB page, checked on every access. That keeps faults precise
// and deterministic (no signal handlers) for one table lookup per access.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/byte_order.h"
#include "base/error.h"

namespace xdet {

enum class AccessKind : uint8_t { kRead, kWrite, kExecute };

const char* access_kind_name(AccessKind kind);

// An access the guest was not allowed to make. The CPU layer catches it and
// adds the PC and thread.
class GuestFault : public Error {
 public:
  GuestFault(AccessKind kind, uint32_t address, uint32_t size);
  // With a device's explanation (an MMIO register it does not have).
  GuestFault(AccessKind kind, uint32_t address, uint32_t size, const std::string& detail);
  AccessKind kind() const { return kind_; }
  uint32_t address() const { return address_; }
  uint32_t size() const { return size_; }
  const std::string& detail() const { return detail_; }

 private:
  AccessKind kind_;
  uint32_t address_;
  uint32_t size_;
  std::string detail_;
};

// A device's register page (memory-mapped I/O). Guest loads and stores on
// its pages reach these calls instead of RAM. `addr` is the full guest
// address, `size` 1, 2, 4 or 8; values are numeric (what a big-endian load
// would return / what a store writes). Throw GuestFault (with a detail) for
// a register the device does not have.
class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  virtual uint64_t mmio_read(uint32_t addr, uint32_t size) = 0;
  virtual void mmio_write(uint32_t addr, uint32_t size, uint64_t value) = 0;
};

class GuestMemory {
 public:
  static constexpr uint32_t kPageShift = 12;
  static constexpr uint32_t kPageSize = 1u << kPageShift;
  static constexpr uint32_t kPageCount = 1u << (32 - kPageShift);
  static constexpr uint64_t kPhysicalSize = 512ull << 20;
  // Offset of physical RAM inside the backing file (after the 4 GiB of
  // virtual backing), as in the console memory map facts.
  static constexpr uint64_t kPhysicalBackingOffset = 1ull << 32;

  // Page protection bits (software table).
  enum : uint8_t {
    kProtRead = 1,
    kProtWrite = 2,
    kProtExec = 4,
    kProtRW = kProtRead | kProtWrite,
    kProtRWX = kProtRead | kProtWrite | kProtExec,
    // Set on pages from which the CPU has pre-decoded code: a store there
    // must invalidate the decoded blocks.
    kCodeCached = 8,
    // Set (alone) on pages of an MMIO region: every access misses the fast
    // path and the slow path hands it to the region's handler.
    kMmio = 16,
  };

  GuestMemory();
  ~GuestMemory();
  GuestMemory(const GuestMemory&) = delete;
  GuestMemory& operator=(const GuestMemory&) = delete;

  uint8_t* host_base() const { return base_; }
  // Unchecked translation: only for callers that already validated the range.
  uint8_t* translate(uint32_t addr) const { return base_ + addr; }

  // Page-granular (4 KiB) protection of [addr, addr+size). Clears kCodeCached
  // only if `perms` does not contain it.
  void set_protection(uint32_t addr, uint64_t size, uint8_t perms);
  uint8_t protection(uint32_t addr) const { return perms_[addr >> kPageShift]; }
  // The protection table itself (one byte per page), for generated code that
  // performs the same fast-path checks as read()/write().
  const uint8_t* protection_table() const { return perms_.get(); }
  // Like set_protection, but for the heap layer: a page that keeps kProtExec
  // keeps its kCodeCached mark; a page that loses kProtExec while marked has
  // its mark cleared and the code-write hook called, so decoded blocks of
  // released or re-protected code are dropped.
  void update_protection(uint32_t addr, uint64_t size, uint8_t perms);
  // Calls the code-write hook for every kCodeCached page in the range (and
  // clears the mark): used when the contents change behind the CPU's back
  // (zero-fill, loader writes through an alias).
  void invalidate_code(uint32_t addr, uint64_t size);
  // True if every byte of [addr, addr+size) has all bits of `perms`.
  bool is_accessible(uint32_t addr, uint64_t size, uint8_t perms) const;

  // Give the backing of [addr, addr+size) back to the host; it reads as zero
  // afterwards (through every alias). Page-granular.
  void discard(uint32_t addr, uint64_t size);

  // Called with the guest address of a kCodeCached page when the guest
  // stores into it; the page's kCodeCached bit is cleared before the call.
  void set_code_write_hook(std::function<void(uint32_t page_addr)> hook) {
    code_write_hook_ = std::move(hook);
  }
  void mark_code_page(uint32_t addr) { perms_[addr >> kPageShift] |= kCodeCached; }

  // ---- memory-mapped I/O ----
  // Routes every guest access to [base, base+size) (page-aligned) to
  // `handler` (not owned; must outlive the mapping or be unmapped). The
  // pages lose their RAM protection and get kMmio; ordinary accesses are
  // unaffected (their fast path never looks at the region table).
  void map_mmio(uint32_t base, uint32_t size, MmioHandler* handler, const char* name);
  // Removes the region at `base` (only if its handler is `handler`, when
  // given); its pages become inaccessible.
  void unmap_mmio(uint32_t base, const MmioHandler* handler = nullptr);
  bool is_mmio(uint32_t addr) const { return perms_[addr >> kPageShift] & kMmio; }
  // The slow path's MMIO dispatch, for code generators that saw kMmio on a
  // page: an access that straddles a region's end or hits no region faults.
  uint64_t mmio_read(uint32_t addr, uint32_t size) const;
  void mmio_write(uint32_t addr, uint32_t size, uint64_t value);

  // Checked big-endian accesses. Throw GuestFault on a protection violation;
  // MMIO pages go to their handler.
  template <typename T>
  T read(uint32_t addr) const {
    if (!fast_ok(addr, sizeof(T), kProtRead)) [[unlikely]] {
      if (is_mmio(addr)) return static_cast<T>(mmio_read(addr, sizeof(T)));
      check_slow(addr, sizeof(T), AccessKind::kRead);
    }
    return load_be<T>(base_ + addr);
  }
  template <typename T>
  void write(uint32_t addr, T value) {
    if (!fast_write_ok(addr, sizeof(T))) [[unlikely]] {
      if (is_mmio(addr)) return mmio_write(addr, sizeof(T), static_cast<uint64_t>(value));
      write_slow(addr, sizeof(T));
    }
    store_be<T>(base_ + addr, value);
  }
  uint8_t read8(uint32_t a) const { return read<uint8_t>(a); }
  uint16_t read16(uint32_t a) const { return read<uint16_t>(a); }
  uint32_t read32(uint32_t a) const { return read<uint32_t>(a); }
  uint64_t read64(uint32_t a) const { return read<uint64_t>(a); }
  void write8(uint32_t a, uint8_t v) { write<uint8_t>(a, v); }
  void write16(uint32_t a, uint16_t v) { write<uint16_t>(a, v); }
  void write32(uint32_t a, uint32_t v) { write<uint32_t>(a, v); }
  void write64(uint32_t a, uint64_t v) { write<uint64_t>(a, v); }

  // Instruction fetch: needs kProtExec.
  uint32_t fetch32(uint32_t addr) const {
    if (!fast_ok(addr, 4, kProtExec)) check_slow(addr, 4, AccessKind::kExecute);
    return load_be32(base_ + addr);
  }

  // Checked byte-range copies (no byte swapping).
  void read_bytes(uint32_t addr, void* out, uint64_t size) const;
  void write_bytes(uint32_t addr, const void* in, uint64_t size);
  void fill(uint32_t addr, uint8_t value, uint64_t size);
  // Checked host pointer for a whole range (for bulk access by the kernel).
  uint8_t* checked_ptr(uint32_t addr, uint64_t size, AccessKind kind);
  // Reads a NUL-terminated guest string of at most max_len bytes.
  std::string read_cstring(uint32_t addr, size_t max_len = 4096) const;

 private:
  bool fast_ok(uint32_t addr, uint32_t size, uint8_t need) const {
    // Accesses within one page take one lookup; a page-crossing one takes
    // the slow path, which checks both pages.
    return (addr & (kPageSize - 1)) <= kPageSize - size && (perms_[addr >> kPageShift] & need);
  }
  bool fast_write_ok(uint32_t addr, uint32_t size) const {
    return (addr & (kPageSize - 1)) <= kPageSize - size &&
           (perms_[addr >> kPageShift] & (kProtWrite | kCodeCached)) == kProtWrite;
  }
  void check_slow(uint32_t addr, uint64_t size, AccessKind kind) const;
  void write_slow(uint32_t addr, uint64_t size);
  void map_view(uint32_t guest_addr, uint64_t size, uint64_t backing_offset);

  struct MmioRegion {
    uint32_t base;
    uint32_t size;
    MmioHandler* handler;
    const char* name;
  };
  const MmioRegion* find_mmio(uint32_t addr, uint32_t size) const;

  uint8_t* base_ = nullptr;
  int backing_fd_ = -1;
  std::vector<MmioRegion> mmio_;  // a handful of register pages, sorted by base
  std::unique_ptr<uint8_t[]> perms_;
  std::function<void(uint32_t)> code_write_hook_;
};

}  // namespace xdet
