#pragma once
// One heap of the console memory map: a guest address range with a fixed
// page size and a page table (reserve/commit state, region, protection).
//
// Allocation is first-fit over the page table (bottom-up or top-down), so the
// same sequence of requests gives the same addresses on every run. Physical
// view heaps (0xA0000000, 0xC0000000, 0xE0000000) first take their pages from
// the shared physical parent table, then pin them at the matching virtual
// address, so a physical page can be owned by only one view at a time.
//
// The heap keeps GuestMemory's software protection table in step: committed
// pages get read/write(/fetch) per their protection; reserved and free pages
// are inaccessible. Contents are not touched (zero-fill is the caller's
// policy, see MemoryMap).
#include <cstdint>
#include <string>
#include <vector>

#include "memory/guest_memory.h"
#include "memory/xdk_memory.h"

namespace xdet {

enum class HeapKind : uint8_t {
  kVirtual,         // v00000000, v40000000
  kXex,             // v80000000, v90000000
  kPhysical,        // vA0000000, vC0000000, vE0000000
  kPhysicalParent,  // host-only table of the 512 MB of physical RAM
};

// MEMORY_BASIC_INFORMATION in the heap's terms (protects are internal bits;
// state is MEM_COMMIT / MEM_RESERVE / MEM_FREE).
struct HeapRegionInfo {
  uint32_t base_address = 0;
  uint32_t allocation_base = 0;
  uint32_t allocation_protect = 0;
  uint32_t region_size = 0;
  uint32_t state = 0;
  uint32_t protect = 0;
};

class Heap {
 public:
  // `memory` may be null for the physical parent (it has no guest view).
  // physical_offset: for physical views, physical = virtual - base + offset.
  Heap(GuestMemory* memory, std::string name, HeapKind kind, uint32_t base, uint64_t size, uint32_t page_size,
       Heap* parent = nullptr, uint32_t physical_offset = 0);

  const std::string& name() const { return name_; }
  HeapKind kind() const { return kind_; }
  uint32_t base() const { return base_; }
  uint64_t size() const { return size_; }
  uint32_t page_size() const { return page_size_; }
  uint32_t page_count() const { return static_cast<uint32_t>(pages_.size()); }
  bool contains(uint32_t addr) const { return addr >= base_ && uint64_t{addr} < uint64_t{base_} + size_; }

  // Allocates anywhere in the heap. size/alignment round up to the page size.
  // Physical views always allocate top-down. Returns false if no space.
  bool alloc(uint32_t size, uint32_t alignment, uint32_t alloc_type, uint32_t protect, bool top_down,
             uint32_t* out_address);
  // Allocates within [low, high] (addresses in this heap's space).
  bool alloc_range(uint32_t low, uint32_t high, uint32_t size, uint32_t alignment, uint32_t alloc_type,
                   uint32_t protect, bool top_down, uint32_t* out_address);
  // Physical views only: like alloc_range but the bounds are physical.
  bool alloc_physical_range(uint32_t phys_low, uint32_t phys_high, uint32_t size, uint32_t alignment,
                            uint32_t alloc_type, uint32_t protect, uint32_t* out_address);
  // Allocates at a fixed address (rounded down to the page). Reserving a
  // reserved page fails; committing an unreserved page reserves it too.
  bool alloc_fixed(uint32_t address, uint32_t size, uint32_t alignment, uint32_t alloc_type, uint32_t protect);
  // Clears the commit bit of the pages (contents are kept, as xenia).
  bool decommit(uint32_t address, uint32_t size);
  // `address` must be a region start; frees the whole region.
  bool release(uint32_t address, uint32_t* out_region_size = nullptr);
  // The range must lie in one region and be fully committed.
  bool protect(uint32_t address, uint32_t size, uint32_t protect, uint32_t* out_old_protect = nullptr);

  bool query_region_info(uint32_t address, HeapRegionInfo* out) const;
  bool query_size(uint32_t address, uint32_t* out_size) const;  // size of the containing region
  bool query_protect(uint32_t address, uint32_t* out_protect) const;  // current protect if committed
  bool is_committed(uint32_t address) const;
  // True if every page touching [address, address+size) is free.
  bool is_free(uint32_t address, uint32_t size) const;

  // Pages of this heap that are reserved or committed.
  uint32_t used_page_count() const;
  // Frees every page (the loader resets the image heap before mapping).
  void reset();

  // Physical views: virtual <-> physical.
  uint32_t to_physical(uint32_t virt) const { return virt - base_ + physical_offset_; }
  uint32_t from_physical(uint32_t phys) const { return phys - physical_offset_ + base_; }

 private:
  struct PageEntry {
    uint32_t base_page = 0;           // first page of the region (heap-relative)
    uint32_t region_page_count = 0;   // pages in the whole region
    uint8_t allocation_protect = 0;
    uint8_t current_protect = 0;
    uint8_t state = 0;                // bit0 reserved, bit1 committed
  };
  static constexpr uint8_t kStateReserved = 1;
  static constexpr uint8_t kStateCommitted = 2;

  bool find_free_run(uint32_t low_page, uint32_t high_page, uint32_t page_count, uint32_t page_alignment,
                     bool top_down, uint32_t* out_page) const;
  bool alloc_pages(uint32_t start_page, uint32_t page_count, uint32_t alloc_type, uint32_t protect);
  void apply_guest_protection(uint32_t start_page, uint32_t page_count);
  uint32_t page_addr(uint32_t page) const { return base_ + page * page_size_; }

  GuestMemory* memory_;
  std::string name_;
  HeapKind kind_;
  uint32_t base_;
  uint64_t size_;
  uint32_t page_size_;
  uint32_t page_shift_;
  Heap* parent_;
  uint32_t physical_offset_;
  std::vector<PageEntry> pages_;
};

// Software protection bits for a page with internal protect `p`.
uint8_t guest_perms_for(uint32_t internal_protect);

}  // namespace xdet
