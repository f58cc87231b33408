// libFuzzer target: `xdet pack`'s ELF reader and the XEX writer on arbitrary
// bytes. Bad input must end in InputError / Error(kBadInput).
#include <cstddef>
#include <cstdint>

#include "base/error.h"
#include "loader/elf_to_xex.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    xdet::xex::XexBuildSpec spec = xdet::xex::spec_from_elf(std::span<const uint8_t>(data, size), "fuzz.elf");
    if (spec.image.size() <= (4u << 20)) xdet::xex::build_xex(spec);
  } catch (const xdet::Error& e) {
    if (e.code() != xdet::ExitCode::kBadInput) __builtin_trap();
  }
  return 0;
}
