// Every heap and translation rule of shared/spec/memory-map.md.
#include "memory/memory_map.h"

#include <gtest/gtest.h>

#include <vector>

namespace xdet {
namespace {

using namespace xdk;

class MemoryMapTest : public ::testing::Test {
 protected:
  GuestMemory mem;
  MemoryMap map{mem};

  uint32_t nt_alloc(uint32_t base, uint32_t size, uint32_t type, uint32_t protect = kPageReadWrite,
                    uint32_t* out_size = nullptr) {
    uint32_t s = size;
    uint32_t status = map.allocate_virtual(&base, &s, type, protect);
    EXPECT_EQ(status, kStatusSuccess);
    if (out_size) *out_size = s;
    return base;
  }
};

TEST_F(MemoryMapTest, LookupRuleAndPageSizes) {
  struct Case {
    uint32_t addr;
    const char* heap;
    uint32_t page;
  } cases[] = {
      {0x00000000, "v00000000", 0x1000},   {0x3FFFFFFF, "v00000000", 0x1000},  {0x40000000, "v40000000", 0x10000},
      {0x7EFFFFFF, "v40000000", 0x10000},  {0x80000000, "v80000000", 0x10000}, {0x8FFFFFFF, "v80000000", 0x10000},
      {0x90000000, "v90000000", 0x1000},   {0x9FFFFFFF, "v90000000", 0x1000},  {0xA0000000, "vA0000000", 0x10000},
      {0xBFFFFFFF, "vA0000000", 0x10000},  {0xC0000000, "vC0000000", 0x1000000},
      {0xDFFFFFFF, "vC0000000", 0x1000000}, {0xE0000000, "vE0000000", 0x1000}, {0xFFCFFFFF, "vE0000000", 0x1000},
  };
  for (const Case& c : cases) {
    Heap* h = map.lookup_heap(c.addr);
    ASSERT_NE(h, nullptr) << std::hex << c.addr;
    EXPECT_EQ(h->name(), c.heap) << std::hex << c.addr;
    EXPECT_EQ(h->page_size(), c.page) << std::hex << c.addr;
  }
  EXPECT_EQ(map.lookup_heap(0x7F000000), nullptr);
  EXPECT_EQ(map.lookup_heap(0x7FFFFFFF), nullptr);
  EXPECT_EQ(map.lookup_heap(0xFFD00000), nullptr);
  EXPECT_EQ(map.lookup_heap(0xFFFFFFFF), nullptr);
  EXPECT_EQ(map.heap(MemoryMap::kVE).size(), 0x1FD00000u);
  EXPECT_EQ(map.heap(MemoryMap::kV4).size(), 0x3F000000u);
  EXPECT_EQ(map.physical_parent().page_size(), 0x1000u);
}

TEST_F(MemoryMapTest, NullGuardIsCommittedNoAccess) {
  MemoryBasicInformation mbi;
  ASSERT_EQ(map.query_virtual(0x0, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.state, kMemCommit);
  EXPECT_EQ(mbi.region_size, 0x10000u);
  EXPECT_EQ(mbi.protect, kPageNoAccess);
  EXPECT_THROW(mem.read32(0x0), GuestFault);
  EXPECT_THROW(mem.read32(0xFFFC), GuestFault);
  // Releasing address 0 is refused.
  uint32_t base = 0, size = 0;
  EXPECT_EQ(map.free_virtual(&base, &size, kMemRelease), kStatusMemoryNotAllocated);
  EXPECT_FALSE(map.heap(MemoryMap::kV0).release(0));
}

TEST_F(MemoryMapTest, VirtualAllocBottomUpTopDownAndLargePages) {
  uint32_t size = 0;
  EXPECT_EQ(nt_alloc(0, 0x1234, kMemCommit | kMemReserve, kPageReadWrite, &size), 0x10000u);
  EXPECT_EQ(size, 0x2000u);
  EXPECT_EQ(nt_alloc(0, 1, kMemCommit), 0x12000u);  // commit alone also reserves
  EXPECT_EQ(nt_alloc(0, 0x1000, kMemCommit | kMemTopDown), 0x3FFFF000u);
  EXPECT_EQ(nt_alloc(0, 0x1000, kMemCommit | kMemLargePages, kPageReadWrite, &size), 0x40000000u);
  EXPECT_EQ(size, 0x10000u);
  EXPECT_EQ(nt_alloc(0, 0x10001, kMemCommit | kMemLargePages, kPageReadWrite, &size), 0x40010000u);
  EXPECT_EQ(size, 0x20000u);
  EXPECT_EQ(nt_alloc(0, 0x10000, kMemCommit | kMemLargePages | kMemTopDown), 0x7EFF0000u);
  mem.write32(0x10000, 0x12345678);
  EXPECT_EQ(mem.read32(0x10000), 0x12345678u);
}

TEST_F(MemoryMapTest, AllocationIsDeterministicAcrossInstances) {
  auto run = [](MemoryMap& m) {
    std::vector<uint32_t> out;
    uint32_t sizes[] = {0x1000, 0x5000, 0x20000, 0x1000, 0x3000};
    std::vector<uint32_t> bases;
    for (uint32_t s : sizes) {
      uint32_t b = 0, sz = s;
      m.allocate_virtual(&b, &sz, kMemCommit, kPageReadWrite);
      out.push_back(b);
      bases.push_back(b);
    }
    uint32_t b = bases[1], sz = 0;
    m.free_virtual(&b, &sz, kMemRelease);
    uint32_t b2 = 0, sz2 = 0x2000;
    m.allocate_virtual(&b2, &sz2, kMemCommit, kPageReadWrite);
    out.push_back(b2);
    out.push_back(m.allocate_physical(0x3000, kPageReadWrite));
    out.push_back(m.system_alloc(0x10));
    out.push_back(m.allocate_thread_stack(0x4000).base);
    return out;
  };
  GuestMemory mem2;
  MemoryMap map2(mem2);
  std::vector<uint32_t> a = run(map);
  std::vector<uint32_t> b = run(map2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a[5], a[1]);  // first fit reuses the freed hole
}

TEST_F(MemoryMapTest, AllocateParameterErrors) {
  uint32_t base = 0, size = 0;
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemCommit, kPageReadWrite), kStatusInvalidParameter);
  EXPECT_EQ(map.allocate_virtual(nullptr, &size, kMemCommit, kPageReadWrite), kStatusInvalidParameter);
  size = 0x1000;
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemTopDown, kPageReadWrite), kStatusInvalidParameter);
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemReset | kMemCommit, kPageReadWrite), kStatusInvalidParameter);
  base = 0x82000000;  // XEX heap: not a virtual heap
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemCommit, kPageReadWrite), kStatusInvalidParameter);
  base = 0xE0010000;  // physical view
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemCommit, kPageReadWrite), kStatusInvalidParameter);
  base = 0x7F100000;  // no heap
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemCommit, kPageReadWrite), kStatusInvalidParameter);
  base = 0;
  size = 0x7FFFF000;  // larger than v0
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemCommit, kPageReadWrite), kStatusNoMemory);
  EXPECT_EQ(base, 0u);  // not written on failure
}

