#include "cpu/cpu_fault.h"

namespace xdet::cpu {

void raise_illegal_instruction(PpcContext&, const DecodedInsn& insn) {
  throw CpuFault(CpuFaultKind::kIllegalInstruction, insn.pc, insn.word, 0,
                 fmt::format("illegal instruction 0x{:08X} at PC 0x{:08X}", insn.word, insn.pc));
}

void raise_alignment_fault(PpcContext&, const DecodedInsn& insn, uint32_t address) {
  throw CpuFault(CpuFaultKind::kAlignment, insn.pc, insn.word, address,
                 fmt::format("misaligned access to 0x{:08X} by instruction 0x{:08X} at PC 0x{:08X}", address,
                             insn.word, insn.pc));
}

}  // namespace xdet::cpu
