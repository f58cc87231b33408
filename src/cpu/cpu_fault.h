#pragma once
// Faults raised by instruction handlers. A handler that meets an encoding it
// cannot execute calls raise_illegal_instruction(); memory violations arrive
// as GuestFault from GuestMemory. Cpu::run catches both and reports a fault
// with the PC, instruction word and (for memory) the address.
#include <cstdint>

#include "base/error.h"
#include "cpu/ppc_context.h"

namespace xdet::cpu {

enum class CpuFaultKind : uint8_t {
  kIllegalInstruction,  // unknown/invalid encoding
  kAlignment,           // e.g. misaligned lwarx/stwcx.
};

class CpuFault : public Error {
 public:
  CpuFault(CpuFaultKind kind, uint32_t pc, uint32_t word, uint32_t address, std::string message)
      : Error(ExitCode::kGuestFault, std::move(message)), kind_(kind), pc_(pc), word_(word), address_(address) {}
  CpuFaultKind kind() const { return kind_; }
  uint32_t pc() const { return pc_; }
  uint32_t word() const { return word_; }
  uint32_t address() const { return address_; }

 private:
  CpuFaultKind kind_;
  uint32_t pc_;
  uint32_t word_;
  uint32_t address_;
};

[[noreturn]] void raise_illegal_instruction(PpcContext& ctx, const DecodedInsn& insn);
[[noreturn]] void raise_alignment_fault(PpcContext& ctx, const DecodedInsn& insn, uint32_t address);

}  // namespace xdet::cpu
