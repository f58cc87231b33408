#include "kernel/guest_heap.h"

namespace xdet::kernel {

RangeHeap::RangeHeap(GuestMemory& mem, uint32_t base, uint32_t size)
    : mem_(mem), base_(base), end_(static_cast<uint64_t>(base) + size) {
  free_[base] = size;
}

uint32_t RangeHeap::allocate(uint32_t size, uint32_t alignment) {
  if (size == 0) size = 1;
  if (alignment < 16) alignment = 16;
  size = (size + 15u) & ~15u;
  // First fit in address order: deterministic regardless of host.
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    uint64_t start = it->first;
    uint64_t aligned = (start + alignment - 1) & ~static_cast<uint64_t>(alignment - 1);
    uint64_t block_end = start + it->second;
    if (aligned + size > block_end) continue;
    uint32_t block_start = it->first;
    free_.erase(it);
    if (aligned > block_start) free_[block_start] = static_cast<uint32_t>(aligned - block_start);
    if (aligned + size < block_end) free_[static_cast<uint32_t>(aligned + size)] = static_cast<uint32_t>(block_end - aligned - size);
    uint32_t addr = static_cast<uint32_t>(aligned);
    live_[addr] = size;
    used_ += size;
    mem_.set_protection(addr & ~(GuestMemory::kPageSize - 1),
                        ((static_cast<uint64_t>(addr) + size + GuestMemory::kPageSize - 1) & ~static_cast<uint64_t>(GuestMemory::kPageSize - 1)) -
                            (addr & ~(GuestMemory::kPageSize - 1)),
                        GuestMemory::kProtRW);
    mem_.fill(addr, 0, size);
    return addr;
  }
  return 0;
}

void RangeHeap::release(uint32_t address) {
  auto it = live_.find(address);
  if (it == live_.end()) return;
  uint32_t size = it->second;
  live_.erase(it);
  used_ -= size;
  auto [pos, inserted] = free_.emplace(address, size);
  // Coalesce with the following and preceding free blocks.
  auto next = std::next(pos);
  if (next != free_.end() && static_cast<uint64_t>(pos->first) + pos->second == next->first) {
    pos->second += next->second;
    free_.erase(next);
  }
  if (pos != free_.begin()) {
    auto prev = std::prev(pos);
    if (static_cast<uint64_t>(prev->first) + prev->second == pos->first) {
      prev->second += pos->second;
      free_.erase(pos);
    }
  }
  (void)inserted;
  (void)base_;
  (void)end_;
}

StackRange RangeStackAllocator::allocate_stack(uint32_t size) {
  constexpr uint32_t kGuard = 64 * 1024;
  uint32_t total = ((size + 0xFFFF) & ~0xFFFFu) + 2 * kGuard;
  StackRange r;
  uint32_t a = heap_.allocate(total, 64 * 1024);
  if (!a) return r;
  mem_.set_protection(a, kGuard, 0);
  mem_.set_protection(a + total - kGuard, kGuard, 0);
  r.allocation = a;
  r.limit = a + kGuard;
  r.base = a + total - kGuard;
  mem_.fill(r.limit, 0xBE, r.base - r.limit);
  return r;
}

}  // namespace xdet::kernel
