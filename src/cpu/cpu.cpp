#include "cpu/cpu.h"

#include <fmt/format.h>

#include "cpu/cpu_fault.h"
#include "cpu/ppc_decode.h"

namespace xdet::cpu {

struct Cpu::Block {
  uint32_t start;
  uint32_t count;
  uint32_t end_pc;  // fall-through address after the last instruction
  std::unique_ptr<DecodedInsn[]> insns;
};

const char* stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::kBudget: return "instruction budget used";
    case StopReason::kSyscall: return "system call";
    case StopReason::kTrap: return "trap";
    case StopReason::kFault: return "fault";
    case StopReason::kStopAddress: return "stop address reached";
  }
  return "?";
}

const char* fault_kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::kNone: return "none";
    case FaultKind::kRead: return "read fault";
    case FaultKind::kWrite: return "write fault";
    case FaultKind::kExecute: return "execute fault";
    case FaultKind::kIllegalInstruction: return "illegal instruction";
    case FaultKind::kAlignment: return "alignment fault";
  }
  return "?";
}

Cpu::Cpu(GuestMemory& mem) : mem_(mem), fast_(new CacheEntry[1u << kCacheBits]()) {
  mem_.set_code_write_hook([this](uint32_t page_addr) { invalidate_page(page_addr); });
}

Cpu::~Cpu() { mem_.set_code_write_hook(nullptr); }

void Cpu::attach(PpcContext& ctx) {
  ctx.mem = &mem_;
  ctx.reservations = &reservations_;
}

void Cpu::detach(PpcContext& ctx) { reservations_.release(ctx); }

Cpu::Block* Cpu::lookup_slow(uint32_t pc) {
  auto it = blocks_.find(pc);
  Block* b = it != blocks_.end() ? it->second.get() : build_block(pc);
  fast_[(pc >> 2) & ((1u << kCacheBits) - 1)] = {pc, b};
  return b;
}

Cpu::Block* Cpu::build_block(uint32_t pc) {
  // Fetch up to the first block-ending instruction, the size cap, or the end
  // of the page (so page invalidation covers every block exactly). The first
  // fetch may fault (reported at pc); a later one just ends the block.
  DecodedInsn buf[kMaxBlockInsns];
  uint32_t n = 0;
  uint32_t addr = pc;
  uint32_t page = pc >> GuestMemory::kPageShift;
  while (n < kMaxBlockInsns) {
    uint32_t word;
    if (n == 0) {
      word = mem_.fetch32(addr);
    } else {
      if ((addr >> GuestMemory::kPageShift) != page || !mem_.is_accessible(addr, 4, GuestMemory::kProtExec)) break;
      word = mem_.fetch32(addr);
    }
    buf[n++] = DecodedInsn{decode_instruction(word), word, addr};
    addr += 4;
    if (ends_block(word) || addr == 0) break;
  }
  auto b = std::make_unique<Block>();
  b->start = pc;
  b->count = n;
  b->end_pc = addr;
  b->insns.reset(new DecodedInsn[n]);
  std::copy(buf, buf + n, b->insns.get());
  mem_.mark_code_page(pc);
  page_blocks_[pc & ~(GuestMemory::kPageSize - 1)].push_back(pc);
  ++stats_.blocks_built;
  Block* raw = b.get();
  blocks_[pc] = std::move(b);
  return raw;
}

void Cpu::invalidate_page(uint32_t page_addr) {
  auto it = page_blocks_.find(page_addr);
  if (it == page_blocks_.end()) return;
  for (uint32_t pc : it->second) {
    auto bit = blocks_.find(pc);
    if (bit == blocks_.end()) continue;
    CacheEntry& e = fast_[(pc >> 2) & ((1u << kCacheBits) - 1)];
    if (e.block == bit->second.get()) e = {0, nullptr};
    retired_.push_back(std::move(bit->second));
    blocks_.erase(bit);
    ++stats_.blocks_invalidated;
  }
  page_blocks_.erase(it);
}

