#pragma once
// XDK memory constants (PAGE_*, MEM_*), the NTSTATUS values the memory API
// returns (from base/ntstatus.h), and the mapping between XDK protect flags and the heap layer's
// internal protect bits (as in the console memory map facts, §5).
#include <cstdint>

#include "base/ntstatus.h"

namespace xdet::xdk {

// PAGE_* protect flags.
inline constexpr uint32_t kPageNoAccess = 0x001;
inline constexpr uint32_t kPageReadOnly = 0x002;
inline constexpr uint32_t kPageReadWrite = 0x004;
inline constexpr uint32_t kPageWriteCopy = 0x008;
inline constexpr uint32_t kPageExecute = 0x010;
inline constexpr uint32_t kPageExecuteRead = 0x020;
inline constexpr uint32_t kPageExecuteReadWrite = 0x040;
inline constexpr uint32_t kPageExecuteWriteCopy = 0x080;
inline constexpr uint32_t kPageGuard = 0x100;
inline constexpr uint32_t kPageNoCache = 0x200;
inline constexpr uint32_t kPageWriteCombine = 0x400;
inline constexpr uint32_t kPageExecuteAny = kPageExecute | kPageExecuteRead | kPageExecuteReadWrite | kPageExecuteWriteCopy;

// MEM_* allocation types and states.
inline constexpr uint32_t kMemCommit = 0x00001000;
inline constexpr uint32_t kMemReserve = 0x00002000;
inline constexpr uint32_t kMemDecommit = 0x00004000;
inline constexpr uint32_t kMemRelease = 0x00008000;
inline constexpr uint32_t kMemFree = 0x00010000;
inline constexpr uint32_t kMemPrivate = 0x00020000;
inline constexpr uint32_t kMemReset = 0x00080000;
inline constexpr uint32_t kMemTopDown = 0x00100000;
inline constexpr uint32_t kMemNoZero = 0x00800000;
inline constexpr uint32_t kMemLargePages = 0x20000000;
inline constexpr uint32_t kMemHeap = 0x40000000;
inline constexpr uint32_t kMem16MbPages = 0x80000000;

}  // namespace xdet::xdk

namespace xdet {

// Internal protect bits of the heap layer (xenia's model): 0 = no access.
// Execute is not a separate right: PAGE_EXECUTE_READ(WRITE) map to R(W), and
// every readable page may be fetched from (xenia does not enforce execute
// permission either).
inline constexpr uint32_t kMemProtRead = 1;
inline constexpr uint32_t kMemProtWrite = 2;
inline constexpr uint32_t kMemProtNoCache = 4;
inline constexpr uint32_t kMemProtWriteCombine = 8;

// Internal allocation-type bits.
inline constexpr uint32_t kAllocReserve = 1;
inline constexpr uint32_t kAllocCommit = 2;

// PAGE_* -> internal. WRITECOPY, EXECUTE and EXECUTE_WRITECOPY give no access
// (as xenia); GUARD is ignored.
inline uint32_t protect_from_xdk(uint32_t p) {
  uint32_t r = 0;
  switch (p & 0xFF) {
    case xdk::kPageReadOnly:
    case xdk::kPageExecuteRead: r = kMemProtRead; break;
    case xdk::kPageReadWrite:
    case xdk::kPageExecuteReadWrite: r = kMemProtRead | kMemProtWrite; break;
    default: r = 0; break;
  }
  if (p & xdk::kPageNoCache) r |= kMemProtNoCache;
  if (p & xdk::kPageWriteCombine) r |= kMemProtWriteCombine;
  return r;
}

// internal -> PAGE_*.
inline uint32_t protect_to_xdk(uint32_t p) {
  uint32_t r;
  if ((p & (kMemProtRead | kMemProtWrite)) == (kMemProtRead | kMemProtWrite)) r = xdk::kPageReadWrite;
  else if (p & kMemProtRead) r = xdk::kPageReadOnly;
  else r = xdk::kPageNoAccess;
  if (p & kMemProtNoCache) r |= xdk::kPageNoCache;
  if (p & kMemProtWriteCombine) r |= xdk::kPageWriteCombine;
  return r;
}

}  // namespace xdet
