#pragma once
// The interpreter core: runs a PpcContext over guest memory, through a cache
// of pre-decoded basic blocks.
//
// Embedder API (kernel layer / run-elf / ppc-test):
//   GuestMemory mem;  Cpu cpu(mem);        // one Cpu per address space
//   PpcContext ctx;   cpu.attach(ctx);     // any number of guest threads
//   ExecResult r = cpu.run(ctx, budget);   // runs until budget/sc/trap/fault/stop
// - kBudget: exactly `budget` instructions retired; ctx.pc is the next one.
// - kSyscall: `sc` retired; ctx.pc is the instruction after it (r0 = number).
//   An HLE import thunk such as `li r0,N; sc; blr` dispatches cheaply.
// - kTrap: a tw/twi/td/tdi condition held; ctx.pc is the trap (not retired).
// - kFault: illegal instruction, misaligned reservation or a memory fault;
//   ctx.pc is the faulting instruction (not retired), details in `fault`.
// - kStopAddress: ctx.pc reached an address from set_stop_addresses() (used
//   for return sentinels such as the LR value 0xBCBCBCBC).
// ctx.instructions_retired counts every retired instruction exactly (the
// scheduler's clock); ctx.timebase_fn maps it to the mftb value.
// Several contexts may run on one Cpu (one at a time: the Cpu is not
// thread-safe); they share the decoded-block cache and the ReservationTable.
// Kernel code that performs atomic updates of guest memory on a thread's
// behalf should call reservations().invalidate(addr, size).
// Code invalidation: the Cpu installs GuestMemory's code-write hook, so guest
// and embedder stores into pages holding decoded code drop the affected
// blocks, and icbi drops a line. A page whose protection was set again is
// re-fetched (and its execute permission re-checked) the next time control
// enters it. Not seen: writes through an aliasing view (0x80000000 vs
// 0x90000000 ...); call invalidate_code() (or have the guest run icbi).
// The host FP rounding mode follows ctx.fpscr[RN] inside run() and is
// restored on return.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/ppc_context.h"
#include "cpu/reservation.h"
#include "memory/guest_memory.h"

namespace xdet::cpu {

enum class StopReason : uint8_t { kBudget, kSyscall, kTrap, kFault, kStopAddress };
const char* stop_reason_name(StopReason r);

enum class FaultKind : uint8_t { kNone, kRead, kWrite, kExecute, kIllegalInstruction, kAlignment };
const char* fault_kind_name(FaultKind k);

struct FaultInfo {
  FaultKind kind = FaultKind::kNone;
  uint32_t pc = 0;
  uint32_t word = 0;      // instruction word (0 if the fetch itself faulted)
  uint32_t address = 0;   // data address (memory/alignment faults), else pc
  std::string message;    // one-line description with PC, word and address
};

struct ExecResult {
  StopReason reason = StopReason::kBudget;
  uint64_t executed = 0;  // instructions retired during this call
  FaultInfo fault;        // meaningful for kFault
};

class Cpu;

// An alternative way to execute guest code on a Cpu (the x86-64 block JIT in
// src/jit). It must give exactly the interpreter's results: architectural
// state, retired counts, stop reasons and faults. The Cpu forwards run() to it
// and tells it about every code invalidation.
class ExecutionEngine {
 public:
  virtual ~ExecutionEngine() = default;
  virtual ExecResult run(PpcContext& ctx, uint64_t max_instructions) = 0;
  // Translated code of the 4 KiB page at page_addr is stale.
  virtual void invalidate_page(uint32_t page_addr) = 0;
  // Everything is stale (e.g. the stop addresses changed).
  virtual void invalidate_all() = 0;
  virtual const char* name() const = 0;
};

// The FaultInfo the interpreter reports for a memory fault / CpuFault at `pc`.
FaultInfo memory_fault_info(const GuestFault& f, uint32_t pc, uint32_t word);
class CpuFault;
FaultInfo cpu_fault_info(const CpuFault& f);

class Cpu {
 public:
  explicit Cpu(GuestMemory& mem);
  ~Cpu();
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  // Wires a context to this Cpu's memory and reservation table.
  void attach(PpcContext& ctx);
  // Removes a context's reservation bookkeeping (call before destroying it).
  void detach(PpcContext& ctx);

  // Runs through the installed engine, or the interpreter if none.
  ExecResult run(PpcContext& ctx, uint64_t max_instructions) {
    return engine_ ? engine_->run(ctx, max_instructions) : interpret(ctx, max_instructions);
  }
  // Always the interpreter (the reference; engines use it for budget tails).
  ExecResult interpret(PpcContext& ctx, uint64_t max_instructions);

  // Installs an execution engine (nullptr: back to the interpreter). The Cpu
  // owns it; it is destroyed before the Cpu.
  void set_engine(std::unique_ptr<ExecutionEngine> engine) { engine_ = std::move(engine); }
  ExecutionEngine* engine() const { return engine_.get(); }
  const char* engine_name() const { return engine_ ? engine_->name() : "interp"; }

  // Addresses at which run() returns kStopAddress before executing them
  // (blocks are cut at these addresses, so falling through into one is seen
  // too). For dispatching many HLE entry points prefer an `sc` in the thunk
  // (kSyscall): stop addresses cost a check per block.
  void set_stop_addresses(std::vector<uint32_t> addrs);
  const std::vector<uint32_t>& stop_addresses() const { return stop_addrs_; }
  bool is_stop_address(uint32_t pc) const { return is_stop(pc); }
  // Drops decoded blocks overlapping [addr, addr+size).
  void invalidate_code(uint32_t addr, uint64_t size);
  void invalidate_all_code();

  ReservationTable& reservations() { return reservations_; }
  GuestMemory& memory() { return mem_; }

  struct Stats {
    uint64_t blocks_built = 0;
    uint64_t blocks_invalidated = 0;
  };
  const Stats& stats() const { return stats_; }

  static constexpr uint32_t kMaxBlockInsns = 128;

 private:
  struct Block;
  struct BlockDeleter {
    void operator()(Block* b) const;
  };
  using BlockPtr = std::unique_ptr<Block, BlockDeleter>;
  struct CacheEntry {
    uint32_t pc;
    Block* block;
  };
  static constexpr uint32_t kCacheBits = 16;

  Block* lookup(uint32_t pc) {
    CacheEntry& e = fast_[(pc >> 2) & ((1u << kCacheBits) - 1)];
    if (e.pc == pc && e.block) return e.block;
    return lookup_slow(pc);
  }
  Block* lookup_slow(uint32_t pc);
  Block* build_block(uint32_t pc);
  void invalidate_page(uint32_t page_addr);
  bool is_stop(uint32_t pc) const {
    if (stop_addrs_.size() <= 4) {
      for (uint32_t a : stop_addrs_) {
        if (a == pc) return true;
      }
      return false;
    }
    return std::binary_search(stop_addrs_.begin(), stop_addrs_.end(), pc);
  }

  GuestMemory& mem_;
  ReservationTable reservations_;
  std::vector<uint32_t> stop_addrs_;
  std::unique_ptr<CacheEntry[]> fast_;
  std::unordered_map<uint32_t, BlockPtr> blocks_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> page_blocks_;  // page -> block start pcs
  // Invalidated blocks are kept until the executing block has finished.
  std::vector<BlockPtr> retired_;
  // Bumped on every invalidation; block-to-block links made under an older
  // generation are ignored.
  uint64_t generation_ = 1;
  Stats stats_;
  std::unique_ptr<ExecutionEngine> engine_;
};

}  // namespace xdet::cpu
