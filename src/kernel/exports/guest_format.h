#pragma once
// printf-style formatting of a guest format string with guest arguments
// (DbgPrint, and later the kernel's sprintf family). Supports flags
// "-+ 0#", width and precision (including '*'), length modifiers h hh l ll
// I64 z, and conversions d i u x X o c s p n(ignored) %. Each argument
// takes one slot (a register or a stack slot), 64-bit ones included.
#include <cstdint>
#include <functional>
#include <string>

#include "memory/guest_memory.h"

namespace xdet::kernel {

// `next_arg()` yields successive 64-bit argument slots.
std::string format_guest_string(const GuestMemory& mem, uint32_t fmt_addr, const std::function<uint64_t()>& next_arg,
                                size_t max_len = 4096);

}  // namespace xdet::kernel
