#include "kernel/handle_table.h"

namespace xdet::kernel {

uint32_t HandleTable::add(uint32_t object, uint8_t type) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = *free_.begin();
    free_.erase(free_.begin());
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back({});
  }
  slots_[slot] = Entry{object, type, true};
  ++live_;
  return kHandleBase + slot * 4;
}

const HandleTable::Entry* HandleTable::lookup(uint32_t handle) const {
  if (!is_table_handle(handle)) return nullptr;
  uint32_t slot = slot_of(handle & ~3u);
  if (slot == 0 || slot >= slots_.size() || !slots_[slot].used) return nullptr;
  return &slots_[slot];
}

bool HandleTable::remove(uint32_t handle) {
  if (!lookup(handle)) return false;
  uint32_t slot = slot_of(handle & ~3u);
  slots_[slot] = Entry{};
  free_.insert(slot);
  --live_;
  return true;
}

uint32_t HandleTable::find_first(uint32_t object) const {
  for (uint32_t slot = 1; slot < slots_.size(); ++slot) {
    if (slots_[slot].used && slots_[slot].object == object) return kHandleBase + slot * 4;
  }
  return 0;
}

}  // namespace xdet::kernel
