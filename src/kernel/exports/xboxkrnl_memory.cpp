// Virtual and physical memory, pool and kernel stacks: argument marshalling
// over the memory map's kernel memory API (src/memory/memory_map.h holds the
// semantics: heaps, page sizes, protections, statuses).
#include "kernel/exports/exports.h"

namespace xdet::kernel {

namespace {

// Without a memory map (unit tests) these calls are unsupported.
MemoryMap* map_or_unsupported(ExportCall& c) {
  MemoryMap* m = c.k.memory_map();
  if (!m) c.unsupported("no memory map attached to the kernel");
  return m;
}

void nt_allocate_virtual_memory(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  uint32_t pbase = c.arg(0), psize = c.arg(1);
  uint32_t base = c.mem().read32(pbase), size = c.mem().read32(psize);
  uint32_t st = m->allocate_virtual(&base, &size, c.arg(2), c.arg(3));
  if (st == kStatusSuccess) {
    c.mem().write32(pbase, base);
    c.mem().write32(psize, size);
  }
  c.ret(st);
}

void nt_free_virtual_memory(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  uint32_t pbase = c.arg(0), psize = c.arg(1);
  uint32_t base = c.mem().read32(pbase), size = c.mem().read32(psize);
  uint32_t st = m->free_virtual(&base, &size, c.arg(2));
  if (st == kStatusSuccess) {
    c.mem().write32(pbase, base);
    c.mem().write32(psize, size);
  }
  c.ret(st);
}

void nt_protect_virtual_memory(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  uint32_t pbase = c.arg(0), psize = c.arg(1);
  uint32_t base = c.mem().read32(pbase), size = c.mem().read32(psize), old = 0;
  uint32_t st = m->protect_virtual(&base, &size, c.arg(2), &old);
  if (st == kStatusSuccess) {
    c.mem().write32(pbase, base);
    c.mem().write32(psize, size);
    if (c.arg(3)) c.mem().write32(c.arg(3), old);
  }
  c.ret(st);
}

void nt_query_virtual_memory(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  MemoryBasicInformation info;
  uint32_t st = m->query_virtual(c.arg(0), &info);
  if (st == kStatusSuccess && c.arg(1)) {
    uint32_t p = c.arg(1);
    const uint32_t words[7] = {info.base_address, info.allocation_base, info.allocation_protect, info.region_size,
                               info.state,        info.protect,         info.type};
    for (int i = 0; i < 7; ++i) c.mem().write32(p + 4 * i, words[i]);
  }
  c.ret(st);
}

void mm_allocate_physical_memory(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->allocate_physical(c.arg(1), c.arg(2)));
}

void mm_allocate_physical_memory_ex(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->allocate_physical(c.arg(1), c.arg(2), c.arg(3), c.arg(4), c.arg(5)));
}

void mm_free_physical_memory(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  m->free_physical(c.arg(1));
}

void mm_get_physical_address(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->physical_address(c.arg(0)));
}

void mm_query_address_protect(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->query_address_protect(c.arg(0)));
}

void mm_set_address_protect(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  m->set_address_protect(c.arg(0), c.arg(1), c.arg(2));
}

void mm_query_allocation_size(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->query_allocation_size(c.arg(0)));
}

void mm_create_kernel_stack(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->create_kernel_stack(c.arg(0)));
}

void mm_delete_kernel_stack(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->delete_kernel_stack(c.arg(0), c.arg(1)) ? kStatusSuccess : kStatusInvalidParameter);
}

// Pool: the system heap (xenia: v00000000).
void ex_allocate_pool(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->system_alloc(c.arg(0)));
}

// (address): whether an access to it would succeed (it is committed).
void mm_is_address_valid(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  c.ret(m->query_address_protect(c.arg(0)) != 0 ? 1 : 0);
}

void ex_free_pool(ExportCall& c) {
  MemoryMap* m = map_or_unsupported(c);
  if (!m) return;
  m->system_free(c.arg(0));
}

void resolve_alloc(ExportCall& c) {
  if (c.arg(1)) c.resolve("size", TraceValue::hex32(c.mem().read32(c.arg(1))));
  c.resolve("alloc_type", TraceValue::hex32(c.arg(2)));
  c.resolve("protect", TraceValue::hex32(c.arg(3)));
}

const ExportInfo kExports[] = {
    {9, "ExAllocatePool", 1, ex_allocate_pool},
    {10, "ExAllocatePoolWithTag", 2, ex_allocate_pool},  // the tag only labels the block
    {11, "ExAllocatePoolTypeWithTag", 3, ex_allocate_pool},
    {15, "ExFreePool", 1, ex_free_pool},
    {185, "MmAllocatePhysicalMemory", 3, mm_allocate_physical_memory},
    {186, "MmAllocatePhysicalMemoryEx", 6, mm_allocate_physical_memory_ex},
    {187, "MmCreateKernelStack", 2, mm_create_kernel_stack},
    {188, "MmDeleteKernelStack", 2, mm_delete_kernel_stack},
    {189, "MmFreePhysicalMemory", 2, mm_free_physical_memory},
    {190, "MmGetPhysicalAddress", 1, mm_get_physical_address},
    {191, "MmIsAddressValid", 1, mm_is_address_valid},
    {196, "MmQueryAddressProtect", 1, mm_query_address_protect},
    {197, "MmQueryAllocationSize", 1, mm_query_allocation_size},
    {199, "MmSetAddressProtect", 3, mm_set_address_protect},
    {204, "NtAllocateVirtualMemory", 5, nt_allocate_virtual_memory, resolve_alloc},
    {220, "NtFreeVirtualMemory", 4, nt_free_virtual_memory},
    {225, "NtProtectVirtualMemory", 5, nt_protect_virtual_memory},
    {238, "NtQueryVirtualMemory", 2, nt_query_virtual_memory},
};

}  // namespace

ExportTable memory_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