TEST_F(MemoryMapTest, MemResetKeepsContentsOfCommittedPages) {
  uint32_t a = nt_alloc(0, 0x2000, kMemCommit);
  mem.write32(a, 0x5A5A5A5A);
  uint32_t base = a + 0x10, size = 0x100;
  ASSERT_EQ(map.allocate_virtual(&base, &size, kMemReset, kPageReadWrite), kStatusSuccess);
  EXPECT_EQ(base, a);
  EXPECT_EQ(size, 0x1000u);
  EXPECT_EQ(mem.read32(a), 0x5A5A5A5Au);
  uint32_t r = nt_alloc(0, 0x1000, kMemReserve);
  base = r;
  size = 0x1000;
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemReset, kPageReadWrite), kStatusInvalidParameter);
}

TEST_F(MemoryMapTest, NegativeSizeIsAbsoluteValue) {
  uint32_t base = 0, size = static_cast<uint32_t>(-0x1800);
  ASSERT_EQ(map.allocate_virtual(&base, &size, kMemCommit, kPageReadWrite), kStatusSuccess);
  EXPECT_EQ(size, 0x2000u);
}

TEST_F(MemoryMapTest, FixedAllocationZeroesOnlyNewlyCommittedPages) {
  // Reserve 3 pages, commit the middle, write, then commit all three.
  EXPECT_EQ(nt_alloc(0x20000000, 0x3000, kMemReserve), 0x20000000u);
  EXPECT_THROW(mem.read32(0x20001000), GuestFault);  // reserved only
  EXPECT_EQ(nt_alloc(0x20001234, 0x10, kMemCommit), 0x20001000u);
  mem.write32(0x20001000, 0xDEADBEEF);
  // Leave stale bytes behind the protection of the still-reserved pages.
  std::memset(mem.translate(0x20000000), 0xAA, 0x1000);
  EXPECT_EQ(nt_alloc(0x20000000, 0x3000, kMemCommit), 0x20000000u);
  EXPECT_EQ(mem.read32(0x20001000), 0xDEADBEEFu);  // was committed: kept
  EXPECT_EQ(mem.read32(0x20000000), 0u);           // newly committed: zeroed
  // Reserving an already reserved range fails.
  uint32_t base = 0x20000000, size = 0x1000;
  EXPECT_EQ(map.allocate_virtual(&base, &size, kMemReserve, kPageReadWrite), kStatusNoMemory);
}

