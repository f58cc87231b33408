#include "jit/jit_engine.h"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <cstring>

#include "cpu/cpu_fault.h"
#include "cpu/fp_env.h"
#include "cpu/ppc_decode.h"
#include "jit/jit_translate.h"

namespace xdet::jit {

using cpu::DecodedInsn;
using cpu::ExecResult;
using cpu::FaultInfo;
using cpu::PendingStop;
using cpu::PpcContext;
using cpu::StopReason;

bool JitEngine::host_supported() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

JitEngine::JitEngine(cpu::Cpu& cpu, size_t code_capacity)
    : cpu_(cpu),
      mem_(cpu.memory()),
      capacity_(code_capacity),
      indirect_(new IndirectEntry[1u << kIndirectBits]),
      indirect_blocks_(new Block*[1u << kIndirectBits]()) {
  void* p = mmap(nullptr, capacity_, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error(ExitCode::kInternal, "jit: cannot map the code cache");
  code_ = static_cast<uint8_t*>(p);
  movbe_ = host_has_movbe();
  stats_.movbe = movbe_;
  avx_fma_ = host_has_avx_fma();
  for (uint8_t i = 0; i < 16; ++i) st_.vmx_word_swap[i] = static_cast<uint8_t>((i & ~3) | (3 - (i & 3)));
  stats_.native_fp = avx_fma_;
  stats_.code_capacity = capacity_;
  for (uint32_t i = 0; i < (1u << kIndirectBits); ++i) indirect_[i] = {1, 0, nullptr};
  emit_runtime();
  // XDET_JIT_PERF_MAP=1: name every translated block in /tmp/perf-PID.map
  // ("guest_XXXXXXXX") so `perf report` attributes host time to guest
  // blocks. A host-side profiling aid; nothing guest-visible depends on it.
  if (const char* v = std::getenv("XDET_JIT_PERF_MAP"); v && (*v == '1' || *v == '2')) {
    perf_dump_ = *v == '2';
    perf_map_ = std::fopen(("/tmp/perf-" + std::to_string(::getpid()) + ".map").c_str(), "a");
  }
}

JitEngine::~JitEngine() {
  if (perf_map_) std::fclose(perf_map_);
  if (code_) munmap(code_, capacity_);
}

void JitEngine::emit_runtime() {
  RuntimeCode rt = emit_runtime_code(code_, capacity_, mem_.host_base(), mem_.protection_table());
  enter_ = rt.enter;
  exit_common_ = rt.exit_common;
  fp_commit_ = rt.fp_commit;
  fp_summaries_ = rt.fp_summaries;
  std::memcpy(fp_redo_, rt.fp_redo, sizeof fp_redo_);
  runtime_size_ = rt.size;
  used_ = runtime_size_;
}

void JitEngine::patch_jump(uint8_t* site, const uint8_t* target) {
  int32_t rel = static_cast<int32_t>(target - (site + 5));
  std::memcpy(site + 1, &rel, 4);
}

void JitEngine::flush() {
  blocks_.clear();
  page_blocks_.clear();
  slots_.clear();
  blocks_storage_.clear();
  insn_storage_.clear();
  for (uint32_t i = 0; i < (1u << kIndirectBits); ++i) {
    indirect_[i] = {1, 0, nullptr};
    indirect_blocks_[i] = nullptr;
  }
  used_ = runtime_size_;
  stats_.code_bytes = 0;
  ++stats_.flushes;
}

void JitEngine::drop_block(Block* b) {
  if (!b->valid) return;
  b->valid = false;
  for (int64_t s : b->incoming) {
    ExitSlot& slot = slots_[static_cast<size_t>(s)];
    if (slot.linked == b) {
      patch_jump(slot.site, slot.stub);
      slot.linked = nullptr;
    }
  }
  b->incoming.clear();
  uint32_t idx = (b->start >> 2) & ((1u << kIndirectBits) - 1);
  if (indirect_blocks_[idx] == b) {
    indirect_[idx] = {1, 0, nullptr};
    indirect_blocks_[idx] = nullptr;
  }
  auto it = blocks_.find(b->start);
  if (it != blocks_.end() && it->second == b) blocks_.erase(it);
  ++stats_.blocks_invalidated;
}

void JitEngine::invalidate_page(uint32_t page_addr) {
  auto it = page_blocks_.find(page_addr);
  if (it == page_blocks_.end()) return;
  std::vector<Block*> dead = std::move(it->second);
  page_blocks_.erase(it);
  for (Block* b : dead) drop_block(b);
}

void JitEngine::invalidate_all() {
  // Generated code may be running (an icbi or store from inside a block):
  // only unlink here; the memory is reused at the next flush, which happens
  // from the dispatcher.
  std::vector<uint32_t> pages;
  pages.reserve(page_blocks_.size());
  for (const auto& [page, list] : page_blocks_) pages.push_back(page);
  for (uint32_t p : pages) invalidate_page(p);
}

JitEngine::Block* JitEngine::lookup(uint32_t pc) {
  uint32_t idx = (pc >> 2) & ((1u << kIndirectBits) - 1);
  if (indirect_[idx].pc == pc && indirect_blocks_[idx]) return indirect_blocks_[idx];
  auto it = blocks_.find(pc);
  Block* b = it != blocks_.end() ? it->second : compile(pc);
  indirect_[idx] = {pc, 0, b->entry};
  indirect_blocks_[idx] = b;
  return b;
}

JitEngine::Block* JitEngine::compile(uint32_t pc) {
  auto t0 = std::chrono::steady_clock::now();
  // The same block rules as the interpreter (cpu.cpp build_block): up to the
  // first block-ending instruction, 128 instructions, the page end or a stop
  // address. The first fetch may fault (reported at pc by the caller).
  DecodedInsn buf[cpu::Cpu::kMaxBlockInsns];
  uint32_t n = 0;
  uint32_t addr = pc;
  uint32_t page = pc >> GuestMemory::kPageShift;
  const bool has_stops = !cpu_.stop_addresses().empty();
  while (n < cpu::Cpu::kMaxBlockInsns) {
    uint32_t word;
    if (n == 0) {
      word = mem_.fetch32(addr);
    } else {
      if ((addr >> GuestMemory::kPageShift) != page || !mem_.is_accessible(addr, 4, GuestMemory::kProtExec)) break;
      if (has_stops && cpu_.is_stop_address(addr)) break;
      word = mem_.fetch32(addr);
    }
    buf[n++] = DecodedInsn{cpu::decode_instruction(word), word, addr};
    addr += 4;
    if (cpu::ends_block(word) || addr == 0) break;
  }
  std::unique_ptr<DecodedInsn[]> insns(new DecodedInsn[n]);
  std::copy(buf, buf + n, insns.get());

  blocks_storage_.emplace_back();
  Block* b = &blocks_storage_.back();
  b->start = pc;
  b->count = n;
  b->end_pc = addr;
  b->insns = insns.get();
  insn_storage_.push_back(std::move(insns));

  TranslateEnv env;
  env.engine = this;
  env.indirect = indirect_.get();
  env.indirect_mask = (1u << kIndirectBits) - 1;
  env.exit_common = exit_common_;
  env.fp_commit = fp_commit_;
  env.fp_summaries = fp_summaries_;
  env.fp_redo = fp_redo_;
  env.movbe = movbe_;
  env.native_fp = avx_fma_;
  env.mode64 = mode64_;
  env.first_slot = static_cast<int64_t>(slots_.size());

  TranslateResult tr;
  bool ok = translate_block(env, BlockCode{pc, n, addr, b->insns}, code_ + used_, capacity_ - used_, &tr);
  if (!ok) {
    // Cache full: drop everything (nothing is executing: this runs from the
    // dispatcher) and translate again into the empty buffer.
    blocks_storage_.pop_back();
    std::unique_ptr<DecodedInsn[]> keep = std::move(insn_storage_.back());
    insn_storage_.pop_back();
    flush();
    blocks_storage_.emplace_back();
    b = &blocks_storage_.back();
    b->start = pc;
    b->count = n;
    b->end_pc = addr;
    b->insns = keep.get();
    insn_storage_.push_back(std::move(keep));
    env.first_slot = 0;
    if (!translate_block(env, BlockCode{pc, n, addr, b->insns}, code_ + used_, capacity_ - used_, &tr)) {
      throw Error(ExitCode::kInternal, "jit: a single block does not fit the code cache");
    }
  }
  b->entry = code_ + used_;
  b->same_page_entry = b->entry + tr.same_page_offset;
  if (perf_map_) {
    std::fprintf(perf_map_, "%llx %zx guest_%08X\n", static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(b->entry)),
                 tr.size, pc);
    std::fflush(perf_map_);
    if (perf_dump_) {
      // XDET_JIT_PERF_MAP=2: also each block's host code, for objdump -b binary.
      char name[64];
      std::snprintf(name, sizeof name, "/tmp/xdet-jit-%d-%08X.bin", static_cast<int>(::getpid()), pc);
      if (std::FILE* f = std::fopen(name, "wb")) {
        std::fwrite(b->entry, 1, tr.size, f);
        std::fclose(f);
      }
    }
  }
  used_ += tr.size;
  used_ = (used_ + 15) & ~size_t{15};
  for (const TranslatedExit& x : tr.exits) {
    slots_.push_back(ExitSlot{x.site, x.stub, x.target_pc, b, nullptr});
  }
  b->valid = true;
  blocks_[pc] = b;
  page_blocks_[pc & ~(GuestMemory::kPageSize - 1)].push_back(b);
  mem_.mark_code_page(pc);

  ++stats_.blocks_compiled;
  stats_.guest_insns_compiled += n;
  stats_.native_insns += tr.native;
  stats_.callout_insns += n - tr.native;
  stats_.code_bytes = used_ - runtime_size_;
  stats_.compile_ns += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count());
  return b;
}

