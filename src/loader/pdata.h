#pragma once
// The Xbox 360 function table entry (Windows CE PDATA, PE exception
// directory): BeginAddress (absolute, big-endian), then a packed word: bits
// 0-7 prolog length in instructions, 8-29 function length in instructions,
// bit 30 the 32-bit-code flag, bit 31 the exception flag. With the exception
// flag set, the language handler and its handler data are the two words just
// before the function (PDATA_EH). `xdet pack` writes these tables; the
// kernel's dispatcher reads them (kernel/exceptions).
#include <cstdint>

namespace xdet::loader {

struct RuntimeFunction {
  uint32_t entry = 0;          // guest address of the .pdata entry
  uint32_t begin = 0;
  uint32_t prolog_insns = 0;
  uint32_t length_insns = 0;
  bool is_32bit = false;
  bool has_handler = false;
  uint32_t handler = 0;        // language handler (the word at BeginAddress - 8)
  uint32_t handler_data = 0;   // its data (BeginAddress - 4)
  uint32_t end() const { return begin + length_insns * 4; }
  uint32_t prolog_end() const { return begin + prolog_insns * 4; }
};

inline void decode_pdata_word(uint32_t word, RuntimeFunction* f) {
  f->prolog_insns = word & 0xFF;
  f->length_insns = (word >> 8) & 0x3FFFFF;
  f->is_32bit = (word >> 30) & 1;
  f->has_handler = (word >> 31) & 1;
}

inline uint32_t encode_pdata_word(uint32_t prolog_insns, uint32_t length_insns, bool has_handler) {
  return (prolog_insns & 0xFF) | ((length_insns & 0x3FFFFF) << 8) | (1u << 30) | (has_handler ? 1u << 31 : 0);
}

// How many of a function's first instructions (at most `count`) make up its
// prolog: up to the last one that allocates the frame (stwu/stdu/stwux r1),
// moves LR out (mflr) or stores a register to the stack through r1, within
// the leading run before the first branch or call. 0 for a function without
// any (a leaf). For gcc's code, which calls no save helpers; entries written
// in assembly (the console compiler's form) give their own length.
uint32_t measure_prolog(const uint32_t* words, uint32_t count);

}  // namespace xdet::loader
