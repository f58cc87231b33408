#pragma once
// A small assembler pass for the console-only vector mnemonics that stock
// binutils lacks: every VMX128 `*128` form (vaddfp128, vrlimi128,
// vpkd3d128, lvx128, ...) and, so no special assembler flag is needed, the
// Cell/Xenon lvlx/lvrx/stvlx/stvrx family. Each such instruction is replaced
// by `.long 0x........` (labels on the line are kept); every other line is
// passed through untouched, and the line count never changes, so assembler
// error line numbers still point into the original file. A line whose
// console mnemonic has malformed operands is left as is, for the assembler
// to report at that line.
//
// Operands: vector registers v0-v127 (also vrN, %vN), GPRs r0-r31, and
// integer immediates (decimal, 0x hex, negative). Operand orders:
//   vX128 vD, vA, vB               arithmetic, logical, pack, compare (add '.' for Rc)
//   vmaddfp128/vnmsubfp128/vsel128 vD, vA, vB[, vD]
//   vmaddcfp128 vD, vA, vD, vB     (or vD, vA, vB)
//     (the repeated vD has no instruction field: it is accepted, not encoded)
//   vperm128 vD, vA, vB, vC        (vC in v0-v7)
//   vsldoi128 vD, vA, vB, SHB
//   unary (vrefp128, vrfin128, vupkhsb128, ...)  vD, vB
//   vcfpsxws128/vcfpuxws128/vcsxwfp128/vcuxwfp128/vspltw128  vD, vB, IMM
//   vspltisw128 vD, SIMM  (or vD, vB, SIMM)
//   vpermwi128 vD, vB, PERM8       vrlimi128 vD, vB, MASK4, ROT2
//   vpkd3d128 vD, vB, TYPE, MODE, SHIFT   vupkd3d128 vD, vB, IMM5 (type<<2)
//   loads/stores: lvx128 vD, rA, rB (rA r0 means 0)
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xdet::cpu {

std::string expand_console_mnemonics(std::string_view asm_source);

// Encodes one console-only instruction ("vaddfp128 v0, v3, v4"); nullopt if
// the mnemonic is not one of them or an operand is malformed.
std::optional<uint32_t> encode_console_insn(std::string_view statement);

// The inverse, for disassemblers: "vaddfp128 v0, v3, v4" for a console-only
// instruction word (a rendering encode_console_insn maps back to `word`), or
// nullopt if the word is none of them.
std::optional<std::string> disassemble_console_insn(uint32_t word);

}  // namespace xdet::cpu
