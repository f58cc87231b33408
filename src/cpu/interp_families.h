#pragma once
// Per-family decoders. Each returns the handler for `word` if the word is an
// instruction of its family it implements, nullptr otherwise. Only called
// while building blocks (not on the hot path).
#include <cstdint>

#include "cpu/ppc_context.h"

namespace xdet::cpu {

InsnHandler decode_integer(uint32_t word);
InsnHandler decode_branch(uint32_t word);
InsnHandler decode_loadstore(uint32_t word);
InsnHandler decode_system(uint32_t word);
InsnHandler decode_fpu(uint32_t word);

// Block-ending properties of a decoded instruction.
bool is_block_terminator(uint32_t word);

}  // namespace xdet::cpu
