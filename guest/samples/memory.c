/* Conformance: the memory exports. Virtual allocation (4 KB pages by
 * default, 64 KB with MEM_LARGE_PAGES), query, protect, free; physical
 * allocation and its physical address; pool. */
#include <string.h>

#include "sample_util.h"

int main(void) {
  PVOID base = 0;
  SIZE_T size = 0x3000;
  CHECK_EQ(NtAllocateVirtualMemory(&base, &size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE, 0), STATUS_SUCCESS);
  CHECK(base != 0);
  CHECK_EQ(size, 0x3000);
  CHECK_EQ((ULONG)base & 0xFFF, 0);
  memset(base, 0x5A, size);
  CHECK_EQ(((volatile uint8_t*)base)[0x2FFF], 0x5A);

  MEMORY_BASIC_INFORMATION mbi;
  CHECK_EQ(NtQueryVirtualMemory(base, &mbi), STATUS_SUCCESS);
  CHECK_EQ(mbi.BaseAddress, base);
  CHECK_EQ(mbi.RegionSize, 0x3000);
  CHECK_EQ(mbi.State, MEM_COMMIT);
  CHECK_EQ(mbi.Protect, PAGE_READWRITE);

  PVOID pbase = base;
  SIZE_T psize = 0x1000;
  ULONG old = 0;
  CHECK_EQ(NtProtectVirtualMemory(&pbase, &psize, PAGE_READONLY, &old, 0), STATUS_SUCCESS);
  CHECK_EQ(old, PAGE_READWRITE);
  CHECK_EQ(MmQueryAddressProtect(base), PAGE_READONLY);

  SIZE_T fsize = 0;
  CHECK_EQ(NtFreeVirtualMemory(&base, &fsize, MEM_RELEASE, 0), STATUS_SUCCESS);
  CHECK_EQ(fsize, 0x3000);
  CHECK_EQ(NtFreeVirtualMemory(&base, &fsize, MEM_RELEASE, 0) != STATUS_SUCCESS, 1);

  PVOID large = 0;
  SIZE_T lsize = 0x1000;
  CHECK_EQ(NtAllocateVirtualMemory(&large, &lsize, MEM_RESERVE | MEM_COMMIT | MEM_LARGE_PAGES, PAGE_READWRITE, 0),
           STATUS_SUCCESS);
  CHECK((ULONG)large >= 0x40000000u && (ULONG)large < 0x7F000000u);
  CHECK_EQ(lsize, 0x10000);

  PVOID phys = MmAllocatePhysicalMemoryEx(0, 0x10000, PAGE_READWRITE | MEM_LARGE_PAGES, 0, 0xFFFFFFFF, 0);
  CHECK((ULONG)phys >= 0xA0000000u && (ULONG)phys < 0xC0000000u);
  CHECK_EQ(MmGetPhysicalAddress(phys), (ULONG)phys - 0xA0000000u);
  CHECK_EQ(MmQueryAllocationSize(phys), 0x10000);
  MmFreePhysicalMemory(0, phys);

  uint32_t* pool = ExAllocatePool(64);
  CHECK(pool != 0);
  pool[15] = 0xC0DE;
  CHECK_EQ(pool[15], 0xC0DE);
  ExFreePool(pool);

  printf("memory: %d failure(s)\n", g_failures);
  return g_failures;
}
