// Guest block -> x86-64 translation.
//
// Which instructions get host code is decided by the interpreter's own
// decoder: an instruction is emitted natively only if decode_instruction()
// gave it the very handler of a form listed in native_forms() (so reserved
// bits, invalid forms and decode order are exactly the interpreter's). Every
// other instruction calls its interpreter handler.
#include "jit/jit_translate.h"

#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <unordered_map>

#include "cpu/ppc_decode.h"
#include "jit/jit_engine.h"

namespace xdet::jit {
namespace {

using cpu::DecodedInsn;
using cpu::InsnHandler;
using cpu::PpcContext;

constexpr int32_t kOffGpr = static_cast<int32_t>(offsetof(PpcContext, gpr));
constexpr int32_t kOffFpr = static_cast<int32_t>(offsetof(PpcContext, fpr));
constexpr int32_t kOffCr = static_cast<int32_t>(offsetof(PpcContext, cr));
constexpr int32_t kOffXer = static_cast<int32_t>(offsetof(PpcContext, xer));
constexpr int32_t kOffLr = static_cast<int32_t>(offsetof(PpcContext, lr));
constexpr int32_t kOffCtr = static_cast<int32_t>(offsetof(PpcContext, ctr));
constexpr int32_t kOffPc = static_cast<int32_t>(offsetof(PpcContext, pc));
constexpr int32_t kOffRetired = static_cast<int32_t>(offsetof(PpcContext, instructions_retired));
constexpr int32_t kOffBlockBegin = static_cast<int32_t>(offsetof(PpcContext, block_begin));
constexpr int32_t kOffPending = static_cast<int32_t>(offsetof(PpcContext, pending_stop));
constexpr int32_t kOffRemaining = static_cast<int32_t>(offsetof(JitState, remaining));
constexpr int32_t kOffExitSlot = static_cast<int32_t>(offsetof(JitState, exit_slot));

// ---- Native forms, identified by the interpreter's handler ----
enum class Op : uint8_t {
  kNop, kAddi, kAddis, kLi, kLis, kMulli, kOri, kOris, kXori, kXoris, kAndi, kAndis,
  kCmpi, kCmpli, kCmp, kCmpl, kRlwinm, kRlwimi, kRldicl, kRldicr,
  kAnd, kAndc, kOr, kOrc, kXor, kNand, kNor, kEqv, kExtsb, kExtsh, kExtsw, kSlw, kSrw, kSld, kSrd,
  kAdd, kSubf, kNeg, kMullw, kMulld,
  kMflr, kMfctr, kMtlr, kMtctr, kMfcr,
  kLoad, kStore,
};

struct Form {
  Op op;
  bool rc = false;    // record form (CR0)
  bool wide = false;  // L=1 compares
  // Memory forms.
  uint8_t size = 0;
  bool sign = false;
  bool update = false;
  bool indexed = false;
  bool ds = false;  // DS-form displacement
  bool fp = false;  // FPR data (lfd/stfd: raw bits)
};

constexpr uint32_t D(uint32_t op, uint32_t rt, uint32_t ra, uint32_t imm) {
  return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFF);
}
constexpr uint32_t X(uint32_t xo, uint32_t rt, uint32_t ra, uint32_t rb, uint32_t rc) {
  return (31u << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc;
}

const std::unordered_map<InsnHandler, Form>& native_forms() {
  static const std::unordered_map<InsnHandler, Form> table = [] {
    std::unordered_map<InsnHandler, Form> t;
    auto add = [&t](uint32_t word, Form f) {
      InsnHandler h = cpu::decode_instruction(word);
      if (cpu::is_known_instruction(word)) t.emplace(h, f);
    };
    add(D(24, 0, 0, 0), {Op::kOri});  // ori r0,r0,0 shares op_ori; nop detection is by word
    add(D(14, 1, 1, 1), {Op::kAddi});
    add(D(15, 1, 1, 1), {Op::kAddis});
    add(D(14, 1, 0, 1), {Op::kLi});
    add(D(15, 1, 0, 1), {Op::kLis});
    add(D(7, 1, 1, 1), {Op::kMulli});
    add(D(25, 1, 1, 1), {Op::kOris});
    add(D(26, 1, 1, 1), {Op::kXori});
    add(D(27, 1, 1, 1), {Op::kXoris});
    add(D(28, 1, 1, 1), {Op::kAndi, true});
    add(D(29, 1, 1, 1), {Op::kAndis, true});
    add(D(11, 0, 1, 1), {Op::kCmpi});
    add(D(11, 1, 1, 1), {Op::kCmpi, false, true});
    add(D(10, 0, 1, 1), {Op::kCmpli});
    add(D(10, 1, 1, 1), {Op::kCmpli, false, true});
    add(X(0, 0, 1, 2, 0), {Op::kCmp});
    add(X(0, 1, 1, 2, 0), {Op::kCmp, false, true});
    add(X(32, 0, 1, 2, 0), {Op::kCmpl});
    add(X(32, 1, 1, 2, 0), {Op::kCmpl, false, true});
    for (uint32_t rc = 0; rc < 2; ++rc) {
      bool r = rc != 0;
      add((21u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (4u << 6) | (20u << 1) | rc, {Op::kRlwinm, r});
      add((20u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (4u << 6) | (20u << 1) | rc, {Op::kRlwimi, r});
      add((30u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (0u << 2) | rc, {Op::kRldicl, r});
      add((30u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (1u << 2) | rc, {Op::kRldicr, r});
      add(X(28, 1, 2, 3, rc), {Op::kAnd, r});
      add(X(60, 1, 2, 3, rc), {Op::kAndc, r});
      add(X(444, 1, 2, 3, rc), {Op::kOr, r});
      add(X(412, 1, 2, 3, rc), {Op::kOrc, r});
      add(X(316, 1, 2, 3, rc), {Op::kXor, r});
      add(X(476, 1, 2, 3, rc), {Op::kNand, r});
      add(X(124, 1, 2, 3, rc), {Op::kNor, r});
      add(X(284, 1, 2, 3, rc), {Op::kEqv, r});
      add(X(954, 1, 2, 0, rc), {Op::kExtsb, r});
      add(X(922, 1, 2, 0, rc), {Op::kExtsh, r});
      add(X(986, 1, 2, 0, rc), {Op::kExtsw, r});
      add(X(24, 1, 2, 3, rc), {Op::kSlw, r});
      add(X(536, 1, 2, 3, rc), {Op::kSrw, r});
      add(X(27, 1, 2, 3, rc), {Op::kSld, r});
      add(X(539, 1, 2, 3, rc), {Op::kSrd, r});
      add(X(266, 1, 2, 3, rc), {Op::kAdd, r});
      add(X(40, 1, 2, 3, rc), {Op::kSubf, r});
      add(X(104, 1, 2, 0, rc), {Op::kNeg, r});
      add(X(235, 1, 2, 3, rc), {Op::kMullw, r});
      add(X(233, 1, 2, 3, rc), {Op::kMulld, r});
    }
    add(X(339, 1, 8, 0, 0), {Op::kMflr});
    add(X(339, 1, 9, 0, 0), {Op::kMfctr});
    add(X(467, 1, 8, 0, 0), {Op::kMtlr});
    add(X(467, 1, 9, 0, 0), {Op::kMtctr});
    add(X(19, 1, 0, 0, 0), {Op::kMfcr});
    add(X(598, 0, 0, 0, 0), {Op::kNop});  // sync
    add((19u << 26) | (150u << 1), {Op::kNop});  // isync
    auto mem = [&add](uint32_t word, Op op, uint8_t size, bool sign, bool update, bool indexed, bool ds = false,
                      bool fp = false) {
      Form f{op};
      f.size = size;
      f.sign = sign;
      f.update = update;
      f.indexed = indexed;
      f.ds = ds;
      f.fp = fp;
      add(word, f);
    };
    // D-form (rA = 1, rT = 2 keeps update forms valid).
    mem(D(32, 2, 1, 0), Op::kLoad, 4, false, false, false);
    mem(D(33, 2, 1, 0), Op::kLoad, 4, false, true, false);
    mem(D(34, 2, 1, 0), Op::kLoad, 1, false, false, false);
    mem(D(35, 2, 1, 0), Op::kLoad, 1, false, true, false);
    mem(D(40, 2, 1, 0), Op::kLoad, 2, false, false, false);
    mem(D(41, 2, 1, 0), Op::kLoad, 2, false, true, false);
    mem(D(42, 2, 1, 0), Op::kLoad, 2, true, false, false);
    mem(D(43, 2, 1, 0), Op::kLoad, 2, true, true, false);
    mem(D(36, 2, 1, 0), Op::kStore, 4, false, false, false);
    mem(D(37, 2, 1, 0), Op::kStore, 4, false, true, false);
    mem(D(38, 2, 1, 0), Op::kStore, 1, false, false, false);
    mem(D(39, 2, 1, 0), Op::kStore, 1, false, true, false);
    mem(D(44, 2, 1, 0), Op::kStore, 2, false, false, false);
    mem(D(45, 2, 1, 0), Op::kStore, 2, false, true, false);
    mem(D(58, 2, 1, 0), Op::kLoad, 8, false, false, false, true);
    mem(D(58, 2, 1, 1), Op::kLoad, 8, false, true, false, true);
    mem(D(58, 2, 1, 2), Op::kLoad, 4, true, false, false, true);
    mem(D(62, 2, 1, 0), Op::kStore, 8, false, false, false, true);
    mem(D(62, 2, 1, 1), Op::kStore, 8, false, true, false, true);
    mem(D(50, 2, 1, 0), Op::kLoad, 8, false, false, false, false, true);
    mem(D(54, 2, 1, 0), Op::kStore, 8, false, false, false, false, true);
    // X-form indexed.
    mem(X(23, 2, 1, 3, 0), Op::kLoad, 4, false, false, true);
    mem(X(87, 2, 1, 3, 0), Op::kLoad, 1, false, false, true);
    mem(X(279, 2, 1, 3, 0), Op::kLoad, 2, false, false, true);
    mem(X(343, 2, 1, 3, 0), Op::kLoad, 2, true, false, true);
    mem(X(21, 2, 1, 3, 0), Op::kLoad, 8, false, false, true);
    mem(X(151, 2, 1, 3, 0), Op::kStore, 4, false, false, true);
    mem(X(215, 2, 1, 3, 0), Op::kStore, 1, false, false, true);
    mem(X(407, 2, 1, 3, 0), Op::kStore, 2, false, false, true);
    mem(X(149, 2, 1, 3, 0), Op::kStore, 8, false, false, true);
    mem(X(599, 2, 1, 3, 0), Op::kLoad, 8, false, false, true, false, true);
    mem(X(727, 2, 1, 3, 0), Op::kStore, 8, false, false, true, false, true);
    return t;
  }();
  return table;
}

inline uint32_t f_rd(uint32_t w) { return (w >> 21) & 31; }
inline uint32_t f_ra(uint32_t w) { return (w >> 16) & 31; }
inline uint32_t f_rb(uint32_t w) { return (w >> 11) & 31; }
inline int32_t f_simm(uint32_t w) { return static_cast<int16_t>(w & 0xFFFF); }
inline uint32_t f_uimm(uint32_t w) { return w & 0xFFFF; }
inline uint32_t f_crfd(uint32_t w) { return (w >> 23) & 7; }

inline uint64_t mask64(uint32_t mb, uint32_t me) {
  uint64_t a = ~0ull >> mb;
  uint64_t b = ~0ull << (63 - me);
  return mb <= me ? (a & b) : (a | b);
}

class BlockEmitter : public Xbyak::CodeGenerator {
 public:
  BlockEmitter(const TranslateEnv& env, const BlockCode& block, uint8_t* at, size_t room, TranslateResult* out)
      : Xbyak::CodeGenerator(room, at), env_(env), b_(block), out_(out) {}

  void translate() {
    Xbyak::Label pre_exit;
    // Entry: the whole block must fit the budget and its page must still be
    // marked as holding translated code (else the dispatcher re-checks it).
    cmp(r13, b_.count);
    jb(pre_exit, T_NEAR);
    test(byte[r14 + static_cast<int32_t>(b_.start >> 12)], 8);
    jz(pre_exit, T_NEAR);
    const auto& forms = native_forms();
    bool calls_out = false;
    for (uint32_t i = 0; i < b_.count; ++i) {
      const DecodedInsn& in = b_.insns[i];
      if (forms.find(in.fn) == forms.end() && !(i + 1 == b_.count && is_branch(in.word) && cpu::is_known_instruction(in.word))) {
        calls_out = true;
      }
    }
    if (calls_out) {  // handlers such as mftb read the exact retired count
      mov(rax, reinterpret_cast<uint64_t>(b_.insns));
      mov(qword[rbx + kOffBlockBegin], rax);
    }
    choose_cached();
    for (uint32_t i = 0; i < b_.count; ++i) {
      const DecodedInsn& in = b_.insns[i];
      bool last = i + 1 == b_.count;
      if (last && is_branch(in.word) && cpu::is_known_instruction(in.word)) {
        emit_branch(in);
        ++out_->native;
        break;
      }
      auto it = forms.find(in.fn);
      if (it != forms.end() && emit_native(i, in, it->second)) {
        ++out_->native;
      } else {
        if (last && cpu::ends_block(in.word)) {
          emit_callout_terminator(i);
          break;
        }
        callout(i);
      }
      if (last) {
        spill_all_clean();
        account();
        exit_to(b_.end_pc);
      }
    }
    // Deferred code may defer more (a slow path's fault stub): a deque keeps
    // the running element in place while it grows.
    for (size_t k = 0; k < deferred_.size(); ++k) deferred_[k]();
    L(pre_exit);
    mov(dword[rbx + kOffPc], b_.start);
    mov(qword[r15 + kOffExitSlot], -1);
    xor_(eax, eax);
    jmp(env_.exit_common);
    ready();
    out_->size = getSize();
  }

 private:
  static bool is_branch(uint32_t w) {
    uint32_t op = w >> 26;
    if (op == 16 || op == 18) return true;
    if (op == 19) {
      uint32_t xo = (w >> 1) & 0x3FF;
      return xo == 16 || xo == 528;
    }
    return false;
  }

  Xbyak::Address gpr(uint32_t r) { return qword[rbx + kOffGpr + 8 * static_cast<int32_t>(r)]; }
  Xbyak::Address gpr32(uint32_t r) { return dword[rbx + kOffGpr + 8 * static_cast<int32_t>(r)]; }
  Xbyak::Address fpr(uint32_t r) { return qword[rbx + kOffFpr + 8 * static_cast<int32_t>(r)]; }

  // ---- Guest GPRs cached in host registers inside a block ----
  // The most used GPRs of a block live in host registers, loaded on first
  // use and written back (if modified) before every call-out and exit, so
  // the context is exact whenever anything else can look at it.
  static constexpr int kCacheRegs = 6;
  enum class Slot : uint8_t { kUnloaded, kClean, kDirty };
  struct CacheState {
    Slot slot[kCacheRegs];
  };
  const Xbyak::Reg64& host64(int k) const {
    static const Xbyak::Reg64 regs[kCacheRegs] = {Xbyak::util::rbp, Xbyak::util::r8,  Xbyak::util::r9,
                                                   Xbyak::util::r10, Xbyak::util::r11, Xbyak::util::rdi};
    return regs[k];
  }
  void choose_cached() {
    int uses[32] = {};
    const auto& forms = native_forms();
    for (uint32_t i = 0; i < b_.count; ++i) {
      uint32_t w = b_.insns[i].word;
      if (forms.find(b_.insns[i].fn) == forms.end()) continue;
      ++uses[f_rd(w)];
      ++uses[f_ra(w)];
      ++uses[f_rb(w)];
    }
    for (int k = 0; k < kCacheRegs; ++k) {
      int best = -1;
      for (int r = 0; r < 32; ++r) {
        if (cache_of_[r] < 0 && uses[r] >= 2 && (best < 0 || uses[r] > uses[best])) best = r;
      }
      if (best < 0) break;
      cache_of_[best] = k;
      guest_of_[k] = best;
    }
  }
  int ensure(uint32_t r) {
    int k = cache_of_[r];
    if (k >= 0 && cs_.slot[k] == Slot::kUnloaded) {
      mov(host64(k), gpr(r));
      cs_.slot[k] = Slot::kClean;
    }
    return k;
  }
  void load64(const Xbyak::Reg64& dst, uint32_t r) {
    int k = ensure(r);
    if (k >= 0) mov(dst, host64(k));
    else mov(dst, gpr(r));
  }
  void load32(const Xbyak::Reg32& dst, uint32_t r) {
    int k = ensure(r);
    if (k >= 0) mov(dst, host64(k).cvt32());
    else mov(dst, gpr32(r));
  }
  void store64(uint32_t r, const Xbyak::Reg64& src) {
    int k = cache_of_[r];
    if (k >= 0) {
      mov(host64(k), src);
      cs_.slot[k] = Slot::kDirty;
    } else {
      mov(gpr(r), src);
    }
  }
  void store_imm(uint32_t r, int32_t v) {
    int k = cache_of_[r];
    if (k >= 0) {
      mov(host64(k), static_cast<int64_t>(v));
      cs_.slot[k] = Slot::kDirty;
    } else {
      mov(gpr(r), v);
    }
  }
  // Writes back modified registers (the state stays as it is).
  void spill(const CacheState& st) {
    for (int k = 0; k < kCacheRegs; ++k) {
      if (st.slot[k] == Slot::kDirty) mov(gpr(static_cast<uint32_t>(guest_of_[k])), host64(k));
    }
  }
  void spill_all_clean() {
    spill(cs_);
    for (auto& s : cs_.slot) {
      if (s == Slot::kDirty) s = Slot::kClean;
    }
  }
  // After code that may have changed any GPR in the context.
  void forget_all() {
    for (auto& s : cs_.slot) s = Slot::kUnloaded;
  }
  void reload(const CacheState& st) {
    for (int k = 0; k < kCacheRegs; ++k) {
      if (st.slot[k] != Slot::kUnloaded) mov(host64(k), gpr(static_cast<uint32_t>(guest_of_[k])));
    }
  }

  Xbyak::Label& fault_label(uint32_t i) {
    if (!fault_used_[i]) {
      fault_used_[i] = true;
      deferred_.push_back([this, i] {
        L(fault_[i]);
        if (i > 0) {
          add(qword[rbx + kOffRetired], static_cast<int32_t>(i));
          sub(r13, static_cast<int32_t>(i));
        }
        mov(eax, kExitFault);
        jmp(env_.exit_common);
      });
    }
    return fault_[i];
  }

  // A call-out: the context must be exact before it and is re-read after.
  void callout(uint32_t i) {
    spill_all_clean();
    call_handler(i);
    forget_all();
  }
  void call_handler(uint32_t i) {
    mov(rdi, rbx);
    mov(rsi, reinterpret_cast<uint64_t>(&b_.insns[i]));
    mov(rdx, reinterpret_cast<uint64_t>(env_.engine));
    mov(rax, reinterpret_cast<uint64_t>(&jit_call_handler));
    call(rax);
    test(eax, eax);
    jnz(fault_label(i), T_NEAR);
  }

  void account() {
    add(qword[rbx + kOffRetired], static_cast<int32_t>(b_.count));
    sub(r13, static_cast<int32_t>(b_.count));
  }

  // A linkable exit: a jmp rel32 that initially falls into its own stub.
  void exit_to(uint32_t target) {
    int64_t slot = env_.first_slot + static_cast<int64_t>(out_->exits.size());
    uint8_t* site = const_cast<uint8_t*>(getCurr());
    db(0xE9);
    dd(0);
    out_->exits.push_back(TranslatedExit{site, site + 5, target});
    mov(dword[rbx + kOffPc], target);
    mov(qword[r15 + kOffExitSlot], static_cast<int32_t>(slot));
    xor_(eax, eax);
    jmp(env_.exit_common);
  }

  // Exit to the address in esi: through the indirect table when the target
  // is translated, else back to the dispatcher.
  void exit_indirect() {
    Xbyak::Label miss;
    mov(dword[rbx + kOffPc], esi);
    mov(ecx, esi);
    shr(ecx, 2);
    and_(ecx, env_.indirect_mask);
    shl(ecx, 4);
    mov(rdx, reinterpret_cast<uint64_t>(env_.indirect));
    cmp(dword[rdx + rcx], esi);
    jne(miss);
    jmp(qword[rdx + rcx + 8]);
    L(miss);
    mov(qword[r15 + kOffExitSlot], -1);
    xor_(eax, eax);
    jmp(env_.exit_common);
  }

  void emit_callout_terminator(uint32_t i) {
    Xbyak::Label pending;
    mov(dword[rbx + kOffPc], b_.end_pc);
    callout(i);
    account();
    cmp(byte[rbx + kOffPending], 0);
    jne(pending, T_NEAR);
    mov(esi, dword[rbx + kOffPc]);
    exit_indirect();
    L(pending);
    mov(eax, kExitPending);
    jmp(env_.exit_common);
  }

  // CR field n from the flags of a compare (LT GT EQ, SO from XER).
  void cr_from_flags(uint32_t n, bool is_signed) {
    if (is_signed) {
      setl(al);
      setg(cl);
    } else {
      setb(al);
      seta(cl);
    }
    sete(dl);
    movzx(eax, al);
    movzx(ecx, cl);
    movzx(edx, dl);
    shl(eax, 3);
    lea(eax, ptr[rax + rcx * 4]);
    lea(eax, ptr[rax + rdx * 2]);
    mov(ecx, dword[rbx + kOffXer]);
    shr(ecx, 31);
    or_(eax, ecx);
    uint32_t shift = 28 - 4 * n;
    if (shift) shl(eax, static_cast<uint8_t>(shift));
    mov(ecx, dword[rbx + kOffCr]);
    and_(ecx, static_cast<uint32_t>(~(0xFu << shift)));
    or_(ecx, eax);
    mov(dword[rbx + kOffCr], ecx);
  }
  // CR0 of a record form from the result in rax.
  void cr0_from_rax() {
    if (env_.mode64) {
      test(rax, rax);
    } else {
      test(eax, eax);
    }
    cr_from_flags(0, true);
  }

  bool emit_native(uint32_t i, const DecodedInsn& in, const Form& f) {
    const uint32_t w = in.word;
    const uint32_t rd = f_rd(w), ra = f_ra(w), rb = f_rb(w);
    switch (f.op) {
      case Op::kNop: return true;
      case Op::kLi: store_imm(rd, f_simm(w)); return true;
      case Op::kLis: store_imm(rd, f_simm(w) * 65536); return true;
      case Op::kAddi:
      case Op::kAddis:
        load64(rax, ra);
        add(rax, f.op == Op::kAddi ? f_simm(w) : f_simm(w) * 65536);
        store64(rd, rax);
        return true;
      case Op::kMulli:
        load64(rax, ra);
        imul(rax, rax, f_simm(w));
        store64(rd, rax);
        return true;
      case Op::kOri:
      case Op::kOris:
      case Op::kXori:
      case Op::kXoris:
      case Op::kAndi:
      case Op::kAndis: {
        if (f.op == Op::kOri && w == 0x60000000u) return true;  // nop
        uint32_t imm = (f.op == Op::kOris || f.op == Op::kXoris || f.op == Op::kAndis) ? f_uimm(w) << 16 : f_uimm(w);
        load64(rax, rd);  // rS
        mov(ecx, imm);
        if (f.op == Op::kOri || f.op == Op::kOris) or_(rax, rcx);
        else if (f.op == Op::kXori || f.op == Op::kXoris) xor_(rax, rcx);
        else and_(rax, rcx);
        store64(ra, rax);
        if (f.rc) cr0_from_rax();
        return true;
      }
      case Op::kCmpi:
      case Op::kCmpli:
      case Op::kCmp:
      case Op::kCmpl: {
        bool sgn = f.op == Op::kCmpi || f.op == Op::kCmp;
        if (f.wide) {
          load64(rax, ra);
          if (f.op == Op::kCmpi) {
            cmp(rax, f_simm(w));
          } else if (f.op == Op::kCmpli) {
            cmp(rax, static_cast<int32_t>(f_uimm(w)));
          } else {
            load64(rcx, rb);
            cmp(rax, rcx);
          }
        } else {
          load32(eax, ra);
          if (f.op == Op::kCmpi) {
            cmp(eax, f_simm(w));
          } else if (f.op == Op::kCmpli) {
            cmp(eax, static_cast<int32_t>(f_uimm(w)));
          } else {
            load32(ecx, rb);
            cmp(eax, ecx);
          }
        }
        cr_from_flags(f_crfd(w), sgn);
        return true;
      }
      case Op::kRlwinm:
      case Op::kRlwimi: {
        uint32_t sh = rb, mb = (w >> 6) & 31, me = (w >> 1) & 31;
        uint64_t m = mask64(mb + 32, me + 32);
        load32(eax, rd);
        if (sh) rol(eax, static_cast<uint8_t>(sh));
        if (f.op == Op::kRlwinm && mb <= me) {
          and_(eax, static_cast<uint32_t>(m));
        } else {
          mov(ecx, eax);
          shl(rcx, 32);
          or_(rax, rcx);
          mov(rcx, m);
          and_(rax, rcx);
          if (f.op == Op::kRlwimi) {
            mov(rdx, ~m);
            load64(rcx, ra);
            and_(rdx, rcx);
            or_(rax, rdx);
          }
        }
        store64(ra, rax);
        if (f.rc) cr0_from_rax();
        return true;
      }
      case Op::kRldicl:
      case Op::kRldicr: {
        uint32_t sh = rb | ((w & 2) << 4);
        uint32_t v = (w >> 5) & 0x3F;
        uint32_t mbe = ((v & 1) << 5) | (v >> 1);
        uint64_t m = f.op == Op::kRldicl ? mask64(mbe, 63) : mask64(0, mbe);
        load64(rax, rd);
        if (sh) rol(rax, static_cast<uint8_t>(sh));
        mov(rcx, m);
        and_(rax, rcx);
        store64(ra, rax);
        if (f.rc) cr0_from_rax();
        return true;
      }
      case Op::kAnd: case Op::kAndc: case Op::kOr: case Op::kOrc:
      case Op::kXor: case Op::kNand: case Op::kNor: case Op::kEqv: {
        load64(rax, rd);
        if (!(f.op == Op::kOr && rd == rb)) {  // mr needs no second operand
          load64(rcx, rb);
          switch (f.op) {
            case Op::kAnd: and_(rax, rcx); break;
            case Op::kAndc: not_(rcx); and_(rax, rcx); break;
            case Op::kOr: or_(rax, rcx); break;
            case Op::kOrc: not_(rcx); or_(rax, rcx); break;
            case Op::kXor: xor_(rax, rcx); break;
            case Op::kNand: and_(rax, rcx); not_(rax); break;
            case Op::kNor: or_(rax, rcx); not_(rax); break;
            default: xor_(rax, rcx); not_(rax); break;  // eqv
          }
        }
        store64(ra, rax);
        if (f.rc) cr0_from_rax();
        return true;
      }
      case Op::kExtsb: load32(eax, rd); movsx(rax, al); goto store_ra;
      case Op::kExtsh: load32(eax, rd); movsx(rax, ax); goto store_ra;
      case Op::kExtsw: load32(eax, rd); movsxd(rax, eax); goto store_ra;
      case Op::kSlw:
      case Op::kSrw: {
        load32(ecx, rb);
        load32(eax, rd);
        if (f.op == Op::kSlw) shl(eax, cl);
        else shr(eax, cl);
        xor_(edx, edx);
        test(cl, 0x20);
        cmovnz(eax, edx);
        goto store_ra;
      }
      case Op::kSld:
      case Op::kSrd: {
        load32(ecx, rb);
        load64(rax, rd);
        if (f.op == Op::kSld) shl(rax, cl);
        else shr(rax, cl);
        xor_(edx, edx);
        test(cl, 0x40);
        cmovnz(rax, rdx);
        goto store_ra;
      }
      case Op::kAdd:
        load64(rax, ra);
        load64(rcx, rb);
        add(rax, rcx);
        goto store_rd;
      case Op::kSubf:
        load64(rax, rb);
        load64(rcx, ra);
        sub(rax, rcx);
        goto store_rd;
      case Op::kNeg:
        load64(rax, ra);
        neg(rax);
        goto store_rd;
      case Op::kMullw:
        load32(eax, ra);
        load32(ecx, rb);
        movsxd(rax, eax);
        movsxd(rcx, ecx);
        imul(rax, rcx);
        goto store_rd;
      case Op::kMulld:
        load64(rax, ra);
        load64(rcx, rb);
        imul(rax, rcx);
        goto store_rd;
      case Op::kMflr: mov(rax, qword[rbx + kOffLr]); store64(rd, rax); return true;
      case Op::kMfctr: mov(rax, qword[rbx + kOffCtr]); store64(rd, rax); return true;
      case Op::kMtlr: load64(rax, rd); mov(qword[rbx + kOffLr], rax); return true;
      case Op::kMtctr: load64(rax, rd); mov(qword[rbx + kOffCtr], rax); return true;
      case Op::kMfcr: mov(eax, dword[rbx + kOffCr]); store64(rd, rax); return true;
      case Op::kLoad:
      case Op::kStore: return emit_memory(i, in, f);
    }
    return false;
  store_ra:
    store64(ra, rax);
    if (f.rc) cr0_from_rax();
    return true;
  store_rd:
    store64(rd, rax);
    if (f.rc) cr0_from_rax();
    return true;
  }

  bool emit_memory(uint32_t i, const DecodedInsn& in, const Form& f) {
    const uint32_t w = in.word;
    const uint32_t rd = f_rd(w), ra = f_ra(w), rb = f_rb(w);
    const CacheState before = cs_;
    // Effective address (32-bit) in eax, as the handler computes it.
    if (f.indexed) {
      if (ra == 0 && !f.update) {
        load32(eax, rb);
      } else {
        load32(eax, ra);
        load32(ecx, rb);
        add(eax, ecx);
      }
    } else {
      int32_t disp = f.ds ? static_cast<int16_t>(w & 0xFFFC) : f_simm(w);
      if (ra == 0 && !f.update) {
        mov(eax, static_cast<uint32_t>(disp));
      } else {
        load32(eax, ra);
        if (disp) add(eax, disp);
      }
    }
    // Registers loaded from here on are loaded on the fast path only; the
    // slow path reloads everything the state after the access has loaded.
    if (f.op == Op::kStore && !f.fp) ensure(rd);
    auto* slow = &labels_.emplace_back();
    auto* done = &labels_.emplace_back();
    if (f.size > 1) {
      mov(ecx, eax);
      and_(ecx, 0xFFF);
      cmp(ecx, 0x1000 - f.size);
      ja(*slow, T_NEAR);
    }
    mov(ecx, eax);
    shr(ecx, 12);
    if (f.op == Op::kLoad) {
      test(byte[r14 + rcx], GuestMemory::kProtRead);
      jz(*slow, T_NEAR);
      switch (f.size) {
        case 1: movzx(edx, byte[r12 + rax]); break;
        case 2:
          if (env_.movbe) {
            movbe(dx, word[r12 + rax]);
          } else {
            movzx(edx, word[r12 + rax]);
            rol(dx, 8);
          }
          if (f.sign) movsx(rdx, dx);
          else movzx(edx, dx);
          break;
        case 4:
          if (env_.movbe) {
            movbe(edx, dword[r12 + rax]);
          } else {
            mov(edx, dword[r12 + rax]);
            bswap(edx);
          }
          if (f.sign) movsxd(rdx, edx);
          break;
        default:
          if (env_.movbe) {
            movbe(rdx, qword[r12 + rax]);
          } else {
            mov(rdx, qword[r12 + rax]);
            bswap(rdx);
          }
          break;
      }
      if (f.fp) mov(fpr(rd), rdx);
      else store64(rd, rdx);
    } else {
      movzx(ecx, byte[r14 + rcx]);
      and_(ecx, GuestMemory::kProtWrite | GuestMemory::kCodeCached);
      cmp(ecx, GuestMemory::kProtWrite);
      jne(*slow, T_NEAR);
      if (f.fp) mov(rdx, fpr(rd));
      else if (f.size == 8) load64(rdx, rd);
      else load32(edx, rd);
      switch (f.size) {
        case 1: mov(byte[r12 + rax], dl); break;
        case 2:
          if (env_.movbe) {
            movbe(word[r12 + rax], dx);
          } else {
            rol(dx, 8);
            mov(word[r12 + rax], dx);
          }
          break;
        case 4:
          if (env_.movbe) {
            movbe(dword[r12 + rax], edx);
          } else {
            bswap(edx);
            mov(dword[r12 + rax], edx);
          }
          break;
        default:
          if (env_.movbe) {
            movbe(qword[r12 + rax], rdx);
          } else {
            bswap(rdx);
            mov(qword[r12 + rax], rdx);
          }
          break;
      }
    }
    if (f.update) store64(ra, rax);
    L(*done);
    // Off the fast path: the interpreter's handler redoes the whole access
    // (fault, page-crossing, or a store into translated code).
    const CacheState after = cs_;
    deferred_.push_back([this, i, slow, done, before, after] {
      L(*slow);
      spill(before);
      call_handler(i);
      reload(after);
      jmp(*done, T_NEAR);
    });
    return true;
  }

  // Branch as the block's last instruction; semantics of interp_branch.cpp.
  void emit_branch(const DecodedInsn& in) {
    const uint32_t w = in.word;
    const uint32_t op = w >> 26;
    const bool lk = w & 1;
    const uint32_t bo = (w >> 21) & 31, bi = (w >> 16) & 31;
    if (op == 18) {
      int32_t li = static_cast<int32_t>((w & 0x03FFFFFC) << 6) >> 6;
      uint32_t target = static_cast<uint32_t>(((w & 2) ? 0 : in.pc) + static_cast<uint32_t>(li));
      if (lk) set_lr(in.pc + 4u);
      spill_all_clean();
      account();
      exit_to(target);
      return;
    }
    Xbyak::Label not_taken;
    bool indirect = op == 19;
    if (indirect) {
      uint32_t xo = (w >> 1) & 0x3FF;
      mov(esi, dword[rbx + (xo == 16 ? kOffLr : kOffCtr)]);
      and_(esi, ~3u);
    }
    if (lk) set_lr(in.pc + 4u);
    spill_all_clean();
    account();
    if (!(bo & 4)) {
      sub(qword[rbx + kOffCtr], 1);
      if (env_.mode64) cmp(qword[rbx + kOffCtr], 0);
      else cmp(dword[rbx + kOffCtr], 0);
      if (bo & 2) jne(not_taken, T_NEAR);  // taken needs CTR == 0
      else je(not_taken, T_NEAR);
    }
    if (!(bo & 16)) {
      test(dword[rbx + kOffCr], 1u << (31 - bi));
      if (bo & 8) jz(not_taken, T_NEAR);
      else jnz(not_taken, T_NEAR);
    }
    if (indirect) {
      exit_indirect();
    } else {
      int32_t bd = static_cast<int16_t>(w & 0xFFFC);
      exit_to(static_cast<uint32_t>(((w & 2) ? 0 : in.pc) + static_cast<uint32_t>(bd)));
    }
    L(not_taken);
    if ((bo & 0x14) != 0x14) exit_to(b_.end_pc);
  }

  void set_lr(uint32_t v) {
    mov(eax, v);
    mov(qword[rbx + kOffLr], rax);
  }

  const TranslateEnv& env_;
  const BlockCode& b_;
  TranslateResult* out_;
  int cache_of_[32] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  int guest_of_[kCacheRegs] = {};
  CacheState cs_{};
  Xbyak::Label fault_[cpu::Cpu::kMaxBlockInsns];
  bool fault_used_[cpu::Cpu::kMaxBlockInsns] = {};
  std::deque<Xbyak::Label> labels_;
  std::deque<std::function<void()>> deferred_;
};

class RuntimeEmitter : public Xbyak::CodeGenerator {
 public:
  RuntimeEmitter(uint8_t* at, size_t room) : Xbyak::CodeGenerator(room, at) {}
  RuntimeCode emit(uint8_t* guest_base, const uint8_t* perms) {
    RuntimeCode rc{};
    rc.enter = getCurr<uint32_t (*)(PpcContext*, const uint8_t*, void*)>();
    push(rbx);
    push(rbp);
    push(r12);
    push(r13);
    push(r14);
    push(r15);
    sub(rsp, 8);
    mov(rbx, rdi);
    mov(r15, rdx);
    mov(r13, qword[r15 + kOffRemaining]);
    mov(r12, reinterpret_cast<uint64_t>(guest_base));
    mov(r14, reinterpret_cast<uint64_t>(perms));
    jmp(rsi);
    align(16);
    rc.exit_common = getCurr();
    mov(qword[r15 + kOffRemaining], r13);
    add(rsp, 8);
    pop(r15);
    pop(r14);
    pop(r13);
    pop(r12);
    pop(rbp);
    pop(rbx);
    ret();
    align(16);
    ready();
    rc.size = getSize();
    return rc;
  }
};

}  // namespace

RuntimeCode emit_runtime_code(uint8_t* at, size_t room, uint8_t* guest_base, const uint8_t* perms) {
  RuntimeEmitter e(at, room);
  return e.emit(guest_base, perms);
}

bool translate_block(const TranslateEnv& env, const BlockCode& block, uint8_t* at, size_t room,
                     TranslateResult* out) {
  *out = TranslateResult{};
  try {
    BlockEmitter e(env, block, at, room, out);
    e.translate();
    return true;
  } catch (const Xbyak::Error&) {
    return false;
  }
}

bool host_has_movbe() {
  Xbyak::util::Cpu host;
  return host.has(Xbyak::util::Cpu::tMOVBE);
}

}  // namespace xdet::jit