void JitEngine::link(int64_t slot_index, Block* to) {
  if (slot_index < 0 || static_cast<size_t>(slot_index) >= slots_.size()) return;
  ExitSlot& slot = slots_[static_cast<size_t>(slot_index)];
  if (!slot.owner->valid || !to->valid || slot.target_pc != to->start || slot.linked) return;
  bool same_page = (slot.owner->start >> GuestMemory::kPageShift) == (to->start >> GuestMemory::kPageShift);
  patch_jump(slot.site, same_page ? to->same_page_entry : to->entry);
  slot.linked = to;
  to->incoming.push_back(slot_index);
  ++stats_.links;
}

uint32_t jit_call_handler(PpcContext* ctx, const DecodedInsn* insn, JitEngine* engine) {
  try {
    insn->fn(*ctx, *insn);
    return 0;
  } catch (const GuestFault& f) {
    engine->record_fault(cpu::memory_fault_info(f, insn->pc, insn->word));
  } catch (const cpu::CpuFault& f) {
    engine->record_fault(cpu::cpu_fault_info(f));
  } catch (...) {
    engine->record_exception(std::current_exception());
  }
  return 1;
}

ExecResult JitEngine::run(PpcContext& ctx, uint64_t max_instructions) {
  if (ctx.core != &cpu_) cpu_.attach(ctx);
  if (ctx.mode64 != mode64_) {
    // Translations bake the context's mode in (CR0, CA/OV, CTR width).
    flush();
    mode64_ = ctx.mode64;
  }
  ExecResult result;
  cpu::HostRoundingScope rounding(ctx.fpscr);
  uint64_t remaining = max_instructions;
  const bool has_stops = !cpu_.stop_addresses().empty();
  int64_t link_slot = -1;
  uint64_t link_flushes = stats_.flushes;
  for (;;) {
    if (has_stops && cpu_.is_stop_address(ctx.pc)) {
      result.reason = StopReason::kStopAddress;
      break;
    }
    if (remaining == 0) {
      result.reason = StopReason::kBudget;
      break;
    }
    uint32_t pc = ctx.pc;
    if (!(mem_.protection(pc) & GuestMemory::kCodeCached)) [[unlikely]] {
      cpu_.invalidate_code(pc & ~(GuestMemory::kPageSize - 1), GuestMemory::kPageSize);
    }
    Block* b;
    try {
      b = lookup(pc);
    } catch (const GuestFault& f) {
      ctx.pending_stop = PendingStop::kNone;
      result.reason = StopReason::kFault;
      result.fault = cpu::memory_fault_info(f, pc, 0);
      break;
    }
    if (b->count > remaining) [[unlikely]] {
      // The block would cross the end of the budget: the interpreter runs
      // exactly the instructions that remain.
      ++stats_.interpreter_tails;
      ExecResult r = cpu_.interpret(ctx, remaining);
      remaining -= r.executed;
      result.reason = r.reason;
      result.fault = std::move(r.fault);
      break;
    }
    if (link_slot >= 0 && link_flushes == stats_.flushes) link(link_slot, b);
    link_slot = -1;
    st_.remaining = remaining;
    st_.exit_slot = -1;
    st_.retired_base = ctx.instructions_retired + remaining;
    uint32_t status = enter_(&ctx, b->entry, &st_);
    remaining = st_.remaining;
    ctx.instructions_retired = st_.retired_base - remaining;
    if (status == kExitNext) [[likely]] {
      link_slot = st_.exit_slot;
      link_flushes = stats_.flushes;
      continue;
    }
    if (status == kExitPending) {
      PendingStop stop = ctx.pending_stop;
      ctx.pending_stop = PendingStop::kNone;
      if (stop == PendingStop::kTrap) {
        --ctx.instructions_retired;
        ++remaining;
        result.reason = StopReason::kTrap;
      } else {
        result.reason = StopReason::kSyscall;
      }
      break;
    }
    // kExitFault
    if (pending_exception_) {
      std::exception_ptr e = std::move(pending_exception_);
      pending_exception_ = nullptr;
      std::rethrow_exception(e);
    }
    ctx.pc = fault_.pc;
    ctx.pending_stop = PendingStop::kNone;
    result.reason = StopReason::kFault;
    result.fault = std::move(fault_);
    fault_ = FaultInfo{};
    break;
  }
  result.executed = max_instructions - remaining;
  return result;
}

}  // namespace xdet::jit
