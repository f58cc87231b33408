#pragma once
// The console memory map: every heap of the guest address space, the shared
// physical parent table, the start-up allocations, and the semantics of the
// kernel memory API (NtAllocateVirtualMemory & co.) on top of them.
//
// The kernel layer calls these with values it has read from guest memory and
// writes the results back itself; all statuses are NTSTATUS values
// (kStatus*). Facts: shared/spec/memory-map.md.
//
// Deterministic: every heap allocates first-fit from a page table, nothing
// depends on host addresses or time, so the same sequence of calls yields the
// same guest addresses on every run and machine.
#include <array>
#include <cstdint>
#include <memory>

#include "memory/guest_memory.h"
#include "memory/heap.h"
#include "memory/xdk_memory.h"

namespace xdet {

// MEMORY_BASIC_INFORMATION as the guest sees it (XDK PAGE_*/MEM_* values);
// NtQueryVirtualMemory stores these 7 words big-endian.
struct MemoryBasicInformation {
  uint32_t base_address = 0;
  uint32_t allocation_base = 0;
  uint32_t allocation_protect = 0;
  uint32_t region_size = 0;
  uint32_t state = 0;  // MEM_COMMIT, MEM_RESERVE or MEM_FREE
  uint32_t protect = 0;
  uint32_t type = 0;   // always MEM_PRIVATE
};

// A thread stack: [guard 64 KB][stack][guard 64 KB], one region.
struct ThreadStack {
  uint32_t allocation_base = 0;  // start of the region (low guard)
  uint32_t allocation_size = 0;
  uint32_t limit = 0;            // lowest usable byte (KTHREAD stack_limit)
  uint32_t base = 0;             // one past the highest usable byte (KTHREAD stack_base, initial r1)
  bool valid() const { return allocation_base != 0; }
};

class MemoryMap {
 public:
  // Address ranges (memory-map.md §1).
  static constexpr uint32_t kStackRangeBegin = 0x70000000;
  static constexpr uint32_t kStackRangeEnd = 0x7F000000;
  static constexpr uint32_t kGpuWritebackWindow = 0x7F000000;
  static constexpr uint32_t kGpuMmioBase = 0x7FC80000;
  static constexpr uint32_t kXmaMmioBase = 0x7FEA0000;
  static constexpr uint32_t kNoHeapTop = 0xFFD00000;
  static constexpr uint32_t kPhysicalRamSize = 0x20000000;
  static constexpr uint32_t kStackGuardSize = 0x10000;
  // Where the start-up reserve of 0x340000 bytes in vA lands (computed).
  static constexpr uint32_t kStartupReserveSize = 0x340000;

  enum HeapId : uint8_t { kV0, kV4, kV8, kV9, kVA, kVC, kVE, kHeapCount };

  // Builds the heaps and makes the start-up allocations (NULL guard, top
  // physical guard, GPU writeback, the vA reserve). `memory` must outlive
  // this object.
  explicit MemoryMap(GuestMemory& memory);

  GuestMemory& memory() { return memory_; }
  const GuestMemory& memory() const { return memory_; }
  Heap& heap(HeapId id) { return *heaps_[id]; }
  const Heap& heap(HeapId id) const { return *heaps_[id]; }
  Heap& physical_parent() { return *physical_; }
  const Heap& physical_parent() const { return *physical_; }

  // The heap containing `addr` by the console's lookup rule; null for the
  // 0x7F000000 window and >= 0xFFD00000.
  Heap* lookup_heap(uint32_t addr);
  const Heap* lookup_heap(uint32_t addr) const;

