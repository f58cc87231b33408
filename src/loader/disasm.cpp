#include "loader/disasm.h"

#include <optional>

#include "cpu/vmx/vmx128_asm.h"

#include <capstone/capstone.h>

#include <fmt/format.h>

#include "base/error.h"

namespace xdet::loader {

bool is_vmx128(uint32_t w) {
  uint32_t op = w >> 26;
  if (op == 5 || op == 6) return true;
  if (op == 4 && ((w & 0x3F) == 0x03 || (w & 0xFC000010) == 0x10000010)) return true;
  return false;
}

struct Disassembler::Impl {
  csh handle = 0;
  cs_insn* insn = nullptr;
};

Disassembler::Disassembler() : impl_(std::make_unique<Impl>()) {
  if (cs_open(CS_ARCH_PPC, static_cast<cs_mode>(CS_MODE_32 | CS_MODE_BIG_ENDIAN), &impl_->handle) != CS_ERR_OK) {
    throw Error(ExitCode::kInternal, "capstone: cannot open a PowerPC disassembler");
  }
  impl_->insn = cs_malloc(impl_->handle);
}

Disassembler::~Disassembler() {
  if (impl_->insn) cs_free(impl_->insn, 1);
  if (impl_->handle) cs_close(&impl_->handle);
}

std::string Disassembler::text(uint32_t word, uint32_t address) {
  if (!is_vmx128(word)) {
    uint8_t bytes[4] = {static_cast<uint8_t>(word >> 24), static_cast<uint8_t>(word >> 16),
                        static_cast<uint8_t>(word >> 8), static_cast<uint8_t>(word)};
    const uint8_t* code = bytes;
    size_t size = 4;
    uint64_t addr = address;
    if (cs_disasm_iter(impl_->handle, &code, &size, &addr, impl_->insn)) {
      const cs_insn* i = impl_->insn;
      return i->op_str[0] ? fmt::format("{} {}", i->mnemonic, i->op_str) : std::string(i->mnemonic);
    }
  }
  // VMX128 and the lvlx family: our own decoder (the inverse of the
  // assembler pass the instruction tests use).
  if (std::optional<std::string> console = cpu::disassemble_console_insn(word)) return *console;
  return fmt::format(".long 0x{:08X}", word);
}

bool branch_target(uint32_t word, uint32_t address, uint32_t* target, bool* links) {
  if ((word >> 26) != 18) return false;
  int32_t disp = static_cast<int32_t>(word & 0x03FFFFFC);
  if (disp & 0x02000000) disp -= 0x04000000;
  *target = (word & 2) ? static_cast<uint32_t>(disp) : address + static_cast<uint32_t>(disp);
  *links = word & 1;
  return true;
}

}  // namespace xdet::loader
