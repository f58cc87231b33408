#include "cpu/reservation.h"

#include <algorithm>

namespace xdet::cpu {

void ReservationTable::reserve(PpcContext& ctx, uint32_t addr, uint8_t size, uint64_t value) {
  ctx.reserve_valid = true;
  ctx.reserve_addr = addr;
  ctx.reserve_size = size;
  ctx.reserve_value = value;
  if (std::find(holders_.begin(), holders_.end(), &ctx) == holders_.end()) holders_.push_back(&ctx);
}

bool ReservationTable::check_and_clear(PpcContext& ctx, uint32_t addr, uint8_t size, uint64_t current_value) {
  bool ok = ctx.reserve_valid && ctx.reserve_addr == addr && ctx.reserve_size == size &&
            ctx.reserve_value == current_value;
  ctx.reserve_valid = false;
  if (ok) invalidate(addr, size, &ctx);
  return ok;
}

void ReservationTable::invalidate(uint32_t addr, uint32_t size, const PpcContext* except) {
  if (size == 0) return;
  uint64_t first = addr / kGranule;
  uint64_t last = (static_cast<uint64_t>(addr) + size - 1) / kGranule;
  for (PpcContext* h : holders_) {
    if (h == except || !h->reserve_valid) continue;
    uint64_t g = h->reserve_addr / kGranule;
    if (g >= first && g <= last) h->reserve_valid = false;
  }
}

void ReservationTable::release(PpcContext& ctx) {
  ctx.reserve_valid = false;
  holders_.erase(std::remove(holders_.begin(), holders_.end(), &ctx), holders_.end());
}

}  // namespace xdet::cpu
