#pragma once
// Runs one guest program on two Cpus side by side, the JIT on one and the
// interpreter on the other, in chunks of a caller-chosen instruction budget,
// and compares everything architectural after each chunk (a block boundary,
// a budget stop inside a block, a fault, a trap or an sc): all registers,
// PC, retired count, reservation, the stop result and the program's memory.
// Used by the lockstep tests and the fuzzer.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu.h"

namespace xdet::jit {

class Lockstep {
 public:
  // Guest layout: code at kCodeBase (RWX, one page per 1024 words, plus a
  // spare page), data at kDataBase (kDataSize bytes RW, the page after it is
  // unmapped). r1 points into data, r2 at the code; other registers and the
  // data bytes are seeded from `seed`.
  static constexpr uint32_t kCodeBase = 0x00010000;
  static constexpr uint32_t kDataBase = 0x00040000;
  static constexpr uint32_t kDataSize = 0x2000;

  Lockstep(const std::vector<uint32_t>& code, uint64_t seed);
  ~Lockstep();

  // Runs both engines for `budget` instructions. Returns a description of
  // the first difference, or nullopt. After a fault or trap both contexts
  // skip the instruction; a PC outside the code goes back to its start.
  std::optional<std::string> step(uint64_t budget);

  uint64_t retired() const;
  const cpu::PpcContext& interp_context() const;
  const cpu::PpcContext& jit_context() const;
  const cpu::ExecResult& last_result() const { return last_; }

 private:
  struct Machine;
  std::unique_ptr<Machine> jit_;
  std::unique_ptr<Machine> interp_;
  uint32_t code_end_ = 0;
  cpu::ExecResult last_;
};

// Describes the first architectural difference between two contexts.
std::optional<std::string> compare_contexts(const cpu::PpcContext& a, const cpu::PpcContext& b);

}  // namespace xdet::jit
