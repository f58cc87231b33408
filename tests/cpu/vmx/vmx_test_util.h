#pragma once
// Test helpers: a context with 64 KiB of read/write scratch memory at
// 0x10000000, instruction encoders for the classic VMX forms, and a runner
// that decodes a word and executes its handler once.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cpu/ppc_context.h"
#include "cpu/vmx/vmx128_asm.h"
#include "cpu/vmx/vmx_decode.h"
#include "memory/guest_memory.h"

namespace xdet::cpu::vmx_test {

inline Vec128 V(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return Vec128{{a, b, c, d}}; }

inline std::string hex(const Vec128& v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%08X, %08X, %08X, %08X]", v.w[0], v.w[1], v.w[2], v.w[3]);
  return buf;
}

// Classic VMX encodings.
inline uint32_t vx(uint32_t xo, uint32_t d, uint32_t a, uint32_t b) {
  return (4u << 26) | (d << 21) | (a << 16) | (b << 11) | xo;
}
inline uint32_t vc(uint32_t xo, uint32_t d, uint32_t a, uint32_t b, bool rc) {
  return vx(xo, d, a, b) | (rc ? 0x400u : 0u);
}
inline uint32_t va(uint32_t xo, uint32_t d, uint32_t a, uint32_t b, uint32_t c) {
  return (4u << 26) | (d << 21) | (a << 16) | (b << 11) | (c << 6) | xo;
}
inline uint32_t x31(uint32_t xo, uint32_t d, uint32_t a, uint32_t b) {
  return (31u << 26) | (d << 21) | (a << 16) | (b << 11) | (xo << 1);
}

class VmxTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kScratch = 0x10000000;

  VmxTest() {
    mem.set_protection(kScratch, 0x10000, GuestMemory::kProtRW);
    ctx.mem = &mem;
  }

  void run(uint32_t word) {
    InsnHandler h = decode_vector_insn(word);
    ASSERT_NE(h, nullptr) << std::hex << "word 0x" << word << " did not decode";
    DecodedInsn insn{};
    insn.fn = h;
    insn.word = word;
    h(ctx, insn);
  }
  // Assembles a console mnemonic with the vmx128 assembler pass and runs it.
  void run_asm(const std::string& stmt) {
    auto w = encode_console_insn(stmt);
    ASSERT_TRUE(w.has_value()) << stmt;
    run(*w);
  }
  void expect_vr(int r, const Vec128& want) {
    EXPECT_EQ(hex(ctx.vr[r]), hex(want)) << "v" << r;
  }
  uint32_t cr6() const { return (ctx.cr >> 4) & 0xF; }

  GuestMemory mem;
  PpcContext ctx;
};

}  // namespace xdet::cpu::vmx_test
