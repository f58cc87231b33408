#pragma once
// PowerPC disassembly of guest code words via capstone (32-bit, big-endian).
// VMX128 encodings (Xenon's vector extension, unknown to capstone 4) are
// decoded by xdet's own table (cpu/vmx/vmx128_asm.h); words neither knows are
// rendered as `.long 0xXXXXXXXX`.
#include <cstdint>
#include <memory>
#include <string>

namespace xdet::loader {

// Encodings of VMX128: primary opcodes 5 and 6, and the opcode-4 load/store
// (low six bits 000011) and vsldoi128 forms.
bool is_vmx128(uint32_t word);

class Disassembler {
 public:
  Disassembler();
  ~Disassembler();
  Disassembler(const Disassembler&) = delete;
  Disassembler& operator=(const Disassembler&) = delete;

  // "mnemonic operands" for the instruction `word` at `address`.
  std::string text(uint32_t word, uint32_t address);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// If `word` is an I-form branch (b/ba/bl/bla) at `address`: its target and
// whether it links; false for any other instruction.
bool branch_target(uint32_t word, uint32_t address, uint32_t* target, bool* links);

}  // namespace xdet::loader
