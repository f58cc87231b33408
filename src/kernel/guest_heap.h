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

// A thread stack: [64 KB guard][stack][64 KB guard], stack filled with 0xBE.
struct StackRange {
  uint32_t allocation = 0;  // start of the whole region (low guard)
  uint32_t limit = 0;       // lowest usable byte
  uint32_t base = 0;        // one past the highest usable byte (initial r1 before the 176-byte adjust)
  bool valid() const { return allocation != 0; }
};

class StackAllocator {
 public:
  virtual ~StackAllocator() = default;
  // `size` is already rounded to 4 KB and >= 16 KB. Invalid range if no space.
  virtual StackRange allocate_stack(uint32_t size) = 0;
  virtual void release_stack(const StackRange& stack) = 0;
};

// Stacks carved from a RangeHeap (tests, and until a memory map is given).
class RangeStackAllocator final : public StackAllocator {
 public:
  RangeStackAllocator(GuestMemory& mem, uint32_t base, uint32_t size) : mem_(mem), heap_(mem, base, size) {}
  StackRange allocate_stack(uint32_t size) override;
  void release_stack(const StackRange& stack) override { heap_.release(stack.allocation); }

 private:
  GuestMemory& mem_;
  RangeHeap heap_;
};

}  // namespace xdet::kernel
