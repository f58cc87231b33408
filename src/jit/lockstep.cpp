#include "jit/lockstep.h"

#include <fmt/format.h>

#include <cstring>
#include <random>

#include "jit/jit_engine.h"

namespace xdet::jit {

struct Lockstep::Machine {
  GuestMemory mem;
  cpu::Cpu cpu{mem};
  cpu::PpcContext ctx;
};

Lockstep::Lockstep(const std::vector<uint32_t>& code, uint64_t seed, size_t jit_code_capacity)
    : jit_(std::make_unique<Machine>()), interp_(std::make_unique<Machine>()) {
  jit_->cpu.set_engine(std::make_unique<JitEngine>(jit_->cpu, jit_code_capacity));
  uint32_t code_bytes = static_cast<uint32_t>(code.size() * 4);
  uint32_t code_span = (code_bytes + GuestMemory::kPageSize) & ~(GuestMemory::kPageSize - 1);
  code_end_ = kCodeBase + code_bytes;
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> data(kDataSize);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  uint64_t regs[32];
  for (auto& r : regs) {
    // A mix of small, sign-boundary and arbitrary values.
    switch (rng() % 4) {
      case 0: r = rng() % 64; break;
      case 1: r = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(rng()))); break;
      case 2: r = 0x7FFFFFF0u + rng() % 32; break;
      default: r = rng(); break;
    }
  }
  regs[1] = kDataBase + 0x1000;
  regs[2] = kCodeBase;
  uint64_t fprs[32];
  // FP edge cases next to ordinary values: NaN payloads (quiet and
  // signalling), infinities, signed zeros, denormals, the ends of the double
  // and single ranges, single midpoints and int32 conversion bounds.
  static const uint64_t kSpecial[] = {
      0x0000000000000000ull, 0x8000000000000000ull, 0x7FF0000000000000ull, 0xFFF0000000000000ull,
      0x7FF8000000000000ull, 0xFFF8000000000123ull, 0x7FF0000000000001ull, 0x7FF4000000ABC000ull,
      0x0000000000000001ull, 0x800FFFFFFFFFFFFFull, 0x0010000000000000ull, 0x0010000000000001ull,
      0x7FEFFFFFFFFFFFFFull, 0xFFEFFFFFFFFFFFFFull, 0x3FF0000010000000ull, 0xBFF0000030000000ull,
      0x36A0000000000000ull, 0x3810000000000000ull, 0x380FFFFFF0000000ull, 0x47EFFFFFE0000000ull,
      0x47EFFFFFF0000000ull, 0x41DFFFFFFFE00000ull, 0xC1E0000000000000ull, 0x41DFFFFFFFF00000ull,
      0x3FE0000000000000ull, 0xBFE0000000000000ull, 0x4330000000000001ull, 0x0008000000000000ull};
  for (auto& f : fprs) {
    switch (rng() % 8) {
      case 0: f = kSpecial[rng() % (sizeof kSpecial / sizeof kSpecial[0])]; break;
      case 1: f = rng(); break;
      case 2: {  // a value with an exponent near either end of the range
        uint64_t e = rng() % 2 ? rng() % 40 : 2047 - 40 + rng() % 40;
        f = (rng() & 0x800FFFFFFFFFFFFFull) | (e << 52);
        break;
      }
      case 3: {  // a single-precision value
        float v = static_cast<float>(static_cast<int32_t>(rng() % 20001) - 10000) / static_cast<float>(1 + rng() % 7);
        double d = v;
        std::memcpy(&f, &d, 8);
        break;
      }
      default: {
        double d = static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000) / static_cast<double>(1 + rng() % 16);
        std::memcpy(&f, &d, 8);
        break;
      }
    }
  }
  // Rounding mode always random; sometimes every other FPSCR bit too
  // (sticky bits, enables, even summaries that disagree with them).
  uint32_t fpscr = rng() % 4 == 0 ? static_cast<uint32_t>(rng()) : static_cast<uint32_t>(rng() % 4);
  cpu::Vec128 vrs[128];
  for (auto& v : vrs) {
    for (auto& x : v.w) x = static_cast<uint32_t>(rng());
  }
  uint32_t cr = static_cast<uint32_t>(rng());
  uint64_t ctr = rng() % 8;
  uint64_t lr = kCodeBase + 4 * (rng() % (code.size() ? code.size() : 1));
  for (Machine* m : {jit_.get(), interp_.get()}) {
    m->mem.set_protection(kCodeBase, code_span, GuestMemory::kProtRWX);
    m->mem.set_protection(kDataBase, kDataSize, GuestMemory::kProtRW);
    for (size_t i = 0; i < code.size(); ++i) m->mem.write32(kCodeBase + static_cast<uint32_t>(4 * i), code[i]);
    m->mem.write_bytes(kDataBase, data.data(), data.size());
    m->cpu.attach(m->ctx);
    std::memcpy(m->ctx.gpr, regs, sizeof regs);
    std::memcpy(m->ctx.fpr, fprs, sizeof fprs);
    for (int v = 0; v < 128; ++v) m->ctx.vr[v] = vrs[v];
    m->ctx.cr = cr;
    m->ctx.fpscr = fpscr;
    m->ctx.ctr = ctr;
    m->ctx.lr = lr;
    m->ctx.pc = kCodeBase;
  }
}

