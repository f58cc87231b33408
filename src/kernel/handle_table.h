#pragma once
// The process handle table (kernel-objects.md §3): handle = 0xF8000000 +
// slot*4, slot >= 1, lowest free slot reused first, low 2 bits ignored on
// lookup. Each slot holds one object reference with a handle count
// (NtDuplicateObject of the same object gets a new slot; ObReference bumps
// the count of the slot's object elsewhere).
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace xdet::kernel {

inline constexpr uint32_t kHandleBase = 0xF8000000u;
inline constexpr uint32_t kCurrentProcessHandle = 0xFFFFFFFFu;
inline constexpr uint32_t kCurrentThreadHandle = 0xFFFFFFFEu;

class HandleTable {
 public:
  struct Entry {
    uint32_t object = 0;  // guest address of the object's dispatcher header
    uint8_t type = 0;     // dispatcher type code
    bool used = false;
  };

  // Returns the new handle.
  uint32_t add(uint32_t object, uint8_t type);
  // Null if the handle is not live.
  const Entry* lookup(uint32_t handle) const;
  // Frees the slot; false if the handle was not live.
  bool remove(uint32_t handle);
  size_t live_count() const { return live_; }
  // Lowest live handle naming `object`, 0 if none (linear; for reports).
  uint32_t find_first(uint32_t object) const;
  // One past the highest handle ever handed out (for listing: lookup each).
  uint32_t end_handle() const { return kHandleBase + static_cast<uint32_t>(slots_.size()) * 4; }

  static bool is_table_handle(uint32_t h) { return (h & 0xFC000000u) == kHandleBase; }

 private:
  static uint32_t slot_of(uint32_t h) { return (h - kHandleBase) >> 2; }
  std::vector<Entry> slots_ = std::vector<Entry>(1);  // slot 0 never used
  std::set<uint32_t> free_;                           // freed slots below slots_.size()
  size_t live_ = 0;
};

}  // namespace xdet::kernel
