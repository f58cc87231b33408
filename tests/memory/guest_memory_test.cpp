#include "memory/guest_memory.h"

#include <gtest/gtest.h>

namespace xdet {
namespace {

TEST(GuestMemory, UnmappedAccessFaultsWithAddress) {
  GuestMemory mem;
  try {
    mem.read32(0x10000000);
    FAIL() << "expected a fault";
  } catch (const GuestFault& f) {
    EXPECT_EQ(f.address(), 0x10000000u);
    EXPECT_EQ(f.kind(), AccessKind::kRead);
    EXPECT_EQ(f.code(), ExitCode::kGuestFault);
  }
}

TEST(GuestMemory, ReadWriteBigEndian) {
  GuestMemory mem;
  mem.set_protection(0x10000000, 0x2000, GuestMemory::kProtRW);
  mem.write32(0x10000000, 0x11223344);
  EXPECT_EQ(mem.read8(0x10000000), 0x11);
  EXPECT_EQ(mem.read16(0x10000002), 0x3344);
  mem.write64(0x10000FFC, 0xAABBCCDDEEFF0011ull);  // crosses a page boundary
  EXPECT_EQ(mem.read64(0x10000FFC), 0xAABBCCDDEEFF0011ull);
}

TEST(GuestMemory, PageCrossingIntoUnmappedFaults) {
  GuestMemory mem;
  mem.set_protection(0x10000000, 0x1000, GuestMemory::kProtRW);
  EXPECT_THROW(mem.read32(0x10000FFE), GuestFault);
  EXPECT_THROW(mem.write32(0x10000FFE, 1), GuestFault);
}

TEST(GuestMemory, ReadOnlyPageRejectsWrites) {
  GuestMemory mem;
  mem.set_protection(0x20000000, 0x1000, GuestMemory::kProtRead);
  EXPECT_NO_THROW(mem.read32(0x20000000));
  EXPECT_THROW(mem.write32(0x20000000, 5), GuestFault);
}

TEST(GuestMemory, PhysicalViewsAlias) {
  GuestMemory mem;
  mem.set_protection(0xA0000000, 0x10000, GuestMemory::kProtRW);
  mem.set_protection(0xC0000000, 0x10000, GuestMemory::kProtRW);
  mem.set_protection(0xE0000000, 0x10000, GuestMemory::kProtRW);
  mem.write32(0xA0002000, 0xCAFEBABE);
  EXPECT_EQ(mem.read32(0xC0002000), 0xCAFEBABEu);
  // The 0xE0000000 view is offset by +0x1000 into physical memory.
  EXPECT_EQ(mem.read32(0xE0001000), 0xCAFEBABEu);
}

TEST(GuestMemory, XexViewsAlias) {
  GuestMemory mem;
  mem.set_protection(0x82000000, 0x1000, GuestMemory::kProtRW);
  mem.set_protection(0x92000000, 0x1000, GuestMemory::kProtRW);
  mem.write32(0x82000010, 0x01020304);
  EXPECT_EQ(mem.read32(0x92000010), 0x01020304u);
}

TEST(GuestMemory, DiscardZeroesAllAliases) {
  GuestMemory mem;
  mem.set_protection(0xA0000000, 0x10000, GuestMemory::kProtRW);
  mem.set_protection(0xC0000000, 0x10000, GuestMemory::kProtRW);
  mem.write32(0xA0000000, 0x12345678);
  mem.discard(0xC0000000, 0x1000);
  EXPECT_EQ(mem.read32(0xA0000000), 0u);
}

TEST(GuestMemory, StoreToCodePageCallsHookOnce) {
  GuestMemory mem;
  mem.set_protection(0x82000000, 0x2000, GuestMemory::kProtRWX);
  uint32_t hits = 0, last = 0;
  mem.set_code_write_hook([&](uint32_t page) { ++hits; last = page; });
  mem.mark_code_page(0x82001000);
  mem.write32(0x82000000, 1);
  EXPECT_EQ(hits, 0u);
  mem.write32(0x82001004, 1);
  EXPECT_EQ(hits, 1u);
  EXPECT_EQ(last, 0x82001000u);
  mem.write32(0x82001008, 1);
  EXPECT_EQ(hits, 1u);  // the page is no longer marked
}

TEST(GuestMemory, FetchNeedsExecute) {
  GuestMemory mem;
  mem.set_protection(0x82000000, 0x1000, GuestMemory::kProtRW);
  EXPECT_THROW(mem.fetch32(0x82000000), GuestFault);
  mem.set_protection(0x82000000, 0x1000, GuestMemory::kProtRWX);
  EXPECT_EQ(mem.fetch32(0x82000000), 0u);
}

}  // namespace
}  // namespace xdet

