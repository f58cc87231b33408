#pragma once
// printf-style formatting of a guest format string with guest arguments
// (DbgPrint and the kernel's sprintf/swprintf families). Supports flags
// "-+ 0#", width and precision (including '*'), length modifiers h hh l ll
// w I64 z, and conversions d i u x X o c C s S p e E f F g G a A n(ignored) %.
// Each argument takes one slot (a register or a stack slot), 64-bit ones
// included; a floating-point argument is the slot's 64 bits as a double, the
// way the console's variadic calls pass doubles in integer slots.
//
// Strings follow the Microsoft rules: in the narrow functions %s is a char
// string and %S a UTF-16 string, in the wide ones the other way round; h
// forces narrow and l/w force wide. UTF-16 units above 0xFF written into a
// narrow result become '?', as the console's narrow conversion does.
#include <cstdint>
#include <functional>
#include <string>

#include "memory/guest_memory.h"

namespace xdet::kernel {

enum class CharWidth : uint8_t { kNarrow, kWide };

// `next_arg()` yields successive 64-bit argument slots. The format string is
// read from guest memory as `width` characters; the result is in UTF-16
// units either way (narrow text is one unit per byte).
std::u16string format_guest(const GuestMemory& mem, uint32_t fmt_addr, CharWidth width,
                            const std::function<uint64_t()>& next_arg, size_t max_len = 4096);

// The narrow form as bytes.
std::string format_guest_string(const GuestMemory& mem, uint32_t fmt_addr, const std::function<uint64_t()>& next_arg,
                                size_t max_len = 4096);

}  // namespace xdet::kernel
