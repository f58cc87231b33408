#pragma once
// Turns a linked guest ELF (32-bit big-endian PowerPC, built with the guest
// SDK's linker script) into an XEX build spec for `xdet pack`.
//
// The image is assembled from the ELF's allocated sections (not its program
// headers, which also map the ELF header). Page-descriptor types come from
// section flags: executable -> code, writable -> data, else read-only data.
// Kernel imports are the records between the linker-script symbols
// __xdet_iat_start/__xdet_iat_end (4-byte variable records, word =
// (library index << 16) | ordinal) and __xdet_thunks_start/__xdet_thunks_end
// (16-byte thunks, first word = 0x01000000 | (library index << 16) |
// ordinal); library index 0 = xboxkrnl.exe, 1 = xam.xex (guest SDK rule).
#include <cstdint>
#include <span>
#include <string>

#include "loader/xex2_writer.h"

namespace xdet::xex {

// Throws InputError naming the ELF and the offending field/offset.
XexBuildSpec spec_from_elf(std::span<const uint8_t> elf, const std::string& name);

}  // namespace xdet::xex
