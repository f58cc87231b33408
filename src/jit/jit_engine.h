#pragma once
// The x86-64 block JIT: an ExecutionEngine for cpu::Cpu that translates guest
// basic blocks to host code with xbyak. See src/jit/README.md for the design
// and the exactness rules it keeps with the interpreter.
//
//   cpu::Cpu cpu(mem);
//   if (jit::JitEngine::host_supported()) cpu.set_engine(std::make_unique<jit::JitEngine>(cpu));
//   cpu.run(ctx, budget);   // same results as the interpreter, faster
#include <cstdint>
#include <cstdio>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/cpu.h"

namespace xdet::jit {

// State the generated code reaches through r15 (plain data: its offsets are
// baked into the code).
struct JitState {
  uint64_t remaining;  // instruction budget left (r13 while in generated code)
  int64_t exit_slot;   // linkable exit taken last (-1: none)
  // instructions_retired + remaining at entry: the retired count at any
  // point is retired_base - remaining.
  uint64_t retired_base;
  // Floating-point status not yet written to the FPSCR (see README, "FPSCR").
  // While fp_pending is set, the host MXCSR's inexact flag is the union of
  // the pending operations' and the last one is recorded here (operands and
  // a host routine redoing it), so fp_commit can find its own inexact flag.
  uint64_t fp_last_bits;        // result of the last pending operation
  uint64_t fp_op[3];            // its operands
  const void* fp_last_redo;     // host routine recomputing it from fp_op
  uint32_t fp_union;            // scratch of fp_commit
  uint32_t mxcsr_clear;         // the host MXCSR with its status flags cleared
  uint32_t mxcsr_tmp;
  uint8_t fp_pending;     // nonzero: fp_* above hold unapplied status
  // pshufb mask reversing the bytes of each word (guest quadword <-> Vec128).
  uint8_t vmx_word_swap[16];
};

class JitEngine final : public cpu::ExecutionEngine {
 public:
  static constexpr size_t kDefaultCodeCapacity = 64u << 20;

  explicit JitEngine(cpu::Cpu& cpu, size_t code_capacity = kDefaultCodeCapacity);
  ~JitEngine() override;
  JitEngine(const JitEngine&) = delete;
  JitEngine& operator=(const JitEngine&) = delete;

  // True on x86-64 hosts (the only target of the code generator).
  static bool host_supported();

  cpu::ExecResult run(cpu::PpcContext& ctx, uint64_t max_instructions) override;
  void invalidate_page(uint32_t page_addr) override;
  void invalidate_all() override;
  const char* name() const override { return "jit"; }

  struct Stats {
    uint64_t blocks_compiled = 0;
    uint64_t blocks_invalidated = 0;
    uint64_t guest_insns_compiled = 0;
    uint64_t native_insns = 0;     // translated to host instructions
    uint64_t callout_insns = 0;    // executed through the interpreter's handler
    uint64_t links = 0;            // block-to-block jumps patched
    uint64_t flushes = 0;          // whole-cache drops (full buffer, mode change)
    uint64_t interpreter_tails = 0;  // blocks cut by the budget, run by the interpreter
    uint64_t compile_ns = 0;       // host time spent translating (never guest-visible)
    uint64_t code_bytes = 0;       // bytes of host code in the cache now
    uint64_t code_capacity = 0;
    bool movbe = false;
    bool native_fp = false;        // host has AVX and FMA3: scalar FP is translated
  };
  const Stats& stats() const { return stats_; }

  // Called by the out-of-line handler wrapper when an instruction faults.
  void record_fault(cpu::FaultInfo info) { fault_ = std::move(info); }
  void record_exception(std::exception_ptr e) { pending_exception_ = std::move(e); }

 private:
  struct Block {
    uint32_t start = 0;
    uint32_t count = 0;
    uint32_t end_pc = 0;
    cpu::DecodedInsn* insns = nullptr;
    const uint8_t* entry = nullptr;
    const uint8_t* same_page_entry = nullptr;  // for links from the same page
    bool valid = false;
    std::vector<int64_t> incoming;  // exit slots linked to this block
  };
  struct ExitSlot {
    uint8_t* site;        // a 5-byte jmp rel32
    const uint8_t* stub;  // its unlinked target (stores the PC, returns)
    uint32_t target_pc;
    Block* owner;
    Block* linked;
  };
  struct IndirectEntry {
    uint32_t pc;
    uint32_t pad;
    const uint8_t* entry;
  };
  static constexpr uint32_t kIndirectBits = 14;


  Block* lookup(uint32_t pc);
  Block* compile(uint32_t pc);
  void flush();
  void drop_block(Block* b);
  void link(int64_t slot, Block* to);
  void patch_jump(uint8_t* site, const uint8_t* target);
  void emit_runtime();

  cpu::Cpu& cpu_;
  GuestMemory& mem_;
  uint8_t* code_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  size_t runtime_size_ = 0;
  uint32_t (*enter_)(cpu::PpcContext*, const uint8_t*, void*) = nullptr;
  const uint8_t* exit_common_ = nullptr;
  const uint8_t* fp_commit_ = nullptr;
  const uint8_t* fp_summaries_ = nullptr;
  const uint8_t* fp_redo_[16][2] = {};
  bool movbe_ = false;
  bool avx_fma_ = false;
  bool mode64_ = false;

  std::deque<Block> blocks_storage_;
  std::vector<std::unique_ptr<cpu::DecodedInsn[]>> insn_storage_;
  std::unordered_map<uint32_t, Block*> blocks_;
  std::unordered_map<uint32_t, std::vector<Block*>> page_blocks_;
  std::vector<ExitSlot> slots_;
  std::unique_ptr<IndirectEntry[]> indirect_;
  std::unique_ptr<Block*[]> indirect_blocks_;

  JitState st_{};
  std::FILE* perf_map_ = nullptr;
  bool perf_dump_ = false;
  cpu::FaultInfo fault_;
  std::exception_ptr pending_exception_;
  Stats stats_;
};

}  // namespace xdet::jit