  // --- Kernel memory API semantics (memory-map.md §5, §6) ---
  // NtAllocateVirtualMemory: *base/*size are in/out (written only on success).
  uint32_t allocate_virtual(uint32_t* base, uint32_t* size, uint32_t alloc_type, uint32_t protect);
  // NtFreeVirtualMemory: MEM_DECOMMIT decommits the rounded range; anything
  // else releases the whole region at *base and returns its size in *size.
  uint32_t free_virtual(uint32_t* base, uint32_t* size, uint32_t free_type);
  // NtProtectVirtualMemory; *old_protect receives the XDK PAGE_* value.
  uint32_t protect_virtual(uint32_t* base, uint32_t* size, uint32_t protect, uint32_t* old_protect);
  // NtQueryVirtualMemory.
  uint32_t query_virtual(uint32_t address, MemoryBasicInformation* out) const;
  // MmAllocatePhysicalMemoryEx: page size from protect (MEM_LARGE_PAGES 64 KB,
  // MEM_16MB_PAGES 16 MB, else 4 KB); min/max are physical bounds; returns the
  // virtual address or 0. Contents are not cleared (recycled pages keep old
  // bytes, as xenia).
  uint32_t allocate_physical(uint32_t size, uint32_t protect, uint32_t min_physical = 0,
                             uint32_t max_physical = 0xFFFFFFFF, uint32_t alignment = 0);
  // MmFreePhysicalMemory: releases the whole region at `address`.
  bool free_physical(uint32_t address);
  // MmGetPhysicalAddress: physical byte address for the A/C/E views, else 0.
  uint32_t physical_address(uint32_t address) const;
  // Physical -> virtual in a given physical view (kVA, kVC, kVE); 0 if the
  // physical address is not addressable through that view.
  uint32_t virtual_address(uint32_t physical, HeapId view) const;
  // MmQueryAddressProtect: XDK PAGE_* of the current protect, 0 if none.
  uint32_t query_address_protect(uint32_t address) const;
  // MmSetAddressProtect (protect 0 is ignored).
  bool set_address_protect(uint32_t address, uint32_t size, uint32_t protect);
  // MmQueryAllocationSize: size of the containing region, 0 if none.
  uint32_t query_allocation_size(uint32_t address) const;

  // --- Kernel-internal allocations ---
  // The system heap: v0 bottom-up (vE top-down when physical), page
  // granular, zero-filled, read/write. Returns 0 when out of memory.
  uint32_t system_alloc(uint32_t size, uint32_t alignment = 0x20, bool physical = false);
  bool system_free(uint32_t address);
  // ExCreateThread / main-thread stacks: size rounded up to 64 KB, guard pages
  // below and above, contents filled with 0xBE. Invalid result if no space.
  ThreadStack allocate_thread_stack(uint32_t stack_size);
  bool free_thread_stack(const ThreadStack& stack);
  // MmCreateKernelStack: returns the stack top (allocation + size) or 0.
  uint32_t create_kernel_stack(uint32_t size);
  // MmDeleteKernelStack(top, bottom): releases by the low address.
  bool delete_kernel_stack(uint32_t top, uint32_t bottom);

  // Kernel trampolines (XexGetProcedureAddress on a kernel export, one page
  // per kernel module): the first free 64 KB v80000000 page at/after
  // 0x80040000 and below 0x801C0000, committed read-only (so fetchable; the
  // kernel writes the 400 8-byte `sc 2; blr` slots through translate() and
  // then calls GuestMemory::invalidate_code). Returns 0 if none is free.
  static constexpr uint32_t kTrampolineRangeBegin = 0x80040000;
  static constexpr uint32_t kTrampolineRangeEnd = 0x801C0000;
  static constexpr uint32_t kTrampolineSlots = 400;
  uint32_t allocate_kernel_trampolines();

  // The heap an image based at `base` goes into (v80000000 / v90000000), or null.
  Heap* image_heap(uint32_t base);

  // 4 KB physical pages reserved or committed in the parent table (for
  // MmQueryStatistics).
  uint32_t physical_pages_in_use() const { return physical_->used_page_count(); }

 private:
  GuestMemory& memory_;
  std::unique_ptr<Heap> physical_;
  std::array<std::unique_ptr<Heap>, kHeapCount> heaps_;
};

}  // namespace xdet
