#pragma once
// LZX decompression of an XEX "normal" basefile via libmspack's LZX decoder
// (lzxd), fed from memory through a custom mspack_system.
#include <cstdint>
#include <span>
#include <string>

namespace xdet::xex {

// Decompresses `in` (the concatenated chunks) into exactly out.size() bytes.
// window_size is a power of two in 32 KB..2 MB. On failure returns false and
// describes the problem in *error.
bool lzx_decompress(std::span<const uint8_t> in, std::span<uint8_t> out, uint32_t window_size, std::string* error);

}  // namespace xdet::xex
