#pragma once
// Guest block -> x86-64 code (xbyak). Internal to src/jit.
//
// Register convention inside generated code:
//   rbx = PpcContext*, r12 = guest memory base, r13 = instruction budget left,
//   r14 = guest page protection table, r15 = JitState*.
// Everything else is scratch; guest registers live in the context.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cpu/ppc_context.h"

namespace xdet::jit {

class JitEngine;

// Status the generated code returns to the dispatcher (in eax).
enum ExitStatus : uint32_t {
  kExitNext = 0,     // ctx.pc is the next block; JitState::exit_slot may be linked
  kExitFault = 1,    // an instruction faulted (recorded by the handler wrapper)
  kExitPending = 2,  // sc or a taken trap set ctx.pending_stop
};

struct RuntimeCode {
  uint32_t (*enter)(cpu::PpcContext*, const uint8_t*, void*);
  const uint8_t* exit_common;
  // Applies JitState's pending FP status to the FPSCR (call; clobbers eax, ecx, edx).
  const uint8_t* fp_commit;
  // eax = fpscr_summaries(eax) (call; clobbers ecx).
  const uint8_t* fp_summaries;
  // Per FP operation (FpOp in jit_translate.cpp) and precision: redoes it
  // from JitState::fp_op (xmm0..2 clobbered).
  const uint8_t* fp_redo[16][2];
  size_t size;
};
// Emits the entry trampoline and the common exit at `at`.
RuntimeCode emit_runtime_code(uint8_t* at, size_t room, uint8_t* guest_base, const uint8_t* perms);

struct BlockCode {
  uint32_t start;
  uint32_t count;
  uint32_t end_pc;
  const cpu::DecodedInsn* insns;
};

struct TranslateEnv {
  const void* indirect;  // JitEngine::IndirectEntry table
  uint32_t indirect_mask;
  const uint8_t* exit_common;
  const uint8_t* fp_commit;
  const uint8_t* fp_summaries;
  const uint8_t* const (*fp_redo)[2];
  JitEngine* engine;
  bool movbe;
  bool native_fp;  // AVX + FMA3: scalar FP gets host code
  bool mode64;
  int64_t first_slot;  // index the block's first linkable exit will get
};

struct TranslatedExit {
  uint8_t* site;  // 5-byte jmp rel32, initially to `stub`
  const uint8_t* stub;
  uint32_t target_pc;
};

struct TranslateResult {
  size_t size = 0;
  size_t same_page_offset = 0;  // entry skipping the page check (after the budget check)
  uint32_t native = 0;  // instructions emitted as host code (others call out)
  std::vector<TranslatedExit> exits;
};

// Translates one block into [at, at+room). False if it does not fit.
bool translate_block(const TranslateEnv& env, const BlockCode& block, uint8_t* at, size_t room,
                     TranslateResult* out);

bool host_has_movbe();
bool host_has_avx_fma();

// Runs one instruction through its interpreter handler; returns nonzero
// (after recording the fault in the engine) if it faulted.
uint32_t jit_call_handler(cpu::PpcContext* ctx, const cpu::DecodedInsn* insn, JitEngine* engine);

}  // namespace xdet::jit