namespace xdet {
namespace {

// Zero-byte accesses touch nothing, at any address (address 0 included).
TEST(GuestMemory, ZeroByteAccessesAreNoOps) {
  GuestMemory mem;
  uint8_t b = 0x5A;
  EXPECT_NO_THROW(mem.write_bytes(0, &b, 0));
  EXPECT_NO_THROW(mem.fill(0, 0, 0));
  EXPECT_NO_THROW(mem.write_bytes(0xFFFFFFFFu, &b, 0));
  EXPECT_THROW(mem.write_bytes(0, &b, 1), GuestFault);
}

}  // namespace
}  // namespace xdet

namespace {
// A device with four 32-bit registers at the start of its page; any other
// offset is not a register.
struct FourRegisters : xdet::MmioHandler {
  uint64_t regs[4] = {};
  int reads = 0, writes = 0;
  uint64_t mmio_read(uint32_t addr, uint32_t size) override {
    ++reads;
    uint32_t i = (addr & 0xFFF) / 8;
    if (i >= 4) throw xdet::GuestFault(xdet::AccessKind::kRead, addr, size, "no such register");
    return regs[i] & (size == 8 ? ~0ull : (1ull << (8 * size)) - 1);
  }
  void mmio_write(uint32_t addr, uint32_t size, uint64_t value) override {
    ++writes;
    uint32_t i = (addr & 0xFFF) / 8;
    if (i >= 4) throw xdet::GuestFault(xdet::AccessKind::kWrite, addr, size, "no such register");
    regs[i] = value;
  }
};
}  // namespace

TEST(GuestMemoryMmio, AccessesReachTheHandlerAndRamStaysRam) {
  xdet::GuestMemory mem;
  mem.set_protection(0x10000000, 0x3000, xdet::GuestMemory::kProtRW);
  FourRegisters dev;
  mem.map_mmio(0x10001000, 0x1000, &dev, "test");
  EXPECT_TRUE(mem.is_mmio(0x10001000));
  EXPECT_FALSE(mem.is_mmio(0x10000FFC));
  EXPECT_FALSE(mem.is_mmio(0x10002000));
  mem.write32(0x10001008, 0xCAFEF00D);
  EXPECT_EQ(dev.regs[1], 0xCAFEF00Du);
  EXPECT_EQ(mem.read32(0x10001008), 0xCAFEF00Du);
  mem.write64(0x10001010, 0x0123456789ABCDEFull);
  EXPECT_EQ(mem.read64(0x10001010), 0x0123456789ABCDEFull);
  EXPECT_EQ(mem.read8(0x10001008), 0x0Du);
  EXPECT_EQ(dev.writes, 2);
  EXPECT_EQ(dev.reads, 3);
  // Neighbouring RAM is untouched by the device and does not call it.
  mem.write32(0x10000FFC, 7);
  mem.write32(0x10002000, 8);
  EXPECT_EQ(mem.read32(0x10000FFC), 7u);
  EXPECT_EQ(mem.read32(0x10002000), 8u);
  EXPECT_EQ(dev.reads, 3);
  EXPECT_EQ(dev.writes, 2);
}

TEST(GuestMemoryMmio, FaultsAreTheDevicesAndCrossingAccessesFault) {
  xdet::GuestMemory mem;
  mem.set_protection(0x10000000, 0x3000, xdet::GuestMemory::kProtRW);
  FourRegisters dev;
  mem.map_mmio(0x10001000, 0x1000, &dev, "test");
  try {
    mem.read32(0x10001100);
    FAIL() << "no fault";
  } catch (const xdet::GuestFault& f) {
    EXPECT_EQ(f.address(), 0x10001100u);
    EXPECT_EQ(f.detail(), "no such register");
    EXPECT_NE(std::string(f.what()).find("0x10001100: no such register"), std::string::npos) << f.what();
  }
  EXPECT_THROW(mem.read32(0x10000FFE), xdet::GuestFault);  // RAM page into the device page
  EXPECT_THROW(mem.fetch32(0x10001000), xdet::GuestFault);
  EXPECT_THROW(mem.read_bytes(0x10001000, nullptr, 4), xdet::GuestFault);
  EXPECT_FALSE(mem.is_accessible(0x10001000, 4, xdet::GuestMemory::kProtRead));
  mem.unmap_mmio(0x10001000);
  EXPECT_FALSE(mem.is_mmio(0x10001000));
  EXPECT_THROW(mem.read32(0x10001000), xdet::GuestFault);
}
