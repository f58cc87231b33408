#pragma once
// Load-reserve / store-conditional bookkeeping shared by every guest thread
// of one Cpu.
//
// Each context keeps its own reservation (address, size, value read). A
// store-conditional succeeds only if
//   1. the context still holds a reservation for the same address and size,
//   2. no other context's successful store-conditional (or an embedder write
//      reported through invalidate()) touched the 128-byte granule since, and
//   3. memory still holds the value read by the load-reserve (this catches
//      ordinary stores by other threads without checking every store).
// A plain store that writes back the very same value is not detected; that
// is the one deviation from hardware, and it is deterministic.
#include <cstdint>
#include <vector>

#include "cpu/ppc_context.h"

namespace xdet::cpu {

class ReservationTable {
 public:
  static constexpr uint32_t kGranule = 128;

  void reserve(PpcContext& ctx, uint32_t addr, uint8_t size, uint64_t value);
  // Ends the context's reservation; returns whether the store may happen.
  bool check_and_clear(PpcContext& ctx, uint32_t addr, uint8_t size, uint64_t current_value);
  // Clears every reservation on the granules overlapping [addr, addr+size),
  // except the one of `except` (may be null). Embedders call this when they
  // modify guest memory on a thread's behalf (e.g. kernel interlocked ops).
  void invalidate(uint32_t addr, uint32_t size, const PpcContext* except = nullptr);
  // Forget a context (thread exit / destruction).
  void release(PpcContext& ctx);

 private:
  std::vector<PpcContext*> holders_;
};

}  // namespace xdet::cpu
