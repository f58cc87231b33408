#include "cpu/cpu.h"

#include <fmt/format.h>

#include <new>

#include "cpu/cpu_fault.h"
#include "cpu/fp_env.h"
#include "cpu/ppc_decode.h"

namespace xdet::cpu {

// A pre-decoded basic block; its DecodedInsn array follows the header in the
// same allocation. Each block caches links to the last two successor blocks
// (valid while link_gen matches the Cpu's generation), so the common
// block-to-block transition skips the cache lookup.
struct alignas(16) Cpu::Block {
  uint32_t start;
  uint32_t count;
  uint32_t end_pc;  // fall-through address after the last instruction
  uint32_t link_pc[2];
  Block* link[2];
  uint64_t link_gen;
  DecodedInsn* insns() { return reinterpret_cast<DecodedInsn*>(this + 1); }
};

void Cpu::BlockDeleter::operator()(Block* b) const {
  b->~Block();
  ::operator delete(static_cast<void*>(b), std::align_val_t{alignof(Block)});
}

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

Cpu::~Cpu() {
  engine_.reset();
  mem_.set_code_write_hook(nullptr);
}

void Cpu::attach(PpcContext& ctx) {
  ctx.mem = &mem_;
  ctx.reservations = &reservations_;
  ctx.core = this;
  ctx.on_icbi = [](PpcContext& c, uint32_t addr) {
    static_cast<Cpu*>(c.core)->invalidate_code(addr & ~(ReservationTable::kGranule - 1), ReservationTable::kGranule);
  };
}

void Cpu::set_stop_addresses(std::vector<uint32_t> addrs) {
  std::sort(addrs.begin(), addrs.end());
  addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
  if (addrs == stop_addrs_) return;
  stop_addrs_ = std::move(addrs);
  if (engine_) engine_->invalidate_all();
  // Existing blocks may run through a new stop address: rebuild them.
  if (!blocks_.empty()) invalidate_all_code();
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
      if (!stop_addrs_.empty() && is_stop(addr)) break;
      word = mem_.fetch32(addr);
    }
    buf[n++] = DecodedInsn{decode_instruction(word), word, addr};
    addr += 4;
    if (ends_block(word) || addr == 0) break;
  }
  void* raw_mem = ::operator new(sizeof(Block) + n * sizeof(DecodedInsn), std::align_val_t{alignof(Block)});
  BlockPtr b(new (raw_mem) Block{pc, n, addr, {0, 0}, {nullptr, nullptr}, 0});
  std::copy(buf, buf + n, b->insns());
  mem_.mark_code_page(pc);
  page_blocks_[pc & ~(GuestMemory::kPageSize - 1)].push_back(pc);
  ++stats_.blocks_built;
  Block* raw = b.get();
  blocks_[pc] = std::move(b);
  return raw;
}

