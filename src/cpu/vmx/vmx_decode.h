#pragma once
// Decoder of the vector unit: classic VMX (AltiVec) and the Xbox 360's
// VMX128 extension.
//
// The interpreter core consults decode_vector_insn for primary opcodes 4, 5
// and 6 and for opcode-31 words it does not decode itself (the vector loads
// and stores). The result is a handler to store in the decoded block, or
// nullptr when the word is not a valid vector instruction (the core then
// raises its illegal-instruction fault with the PC and word).
#include <cstdint>

#include "cpu/ppc_context.h"

namespace xdet::cpu {

InsnHandler decode_vector_insn(uint32_t word);

// Mnemonic of a vector instruction word ("vaddfp128", "lvx", ...), or
// nullptr if decode_vector_insn would reject it. Record forms are reported
// without the trailing dot. For diagnostics and tests.
const char* vector_insn_name(uint32_t word);

}  // namespace xdet::cpu
