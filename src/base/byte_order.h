#pragma once
// Big-endian access helpers. The guest is big-endian, the host little-endian;
// every guest-visible multi-byte value goes through these.
#include <bit>
#include <cstdint>
#include <cstring>

namespace xdet {

inline uint16_t bswap16(uint16_t v) { return __builtin_bswap16(v); }
inline uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t bswap64(uint64_t v) { return __builtin_bswap64(v); }

template <typename T>
inline T byteswap(T v) {
  static_assert(std::is_integral_v<T>);
  if constexpr (sizeof(T) == 1) return v;
  else if constexpr (sizeof(T) == 2) return static_cast<T>(bswap16(static_cast<uint16_t>(v)));
  else if constexpr (sizeof(T) == 4) return static_cast<T>(bswap32(static_cast<uint32_t>(v)));
  else return static_cast<T>(bswap64(static_cast<uint64_t>(v)));
}

// Unaligned big-endian load/store from a host pointer.
template <typename T>
inline T load_be(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return byteswap(v);
}

template <typename T>
inline void store_be(void* p, T v) {
  v = byteswap(v);
  std::memcpy(p, &v, sizeof(T));
}

inline uint16_t load_be16(const void* p) { return load_be<uint16_t>(p); }
inline uint32_t load_be32(const void* p) { return load_be<uint32_t>(p); }
inline uint64_t load_be64(const void* p) { return load_be<uint64_t>(p); }
inline void store_be16(void* p, uint16_t v) { store_be<uint16_t>(p, v); }
inline void store_be32(void* p, uint32_t v) { store_be<uint32_t>(p, v); }
inline void store_be64(void* p, uint64_t v) { store_be<uint64_t>(p, v); }

}  // namespace xdet