Lockstep::~Lockstep() = default;

uint64_t Lockstep::retired() const { return interp_->ctx.instructions_retired; }
const cpu::PpcContext& Lockstep::interp_context() const { return interp_->ctx; }
uint64_t Lockstep::jit_flushes() const { return static_cast<JitEngine*>(jit_->cpu.engine())->stats().flushes; }
const cpu::PpcContext& Lockstep::jit_context() const { return jit_->ctx; }

std::optional<std::string> compare_contexts(const cpu::PpcContext& a, const cpu::PpcContext& b) {
  for (int i = 0; i < 32; ++i) {
    if (a.gpr[i] != b.gpr[i]) return fmt::format("r{}: jit 0x{:016X} interp 0x{:016X}", i, a.gpr[i], b.gpr[i]);
    if (a.fpr[i] != b.fpr[i]) return fmt::format("f{}: jit 0x{:016X} interp 0x{:016X}", i, a.fpr[i], b.fpr[i]);
  }
  for (int i = 0; i < 128; ++i) {
    if (!(a.vr[i] == b.vr[i])) return fmt::format("v{} differs", i);
  }
  auto cmp = [](const char* name, uint64_t x, uint64_t y) -> std::optional<std::string> {
    if (x == y) return std::nullopt;
    return fmt::format("{}: jit 0x{:X} interp 0x{:X}", name, x, y);
  };
  std::optional<std::string> d;
  if ((d = cmp("pc", a.pc, b.pc)) || (d = cmp("retired", a.instructions_retired, b.instructions_retired)) ||
      (d = cmp("cr", a.cr, b.cr)) || (d = cmp("xer", a.xer, b.xer)) || (d = cmp("lr", a.lr, b.lr)) ||
      (d = cmp("ctr", a.ctr, b.ctr)) || (d = cmp("fpscr", a.fpscr, b.fpscr)) || (d = cmp("vscr", a.vscr, b.vscr)) ||
      (d = cmp("vrsave", a.vrsave, b.vrsave)) || (d = cmp("msr", a.msr, b.msr)) ||
      (d = cmp("reserve_valid", a.reserve_valid, b.reserve_valid)) ||
      (d = cmp("reserve_addr", a.reserve_addr, b.reserve_addr)) ||
      (d = cmp("reserve_size", a.reserve_size, b.reserve_size)) ||
      (d = cmp("reserve_value", a.reserve_value, b.reserve_value)) ||
      (d = cmp("pending_stop", static_cast<uint64_t>(a.pending_stop), static_cast<uint64_t>(b.pending_stop)))) {
    return d;
  }
  return std::nullopt;
}

std::optional<std::string> Lockstep::step(uint64_t budget) {
  cpu::ExecResult rj = jit_->cpu.run(jit_->ctx, budget);
  cpu::ExecResult ri = interp_->cpu.run(interp_->ctx, budget);
  last_ = ri;
  if (rj.reason != ri.reason) {
    return fmt::format("stop reason: jit '{}' interp '{}' (interp at PC 0x{:08X})", cpu::stop_reason_name(rj.reason),
                       cpu::stop_reason_name(ri.reason), interp_->ctx.pc);
  }
  if (rj.executed != ri.executed) return fmt::format("executed: jit {} interp {}", rj.executed, ri.executed);
  if (ri.reason == cpu::StopReason::kFault &&
      (rj.fault.kind != ri.fault.kind || rj.fault.pc != ri.fault.pc || rj.fault.word != ri.fault.word ||
       rj.fault.address != ri.fault.address || rj.fault.message != ri.fault.message)) {
    return fmt::format("fault: jit '{}' interp '{}'", rj.fault.message, ri.fault.message);
  }
  if (auto d = compare_contexts(jit_->ctx, interp_->ctx)) return d;
  const uint8_t* ja = jit_->mem.host_base();
  const uint8_t* ia = interp_->mem.host_base();
  if (std::memcmp(ja + kDataBase, ia + kDataBase, kDataSize) != 0) return std::string("data memory differs");
  if (std::memcmp(ja + kCodeBase, ia + kCodeBase, code_end_ - kCodeBase) != 0) return std::string("code memory differs");
  // Keep going past faults and traps; leave the code region -> restart.
  for (Machine* m : {jit_.get(), interp_.get()}) {
    if (ri.reason == cpu::StopReason::kFault || ri.reason == cpu::StopReason::kTrap) m->ctx.pc += 4;
    if (m->ctx.pc < kCodeBase || m->ctx.pc >= code_end_) m->ctx.pc = kCodeBase;
  }
  return std::nullopt;
}

}  // namespace xdet::jit