void Cpu::invalidate_code(uint32_t addr, uint64_t size) {
  if (size == 0) return;
  uint64_t first = addr >> GuestMemory::kPageShift;
  uint64_t last = (static_cast<uint64_t>(addr) + size - 1) >> GuestMemory::kPageShift;
  for (uint64_t p = first; p <= last && p < GuestMemory::kPageCount; ++p) {
    invalidate_page(static_cast<uint32_t>(p << GuestMemory::kPageShift));
  }
}

void Cpu::invalidate_all_code() {
  std::vector<uint32_t> pages;
  pages.reserve(page_blocks_.size());
  for (const auto& [page, pcs] : page_blocks_) pages.push_back(page);
  for (uint32_t p : pages) invalidate_page(p);
}

namespace {

FaultInfo memory_fault(const GuestFault& f, uint32_t pc, uint32_t word) {
  FaultInfo info;
  info.kind = f.kind() == AccessKind::kRead ? FaultKind::kRead
              : f.kind() == AccessKind::kWrite ? FaultKind::kWrite
                                               : FaultKind::kExecute;
  info.pc = pc;
  info.word = word;
  info.address = f.address();
  info.message = fmt::format("{} at PC 0x{:08X} (instruction 0x{:08X}): {} of {} byte(s) at 0x{:08X}",
                             fault_kind_name(info.kind), pc, word, access_kind_name(f.kind()), f.size(), f.address());
  return info;
}

}  // namespace

ExecResult Cpu::run(PpcContext& ctx, uint64_t max_instructions) {
  ctx.mem = &mem_;
  ctx.reservations = &reservations_;
  ExecResult result;
  uint64_t remaining = max_instructions;
  Block* b = nullptr;
  uint32_t idx = 0;
  try {
    for (;;) {
      if (!retired_.empty()) retired_.clear();
      if (!stop_addrs_.empty() && is_stop(ctx.pc)) {
        result.reason = StopReason::kStopAddress;
        break;
      }
      if (remaining == 0) {
        result.reason = StopReason::kBudget;
        break;
      }
      b = nullptr;
      b = lookup(ctx.pc);
      const DecodedInsn* insns = b->insns.get();
      uint32_t n = b->count;
      ctx.block_begin = insns;
      ctx.pc = b->end_pc;
      if (n <= remaining) [[likely]] {
        for (idx = 0; idx < n; ++idx) insns[idx].fn(ctx, insns[idx]);
      } else {
        n = static_cast<uint32_t>(remaining);
        for (idx = 0; idx < n; ++idx) insns[idx].fn(ctx, insns[idx]);
        ctx.pc = b->start + 4 * n;
      }
      ctx.instructions_retired += n;
      remaining -= n;
      if (ctx.pending_stop != PendingStop::kNone) [[unlikely]] {
        PendingStop stop = ctx.pending_stop;
        ctx.pending_stop = PendingStop::kNone;
        if (stop == PendingStop::kTrap) {
          // The trapping instruction is not retired.
          --ctx.instructions_retired;
          ++remaining;
          result.reason = StopReason::kTrap;
        } else {
          result.reason = StopReason::kSyscall;
        }
        break;
      }
    }
  } catch (const GuestFault& f) {
    uint32_t pc = b ? b->insns[idx].pc : ctx.pc;
    uint32_t word = b ? b->insns[idx].word : 0;
    if (b) {
      ctx.instructions_retired += idx;
      remaining -= idx;
    }
    ctx.pc = pc;
    ctx.pending_stop = PendingStop::kNone;
    result.reason = StopReason::kFault;
    result.fault = memory_fault(f, pc, word);
  } catch (const CpuFault& f) {
    ctx.instructions_retired += idx;
    remaining -= idx;
    ctx.pc = f.pc();
    ctx.pending_stop = PendingStop::kNone;
    result.reason = StopReason::kFault;
    result.fault.kind =
        f.kind() == CpuFaultKind::kAlignment ? FaultKind::kAlignment : FaultKind::kIllegalInstruction;
    result.fault.pc = f.pc();
    result.fault.word = f.word();
    result.fault.address = f.kind() == CpuFaultKind::kAlignment ? f.address() : f.pc();
    result.fault.message = f.what();
  }
  result.executed = max_instructions - remaining;
  return result;
}

}  // namespace xdet::cpu
