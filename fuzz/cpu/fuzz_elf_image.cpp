// Arbitrary bytes as an ELF file: parse + load must either succeed or throw
// InputError, never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/error.h"
#include "cpu/harness/elf_image.h"
#include "cpu/harness/elf_loader.h"

namespace {
xdet::GuestMemory& memory() {
  static xdet::GuestMemory mem;  // 4 GiB reservation: create once
  return mem;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    xdet::cpu::ElfImage img = xdet::cpu::ElfImage::parse(std::vector<uint8_t>(data, data + size), "fuzz.elf");
    xdet::GuestMemory& mem = memory();
    mem.set_protection(0, 0xFFFFFFFFull + 1, 0);
    xdet::cpu::load_elf_program(mem, img);
  } catch (const xdet::InputError&) {
  } catch (const xdet::GuestFault&) {
  }
  return 0;
}
