// Arbitrary bytes as guest code and initial registers: the interpreter must
// stop with a well-formed ExecResult (budget, sc, trap, fault) and never
// crash the host.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cpu/cpu.h"

namespace {
constexpr uint32_t kCode = 0x82000000;
constexpr uint32_t kData = 0x10000000;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static xdet::GuestMemory mem;
  static xdet::cpu::Cpu cpu(mem);
  static bool mapped = [] {
    mem.set_protection(kCode, 0x10000, xdet::GuestMemory::kProtRWX);
    mem.set_protection(kData, 0x10000, xdet::GuestMemory::kProtRW);
    return true;
  }();
  (void)mapped;
  if (size < 64) return 0;
  // Rewriting the code page goes through the code-write hook, which drops the
  // previous input's decoded blocks. (Protection is set once: set_protection
  // clears the page's code-cached mark and with it that notification.)
  mem.fill(kCode, 0, 0x10000);
  xdet::cpu::PpcContext ctx;
  cpu.attach(ctx);
  // First 64 bytes seed a few registers (pointing some into the data page).
  for (int r = 0; r < 8; ++r) {
    uint64_t v;
    std::memcpy(&v, data + 8 * r, 8);
    ctx.gpr[3 + r] = (r & 1) ? (kData + (v & 0xFFF0)) : v;
    ctx.fpr[r] = v;
  }
  size_t code_size = std::min<size_t>(size - 64, 0x10000) & ~size_t{3};
  mem.write_bytes(kCode, data + 64, code_size);
  ctx.pc = kCode;
  for (int slice = 0; slice < 8; ++slice) {
    xdet::cpu::ExecResult r = cpu.run(ctx, 2000);
    if (r.reason == xdet::cpu::StopReason::kFault || r.reason == xdet::cpu::StopReason::kTrap) break;
  }
  cpu.detach(ctx);
  return 0;
}
