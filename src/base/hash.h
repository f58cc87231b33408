#pragma once
// FNV-1a: the hash the trace schema uses for semantic IDs. Stable across
// hosts and runs, unlike std::hash.
#include <cstdint>
#include <string_view>

namespace xdet {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnv1a64Prime = 0x100000001b3ull;

constexpr uint64_t fnv1a64(const void* data, size_t size, uint64_t h = kFnv1a64Offset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= kFnv1a64Prime;
  }
  return h;
}

constexpr uint64_t fnv1a64(std::string_view s, uint64_t h = kFnv1a64Offset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnv1a64Prime;
  }
  return h;
}

inline constexpr uint32_t kFnv1a32Offset = 0x811c9dc5u;
inline constexpr uint32_t kFnv1a32Prime = 0x01000193u;

constexpr uint32_t fnv1a32(std::string_view s, uint32_t h = kFnv1a32Offset) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnv1a32Prime;
  }
  return h;
}

}  // namespace xdet
