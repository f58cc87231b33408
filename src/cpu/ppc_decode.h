#pragma once
// Instruction decoding: raw word -> handler.
#include <cstdint>

#include "cpu/ppc_context.h"

namespace xdet::cpu {

// The handler for `word`; an unknown or invalid encoding yields a handler
// that raises an illegal-instruction fault when executed (never nullptr).
InsnHandler decode_instruction(uint32_t word);
// True if `word` decodes to a real instruction (not the illegal handler).
bool is_known_instruction(uint32_t word);
// True if the instruction ends a pre-decoded block (branches, sc, traps,
// illegal words).
bool ends_block(uint32_t word);

}  // namespace xdet::cpu
