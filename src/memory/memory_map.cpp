#include "memory/memory_map.h"

#include <cstring>
#include <vector>

namespace xdet {

namespace {
uint32_t round_up32(uint32_t v, uint32_t a) { return static_cast<uint32_t>((uint64_t{v} + a - 1) / a * a); }

constexpr uint32_t kRW = kMemProtRead | kMemProtWrite;
}  // namespace

MemoryMap::MemoryMap(GuestMemory& memory) : memory_(memory) {
  physical_ = std::make_unique<Heap>(nullptr, "physical", HeapKind::kPhysicalParent, 0, kPhysicalRamSize, 0x1000);
  heaps_[kV0] = std::make_unique<Heap>(&memory_, "v00000000", HeapKind::kVirtual, 0x00000000, 0x40000000, 0x1000);
  heaps_[kV4] = std::make_unique<Heap>(&memory_, "v40000000", HeapKind::kVirtual, 0x40000000, 0x3F000000, 0x10000);
  heaps_[kV8] = std::make_unique<Heap>(&memory_, "v80000000", HeapKind::kXex, 0x80000000, 0x10000000, 0x10000);
  heaps_[kV9] = std::make_unique<Heap>(&memory_, "v90000000", HeapKind::kXex, 0x90000000, 0x10000000, 0x1000);
  heaps_[kVA] = std::make_unique<Heap>(&memory_, "vA0000000", HeapKind::kPhysical, 0xA0000000, 0x20000000, 0x10000,
                                       physical_.get(), 0);
  heaps_[kVC] = std::make_unique<Heap>(&memory_, "vC0000000", HeapKind::kPhysical, 0xC0000000, 0x20000000,
                                       0x1000000, physical_.get(), 0);
  // The 4 KB physical view sits 0x1000 bytes into physical memory.
  heaps_[kVE] = std::make_unique<Heap>(&memory_, "vE0000000", HeapKind::kPhysical, 0xE0000000, 0x1FD00000, 0x1000,
                                       physical_.get(), 0x1000);

  // Start-up allocations (memory-map.md §4), in xenia's order.
  heaps_[kV0]->alloc_fixed(0x00000000, 0x10000, 0x10000, kAllocReserve | kAllocCommit, 0);  // NULL guard
  physical_->alloc_fixed(0x1FFF0000, 0x10000, 0x10000, kAllocReserve, 0);                   // top guard
  heaps_[kVC]->alloc_fixed(0xC0000000, 0x01000000, 32, kAllocReserve | kAllocCommit, kRW);  // GPU writeback
  uint32_t unknown_reserve = 0;
  heaps_[kVA]->alloc(kStartupReserveSize, 0x10000, kAllocReserve, 0, true, &unknown_reserve);

  // The 0x7F000000 window has no heap; it shows physical 0-16 MB, which the
  // GPU writeback allocation holds committed read/write. The GPU and XMA
  // register blocks inside it never read RAM: inaccessible here, and the
  // kernel maps the GPU's MMIO handler over its page.
  memory_.update_protection(kGpuWritebackWindow, 0x01000000, guest_perms_for(kRW));
  memory_.update_protection(kGpuMmioBase, 0x10000, 0);
  memory_.update_protection(kXmaMmioBase, 0x10000, 0);
}

Heap* MemoryMap::lookup_heap(uint32_t addr) {
  return const_cast<Heap*>(static_cast<const MemoryMap*>(this)->lookup_heap(addr));
}

const Heap* MemoryMap::lookup_heap(uint32_t addr) const {
  if (addr < 0x40000000) return heaps_[kV0].get();
  if (addr < 0x7F000000) return heaps_[kV4].get();
  if (addr < 0x80000000) return nullptr;
  if (addr < 0x90000000) return heaps_[kV8].get();
  if (addr < 0xA0000000) return heaps_[kV9].get();
  if (addr < 0xC0000000) return heaps_[kVA].get();
  if (addr < 0xE0000000) return heaps_[kVC].get();
  if (addr < kNoHeapTop) return heaps_[kVE].get();
  return nullptr;
}

uint32_t MemoryMap::allocate_kernel_trampolines() {
  uint32_t address = 0;
  if (!heaps_[kV8]->alloc_range(kTrampolineRangeBegin, kTrampolineRangeEnd - 1, kTrampolineSlots * 8, 0x10000,
                                kAllocReserve | kAllocCommit, kMemProtRead, false, &address))
    return 0;
  return address;
}

Heap* MemoryMap::image_heap(uint32_t base) {
  Heap* h = lookup_heap(base);
  return h && h->kind() == HeapKind::kXex ? h : nullptr;
}

uint32_t MemoryMap::allocate_virtual(uint32_t* base, uint32_t* size, uint32_t alloc_type, uint32_t protect) {
  if (!base || !size || *size == 0) return kStatusInvalidParameter;
  if (!(alloc_type & (xdk::kMemCommit | xdk::kMemReserve | xdk::kMemReset))) return kStatusInvalidParameter;
  if ((alloc_type & xdk::kMemReset) && (alloc_type & ~xdk::kMemReset)) return kStatusInvalidParameter;
  // Execute bits only draw a warning in xenia; they map to R/RW here.

  Heap* heap;
  uint32_t page_size;
  if (*base != 0) {
    heap = lookup_heap(*base);
    if (!heap || heap->kind() != HeapKind::kVirtual) return kStatusInvalidParameter;
    page_size = heap->page_size();
  } else {
    page_size = (alloc_type & xdk::kMemLargePages) ? 0x10000 : 0x1000;
    heap = heaps_[page_size == 0x1000 ? kV0 : kV4].get();
  }
  // The size is a signed value; a negative one means its absolute value.
  int32_t signed_size = static_cast<int32_t>(*size);
  uint32_t region = signed_size < 0 ? static_cast<uint32_t>(-static_cast<int64_t>(signed_size)) : *size;
  uint32_t adjusted = round_up32(region, page_size);
  if (adjusted == 0) return kStatusNoMemory;

  if (alloc_type & xdk::kMemReset) {
    // MEM_RESET: the contents may be discarded; keeping them is a valid
    // implementation. The range must be committed.
    uint32_t start = *base & ~(page_size - 1);
    for (uint64_t a = start; a < uint64_t{start} + adjusted; a += page_size) {
      if (!heap->is_committed(static_cast<uint32_t>(a))) return kStatusInvalidParameter;
    }
    *base = start;
    *size = adjusted;
    return kStatusSuccess;
  }

  uint32_t type = 0;
  if (alloc_type & xdk::kMemReserve) type |= kAllocReserve;
  if (alloc_type & xdk::kMemCommit) type |= kAllocCommit;
  uint32_t internal_protect = protect_from_xdk(protect);

  uint32_t address = 0;
  std::vector<bool> was_committed;
  if (*base != 0) {
    address = *base & ~(page_size - 1);
    if (uint64_t{address} + adjusted > uint64_t{heap->base()} + heap->size()) return kStatusNoMemory;
    was_committed.resize(adjusted / page_size);
    for (uint32_t i = 0; i < was_committed.size(); ++i)
      was_committed[i] = heap->is_committed(address + i * page_size);
    if (!heap->alloc_fixed(address, adjusted, page_size, type, internal_protect)) return kStatusNoMemory;
  } else {
    bool top_down = alloc_type & xdk::kMemTopDown;
    if (!heap->alloc(adjusted, page_size, type, internal_protect, top_down, &address)) return kStatusNoMemory;
  }

  if ((alloc_type & xdk::kMemCommit) && !(alloc_type & xdk::kMemNoZero)) {
    // Zero the pages that were not committed before this call; re-committed
    // pages keep their contents.
    uint32_t pages = adjusted / page_size;
    uint32_t i = 0;
    while (i < pages) {
      if (!was_committed.empty() && was_committed[i]) {
        ++i;
        continue;
      }
      uint32_t j = i;
      while (j < pages && (was_committed.empty() || !was_committed[j])) ++j;
      memory_.invalidate_code(address + i * page_size, uint64_t{j - i} * page_size);
      memory_.discard(address + i * page_size, uint64_t{j - i} * page_size);
      i = j;
    }
  }
  *base = address;
  *size = adjusted;
  return kStatusSuccess;
}

uint32_t MemoryMap::free_virtual(uint32_t* base, uint32_t* size, uint32_t free_type) {
  if (!base || !size) return kStatusInvalidParameter;
  if (*base == 0) return kStatusMemoryNotAllocated;
  Heap* heap = lookup_heap(*base);
  if (!heap || heap->kind() != HeapKind::kVirtual) return kStatusInvalidParameter;
  uint32_t region = *size;
  bool ok;
  if (free_type == xdk::kMemDecommit) {
    region = round_up32(region, heap->page_size());
    ok = region != 0 && heap->decommit(*base, region);
  } else {
    ok = heap->release(*base, &region);
  }
  if (!ok) return kStatusUnsuccessful;
  *size = region;
  return kStatusSuccess;
}

uint32_t MemoryMap::protect_virtual(uint32_t* base, uint32_t* size, uint32_t protect, uint32_t* old_protect) {
  if (!base || !size) return kStatusInvalidParameter;
  if (protect & xdk::kPageExecuteAny) return kStatusAccessDenied;
  Heap* heap = lookup_heap(*base);
  if (!heap || heap->kind() != HeapKind::kVirtual) return kStatusInvalidParameter;
  uint32_t adjusted_base = *base & ~(heap->page_size() - 1);
  uint32_t adjusted_size = round_up32(*size, heap->page_size());
  uint32_t old = 0;
  if (!heap->protect(adjusted_base, adjusted_size, protect_from_xdk(protect), &old)) return kStatusAccessDenied;
  *base = adjusted_base;
  *size = adjusted_size;
  if (old_protect) *old_protect = protect_to_xdk(old);
  return kStatusSuccess;
}

uint32_t MemoryMap::query_virtual(uint32_t address, MemoryBasicInformation* out) const {
  const Heap* heap = lookup_heap(address);
  HeapRegionInfo info;
  if (!heap || !heap->query_region_info(address, &info)) return kStatusInvalidParameter;
  out->base_address = info.base_address;
  out->allocation_base = info.allocation_base;
  out->allocation_protect = protect_to_xdk(info.allocation_protect);
  out->region_size = info.region_size;
  out->state = info.state;
  out->protect = protect_to_xdk(info.protect);
  out->type = xdk::kMemPrivate;
  return kStatusSuccess;
}

uint32_t MemoryMap::allocate_physical(uint32_t size, uint32_t protect, uint32_t min_physical, uint32_t max_physical,
                                      uint32_t alignment) {
  if (!(protect & (xdk::kPageReadOnly | xdk::kPageReadWrite))) return 0;
  if (size == 0) return 0;
  HeapId id = kVE;
  if (protect & xdk::kMemLargePages) id = kVA;
  else if (protect & xdk::kMem16MbPages) id = kVC;
  Heap& heap = *heaps_[id];
  uint32_t address = 0;
  if (!heap.alloc_physical_range(min_physical, max_physical, size, alignment, kAllocReserve | kAllocCommit,
                                 protect_from_xdk(protect), &address))
    return 0;
  return address;
}

bool MemoryMap::free_physical(uint32_t address) {
  Heap* heap = lookup_heap(address);
  if (!heap || heap->kind() != HeapKind::kPhysical) return false;
  return heap->release(address);
}

uint32_t MemoryMap::physical_address(uint32_t address) const {
  const Heap* heap = lookup_heap(address);
  if (!heap || heap->kind() != HeapKind::kPhysical) return 0;
  return heap->to_physical(address);
}

uint32_t MemoryMap::virtual_address(uint32_t physical, HeapId view) const {
  if (view != kVA && view != kVC && view != kVE) return 0;
  const Heap& heap = *heaps_[view];
  uint32_t lo = heap.to_physical(heap.base());
  uint64_t hi = uint64_t{lo} + heap.size();
  if (physical < lo || physical >= hi) return 0;
  return heap.from_physical(physical);
}

uint32_t MemoryMap::query_address_protect(uint32_t address) const {
  const Heap* heap = lookup_heap(address);
  uint32_t p = 0;
  if (!heap || !heap->query_protect(address, &p) || p == 0) return 0;
  return protect_to_xdk(p);
}

bool MemoryMap::set_address_protect(uint32_t address, uint32_t size, uint32_t protect) {
  if (protect == 0) return false;
  Heap* heap = lookup_heap(address);
  return heap && heap->protect(address, size, protect_from_xdk(protect));
}

uint32_t MemoryMap::query_allocation_size(uint32_t address) const {
  const Heap* heap = lookup_heap(address);
  uint32_t size = 0;
  if (!heap || !heap->query_size(address, &size)) return 0;
  return size;
}

uint32_t MemoryMap::system_alloc(uint32_t size, uint32_t alignment, bool physical) {
  Heap& heap = *heaps_[physical ? kVE : kV0];
  uint32_t address = 0;
  if (size == 0 || !heap.alloc(size, alignment, kAllocReserve | kAllocCommit, kRW, false, &address)) return 0;
  uint32_t rounded = round_up32(size, heap.page_size());
  memory_.invalidate_code(address, rounded);
  memory_.discard(address, rounded);
  return address;
}

bool MemoryMap::system_free(uint32_t address) {
  Heap* heap = lookup_heap(address);
  return heap && (heap == heaps_[kV0].get() || heap == heaps_[kVE].get()) && heap->release(address);
}

ThreadStack MemoryMap::allocate_thread_stack(uint32_t stack_size) {
  ThreadStack s;
  uint32_t size = round_up32(stack_size == 0 ? 0x10000 : stack_size, 0x10000);
  if (size == 0) return s;
  uint64_t total = uint64_t{size} + 2 * kStackGuardSize;
  if (total > 0xFFFFFFFFull) return s;
  Heap& heap = *heaps_[kV4];
  uint32_t address = 0;
  if (!heap.alloc_range(kStackRangeBegin, kStackRangeEnd - 1, static_cast<uint32_t>(total), 0x10000,
                        kAllocReserve | kAllocCommit, kRW, false, &address))
    return s;
  s.allocation_base = address;
  s.allocation_size = static_cast<uint32_t>(total);
  s.limit = address + kStackGuardSize;
  s.base = s.limit + size;
  memory_.invalidate_code(s.limit, size);
  std::memset(memory_.translate(s.limit), 0xBE, size);
  heap.protect(address, kStackGuardSize, 0);
  heap.protect(s.base, kStackGuardSize, 0);
  return s;
}

bool MemoryMap::free_thread_stack(const ThreadStack& stack) {
  return stack.valid() && heaps_[kV4]->release(stack.allocation_base);
}

uint32_t MemoryMap::create_kernel_stack(uint32_t size) {
  uint32_t rounded = round_up32(size, 0x1000);
  if (rounded == 0) return 0;
  uint32_t alignment = (rounded & 0xF000) ? 0x1000 : 0x10000;
  uint32_t address = 0;
  if (!heaps_[kV4]->alloc_range(kStackRangeBegin, kStackRangeEnd - 1, rounded, alignment,
                                kAllocReserve | kAllocCommit, kRW, false, &address))
    return 0;
  return address + rounded;
}

bool MemoryMap::delete_kernel_stack(uint32_t /*top*/, uint32_t bottom) { return heaps_[kV4]->release(bottom); }

}  // namespace xdet