TEST_F(MemoryMapTest, NoZeroKeepsRecycledContents) {
  uint32_t a = nt_alloc(0, 0x1000, kMemCommit);
  mem.write32(a, 0x11111111);
  uint32_t base = a, size = 0x1000;
  ASSERT_EQ(map.free_virtual(&base, &size, kMemDecommit), kStatusSuccess);
  EXPECT_THROW(mem.read32(a), GuestFault);
  EXPECT_EQ(nt_alloc(a, 0x1000, kMemCommit | kMemNoZero), a);
  EXPECT_EQ(mem.read32(a), 0x11111111u);  // decommit does not discard
  ASSERT_EQ(map.free_virtual(&base, &size, kMemDecommit), kStatusSuccess);
  EXPECT_EQ(nt_alloc(a, 0x1000, kMemCommit), a);
  EXPECT_EQ(mem.read32(a), 0u);
}

TEST_F(MemoryMapTest, FreeReleasesWholeRegionFromItsStart) {
  uint32_t a = nt_alloc(0, 0x5000, kMemCommit);
  uint32_t base = a + 0x1000, size = 0;
  EXPECT_EQ(map.free_virtual(&base, &size, kMemRelease), kStatusUnsuccessful);
  base = a;
  EXPECT_EQ(map.free_virtual(&base, &size, kMemRelease), kStatusSuccess);
  EXPECT_EQ(size, 0x5000u);
  MemoryBasicInformation mbi;
  ASSERT_EQ(map.query_virtual(a, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.state, kMemFree);
  EXPECT_THROW(mem.read32(a), GuestFault);
  base = 0x82000000;
  EXPECT_EQ(map.free_virtual(&base, &size, kMemRelease), kStatusInvalidParameter);
}

TEST_F(MemoryMapTest, ProtectRules) {
  uint32_t a = nt_alloc(0, 0x4000, kMemCommit);
  uint32_t b = nt_alloc(0, 0x1000, kMemCommit);
  ASSERT_EQ(b, a + 0x4000);
  uint32_t base = a + 0x1010, size = 0x10, old = 0;
  ASSERT_EQ(map.protect_virtual(&base, &size, kPageReadOnly, &old), kStatusSuccess);
  EXPECT_EQ(base, a + 0x1000);
  EXPECT_EQ(size, 0x1000u);
  EXPECT_EQ(old, kPageReadWrite);
  EXPECT_NO_THROW(mem.read32(a + 0x1000));
  EXPECT_THROW(mem.write32(a + 0x1000, 1), GuestFault);
  EXPECT_NO_THROW(mem.write32(a, 1));
  // Execute bits are rejected.
  base = a;
  size = 0x1000;
  EXPECT_EQ(map.protect_virtual(&base, &size, kPageExecuteReadWrite, &old), kStatusAccessDenied);
  // Spanning two regions is rejected.
  base = a + 0x3000;
  size = 0x2000;
  EXPECT_EQ(map.protect_virtual(&base, &size, kPageReadOnly, &old), kStatusAccessDenied);
  // Uncommitted pages are rejected.
  uint32_t r = nt_alloc(0, 0x2000, kMemReserve);
  base = r;
  size = 0x1000;
  EXPECT_EQ(map.protect_virtual(&base, &size, kPageReadOnly, &old), kStatusAccessDenied);
  // No access.
  base = a;
  size = 0x1000;
  ASSERT_EQ(map.protect_virtual(&base, &size, kPageNoAccess, &old), kStatusSuccess);
  EXPECT_THROW(mem.read8(a), GuestFault);
  EXPECT_EQ(map.query_address_protect(a), 0u);
  EXPECT_EQ(map.query_address_protect(a + 0x1000), kPageReadOnly);
  EXPECT_EQ(map.query_address_protect(a + 0x2000), kPageReadWrite);
}

TEST_F(MemoryMapTest, ExecuteProtectOnAllocationMapsToReadWrite) {
  uint32_t a = nt_alloc(0, 0x1000, kMemCommit, kPageExecuteReadWrite);
  EXPECT_EQ(map.query_address_protect(a), kPageReadWrite);
  mem.write32(a, 0x60000000);
  EXPECT_EQ(mem.fetch32(a), 0x60000000u);  // readable pages may be fetched from
}

TEST_F(MemoryMapTest, QueryReportsRunsOfIdenticalPages) {
  uint32_t a = nt_alloc(0, 0x4000, kMemReserve);
  nt_alloc(a + 0x1000, 0x2000, kMemCommit);
  MemoryBasicInformation mbi;
  ASSERT_EQ(map.query_virtual(a, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.base_address, a);
  EXPECT_EQ(mbi.allocation_base, a);
  EXPECT_EQ(mbi.state, kMemReserve);
  EXPECT_EQ(mbi.region_size, 0x1000u);
  EXPECT_EQ(mbi.type, kMemPrivate);
  ASSERT_EQ(map.query_virtual(a + 0x1abc, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.base_address, a + 0x1000);
  EXPECT_EQ(mbi.allocation_base, a);
  EXPECT_EQ(mbi.state, kMemCommit);
  EXPECT_EQ(mbi.protect, kPageReadWrite);
  EXPECT_EQ(mbi.region_size, 0x2000u);
  ASSERT_EQ(map.query_virtual(a + 0x4000, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.state, kMemFree);
  EXPECT_EQ(mbi.region_size, 0x40000000u - (a + 0x4000));
  EXPECT_EQ(map.query_virtual(0x7F000000, &mbi), kStatusInvalidParameter);
  EXPECT_EQ(map.query_virtual(0xFFE00000, &mbi), kStatusInvalidParameter);
  EXPECT_EQ(map.query_allocation_size(a + 0x3000), 0x4000u);
  EXPECT_EQ(map.query_allocation_size(a + 0x4000), 0u);
}

TEST_F(MemoryMapTest, StartupAllocations) {
  // GPU writeback: vC 0xC0000000 16 MB committed RW = physical 0..16 MB.
  MemoryBasicInformation mbi;
  ASSERT_EQ(map.query_virtual(0xC0000000, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.state, kMemCommit);
  EXPECT_EQ(mbi.region_size, 0x01000000u);
  mem.write32(0xC0000100, 0xFEEDF00D);
  // Visible through the 0x7F000000 window (physical 0..16 MB).
  EXPECT_EQ(mem.read32(0x7F000100), 0xFEEDF00Du);
  // GPU / XMA register blocks inside the window are not plain RAM.
  EXPECT_THROW(mem.read32(MemoryMap::kGpuMmioBase), GuestFault);
  EXPECT_THROW(mem.read32(MemoryMap::kXmaMmioBase + 0x10), GuestFault);
  // The unknown vA reserve lands at 0xBFCB0000 (physical 0x1FCB0000).
  ASSERT_EQ(map.query_virtual(0xBFCB0000, &mbi), kStatusSuccess);
  EXPECT_EQ(mbi.state, kMemReserve);
  EXPECT_EQ(mbi.allocation_base, 0xBFCB0000u);
  EXPECT_EQ(mbi.region_size, 0x340000u);
  // Top physical guard 0x1FFF0000..: reserved in the parent.
  HeapRegionInfo info;
  ASSERT_TRUE(map.physical_parent().query_region_info(0x1FFF0000, &info));
  EXPECT_EQ(info.state, kMemReserve);
  EXPECT_EQ(info.region_size, 0x10000u);
  // ...so no view can allocate it (vE 0xFFFEF000 is physical 0x1FFF0000).
  EXPECT_FALSE(map.heap(MemoryMap::kVE).alloc_fixed(0xFFFEF000, 0x1000, 0x1000, kAllocReserve | kAllocCommit, 3));
  EXPECT_FALSE(map.heap(MemoryMap::kVA).alloc_fixed(0xBFFF0000, 0x10000, 0x10000, kAllocReserve | kAllocCommit, 3));
}

TEST_F(MemoryMapTest, PhysicalAllocationsAreTopDownPerView) {
  // Highest free physical page is just below the vA reserve (0x1FCB0000).
  uint32_t e = map.allocate_physical(0x1000, kPageReadWrite);
  EXPECT_EQ(map.physical_address(e), 0x1FCAF000u);
  EXPECT_EQ(e, 0xE0000000u + 0x1FCAF000u - 0x1000u);  // +0x1000 quirk
  uint32_t a = map.allocate_physical(0x100, kPageReadWrite | kMemLargePages);
  EXPECT_EQ(a, 0xBFC90000u);  // 0x1FCA0000 holds the vE page
  EXPECT_EQ(map.query_allocation_size(a), 0x10000u);
  uint32_t c = map.allocate_physical(0x100, kPageReadWrite | kMem16MbPages);
  EXPECT_EQ(c, 0xDE000000u);
  EXPECT_EQ(map.physical_address(c + 0x123), 0x1E000123u);
  // Bounds are physical.
  uint32_t bounded = map.allocate_physical(0x1000, kPageReadWrite, 0x02000000, 0x020FFFFF);
  EXPECT_EQ(map.physical_address(bounded), 0x020FF000u);
  // Physical 0..16 MB belongs to the GPU writeback area.
  EXPECT_EQ(map.allocate_physical(0x1000, kPageReadWrite, 0x00100000, 0x001FFFFF), 0u);
  // Alignment is honoured in physical terms.
  uint32_t aligned = map.allocate_physical(0x1000, kPageReadWrite, 0, 0xFFFFFFFF, 0x100000);
  EXPECT_EQ(map.physical_address(aligned) % 0x100000, 0u);
  // Protect must include READONLY or READWRITE.
  EXPECT_EQ(map.allocate_physical(0x1000, kPageNoAccess), 0u);
  EXPECT_EQ(map.allocate_physical(0x1000, kPageExecuteReadWrite), 0u);
  // Free releases the whole region; the next allocation reuses it.
  EXPECT_TRUE(map.free_physical(e));
  EXPECT_EQ(map.allocate_physical(0x1000, kPageReadWrite), e);
  EXPECT_FALSE(map.free_physical(0x10000));  // not physical
}

TEST_F(MemoryMapTest, PhysicalViewsAliasAndOwnershipIsExclusive) {
  uint32_t e = map.allocate_physical(0x2000, kPageReadWrite);
  uint32_t phys = map.physical_address(e);
  mem.write32(e + 0x10, 0xA1B2C3D4);
  // Same bytes through the vA and vC views of the same physical address.
  EXPECT_EQ(load_be32(mem.translate(0xA0000000 + phys + 0x10)), 0xA1B2C3D4u);
  EXPECT_EQ(load_be32(mem.translate(0xC0000000 + phys + 0x10)), 0xA1B2C3D4u);
  EXPECT_EQ(map.virtual_address(phys, MemoryMap::kVA), 0xA0000000 + phys);
  EXPECT_EQ(map.virtual_address(phys, MemoryMap::kVE), e);
  // The same physical page cannot be allocated again through another view.
  uint32_t va_page = 0xA0000000 + (phys & ~0xFFFFu);
  EXPECT_FALSE(map.heap(MemoryMap::kVA).alloc_fixed(va_page, 0x10000, 0x10000, kAllocReserve | kAllocCommit, 3));
  // Uncommitted aliases stay inaccessible to the guest.
  EXPECT_THROW(mem.read32(0xA0000000 + phys), GuestFault);
}

TEST_F(MemoryMapTest, GetPhysicalAddressRules) {
  EXPECT_EQ(map.physical_address(0xA0001234), 0x00001234u);
  EXPECT_EQ(map.physical_address(0xBFFFFFFF), 0x1FFFFFFFu);
  EXPECT_EQ(map.physical_address(0xC1234567), 0x01234567u);
  EXPECT_EQ(map.physical_address(0xE0000000), 0x00001000u);
  EXPECT_EQ(map.physical_address(0xE0000FFF), 0x00001FFFu);
  EXPECT_EQ(map.physical_address(0xFFCFFFFF), 0x1FD00FFFu);
  for (uint32_t v : {0x00010000u, 0x40000000u, 0x7F000000u, 0x82000000u, 0x92000000u, 0xFFD00000u, 0xFFFFFFFFu})
    EXPECT_EQ(map.physical_address(v), 0u) << std::hex << v;
  EXPECT_EQ(map.virtual_address(0x1000, MemoryMap::kVE), 0xE0000000u);
  EXPECT_EQ(map.virtual_address(0x0FFF, MemoryMap::kVE), 0u);  // below the E view's window
  EXPECT_EQ(map.virtual_address(0x1FFFFFFF, MemoryMap::kVA), 0xBFFFFFFFu);
  EXPECT_EQ(map.virtual_address(0x20000000, MemoryMap::kVC), 0u);
  EXPECT_EQ(map.virtual_address(0x1000, MemoryMap::kV0), 0u);
}

TEST_F(MemoryMapTest, SetAddressProtectAndNoCacheFlag) {
  uint32_t e = map.allocate_physical(0x1000, kPageReadWrite | kPageNoCache);
  EXPECT_EQ(map.query_address_protect(e), kPageReadWrite | kPageNoCache);
  EXPECT_FALSE(map.set_address_protect(e, 0x1000, 0));  // ignored
  EXPECT_TRUE(map.set_address_protect(e, 0x1000, kPageReadOnly | kPageWriteCombine));
  EXPECT_EQ(map.query_address_protect(e), kPageReadOnly | kPageWriteCombine);
  EXPECT_THROW(mem.write8(e, 1), GuestFault);
}

TEST_F(MemoryMapTest, SystemHeapIsPageGranularAndZeroed) {
  uint32_t first = nt_alloc(0, 0x1000, kMemCommit);
  uint32_t a = map.system_alloc(0x18);
  uint32_t b = map.system_alloc(0x2D8);
  EXPECT_EQ(a, first + 0x1000);
  EXPECT_EQ(b, a + 0x1000);  // every system allocation costs a page
  EXPECT_EQ(mem.read32(a), 0u);
  mem.write32(a, 5);
  EXPECT_TRUE(map.system_free(a));
  EXPECT_EQ(map.system_alloc(0x10), a);
  EXPECT_EQ(mem.read32(a), 0u);
  uint32_t p = map.system_alloc(0x40, 0x20, true);
  EXPECT_GE(p, 0xE0000000u);
  EXPECT_NE(map.physical_address(p), 0u);
}

TEST_F(MemoryMapTest, ThreadStacksHaveGuardsAndFill) {
  ThreadStack s = map.allocate_thread_stack(0x4000);
  ASSERT_TRUE(s.valid());
  EXPECT_EQ(s.allocation_base, 0x70000000u);
  EXPECT_EQ(s.limit, 0x70010000u);
  EXPECT_EQ(s.base, 0x70020000u);  // 16 KB rounds up to one 64 KB page
  EXPECT_EQ(s.allocation_size, 0x30000u);
  EXPECT_EQ(mem.read32(s.limit), 0xBEBEBEBEu);
  EXPECT_EQ(mem.read32(s.base - 4), 0xBEBEBEBEu);
  EXPECT_THROW(mem.read8(s.limit - 1), GuestFault);
  EXPECT_THROW(mem.write8(s.base, 0), GuestFault);
  ThreadStack t = map.allocate_thread_stack(0x40000);
  EXPECT_EQ(t.allocation_base, 0x70030000u);
  EXPECT_EQ(t.base - t.limit, 0x40000u);
  // Large-page NtAllocateVirtualMemory does not land in the stack range first.
  EXPECT_EQ(nt_alloc(0, 0x10000, kMemCommit | kMemLargePages), 0x40000000u);
  EXPECT_TRUE(map.free_thread_stack(s));
  EXPECT_EQ(map.allocate_thread_stack(0x10000).allocation_base, 0x70000000u);
}

TEST_F(MemoryMapTest, KernelStacks) {
  uint32_t top = map.create_kernel_stack(0x4000);
  EXPECT_EQ(top, 0x70000000u + 0x4000u);
  uint32_t top2 = map.create_kernel_stack(0x10000);
  EXPECT_EQ(top2, 0x70010000u + 0x10000u);
  EXPECT_TRUE(map.delete_kernel_stack(top, 0x70000000));
  EXPECT_FALSE(map.delete_kernel_stack(top, 0x70000000));
}

TEST_F(MemoryMapTest, XexViewsKeepSeparatePageTablesButShareBytes) {
  Heap* h8 = map.image_heap(0x82000000);
  Heap* h9 = map.image_heap(0x92000000);
  ASSERT_NE(h8, nullptr);
  ASSERT_NE(h9, nullptr);
  EXPECT_EQ(map.image_heap(0x10000), nullptr);
  ASSERT_TRUE(h8->alloc_fixed(0x82000000, 0x10000, 0x10000, kAllocReserve | kAllocCommit, 3));
  mem.write32(0x82000040, 0x4D5A9000);
  EXPECT_EQ(load_be32(mem.translate(0x92000040)), 0x4D5A9000u);
  EXPECT_THROW(mem.read32(0x92000040), GuestFault);  // v9's table knows nothing of it
  EXPECT_TRUE(h9->alloc_fixed(0x92000000, 0x1000, 0x1000, kAllocReserve | kAllocCommit, 1));
  EXPECT_EQ(mem.read32(0x92000040), 0x4D5A9000u);
}

TEST_F(MemoryMapTest, HeapFixedReserveRules) {
  Heap& h = map.heap(MemoryMap::kV0);
  ASSERT_TRUE(h.alloc_fixed(0x30000000, 0x3000, 0x1000, kAllocReserve, 3));
  EXPECT_FALSE(h.alloc_fixed(0x30001000, 0x1000, 0x1000, kAllocReserve, 3));
  EXPECT_TRUE(h.alloc_fixed(0x30001000, 0x1000, 0x1000, kAllocCommit, 3));
  EXPECT_TRUE(h.is_committed(0x30001000));
  EXPECT_FALSE(h.is_committed(0x30000000));
  // Committing unreserved pages reserves them as a region of their own.
  EXPECT_TRUE(h.alloc_fixed(0x31000000, 0x2000, 0x1000, kAllocCommit, 3));
  uint32_t size = 0;
  EXPECT_TRUE(h.query_size(0x31001000, &size));
  EXPECT_EQ(size, 0x2000u);
  // Alignment rounds the fixed size up.
  EXPECT_TRUE(h.alloc_fixed(0x32000000, 0x1000, 0x4000, kAllocReserve, 3));
  EXPECT_TRUE(h.query_size(0x32000000, &size));
  EXPECT_EQ(size, 0x4000u);
}

TEST_F(MemoryMapTest, ReleasingCodePagesInvalidatesDecodedBlocks) {
  std::vector<uint32_t> invalidated;
  mem.set_code_write_hook([&](uint32_t page) { invalidated.push_back(page); });
  uint32_t a = nt_alloc(0, 0x2000, kMemCommit);
  mem.mark_code_page(a + 0x1000);
  // Re-protecting to read-only keeps the page fetchable and its mark.
  uint32_t base = a, size = 0x2000, old;
  ASSERT_EQ(map.protect_virtual(&base, &size, kPageReadOnly, &old), kStatusSuccess);
  EXPECT_TRUE(invalidated.empty());
  EXPECT_TRUE(mem.protection(a + 0x1000) & GuestMemory::kCodeCached);
  size = 0;
  ASSERT_EQ(map.free_virtual(&base, &size, kMemRelease), kStatusSuccess);
  ASSERT_EQ(invalidated.size(), 1u);
  EXPECT_EQ(invalidated[0], a + 0x1000);
}

TEST_F(MemoryMapTest, KernelTrampolinePages) {
  uint32_t a = map.allocate_kernel_trampolines();
  uint32_t b = map.allocate_kernel_trampolines();
  EXPECT_EQ(a, 0x80040000u);
  EXPECT_EQ(b, 0x80050000u);  // one 64 KB page per kernel module
  EXPECT_EQ(map.query_address_protect(a), kPageReadOnly);
  store_be32(mem.translate(a), 0x44000042);
  EXPECT_EQ(mem.fetch32(a), 0x44000042u);
  EXPECT_THROW(mem.write32(a, 0), GuestFault);
  // A title at 0x82000000 is unaffected.
  EXPECT_TRUE(map.heap(MemoryMap::kV8).is_free(0x82000000, 0x100000));
}

TEST(XdkProtect, MappingFollowsTheFacts) {
  EXPECT_EQ(protect_from_xdk(kPageNoAccess), 0u);
  EXPECT_EQ(protect_from_xdk(kPageReadOnly), kMemProtRead);
  EXPECT_EQ(protect_from_xdk(kPageReadWrite), kMemProtRead | kMemProtWrite);
  EXPECT_EQ(protect_from_xdk(kPageWriteCopy), 0u);
  EXPECT_EQ(protect_from_xdk(kPageExecute), 0u);
  EXPECT_EQ(protect_from_xdk(kPageExecuteRead), kMemProtRead);
  EXPECT_EQ(protect_from_xdk(kPageExecuteReadWrite), kMemProtRead | kMemProtWrite);
  EXPECT_EQ(protect_from_xdk(kPageExecuteWriteCopy), 0u);
  EXPECT_EQ(protect_from_xdk(kPageReadWrite | kPageGuard), kMemProtRead | kMemProtWrite);
  EXPECT_EQ(protect_from_xdk(kPageReadOnly | kPageNoCache | kPageWriteCombine),
            kMemProtRead | kMemProtNoCache | kMemProtWriteCombine);
  EXPECT_EQ(protect_to_xdk(0), kPageNoAccess);
  EXPECT_EQ(protect_to_xdk(kMemProtRead), kPageReadOnly);
  EXPECT_EQ(protect_to_xdk(kMemProtRead | kMemProtWrite | kMemProtNoCache), kPageReadWrite | kPageNoCache);
}

TEST_F(MemoryMapTest, PhysicalViewsIgnoreBottomUpRequests) {
  uint32_t a = 0, b = 0;
  ASSERT_TRUE(map.heap(MemoryMap::kVE).alloc(0x1000, 0x1000, kAllocReserve | kAllocCommit, 3, false, &a));
  ASSERT_TRUE(map.heap(MemoryMap::kVE).alloc(0x1000, 0x1000, kAllocReserve | kAllocCommit, 3, false, &b));
  EXPECT_EQ(map.physical_address(a), 0x1FCAF000u);
  EXPECT_EQ(b, a - 0x1000);  // forced top-down
}

TEST_F(MemoryMapTest, StatisticsCountPhysicalPages) {
  uint32_t before = map.physical_pages_in_use();
  EXPECT_EQ(before, (0x1000000u + 0x340000u + 0x10000u) / 0x1000u);
  map.allocate_physical(0x10000, kPageReadWrite | kMemLargePages);
  EXPECT_EQ(map.physical_pages_in_use(), before + 16);
}

}  // namespace
}  // namespace xdet
