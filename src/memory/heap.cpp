#include "memory/heap.h"

#include <algorithm>
#include <bit>

namespace xdet {

uint8_t guest_perms_for(uint32_t p) {
  uint8_t perms = 0;
  if (p & kMemProtRead) perms |= GuestMemory::kProtRead | GuestMemory::kProtExec;
  if (p & kMemProtWrite) perms |= GuestMemory::kProtWrite;
  return perms;
}

namespace {
uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

Heap::Heap(GuestMemory* memory, std::string name, HeapKind kind, uint32_t base, uint64_t size, uint32_t page_size,
           Heap* parent, uint32_t physical_offset)
    : memory_(memory),
      name_(std::move(name)),
      kind_(kind),
      base_(base),
      size_(size),
      page_size_(page_size),
      page_shift_(static_cast<uint32_t>(std::countr_zero(page_size))),
      parent_(parent),
      physical_offset_(physical_offset),
      pages_(static_cast<size_t>(size / page_size)) {}

bool Heap::find_free_run(uint32_t low_page, uint32_t high_page, uint32_t page_count, uint32_t alignment,
                         bool top_down, uint32_t* out_page) const {
  if (page_count == 0 || high_page >= pages_.size() || low_page > high_page) return false;
  if (uint64_t{high_page} - low_page + 1 < page_count) return false;
  // Candidates are pages whose guest address is a multiple of `alignment`.
  auto aligned_up = [&](uint64_t page) -> uint64_t {
    uint64_t addr = uint64_t{base_} + page * page_size_;
    return (round_up(addr, alignment) - base_) / page_size_;
  };
  auto aligned_down = [&](int64_t page) -> int64_t {
    if (page < 0) return -1;
    uint64_t addr = uint64_t{base_} + uint64_t(page) * page_size_;
    uint64_t down = addr / alignment * alignment;
    if (down < base_) return -1;
    return static_cast<int64_t>((down - base_) / page_size_);
  };
  if (!top_down) {
    uint64_t start = aligned_up(low_page);
    while (start + page_count - 1 <= high_page) {
      uint64_t blocker = 0;
      bool ok = true;
      for (uint64_t p = start; p < start + page_count; ++p) {
        if (pages_[p].state) {
          ok = false;
          blocker = p;
          break;
        }
      }
      if (ok) {
        *out_page = static_cast<uint32_t>(start);
        return true;
      }
      start = aligned_up(blocker + 1);
    }
    return false;
  }
  int64_t start = aligned_down(int64_t{high_page} - page_count + 1);
  while (start >= static_cast<int64_t>(low_page)) {
    int64_t blocker = -1;
    for (int64_t p = start + page_count - 1; p >= start; --p) {
      if (pages_[p].state) {
        blocker = p;
        break;
      }
    }
    if (blocker < 0) {
      *out_page = static_cast<uint32_t>(start);
      return true;
    }
    start = aligned_down(blocker - static_cast<int64_t>(page_count));
  }
  return false;
}

bool Heap::alloc(uint32_t size, uint32_t alignment, uint32_t alloc_type, uint32_t protect, bool top_down,
                 uint32_t* out_address) {
  uint32_t high = static_cast<uint32_t>(uint64_t{base_} + size_ - 1);
  if (kind_ == HeapKind::kPhysical) {
    return alloc_physical_range(to_physical(base_), to_physical(high), size, alignment, alloc_type, protect,
                                out_address);
  }
  return alloc_range(base_, high, size, alignment, alloc_type, protect, top_down, out_address);
}

bool Heap::alloc_range(uint32_t low, uint32_t high, uint32_t size, uint32_t alignment, uint32_t alloc_type,
                       uint32_t protect, bool top_down, uint32_t* out_address) {
  if (kind_ == HeapKind::kPhysical) {
    low = std::max(low, base_);
    high = static_cast<uint32_t>(std::min<uint64_t>(high, uint64_t{base_} + size_ - 1));
    if (low > high) return false;
    return alloc_physical_range(to_physical(low), to_physical(high), size, alignment, alloc_type, protect,
                                out_address);
  }
  if (size == 0) return false;
  uint64_t alloc_size = round_up(size, page_size_);
  uint64_t align = round_up(std::max<uint32_t>(alignment, 1), page_size_);
  if (alloc_size > size_) return false;
  low = std::max(low, base_);
  uint64_t heap_last = uint64_t{base_} + size_ - 1;
  if (uint64_t{high} > heap_last) high = static_cast<uint32_t>(heap_last);
  if (low > high) return false;
  uint32_t low_page = static_cast<uint32_t>((round_up(low - base_, page_size_)) >> page_shift_);
  uint32_t high_page = static_cast<uint32_t>(((uint64_t{high} - base_ + 1) >> page_shift_));
  if (high_page == 0) return false;
  high_page -= 1;  // last whole page inside [low, high]
  uint32_t page_count = static_cast<uint32_t>(alloc_size >> page_shift_);
  uint32_t start_page;
  if (!find_free_run(low_page, high_page, page_count, static_cast<uint32_t>(std::min<uint64_t>(align, 1ull << 31)),
                     top_down, &start_page))
    return false;
  if (!alloc_pages(start_page, page_count, alloc_type | kAllocReserve, protect)) return false;
  *out_address = page_addr(start_page);
  return true;
}

bool Heap::alloc_physical_range(uint32_t phys_low, uint32_t phys_high, uint32_t size, uint32_t alignment,
                                uint32_t alloc_type, uint32_t protect, uint32_t* out_address) {
  if (kind_ != HeapKind::kPhysical || !parent_ || size == 0) return false;
  // Clamp the physical bounds to what this view can address.
  uint32_t view_low = to_physical(base_);
  uint32_t view_high = to_physical(static_cast<uint32_t>(uint64_t{base_} + size_ - 1));
  phys_low = std::max(phys_low, view_low);
  phys_high = std::min(phys_high, view_high);
  if (phys_low > phys_high) return false;
  uint32_t alloc_size = static_cast<uint32_t>(round_up(size, page_size_));
  uint32_t align = static_cast<uint32_t>(round_up(std::max<uint32_t>(alignment, 1), page_size_));
  // Physical views always allocate top-down so they grow away from the
  // bottom-up allocations of other users of the parent table.
  uint32_t phys;
  if (!parent_->alloc_range(phys_low, phys_high, alloc_size, align, alloc_type, protect, true, &phys)) return false;
  uint32_t virt = from_physical(phys);
  uint32_t start_page = (virt - base_) >> page_shift_;
  if (!alloc_pages(start_page, alloc_size >> page_shift_, alloc_type | kAllocReserve, protect)) {
    parent_->release(phys);
    return false;
  }
  *out_address = virt;
  return true;
}

bool Heap::alloc_fixed(uint32_t address, uint32_t size, uint32_t alignment, uint32_t alloc_type, uint32_t protect) {
  if (size == 0 || !contains(address)) return false;
  uint64_t align = round_up(std::max<uint32_t>(alignment, 1), page_size_);
  uint64_t alloc_size = round_up(size, align);
  uint64_t start = address & ~uint64_t(page_size_ - 1);
  if (start + alloc_size > uint64_t{base_} + size_) return false;
  uint32_t start_page = static_cast<uint32_t>((start - base_) >> page_shift_);
  uint32_t page_count = static_cast<uint32_t>(alloc_size >> page_shift_);
  if (kind_ == HeapKind::kPhysical && parent_) {
    uint32_t phys = to_physical(static_cast<uint32_t>(start));
    // Probe the local table first so a failure leaves the parent untouched.
    if (alloc_type == kAllocReserve) {
      for (uint32_t p = start_page; p < start_page + page_count; ++p)
        if (pages_[p].state) return false;
    }
    // Physical pages are owned by one view at a time: a reservation must find
    // them free in the parent table.
    if ((alloc_type & kAllocReserve) && !parent_->is_free(phys, static_cast<uint32_t>(alloc_size))) return false;
    if (!parent_->alloc_fixed(phys, static_cast<uint32_t>(alloc_size), page_size_, alloc_type, protect))
      return false;
  }
  return alloc_pages(start_page, page_count, alloc_type, protect);
}

bool Heap::alloc_pages(uint32_t start_page, uint32_t page_count, uint32_t alloc_type, uint32_t protect) {
  if (uint64_t{start_page} + page_count > pages_.size()) return false;
  for (uint32_t p = start_page; p < start_page + page_count; ++p) {
    uint8_t state = pages_[p].state;
    if (alloc_type == kAllocReserve && state) return false;  // already reserved
    if (alloc_type == kAllocCommit && !(state & kStateReserved)) {
      alloc_type |= kAllocReserve;  // committing unreserved pages reserves them
      break;
    }
  }
  for (uint32_t p = start_page; p < start_page + page_count; ++p) {
    PageEntry& e = pages_[p];
    if (alloc_type & kAllocReserve) {
      e.base_page = start_page;
      e.region_page_count = page_count;
    }
    e.allocation_protect = static_cast<uint8_t>(protect);
    e.current_protect = static_cast<uint8_t>(protect);
    e.state = static_cast<uint8_t>(e.state | kStateReserved | ((alloc_type & kAllocCommit) ? kStateCommitted : 0));
  }
  apply_guest_protection(start_page, page_count);
  return true;
}

bool Heap::decommit(uint32_t address, uint32_t size) {
  if (!contains(address) || size == 0) return false;
  uint64_t start = address & ~uint64_t(page_size_ - 1);
  uint64_t end = std::min<uint64_t>(round_up(uint64_t{address} + size, page_size_), uint64_t{base_} + size_);
  uint32_t start_page = static_cast<uint32_t>((start - base_) >> page_shift_);
  uint32_t page_count = static_cast<uint32_t>((end - start) >> page_shift_);
  if (kind_ == HeapKind::kPhysical && parent_) parent_->decommit(to_physical(static_cast<uint32_t>(start)),
                                                                  static_cast<uint32_t>(end - start));
  for (uint32_t p = start_page; p < start_page + page_count; ++p) {
    pages_[p].state = static_cast<uint8_t>(pages_[p].state & ~kStateCommitted);
  }
  apply_guest_protection(start_page, page_count);
  return true;
}

bool Heap::release(uint32_t address, uint32_t* out_region_size) {
  if (!contains(address)) return false;
  uint32_t page = (address - base_) >> page_shift_;
  const PageEntry e = pages_[page];
  if (!e.state || e.base_page != page) return false;  // must be the start of an allocated region
  if (base_ == 0 && page == 0) return false;            // the NULL guard is never freed
  if (kind_ == HeapKind::kPhysical && parent_) {
    if (!parent_->release(to_physical(address))) return false;
  }
  if (out_region_size) *out_region_size = e.region_page_count * page_size_;
  for (uint32_t p = page; p < page + e.region_page_count; ++p) pages_[p] = PageEntry{};
  apply_guest_protection(page, e.region_page_count);
  return true;
}

bool Heap::protect(uint32_t address, uint32_t size, uint32_t protect, uint32_t* out_old_protect) {
  if (!contains(address) || size == 0) return false;
  uint64_t start = address & ~uint64_t(page_size_ - 1);
  uint64_t end = round_up(uint64_t{address} + size, page_size_);
  if (end > uint64_t{base_} + size_) return false;
  uint32_t start_page = static_cast<uint32_t>((start - base_) >> page_shift_);
  uint32_t page_count = static_cast<uint32_t>((end - start) >> page_shift_);
  const uint32_t region = pages_[start_page].base_page;
  for (uint32_t p = start_page; p < start_page + page_count; ++p) {
    if (pages_[p].base_page != region || !(pages_[p].state & kStateCommitted)) return false;
  }
  if (kind_ == HeapKind::kPhysical && parent_) {
    parent_->protect(to_physical(static_cast<uint32_t>(start)), static_cast<uint32_t>(end - start), protect);
  }
  if (out_old_protect) *out_old_protect = pages_[start_page].current_protect;
  for (uint32_t p = start_page; p < start_page + page_count; ++p) {
    pages_[p].current_protect = static_cast<uint8_t>(protect);
  }
  apply_guest_protection(start_page, page_count);
  return true;
}

bool Heap::query_region_info(uint32_t address, HeapRegionInfo* out) const {
  if (!contains(address)) return false;
  uint32_t start_page = (address - base_) >> page_shift_;
  const PageEntry& s = pages_[start_page];
  *out = HeapRegionInfo{};
  out->base_address = page_addr(start_page);
  if (s.state) {
    out->allocation_base = page_addr(s.base_page);
    out->allocation_protect = s.allocation_protect;
    out->state = (s.state & kStateCommitted) ? xdk::kMemCommit : xdk::kMemReserve;
    out->protect = s.current_protect;
    uint64_t region_end = std::min<uint64_t>(uint64_t{s.base_page} + s.region_page_count, pages_.size());
    uint64_t size = 0;
    for (uint64_t p = start_page; p < region_end; ++p) {
      const PageEntry& e = pages_[p];
      if (e.base_page != s.base_page || e.state != s.state || e.current_protect != s.current_protect) break;
      size += page_size_;
    }
    out->region_size = static_cast<uint32_t>(size);
  } else {
    out->state = xdk::kMemFree;
    uint64_t size = 0;
    for (uint64_t p = start_page; p < pages_.size() && !pages_[p].state; ++p) size += page_size_;
    out->region_size = static_cast<uint32_t>(std::min<uint64_t>(size, 0xFFFFFFFFull & ~uint64_t(page_size_ - 1)));
  }
  return true;
}

bool Heap::query_size(uint32_t address, uint32_t* out_size) const {
  if (!contains(address)) return false;
  const PageEntry& e = pages_[(address - base_) >> page_shift_];
  if (!e.state) return false;
  *out_size = e.region_page_count * page_size_;
  return true;
}

bool Heap::query_protect(uint32_t address, uint32_t* out_protect) const {
  if (!contains(address)) return false;
  const PageEntry& e = pages_[(address - base_) >> page_shift_];
  if (!(e.state & kStateCommitted)) return false;
  *out_protect = e.current_protect;
  return true;
}

bool Heap::is_free(uint32_t address, uint32_t size) const {
  if (!contains(address) || size == 0) return false;
  uint64_t end = uint64_t{address} + size;
  if (end > uint64_t{base_} + size_) return false;
  uint32_t first = (address - base_) >> page_shift_;
  uint32_t last = static_cast<uint32_t>((end - 1 - base_) >> page_shift_);
  for (uint32_t p = first; p <= last; ++p)
    if (pages_[p].state) return false;
  return true;
}

bool Heap::is_committed(uint32_t address) const {
  if (!contains(address)) return false;
  return pages_[(address - base_) >> page_shift_].state & kStateCommitted;
}

uint32_t Heap::used_page_count() const {
  uint32_t n = 0;
  for (const PageEntry& e : pages_) n += e.state ? 1 : 0;
  return n;
}

void Heap::reset() {
  if (kind_ == HeapKind::kPhysical && parent_) {
    for (uint32_t p = 0; p < pages_.size();) {
      if (pages_[p].state && pages_[p].base_page == p) {
        uint32_t count = pages_[p].region_page_count;
        parent_->release(to_physical(page_addr(p)));
        p += count;
      } else {
        ++p;
      }
    }
  }
  std::fill(pages_.begin(), pages_.end(), PageEntry{});
  if (memory_) memory_->update_protection(base_, size_, 0);
}

void Heap::apply_guest_protection(uint32_t start_page, uint32_t page_count) {
  if (!memory_) return;
  // Runs of pages with the same resulting permissions are applied at once.
  uint32_t p = start_page;
  const uint32_t end = start_page + page_count;
  while (p < end) {
    auto perms_of = [&](uint32_t q) -> uint8_t {
      const PageEntry& e = pages_[q];
      return (e.state & kStateCommitted) ? guest_perms_for(e.current_protect) : 0;
    };
    uint8_t perms = perms_of(p);
    uint32_t q = p + 1;
    while (q < end && perms_of(q) == perms) ++q;
    memory_->update_protection(page_addr(p), uint64_t{q - p} * page_size_, perms);
    p = q;
  }
}

}  // namespace xdet