void Cpu::invalidate_page(uint32_t page_addr) {
  if (engine_) engine_->invalidate_page(page_addr);
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
  ++generation_;
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

FaultInfo memory_fault_info(const GuestFault& f, uint32_t pc, uint32_t word) {
  FaultInfo info;
  info.kind = f.kind() == AccessKind::kRead ? FaultKind::kRead
              : f.kind() == AccessKind::kWrite ? FaultKind::kWrite
                                               : FaultKind::kExecute;
  info.pc = pc;
  info.word = word;
  info.address = f.address();
  info.message = fmt::format("{} at PC 0x{:08X} (instruction 0x{:08X}): {} of {} byte(s) at 0x{:08X}",
                             fault_kind_name(info.kind), pc, word, access_kind_name(f.kind()), f.size(), f.address());
  if (!f.detail().empty()) info.message += ": " + f.detail();
  return info;
}

FaultInfo cpu_fault_info(const CpuFault& f) {
  FaultInfo info;
  info.kind = f.kind() == CpuFaultKind::kAlignment ? FaultKind::kAlignment : FaultKind::kIllegalInstruction;
  info.pc = f.pc();
  info.word = f.word();
  info.address = f.kind() == CpuFaultKind::kAlignment ? f.address() : f.pc();
  info.message = f.what();
  return info;
}

ExecResult Cpu::interpret(PpcContext& ctx, uint64_t max_instructions) {
  if (ctx.core != this) attach(ctx);
  ExecResult result;
  HostRoundingScope rounding(ctx.fpscr);
  uint64_t remaining = max_instructions;
  const bool has_stops = !stop_addrs_.empty();
  if (!retired_.empty()) retired_.clear();
  uint64_t seen_generation = generation_;
  Block* b = nullptr;                 // block being executed (or last executed)
  const DecodedInsn* cur = nullptr;   // instruction being executed
  bool in_block = false;
  try {
    for (;;) {
      if (has_stops && is_stop(ctx.pc)) {
        result.reason = StopReason::kStopAddress;
        break;
      }
      if (remaining == 0) {
        result.reason = StopReason::kBudget;
        break;
      }
      uint32_t pc = ctx.pc;
      // A page loses its code-cached mark when written (the hook already
      // dropped its blocks) or when its protection is set again; in the
      // latter case its blocks may be stale or no longer executable, so drop
      // them and re-fetch (which re-checks execute permission).
      if (!(mem_.protection(pc) & GuestMemory::kCodeCached)) [[unlikely]] {
        invalidate_page(pc & ~(GuestMemory::kPageSize - 1));
      }
      Block* next;
      // (An empty link slot has pc 0, which is also a possible branch
      // target: check the link itself too.)
      if (b && b->link_gen == generation_ && b->link_pc[0] == pc && b->link[0]) {
        next = b->link[0];
      } else if (b && b->link_gen == generation_ && b->link_pc[1] == pc && b->link[1]) {
        next = b->link[1];
      } else {
        next = lookup(pc);
        if (b) {
          if (b->link_gen != generation_) {
            b->link_gen = generation_;
            b->link_pc[0] = b->link_pc[1] = 0;
            b->link[0] = b->link[1] = nullptr;
          }
          // Slot 1 caches the fall-through successor, slot 0 the taken one.
          int slot = pc == b->end_pc ? 1 : 0;
          b->link_pc[slot] = pc;
          b->link[slot] = next;
        }
      }
      b = next;
      DecodedInsn* insns = b->insns();
      uint32_t n = b->count;
      ctx.block_begin = insns;
      ctx.pc = b->end_pc;
      in_block = true;
      if (n > remaining) [[unlikely]] {
        n = static_cast<uint32_t>(remaining);
        ctx.pc = b->start + 4 * n;
      }
      cur = insns;
      const DecodedInsn* end = insns + n;
      // Long blocks run in a loop until 8 instructions remain; the last 8
      // are dispatched through a jump into a straight run of call sites
      // (Duff's device), so each position from the block's end has its own
      // indirect call site, which gives the host's branch predictor context.
      while (end - cur > 8) {
        cur[0].fn(ctx, cur[0]);
        ++cur;
      }
      switch (end - cur) {
        case 8: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 7: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 6: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 5: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 4: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 3: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 2: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        case 1: cur->fn(ctx, *cur); ++cur; [[fallthrough]];
        default: break;
      }
      in_block = false;
      if (generation_ != seen_generation) [[unlikely]] {
        // This block may have invalidated code (possibly itself): forget it
        // and free retired blocks now that none is executing.
        seen_generation = generation_;
        b = nullptr;
        retired_.clear();
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
    uint32_t pc = in_block ? cur->pc : ctx.pc;
    uint32_t word = in_block ? cur->word : 0;
    if (in_block) {
      uint64_t done = static_cast<uint64_t>(cur - b->insns());
      ctx.instructions_retired += done;
      remaining -= done;
    }
    ctx.pc = pc;
    ctx.pending_stop = PendingStop::kNone;
    result.reason = StopReason::kFault;
    result.fault = memory_fault_info(f, pc, word);
  } catch (const CpuFault& f) {
    uint64_t done = static_cast<uint64_t>(cur - b->insns());
    ctx.instructions_retired += done;
    remaining -= done;
    ctx.pc = f.pc();
    ctx.pending_stop = PendingStop::kNone;
    result.reason = StopReason::kFault;
    result.fault = cpu_fault_info(f);
  }
  result.executed = max_instructions - remaining;
  return result;
}

}  // namespace xdet::cpu
