#pragma once
// Guest memory allocation as the kernel needs it (kernel objects, KTHREAD,
// KPCR, TLS blocks, stacks).
//
// GuestAllocator is the seam to the memory layer's heaps: once the loader
// branch's heaps land, an adapter implements this interface over them.
// RangeHeap is a small deterministic first-fit allocator over one guest
// range that commits pages (RW) in the software protection table as it
// hands them out; the kernel uses it for its system pool and the stack
// region until then, and tests use it directly.
#include <cstdint>
#include <map>

#include "memory/guest_memory.h"

namespace xdet::kernel {

class GuestAllocator {
 public:
  virtual ~GuestAllocator() = default;
  // Returns 0 when out of space. Memory is zero-filled and readable/writable.
  virtual uint32_t allocate(uint32_t size, uint32_t alignment) = 0;
  virtual void release(uint32_t address) = 0;
};

class RangeHeap final : public GuestAllocator {
 public:
  RangeHeap(GuestMemory& mem, uint32_t base, uint32_t size);
  uint32_t allocate(uint32_t size, uint32_t alignment) override;
  void release(uint32_t address) override;
  // Bytes currently allocated (for tests / reports).
  uint64_t used() const { return used_; }

 private:
  GuestMemory& mem_;
  uint32_t base_;
  uint64_t end_;
  std::map<uint32_t, uint32_t> free_;   // address -> size, coalesced
  std::map<uint32_t, uint32_t> live_;   // address -> size
  uint64_t used_ = 0;
};

}  // namespace xdet::kernel
