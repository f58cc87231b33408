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
constexpr int32_t kOffRetiredBase = static_cast<int32_t>(offsetof(JitState, retired_base));
constexpr int32_t kOffVr = static_cast<int32_t>(offsetof(PpcContext, vr));
constexpr int32_t kOffVmxWordSwap = static_cast<int32_t>(offsetof(JitState, vmx_word_swap));
constexpr int32_t kOffFpscr = static_cast<int32_t>(offsetof(PpcContext, fpscr));
constexpr int32_t kOffFpLastBits = static_cast<int32_t>(offsetof(JitState, fp_last_bits));
constexpr int32_t kOffFpUnion = static_cast<int32_t>(offsetof(JitState, fp_union));
constexpr int32_t kOffFpOp = static_cast<int32_t>(offsetof(JitState, fp_op));
constexpr int32_t kOffFpLastRedo = static_cast<int32_t>(offsetof(JitState, fp_last_redo));
constexpr int32_t kOffMxcsrClear = static_cast<int32_t>(offsetof(JitState, mxcsr_clear));
constexpr int32_t kOffMxcsrTmp = static_cast<int32_t>(offsetof(JitState, mxcsr_tmp));
constexpr int32_t kOffFpPending = static_cast<int32_t>(offsetof(JitState, fp_pending));

// FPSCR bits (host numbering), as in interp_fpu.cpp.
constexpr uint32_t kFX = 1u << 31, kFEX = 1u << 30, kVX = 1u << 29, kXX = 1u << 25, kFR = 1u << 18, kFI = 1u << 17,
                   kFPRF = 0x1Fu << 12, kFPCC = 0xFu << 12;
constexpr uint32_t kVXAll = (0x3Fu << 19) | (7u << 8);  // VXSNAN..VXVC, VXSOFT, VXSQRT, VXCVI
constexpr uint32_t kHostInexact = 0x20;                 // MXCSR PE

// ---- Native forms, identified by the interpreter's handler ----
enum class Op : uint8_t {
  kNop, kAddi, kAddis, kLi, kLis, kMulli, kOri, kOris, kXori, kXoris, kAndi, kAndis,
  kCmpi, kCmpli, kCmp, kCmpl, kRlwinm, kRlwimi, kRldicl, kRldicr, kRldic, kRldimi,
  kAnd, kAndc, kOr, kOrc, kXor, kNand, kNor, kEqv, kExtsb, kExtsh, kExtsw, kSlw, kSrw, kSld, kSrd,
  kAdd, kSubf, kNeg, kMullw, kMulld,
  kMflr, kMfctr, kMtlr, kMtctr, kMfcr,
  kLoad, kStore,
  kFArith, kFMove, kFsel, kFcmpu, kFctiw,
  kCarry, kMulh, kDiv, kSrawi, kCntlz,
  kVLoad, kVStore, kVLogic, kVAdd, kVSub,
};

// Form::fk of Op::kCarry: r = a + b + cin with CA; a is ~rA for the subf forms.
enum CarryOp : uint8_t { kAddc, kAdde, kAddze, kAddme, kSubfc, kSubfe, kSubfze, kSubfme, kAddic, kSubfic };

// Scalar FP operations with host code (Form::fk of Op::kFArith).
enum FpOp : uint8_t { kFAdd, kFSub, kFMul, kFDiv, kFSqrt, kFMadd, kFMsub, kFNmadd, kFNmsub, kFrsp, kFcfid };

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
  bool single = false;  // single-precision FP (lfs/stfs conversions, fadds...)
  uint8_t fk = 0;       // FpOp; kFMove: 0 fmr 1 fneg 2 fabs 3 fnabs; kFctiw: 1 toward zero
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
      add((30u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (2u << 2) | rc, {Op::kRldic, r});
      add((30u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (3u << 2) | rc, {Op::kRldimi, r});
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
    for (uint32_t rc = 0; rc < 2; ++rc) {
      bool r = rc != 0;
      auto fk = [&add, r](uint32_t word, Op op, uint8_t k) {
        Form f{op, r};
        f.fk = k;
        add(word, f);
      };
      fk(X(10, 1, 2, 3, rc), Op::kCarry, kAddc);
      fk(X(138, 1, 2, 3, rc), Op::kCarry, kAdde);
      fk(X(202, 1, 2, 0, rc), Op::kCarry, kAddze);
      fk(X(234, 1, 2, 0, rc), Op::kCarry, kAddme);
      fk(X(8, 1, 2, 3, rc), Op::kCarry, kSubfc);
      fk(X(136, 1, 2, 3, rc), Op::kCarry, kSubfe);
      fk(X(200, 1, 2, 0, rc), Op::kCarry, kSubfze);
      fk(X(232, 1, 2, 0, rc), Op::kCarry, kSubfme);
      fk(X(75, 1, 2, 3, rc), Op::kMulh, 0);
      fk(X(11, 1, 2, 3, rc), Op::kMulh, 1);
      fk(X(73, 1, 2, 3, rc), Op::kMulh, 2);
      fk(X(9, 1, 2, 3, rc), Op::kMulh, 3);
      fk(X(491, 1, 2, 3, rc), Op::kDiv, 0);
      fk(X(459, 1, 2, 3, rc), Op::kDiv, 1);
      fk(X(489, 1, 2, 3, rc), Op::kDiv, 2);
      fk(X(457, 1, 2, 3, rc), Op::kDiv, 3);
      fk(X(824, 1, 2, 3, rc), Op::kSrawi, 0);
      fk(X(26, 1, 2, 0, rc), Op::kCntlz, 0);
      fk(X(58, 1, 2, 0, rc), Op::kCntlz, 1);
    }
    {
      Form f{Op::kCarry};
      f.fk = kAddic;
      add(D(12, 1, 2, 1), f);
      f.rc = true;
      add(D(13, 1, 2, 1), f);
      f.rc = false;
      f.fk = kSubfic;
      add(D(8, 1, 2, 1), f);
    }
    // VMX: lvx/lvxl, stvx/stvxl, bitwise logic and modulo add/subtract
    // (no VSCR effect, element order immaterial).
    {
      Form f{Op::kVLoad};
      add(X(103, 1, 2, 3, 0), f);
      add(X(359, 1, 2, 3, 0), f);
      f.op = Op::kVStore;
      add(X(231, 1, 2, 3, 0), f);
      add(X(487, 1, 2, 3, 0), f);
      auto vx = [&add](uint32_t xo, Op op, uint8_t k) {
        Form g{op};
        g.fk = k;
        add((4u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | xo, g);
      };
      vx(1028, Op::kVLogic, 0);  // vand
      vx(1092, Op::kVLogic, 1);  // vandc
      vx(1156, Op::kVLogic, 2);  // vor
      vx(1220, Op::kVLogic, 3);  // vxor
      vx(1284, Op::kVLogic, 4);  // vnor
      vx(0, Op::kVAdd, 1);       // vaddubm
      vx(64, Op::kVAdd, 2);      // vadduhm
      vx(128, Op::kVAdd, 4);     // vadduwm
      vx(1024, Op::kVSub, 1);    // vsububm
      vx(1088, Op::kVSub, 2);    // vsubuhm
      vx(1152, Op::kVSub, 4);    // vsubuwm
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
    mem(X(341, 2, 1, 3, 0), Op::kLoad, 4, true, false, true);   // lwax
    mem(X(55, 2, 1, 3, 0), Op::kLoad, 4, false, true, true);    // lwzux
    mem(X(183, 2, 1, 3, 0), Op::kStore, 4, false, true, true);  // stwux
    mem(X(151, 2, 1, 3, 0), Op::kStore, 4, false, false, true);
    mem(X(215, 2, 1, 3, 0), Op::kStore, 1, false, false, true);
    mem(X(407, 2, 1, 3, 0), Op::kStore, 2, false, false, true);
    mem(X(149, 2, 1, 3, 0), Op::kStore, 8, false, false, true);
    mem(X(599, 2, 1, 3, 0), Op::kLoad, 8, false, false, true, false, true);
    mem(X(727, 2, 1, 3, 0), Op::kStore, 8, false, false, true, false, true);
    // Floating-point loads/stores: update and indexed forms, singles.
    mem(D(51, 2, 1, 0), Op::kLoad, 8, false, true, false, false, true);    // lfdu
    mem(D(55, 2, 1, 0), Op::kStore, 8, false, true, false, false, true);   // stfdu
    mem(X(631, 2, 1, 3, 0), Op::kLoad, 8, false, true, true, false, true);   // lfdux
    mem(X(759, 2, 1, 3, 0), Op::kStore, 8, false, true, true, false, true);  // stfdux
    auto single = [&add](uint32_t word, Op op, bool update, bool indexed) {
      Form f{op};
      f.size = 4;
      f.update = update;
      f.indexed = indexed;
      f.fp = true;
      f.single = true;
      add(word, f);
    };
    single(D(48, 2, 1, 0), Op::kLoad, false, false);   // lfs
    single(D(49, 2, 1, 0), Op::kLoad, true, false);    // lfsu
    single(D(52, 2, 1, 0), Op::kStore, false, false);  // stfs
    single(D(53, 2, 1, 0), Op::kStore, true, false);   // stfsu
    single(X(535, 2, 1, 3, 0), Op::kLoad, false, true);   // lfsx
    single(X(567, 2, 1, 3, 0), Op::kLoad, true, true);    // lfsux
    single(X(663, 2, 1, 3, 0), Op::kStore, false, true);  // stfsx
    single(X(695, 2, 1, 3, 0), Op::kStore, true, true);   // stfsux
    // Scalar FP (non-record forms; record forms copy the FPSCR into CR1 and
    // stay call-outs).
    auto fpa = [&add](uint32_t opcd, uint32_t xo, FpOp k, bool s) {
      Form f{Op::kFArith};
      f.fk = k;
      f.single = s;
      add((opcd << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (4u << 6) | (xo << 1), f);
    };
    for (uint32_t opcd : {59u, 63u}) {
      bool s = opcd == 59;
      fpa(opcd, 21, kFAdd, s);
      fpa(opcd, 20, kFSub, s);
      fpa(opcd, 25, kFMul, s);
      fpa(opcd, 18, kFDiv, s);
      fpa(opcd, 22, kFSqrt, s);
      fpa(opcd, 29, kFMadd, s);
      fpa(opcd, 28, kFMsub, s);
      fpa(opcd, 31, kFNmadd, s);
      fpa(opcd, 30, kFNmsub, s);
    }
    auto fx = [&add](uint32_t xo, Op op, uint8_t k) {
      Form f{op};
      f.fk = k;
      add((63u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (xo << 1), f);
    };
    fx(12, Op::kFArith, kFrsp);
    fx(846, Op::kFArith, kFcfid);
    fx(72, Op::kFMove, 0);
    fx(40, Op::kFMove, 1);
    fx(264, Op::kFMove, 2);
    fx(136, Op::kFMove, 3);
    fx(0, Op::kFcmpu, 0);
    fx(14, Op::kFctiw, 0);
    fx(15, Op::kFctiw, 1);
    {
      Form f{Op::kFsel};
      add((63u << 26) | (1u << 21) | (2u << 16) | (3u << 11) | (4u << 6) | (23u << 1), f);
    }
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

// The host computation of a scalar FP operation into xmm0 (xmm1 scratch),
// from operands a, b, c in memory (the guest's frA, frB, frC). Used by the
// translated code and, on JitState::fp_op, by the routines that redo the
// last pending operation. Returns false for an operation it does not know.
bool emit_fp_compute(Xbyak::CodeGenerator& g, uint8_t fk, const Xbyak::Address& a, const Xbyak::Address& b,
                     const Xbyak::Address& c) {
  using namespace Xbyak::util;
  switch (fk) {
    case kFAdd: g.vmovsd(xmm0, a); g.vaddsd(xmm0, xmm0, b); return true;
    case kFSub: g.vmovsd(xmm0, a); g.vsubsd(xmm0, xmm0, b); return true;
    case kFMul: g.vmovsd(xmm0, a); g.vmulsd(xmm0, xmm0, c); return true;
    case kFDiv: g.vmovsd(xmm0, a); g.vdivsd(xmm0, xmm0, b); return true;
    case kFSqrt: g.vxorpd(xmm0, xmm0, xmm0); g.vsqrtsd(xmm0, xmm0, b); return true;
    case kFMadd:
    case kFMsub:
    case kFNmadd:
    case kFNmsub:
      // xmm0 = a, xmm1 = c; the 213 forms give +-(xmm1 * xmm0) +- b.
      g.vmovsd(xmm0, a);
      g.vmovsd(xmm1, c);
      if (fk == kFMadd) g.vfmadd213sd(xmm0, xmm1, b);        // a*c + b
      else if (fk == kFMsub) g.vfmsub213sd(xmm0, xmm1, b);   // a*c - b
      else if (fk == kFNmadd) g.vfnmsub213sd(xmm0, xmm1, b); // -(a*c) - b
      else g.vfnmadd213sd(xmm0, xmm1, b);                     // -(a*c) + b
      return true;
    case kFrsp: g.vmovsd(xmm0, b); return true;
    case kFcfid: g.vxorpd(xmm0, xmm0, xmm0); g.vcvtsi2sd(xmm0, xmm0, b); return true;
    default: return false;
  }
}
// Operands an FpOp reads: bit 0 a, bit 1 b, bit 2 c.
uint32_t fp_operands(uint8_t fk) {
  switch (fk) {
    case kFAdd: case kFSub: case kFDiv: return 3;
    case kFMul: return 5;
    case kFSqrt: case kFrsp: case kFcfid: return 2;
    default: return 7;
  }
}

class BlockEmitter : public Xbyak::CodeGenerator {
 public:
  BlockEmitter(const TranslateEnv& env, const BlockCode& block, uint8_t* at, size_t room, TranslateResult* out)
      : Xbyak::CodeGenerator(room, at), env_(env), b_(block), out_(out) {}

  void translate() {
    Xbyak::Label pre_exit;
    // Entry: the whole block must fit the budget and its page must still be
    // marked as holding translated code (else the dispatcher re-checks it).
    test(byte[r14 + static_cast<int32_t>(b_.start >> 12)], 8);
    jz(pre_exit, T_NEAR);
    // Entry for links from blocks of the same page: that page's mark was
    // checked when control entered it, and within a run only an
    // invalidation (which unlinks) can clear it.
    out_->same_page_offset = getSize();
    cmp(r13, b_.count);
    jb(pre_exit, T_NEAR);
    const auto& forms = native_forms();
    bool calls_out = false;
    for (uint32_t i = 0; i < b_.count; ++i) {
      const DecodedInsn& in = b_.insns[i];
      auto it = forms.find(in.fn);
      if (it == forms.end() && !(i + 1 == b_.count && is_branch(in.word) && cpu::is_known_instruction(in.word))) {
        calls_out = true;
      }
      if (it != forms.end() && it->second.op == Op::kStore) may_invalidate_ = true;
      if (it != forms.end() && it->second.op == Op::kFArith && env_.native_fp) has_fp_arith_ = true;
    }
    if (calls_out) may_invalidate_ = true;
    const DecodedInsn& tail = b_.insns[b_.count - 1];
    uint32_t top = tail.word >> 26;
    self_loop_ = (top == 16 || top == 18) && cpu::is_known_instruction(tail.word) && direct_target(tail) == b_.start;
    choose_cached();
    if (self_loop_) {
      // A loop on itself keeps its cached registers across iterations: load
      // them all once; count them as modified (exits write them all back).
      for (int k = 0; k < kCacheRegs; ++k) {
        if (guest_of_[k] < 0) continue;
        load_slot(k);
        cs_.slot[k] = Slot::kDirty;
      }
      L(loop_head_);
      // From the second iteration on, the previous one's FP status may be pending.
      fp_maybe_pending_ = has_fp_arith_;
    }
    if (calls_out) {
      // Handlers such as mftb read the exact retired count (retired_now):
      // the context's count is only kept exact for blocks that call out.
      mov(rax, reinterpret_cast<uint64_t>(b_.insns));
      mov(qword[rbx + kOffBlockBegin], rax);
      mov(rax, qword[r15 + kOffRetiredBase]);
      sub(rax, r13);
      mov(qword[rbx + kOffRetired], rax);
    }
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
        fp_commit();
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

  // Register numbers 0..31 are GPRs; kCrReg and kCtrReg name CR and CTR,
  // which the register cache holds like GPRs (CR 32 bits wide).
  static constexpr uint32_t kCrReg = 32, kCtrReg = 33, kCachable = 34;
  Xbyak::Address gpr(uint32_t r) {
    if (r == kCtrReg) return qword[rbx + kOffCtr];
    return qword[rbx + kOffGpr + 8 * static_cast<int32_t>(r)];
  }
  Xbyak::Address gpr32(uint32_t r) {
    if (r == kCtrReg) return dword[rbx + kOffCtr];
    return dword[rbx + kOffGpr + 8 * static_cast<int32_t>(r)];
  }
  // Loads / writes back cache slot k from / to its home in the context.
  void load_slot(int k) {
    uint32_t g = static_cast<uint32_t>(guest_of_[k]);
    if (g == kCrReg) mov(host64(k).cvt32(), dword[rbx + kOffCr]);
    else mov(host64(k), gpr(g));
  }
  void store_slot(int k) {
    uint32_t g = static_cast<uint32_t>(guest_of_[k]);
    if (g == kCrReg) mov(dword[rbx + kOffCr], host64(k).cvt32());
    else mov(gpr(g), host64(k));
  }
  // CR field at shift s (28 - 4n) := val (the field's bits, in place).
  void cr_field_write(uint32_t s, const Xbyak::Reg32& val) {
    int k = ensure(kCrReg);
    if (k >= 0) {
      and_(host64(k).cvt32(), static_cast<uint32_t>(~(0xFu << s)));
      or_(host64(k).cvt32(), val);
      cs_.slot[k] = Slot::kDirty;
    } else {
      and_(dword[rbx + kOffCr], static_cast<uint32_t>(~(0xFu << s)));
      or_(dword[rbx + kOffCr], val);
    }
  }
  Xbyak::Address fpr(uint32_t r) { return qword[rbx + kOffFpr + 8 * static_cast<int32_t>(r)]; }

  // ---- Guest GPRs cached in host registers inside a block ----
  // The most used GPRs of a block (up to seven) live in host registers, loaded on first
  // use and written back (if modified) before every call-out and exit, so
  // the context is exact whenever anything else can look at it.
  static constexpr int kCacheRegs = 7;
  enum class Slot : uint8_t { kUnloaded, kClean, kDirty };
  struct CacheState {
    Slot slot[kCacheRegs];
  };
  const Xbyak::Reg64& host64(int k) const {
    static const Xbyak::Reg64 regs[kCacheRegs] = {Xbyak::util::rbp, Xbyak::util::r8,  Xbyak::util::r9,
                                                   Xbyak::util::r10, Xbyak::util::r11, Xbyak::util::rdi,
                                                   Xbyak::util::rsi};
    return regs[k];
  }
  // GPRs a native form reads or writes (a read-modify-write counts twice).
  static void count_gpr_uses(const Form& f, uint32_t w, int* uses) {
    const uint32_t rd = f_rd(w), ra = f_ra(w), rb = f_rb(w);
    switch (f.op) {
      case Op::kNop: return;
      case Op::kLi: case Op::kLis: case Op::kMflr: case Op::kMtlr: case Op::kMfcr: ++uses[rd]; return;
      case Op::kCmpi: case Op::kCmpli: ++uses[ra]; return;
      case Op::kCmp: case Op::kCmpl: ++uses[ra]; ++uses[rb]; return;
      case Op::kAddi: case Op::kAddis: case Op::kMulli: ++uses[rd]; ++uses[ra]; return;
      case Op::kOri: case Op::kOris: case Op::kXori: case Op::kXoris: case Op::kAndi: case Op::kAndis:
      case Op::kRlwinm: case Op::kRldicl: case Op::kRldicr: case Op::kRldic: case Op::kExtsb: case Op::kExtsh:
      case Op::kExtsw: case Op::kSrawi: case Op::kCntlz:
        ++uses[rd];
        ++uses[ra];
        return;
      case Op::kRlwimi: case Op::kRldimi: ++uses[rd]; uses[ra] += 2; return;
      case Op::kCarry:
        ++uses[rd];
        ++uses[ra];
        if (f.fk == kAddc || f.fk == kAdde || f.fk == kSubfc || f.fk == kSubfe) ++uses[rb];
        return;
      case Op::kLoad: case Op::kStore:
        if (!f.fp) ++uses[rd];
        uses[ra] += f.update ? 2 : 1;
        if (f.indexed) ++uses[rb];
        return;
      case Op::kNeg: ++uses[rd]; ++uses[ra]; return;
      default:  // X/XO forms with rD/rS, rA, rB
        ++uses[rd];
        ++uses[ra];
        ++uses[rb];
        return;
    }
  }

  void choose_cached() {
    int uses[kCachable] = {};
    const auto& forms = native_forms();
    for (uint32_t i = 0; i < b_.count; ++i) {
      uint32_t w = b_.insns[i].word;
      auto it = forms.find(b_.insns[i].fn);
      if (it == forms.end()) continue;
      const Form& f = it->second;
      if (f.op == Op::kFArith || f.op == Op::kFMove || f.op == Op::kFsel || f.op == Op::kFcmpu ||
          f.op == Op::kFctiw || f.op == Op::kVLogic || f.op == Op::kVAdd || f.op == Op::kVSub) {
        continue;  // FPR / VR numbers
      }
      if (f.op == Op::kVLoad || f.op == Op::kVStore) {
        ++uses[f_ra(w)];
        ++uses[f_rb(w)];
        continue;
      }
      if (f.op == Op::kCmp || f.op == Op::kCmpl || f.op == Op::kCmpi || f.op == Op::kCmpli || f.rc) {
        uses[kCrReg] += 2;
      }
      if (f.op == Op::kMfcr) ++uses[kCrReg];
      if (f.op == Op::kMtctr || f.op == Op::kMfctr) {
        ++uses[kCtrReg];
        continue;
      }
      count_gpr_uses(f, w, uses);
    }
    // The block's closing branch: CR bit test, CTR decrement / target.
    const uint32_t tw = b_.insns[b_.count - 1].word;
    if (is_branch(tw) && cpu::is_known_instruction(tw) && (tw >> 26) != 18) {
      const uint32_t bo = (tw >> 21) & 31;
      if (!(bo & 16)) ++uses[kCrReg];
      if (!(bo & 4)) uses[kCtrReg] += 2;
      if ((tw >> 26) == 19 && ((tw >> 1) & 0x3FF) == 528) ++uses[kCtrReg];
    }
    for (int k = 0; k < kCacheRegs; ++k) {
      int best = -1;
      for (int r = 0; r < static_cast<int>(kCachable); ++r) {
        // In a loop on itself every use repeats: any register is worth a slot.
        if (cache_of_[r] < 0 && uses[r] >= (self_loop_ ? 1 : 2) && (best < 0 || uses[r] > uses[best])) best = r;
      }
      if (best < 0) break;
      cache_of_[best] = k;
      guest_of_[k] = best;
    }
  }
  int ensure(uint32_t r) {
    int k = cache_of_[r];
    if (k >= 0 && cs_.slot[k] == Slot::kUnloaded) {
      load_slot(k);
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
  // fn(operand) with guest register r as a 64-/32-bit source operand: its
  // host register when cached (loaded first), else its home in the context.
  template <typename Fn>
  void with_src(uint32_t r, Fn fn) {
    int k = ensure(r);
    if (k >= 0) fn(host64(k));
    else fn(gpr(r));
  }
  template <typename Fn>
  void with_src32(uint32_t r, Fn fn) {
    int k = ensure(r);
    if (k >= 0) fn(host64(k).cvt32());
    else fn(gpr32(r));
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
      if (st.slot[k] == Slot::kDirty) store_slot(k);
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
      if (st.slot[k] != Slot::kUnloaded) load_slot(k);
    }
  }

  Xbyak::Label& fault_label(uint32_t i) {
    if (!fault_used_[i]) {
      fault_used_[i] = true;
      deferred_.push_back([this, i] {
        L(fault_[i]);
        if (i > 0) sub(r13, static_cast<int32_t>(i));
        mov(eax, kExitFault);
        jmp(env_.exit_common);
      });
    }
    return fault_[i];
  }

  // A call-out: the context must be exact before it and is re-read after.
  void callout(uint32_t i) {
    fp_commit();
    spill_all_clean();
    call_handler(i);
    forget_all();
    const uint32_t w = b_.insns[i].word;
    const uint32_t xo = (w >> 1) & 0x3FF;
    if ((w >> 26) == 63 && (xo == 711 || xo == 134 || xo == 38 || xo == 70)) {
      // mtfsf/mtfsfi/mtfsb0/mtfsb1 may have changed the rounding mode.
      stmxcsr(dword[r15 + kOffMxcsrTmp]);
      mov(eax, dword[r15 + kOffMxcsrTmp]);
      and_(eax, ~0x3Fu);
      mov(dword[r15 + kOffMxcsrClear], eax);
    }
  }

  // ---- Lazily applied FPSCR status ----
  // Native FP arithmetic leaves its status in JitState (fp_pending); it is
  // applied before anything that can read or write the FPSCR or leave
  // generated code: call-outs, slow paths, exits.
  void fp_commit() {
    if (!fp_maybe_pending_) return;
    call(env_.fp_commit);
    fp_maybe_pending_ = false;
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

  // The budget register is the retired count too: the dispatcher derives
  // ctx.instructions_retired from it (JitState::retired_base - remaining).
  void account() { sub(r13, static_cast<int32_t>(b_.count)); }

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

  // Exit to the address in eax: through the indirect table when the target
  // is translated, else back to the dispatcher.
  void exit_indirect() {
    Xbyak::Label miss;
    mov(dword[rbx + kOffPc], eax);
    mov(ecx, eax);
    shr(ecx, 2);
    and_(ecx, env_.indirect_mask);
    shl(ecx, 4);
    mov(rdx, reinterpret_cast<uint64_t>(env_.indirect));
    cmp(dword[rdx + rcx], eax);
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
    mov(eax, dword[rbx + kOffPc]);
    exit_indirect();
    L(pending);
    mov(eax, kExitPending);
    jmp(env_.exit_common);
  }

  // CR field n from a compare: LT/GT/EQ chosen with cmov from the flags
  // `compare` leaves (it may use rax/rcx only), SO copied from XER.
  template <typename Compare>
  void cr_compare(uint32_t n, bool is_signed, Compare compare) {
    uint32_t s = 28 - 4 * n;
    ensure(kCrReg);  // outside the paths that join below
    mov(edx, 4u << s);
    compare();
    mov(eax, 8u << s);
    if (is_signed) cmovl(edx, eax);
    else cmovb(edx, eax);
    mov(eax, 2u << s);
    cmove(edx, eax);
    // XER[SO] is rarely set: test it and add the bit out of line.
    auto* so = &labels_.emplace_back();
    auto* back = &labels_.emplace_back();
    test(byte[rbx + kOffXer + 3], 0x80);
    jnz(*so, T_NEAR);
    L(*back);
    cr_field_write(s, edx);
    deferred_.push_back([this, so, back, s] {
      L(*so);
      or_(edx, 1u << s);
      jmp(*back, T_NEAR);
    });
  }
  // The tail every rotate-and-mask form shares: rax holds the rotated
  // source; keep the bits under `m`, and for the insert forms the
  // destination's bits outside it; write rA (and CR0 for record forms).
  void mask_rotated_into(uint64_t m, bool insert, uint32_t ra, bool record) {
    mov(rcx, m);
    and_(rax, rcx);
    if (insert) {
      mov(rdx, ~m);
      load64(rcx, ra);
      and_(rdx, rcx);
      or_(rax, rdx);
    }
    store64(ra, rax);
    if (record) cr0_from_rax();
  }

  // CR0 of a record form from the result in rax.
  void cr0_from_rax() {
    cr_compare(0, true, [this] {
      if (env_.mode64) test(rax, rax);
      else test(eax, eax);
    });
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
        if (ra == rd && cache_of_[rd] >= 0) {  // in place in its host register
          int k = ensure(rd);
          add(host64(k), f.op == Op::kAddi ? f_simm(w) : f_simm(w) * 65536);
          cs_.slot[k] = Slot::kDirty;
          return true;
        }
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
        const bool reg = f.op == Op::kCmp || f.op == Op::kCmpl;
        // Operands first (register loads may be emitted), then the compare,
        // straight from cached host registers where possible.
        const int ka = ensure(ra);
        if (ka < 0) {
          if (f.wide) mov(rax, gpr(ra));
          else mov(eax, gpr32(ra));
        }
        const int kb = reg ? ensure(rb) : -1;
        cr_compare(f_crfd(w), sgn, [&] {
          const Xbyak::Reg64 a = ka >= 0 ? host64(ka) : rax;
          const int32_t imm = f.op == Op::kCmpi ? f_simm(w) : static_cast<int32_t>(f_uimm(w));
          if (f.wide) {
            if (!reg) cmp(a, imm);
            else if (kb >= 0) cmp(a, host64(kb));
            else cmp(a, gpr(rb));
          } else {
            if (!reg) cmp(a.cvt32(), imm);
            else if (kb >= 0) cmp(a.cvt32(), host64(kb).cvt32());
            else cmp(a.cvt32(), gpr32(rb));
          }
        });
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
          store64(ra, rax);
          if (f.rc) cr0_from_rax();
        } else {
          mov(ecx, eax);
          shl(rcx, 32);
          or_(rax, rcx);
          mask_rotated_into(m, f.op == Op::kRlwimi, ra, f.rc);
        }
        return true;
      }
      case Op::kRldicl:
      case Op::kRldicr:
      case Op::kRldic:
      case Op::kRldimi: {
        uint32_t sh = rb | ((w & 2) << 4);
        uint32_t v = (w >> 5) & 0x3F;
        uint32_t mbe = ((v & 1) << 5) | (v >> 1);
        uint64_t m = f.op == Op::kRldicl   ? mask64(mbe, 63)
                     : f.op == Op::kRldicr ? mask64(0, mbe)
                                           : mask64(mbe, 63 - sh);
        load64(rax, rd);
        if (sh) rol(rax, static_cast<uint8_t>(sh));
        mask_rotated_into(m, f.op == Op::kRldimi, ra, f.rc);
        return true;
      }
      case Op::kAnd: case Op::kAndc: case Op::kOr: case Op::kOrc:
      case Op::kXor: case Op::kNand: case Op::kNor: case Op::kEqv: {
        const bool simple = f.op == Op::kAnd || f.op == Op::kOr || f.op == Op::kXor;
        if (simple && !f.rc && ra == rd && rb != rd && cache_of_[ra] >= 0) {
          // rA = rA op rB in rA's host register.
          int k = ensure(ra);
          with_src(rb, [&](const auto& src) {
            if (f.op == Op::kAnd) and_(host64(k), src);
            else if (f.op == Op::kOr) or_(host64(k), src);
            else xor_(host64(k), src);
          });
          cs_.slot[k] = Slot::kDirty;
          return true;
        }
        load64(rax, rd);
        if (!(f.op == Op::kOr && rd == rb)) {  // mr needs no second operand
          if (simple || f.op == Op::kNand || f.op == Op::kNor || f.op == Op::kEqv) {
            with_src(rb, [&](const auto& src) {
              if (f.op == Op::kAnd || f.op == Op::kNand) and_(rax, src);
              else if (f.op == Op::kOr || f.op == Op::kNor) or_(rax, src);
              else xor_(rax, src);
            });
            if (!simple) not_(rax);
          } else {
            load64(rcx, rb);
            not_(rcx);
            if (f.op == Op::kAndc) and_(rax, rcx);
            else or_(rax, rcx);
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
        if (!f.rc && rd == ra && rb != rd && cache_of_[rd] >= 0) {
          int k = ensure(rd);
          with_src(rb, [&](const auto& src) { add(host64(k), src); });
          cs_.slot[k] = Slot::kDirty;
          return true;
        }
        load64(rax, ra);
        with_src(rb, [&](const auto& src) { add(rax, src); });
        goto store_rd;
      case Op::kSubf:
        load64(rax, rb);
        with_src(ra, [&](const auto& src) { sub(rax, src); });
        goto store_rd;
      case Op::kNeg:
        load64(rax, ra);
        neg(rax);
        goto store_rd;
      case Op::kMullw:
        with_src32(ra, [&](const auto& src) { movsxd(rax, src); });
        with_src32(rb, [&](const auto& src) { movsxd(rcx, src); });
        imul(rax, rcx);
        goto store_rd;
      case Op::kMulld:
        load64(rax, ra);
        with_src(rb, [&](const auto& src) { imul(rax, src); });
        goto store_rd;
      case Op::kMflr: mov(rax, qword[rbx + kOffLr]); store64(rd, rax); return true;
      case Op::kMfctr: load64(rax, kCtrReg); store64(rd, rax); return true;
      case Op::kMtlr: load64(rax, rd); mov(qword[rbx + kOffLr], rax); return true;
      case Op::kMtctr: load64(rax, rd); store64(kCtrReg, rax); return true;
      case Op::kMfcr: {
        int k = ensure(kCrReg);
        if (k >= 0) mov(eax, host64(k).cvt32());
        else mov(eax, dword[rbx + kOffCr]);
        store64(rd, rax);
        return true;
      }
      case Op::kLoad:
      case Op::kStore: return emit_memory(i, in, f);
      case Op::kFArith: return env_.native_fp && emit_fp_arith(i, in, f);
      case Op::kFMove: {
        mov(rax, fpr(rb));
        if (f.fk == 1) btc(rax, 63);
        else if (f.fk == 2) btr(rax, 63);
        else if (f.fk == 3) bts(rax, 63);
        mov(fpr(rd), rax);
        return true;
      }
      case Op::kFsel: {
        if (!env_.native_fp) return false;
        // fd = fa >= 0.0 ? fc : fb (a NaN compares unordered: fb).
        vmovsd(xmm0, fpr(ra));
        vxorpd(xmm1, xmm1, xmm1);
        mov(rax, fpr(rb));
        vucomisd(xmm0, xmm1);
        cmovae(rax, fpr((w >> 6) & 31));
        mov(fpr(rd), rax);
        return true;
      }
      case Op::kFcmpu: return env_.native_fp && emit_fcmpu(i, in);
      case Op::kVLoad:
      case Op::kVStore: return env_.native_fp && emit_vmem(i, in, f);
      case Op::kVLogic:
      case Op::kVAdd:
      case Op::kVSub: {
        if (!env_.native_fp) return false;
        vmovdqu(xmm0, vr(ra));
        if (f.op == Op::kVLogic) {
          switch (f.fk) {
            case 0: vpand(xmm0, xmm0, vr(rb)); break;
            case 1: vmovdqu(xmm1, vr(rb)); vpandn(xmm0, xmm1, xmm0); break;  // a & ~b
            case 2: vpor(xmm0, xmm0, vr(rb)); break;
            case 3: vpxor(xmm0, xmm0, vr(rb)); break;
            default:
              vpor(xmm0, xmm0, vr(rb));
              vpcmpeqd(xmm1, xmm1, xmm1);
              vpxor(xmm0, xmm0, xmm1);
              break;
          }
        } else {
          // Lanes of the host layout are the guest's elements (reordered
          // within each word), so lane-wise modulo arithmetic is exact.
          const bool add_op = f.op == Op::kVAdd;
          if (f.fk == 1) add_op ? vpaddb(xmm0, xmm0, vr(rb)) : vpsubb(xmm0, xmm0, vr(rb));
          else if (f.fk == 2) add_op ? vpaddw(xmm0, xmm0, vr(rb)) : vpsubw(xmm0, xmm0, vr(rb));
          else add_op ? vpaddd(xmm0, xmm0, vr(rb)) : vpsubd(xmm0, xmm0, vr(rb));
        }
        vmovdqu(vr(rd), xmm0);
        return true;
      }
      case Op::kCarry: {
        const uint8_t k = f.fk;
        const bool sub = k == kSubfc || k == kSubfe || k == kSubfze || k == kSubfme || k == kSubfic;
        load64(rax, ra);
        if (sub) not_(rax);
        switch (k) {
          case kAddze: case kSubfze: xor_(ecx, ecx); break;
          case kAddme: case kSubfme: mov(rcx, -1); break;
          case kAddic: case kSubfic: mov(rcx, static_cast<int64_t>(f_simm(w))); break;
          default: load64(rcx, rb); break;
        }
        // CF = carry in: 0 (addc, addic), 1 (subfc, subfic), else XER[CA].
        auto carry_in = [&] {
          if (k == kAddc || k == kAddic) clc();
          else if (k == kSubfc || k == kSubfic) stc();
          else bt(dword[rbx + kOffXer], 29);
        };
        if (!env_.mode64) {
          // Console semantics: CA is the carry out of the low word.
          mov(edx, eax);
          carry_in();
          adc(edx, ecx);
          setc(dl);
          movzx(edx, dl);
          carry_in();
          adc(rax, rcx);
        } else {
          carry_in();
          adc(rax, rcx);
          setc(dl);
          movzx(edx, dl);
        }
        shl(edx, 29);
        and_(dword[rbx + kOffXer], ~(1u << 29));
        or_(dword[rbx + kOffXer], edx);
        goto store_rd;
      }
      case Op::kMulh:
        if (f.fk == 0) {
          load32(eax, ra);
          load32(ecx, rb);
          movsxd(rax, eax);
          movsxd(rcx, ecx);
          imul(rax, rcx);
          sar(rax, 32);
        } else if (f.fk == 1) {
          load32(eax, ra);
          load32(ecx, rb);
          imul(rax, rcx);
          shr(rax, 32);
        } else {
          load64(rax, ra);
          load64(rcx, rb);
          if (f.fk == 2) imul(rcx);
          else mul(rcx);
          mov(rax, rdx);
        }
        goto store_rd;
      case Op::kDiv: {
        // Division by zero and the signed overflow case give 0 (the
        // interpreter's architected choice); the host would trap.
        Xbyak::Label bad, ok, fin;
        const bool word = f.fk < 2, sgn = f.fk == 0 || f.fk == 2;
        if (word) {
          load32(eax, ra);
          load32(ecx, rb);
          test(ecx, ecx);
        } else {
          load64(rax, ra);
          load64(rcx, rb);
          test(rcx, rcx);
        }
        jz(bad);
        if (sgn) {
          if (word) {
            cmp(ecx, -1);
            jne(ok);
            cmp(eax, 0x80000000u);
            je(bad);
            L(ok);
            cdq();
            idiv(ecx);
          } else {
            cmp(rcx, -1);
            jne(ok);
            mov(rdx, 0x8000000000000000ull);
            cmp(rax, rdx);
            je(bad);
            L(ok);
            cqo();
            idiv(rcx);
          }
        } else {
          xor_(edx, edx);
          if (word) div(ecx);
          else div(rcx);
        }
        if (word) mov(eax, eax);  // the quotient word, zero-extended
        jmp(fin);
        L(bad);
        xor_(eax, eax);
        L(fin);
        goto store_rd;
      }
      case Op::kSrawi: {
        const uint32_t n = rb;
        load32(ecx, rd);  // rS
        mov(eax, ecx);
        if (n) sar(eax, static_cast<uint8_t>(n));
        movsxd(rax, eax);
        // CA: negative and a 1 bit shifted out.
        if (n) {
          mov(edx, ecx);
          shl(edx, static_cast<uint8_t>(32 - n));
          sar(ecx, 31);
          and_(edx, ecx);
          setnz(dl);
          movzx(edx, dl);
          shl(edx, 29);
        } else {
          xor_(edx, edx);
        }
        and_(dword[rbx + kOffXer], ~(1u << 29));
        or_(dword[rbx + kOffXer], edx);
        goto store_ra;
      }
      case Op::kCntlz:
        mov(edx, -1);
        if (f.fk == 0) {
          load32(ecx, rd);
          bsr(eax, ecx);
          cmovz(eax, edx);
          neg(eax);
          add(eax, 31);
        } else {
          load64(rcx, rd);
          movsxd(rdx, edx);
          bsr(rax, rcx);
          cmovz(rax, rdx);
          neg(rax);
          add(rax, 63);
        }
        goto store_ra;
      case Op::kFctiw: return env_.native_fp && emit_fctiw(i, in, f);
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

  // Handler call for an instruction whose fast path found a case it does not
  // handle (the handler redoes the whole instruction; nothing was written).
  // `before`: the register cache state where the fast path branched off;
  // the slow path rejoins it in the current state.
  void fp_slow_path(uint32_t i, Xbyak::Label* slow, Xbyak::Label* done, bool fp_pending, const CacheState& before) {
    const CacheState after = cs_;
    deferred_.push_back([this, i, slow, done, before, after, fp_pending] {
      L(*slow);
      if (fp_pending) call(env_.fp_commit);
      spill(before);
      call_handler(i);
      reload(after);
      jmp(*done, T_NEAR);
    });
  }

  // Scalar FP arithmetic. Fast path: the host computes the very operation
  // the handler does (same MXCSR rounding; FMA3 for the fused forms; singles
  // round the double result once more, as the handler does, unless it sits
  // on a single midpoint, where the handler rounds to odd). If the result is
  // a normal number away from both ends of the range, the operation raised
  // no exception but inexact: its FPSCR effect is only XX/FX/FI/FPRF, left
  // pending in JitState (fp_commit applies it). Anything else (NaN, infinity,
  // zero, denormal or tiny, huge, midpoint) takes the handler.
  bool emit_fp_arith(uint32_t i, const DecodedInsn& in, const Form& f) {
    const uint32_t w = in.word;
    const uint32_t d = f_rd(w), a = f_ra(w), b = f_rb(w), c = (w >> 6) & 31;
    auto* slow = &labels_.emplace_back();
    auto* done = &labels_.emplace_back();
    const bool pending_before = fp_maybe_pending_;
    const bool to_single = f.single || f.fk == kFrsp;
    // Flags cleared at the start of a pending run; within it they accumulate.
    if (fp_maybe_pending_) {
      Xbyak::Label keep;
      cmp(byte[r15 + kOffFpPending], 0);
      jne(keep);
      ldmxcsr(dword[r15 + kOffMxcsrClear]);
      L(keep);
    } else {
      ldmxcsr(dword[r15 + kOffMxcsrClear]);
    }
    const uint32_t ops = fp_operands(f.fk);
    if (ops & 1) { mov(rax, fpr(a)); mov(qword[r15 + kOffFpOp], rax); }
    if (ops & 2) { mov(rax, fpr(b)); mov(qword[r15 + kOffFpOp + 8], rax); }
    if (ops & 4) { mov(rax, fpr(c)); mov(qword[r15 + kOffFpOp + 16], rax); }
    if (!emit_fp_compute(*this, f.fk, fpr(a), fpr(b), fpr(c))) return false;
    if (f.single) {
      // Exactly halfway between two singles: the handler's round-to-odd path.
      vmovq(rax, xmm0);
      mov(ecx, eax);
      and_(ecx, 0x1FFFFFFF);
      cmp(ecx, 0x10000000);
      je(*slow, T_NEAR);
    }
    if (to_single) {
      vcvtsd2ss(xmm0, xmm0, xmm0);
      vcvtss2sd(xmm0, xmm0, xmm0);
    }
    vmovq(rax, xmm0);
    // Biased exponent of the result: doubles 2..0x7FD, singles 2^-125..2^126.
    const uint32_t lo = to_single ? 1023 - 125 : 2;
    const uint32_t hi = to_single ? 1023 + 126 : 0x7FD;
    mov(rdx, rax);
    shr(rdx, 52);
    and_(edx, 0x7FF);
    sub(edx, lo);
    cmp(edx, hi - lo);
    ja(*slow, T_NEAR);
    mov(fpr(d), rax);
    mov(qword[r15 + kOffFpLastBits], rax);
    mov(rax, reinterpret_cast<uint64_t>(env_.fp_redo[f.fk][f.single ? 1 : 0]));
    mov(qword[r15 + kOffFpLastRedo], rax);
    mov(byte[r15 + kOffFpPending], 1);
    L(*done);
    fp_slow_path(i, slow, done, pending_before, cs_);
    fp_maybe_pending_ = true;
    return true;
  }

  // fcmpu: ordered operands set the CR field and FPCC, clear FI/FR; NaNs
  // (FPSCR exception bits) take the handler.
  bool emit_fcmpu(uint32_t i, const DecodedInsn& in) {
    const uint32_t w = in.word;
    fp_commit();
    ensure(kCrReg);
    const CacheState before = cs_;
    auto* slow = &labels_.emplace_back();
    auto* done = &labels_.emplace_back();
    vmovsd(xmm0, fpr(f_ra(w)));
    vucomisd(xmm0, fpr(f_rb(w)));
    jp(*slow, T_NEAR);
    mov(edx, 4);
    mov(eax, 8);
    cmovb(edx, eax);
    mov(eax, 2);
    cmove(edx, eax);
    const uint32_t s = 28 - 4 * f_crfd(w);
    mov(eax, edx);
    if (s) shl(eax, static_cast<uint8_t>(s));
    cr_field_write(s, eax);
    mov(eax, dword[rbx + kOffFpscr]);
    and_(eax, ~(kFI | kFR | kFPCC));
    call(env_.fp_summaries);
    shl(edx, 12);
    or_(eax, edx);
    mov(dword[rbx + kOffFpscr], eax);
    L(*done);
    fp_slow_path(i, slow, done, false, before);
    return true;
  }

  // fctiw/fctiwz with an in-range, non-NaN operand: the host conversion in
  // the same rounding mode; FI/XX from converting back.
  bool emit_fctiw(uint32_t i, const DecodedInsn& in, const Form& f) {
    const uint32_t w = in.word;
    const auto src = qword[rbx + kOffFpr + 8 * static_cast<int32_t>(f_rb(w))];
    fp_commit();
    auto* slow = &labels_.emplace_back();
    auto* done = &labels_.emplace_back();
    Xbyak::Label exact, had_xx;
    if (f.fk == 1) vcvttsd2si(rax, src);
    else vcvtsd2si(rax, src);
    movsxd(rcx, eax);
    cmp(rcx, rax);
    jne(*slow, T_NEAR);  // NaN or outside int32
    vxorpd(xmm1, xmm1, xmm1);
    vcvtsi2sd(xmm1, xmm1, rcx);
    vucomisd(xmm1, src);  // before fD (possibly fB) is written
    mov(fpr(f_rd(w)), rcx);
    mov(eax, dword[rbx + kOffFpscr]);
    setne(dl);
    and_(eax, ~(kFR | kFI));
    test(dl, dl);
    jz(exact);
    test(eax, kXX);
    jnz(had_xx);
    or_(eax, kFX);
    L(had_xx);
    or_(eax, kXX | kFI);
    L(exact);
    call(env_.fp_summaries);
    mov(dword[rbx + kOffFpscr], eax);
    L(*done);
    fp_slow_path(i, slow, done, false, cs_);
    return true;
  }

  Xbyak::Address vr(uint32_t v) { return xword[rbx + kOffVr + 16 * static_cast<int32_t>(v)]; }

  // eax = (rA|0) + rB, 32-bit, as the handlers compute an X-form address;
  // `ra_is_zero` is the (rA|0) case (never for update forms).
  void indexed_ea(bool ra_is_zero, uint32_t ra, uint32_t rb) {
    if (ra_is_zero) {
      load32(eax, rb);
    } else {
      load32(eax, ra);
      with_src32(rb, [&](const auto& src) { add(eax, src); });
    }
  }

  // lvx/stvx: the aligned quadword at ((rA|0) + rB) & ~15, words byte-swapped
  // into Vec128 order. Faults and stores into translated code take the handler.
  bool emit_vmem(uint32_t i, const DecodedInsn& in, const Form& f) {
    const uint32_t w = in.word;
    const uint32_t vd = f_rd(w), ra = f_ra(w), rb = f_rb(w);
    const CacheState before = cs_;
    indexed_ea(ra == 0, ra, rb);
    and_(eax, ~15u);
    auto* slow = &labels_.emplace_back();
    auto* done = &labels_.emplace_back();
    mov(ecx, eax);
    shr(ecx, 12);
    if (f.op == Op::kVLoad) {
      test(byte[r14 + rcx], GuestMemory::kProtRead);
      jz(*slow, T_NEAR);
      vmovdqu(xmm0, xword[r12 + rax]);
      vpshufb(xmm0, xmm0, xword[r15 + kOffVmxWordSwap]);
      vmovdqu(vr(vd), xmm0);
    } else {
      movzx(ecx, byte[r14 + rcx]);
      and_(ecx, GuestMemory::kProtWrite | GuestMemory::kCodeCached);
      cmp(ecx, GuestMemory::kProtWrite);
      jne(*slow, T_NEAR);
      vmovdqu(xmm0, vr(vd));
      vpshufb(xmm0, xmm0, xword[r15 + kOffVmxWordSwap]);
      vmovdqu(xword[r12 + rax], xmm0);
    }
    L(*done);
    fp_slow_path(i, slow, done, fp_maybe_pending_, before);
    return true;
  }

  bool emit_memory(uint32_t i, const DecodedInsn& in, const Form& f) {
    const uint32_t w = in.word;
    if (f.single && f.op == Op::kLoad && !env_.native_fp) return false;
    const uint32_t rd = f_rd(w), ra = f_ra(w), rb = f_rb(w);
    const CacheState before = cs_;
    // Effective address (32-bit) in eax, as the handler computes it.
    if (f.indexed) {
      indexed_ea(ra == 0 && !f.update, ra, rb);
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
    // A naturally aligned access stays in its page; any other one takes the
    // handler (which handles page-crossing exactly as GuestMemory does).
    if (f.size > 1) {
      test(al, f.size - 1);
      jnz(*slow, T_NEAR);
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
      if (f.fp && f.single) {
        // Infinity/NaN keep their payload bits: the handler converts those.
        mov(ecx, edx);
        and_(ecx, 0x7F800000);
        cmp(ecx, 0x7F800000);
        je(*slow, T_NEAR);
        vmovd(xmm0, edx);
        vcvtss2sd(xmm0, xmm0, xmm0);
        vmovsd(fpr(rd), xmm0);
      } else if (f.fp) {
        mov(fpr(rd), rdx);
      } else {
        store64(rd, rdx);
      }
    } else {
      movzx(ecx, byte[r14 + rcx]);
      and_(ecx, GuestMemory::kProtWrite | GuestMemory::kCodeCached);
      cmp(ecx, GuestMemory::kProtWrite);
      jne(*slow, T_NEAR);
      if (f.fp && f.single) {
        // The ISA's truncating conversion; values below the single normal
        // range (denormalized by the handler) take the handler.
        Xbyak::Label conv;
        mov(rdx, fpr(rd));
        mov(rcx, rdx);
        shr(rcx, 52);
        and_(ecx, 0x7FF);
        cmp(ecx, 896);
        ja(conv);
        mov(rcx, rdx);
        add(rcx, rcx);
        jnz(*slow, T_NEAR);
        L(conv);
        mov(rcx, rdx);
        shr(rcx, 32);
        and_(ecx, 0xC0000000u);
        shr(rdx, 29);
        and_(edx, 0x3FFFFFFF);
        or_(edx, ecx);
      } else if (f.fp) {
        mov(rdx, fpr(rd));
      } else if (f.size == 8) load64(rdx, rd);
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
    const bool fp_pending = fp_maybe_pending_;
    deferred_.push_back([this, i, slow, done, before, after, fp_pending] {
      L(*slow);
      if (fp_pending) call(env_.fp_commit);
      spill(before);
      call_handler(i);
      reload(after);
      jmp(*done, T_NEAR);
    });
    return true;
  }

  // Branch as the block's last instruction; semantics of interp_branch.cpp.
  static uint32_t direct_target(const DecodedInsn& in) {
    const uint32_t w = in.word;
    if ((w >> 26) == 18) {
      int32_t li = static_cast<int32_t>((w & 0x03FFFFFC) << 6) >> 6;
      return static_cast<uint32_t>(((w & 2) ? 0 : in.pc) + static_cast<uint32_t>(li));
    }
    int32_t bd = static_cast<int16_t>(w & 0xFFFC);
    return static_cast<uint32_t>(((w & 2) ? 0 : in.pc) + static_cast<uint32_t>(bd));
  }

  // The taken edge of a block that branches to its own start: stay in host
  // code with the cached registers, after the same checks a block entry
  // makes (budget for a whole block, page still holding translated code).
  void loop_back() {
    Xbyak::Label out;
    for (int k = 0; k < kCacheRegs; ++k) {
      if (guest_of_[k] >= 0 && cache_of_[guest_of_[k]] == k) ensure(static_cast<uint32_t>(guest_of_[k]));
    }
    cmp(r13, b_.count);
    jb(out, T_NEAR);
    // Only a store or a call-out of this block can have dropped its page's
    // translations since the last check.
    if (may_invalidate_) {
      test(byte[r14 + static_cast<int32_t>(b_.start >> 12)], 8);
      jz(out, T_NEAR);
    }
    jmp(loop_head_, T_NEAR);
    L(out);
    fp_commit();
    spill(cs_);
    mov(dword[rbx + kOffPc], b_.start);
    mov(qword[r15 + kOffExitSlot], -1);
    xor_(eax, eax);
    jmp(env_.exit_common);
  }

  // Branch as the block's last instruction; semantics of interp_branch.cpp.
  void emit_branch(const DecodedInsn& in) {
    const uint32_t w = in.word;
    const uint32_t op = w >> 26;
    const bool lk = w & 1;
    const uint32_t bo = (w >> 21) & 31, bi = (w >> 16) & 31;
    const bool indirect = op == 19;
    const bool loops = self_loop_;
    // A self-loop keeps FP status pending across iterations; it is applied
    // where the loop is left.
    const bool fp_loop_pending = loops && fp_maybe_pending_;
    if (!loops) fp_commit();
    if (op == 18) {
      if (lk) set_lr(in.pc + 4u);
      if (!loops) spill_all_clean();
      account();
      if (loops) loop_back();
      else exit_to(direct_target(in));
      return;
    }
    Xbyak::Label not_taken;
    if (indirect) {
      uint32_t xo = (w >> 1) & 0x3FF;
      if (xo == 16) mov(eax, dword[rbx + kOffLr]);
      else load32(eax, kCtrReg);
      and_(eax, ~3u);
    }
    if (lk) set_lr(in.pc + 4u);
    // CTR and CR in host registers (if cached) are loaded and CTR
    // decremented before the write-back, so the context is exact at the exits.
    const int kctr = (bo & 4) ? -1 : ensure(kCtrReg);
    const int kcr = (bo & 16) ? -1 : ensure(kCrReg);
    if (!(bo & 4)) {
      if (kctr >= 0) {
        sub(host64(kctr), 1);
        cs_.slot[kctr] = Slot::kDirty;
      } else {
        sub(qword[rbx + kOffCtr], 1);
      }
    }
    if (!loops) spill_all_clean();
    account();
    if (!(bo & 4)) {
      if (kctr >= 0) {
        if (env_.mode64) test(host64(kctr), host64(kctr));
        else test(host64(kctr).cvt32(), host64(kctr).cvt32());
      } else {
        if (env_.mode64) cmp(qword[rbx + kOffCtr], 0);
        else cmp(dword[rbx + kOffCtr], 0);
      }
      if (bo & 2) jne(not_taken, T_NEAR);  // taken needs CTR == 0
      else je(not_taken, T_NEAR);
    }
    if (!(bo & 16)) {
      if (kcr >= 0) test(host64(kcr).cvt32(), 1u << (31 - bi));
      else test(dword[rbx + kOffCr], 1u << (31 - bi));
      if (bo & 8) jz(not_taken, T_NEAR);
      else jnz(not_taken, T_NEAR);
    }
    const CacheState at_branch = cs_;
    if (indirect) exit_indirect();
    else if (loops) loop_back();
    else exit_to(direct_target(in));
    L(not_taken);
    cs_ = at_branch;
    if ((bo & 0x14) != 0x14) {
      if (loops) {
        fp_maybe_pending_ = fp_loop_pending;
        fp_commit();
        spill(cs_);
      }
      exit_to(b_.end_pc);
    }
  }

  void set_lr(uint32_t v) {
    mov(ecx, v);
    mov(qword[rbx + kOffLr], rcx);
  }

  const TranslateEnv& env_;
  const BlockCode& b_;
  TranslateResult* out_;
  int cache_of_[kCachable] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                              -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  int guest_of_[kCacheRegs] = {-1, -1, -1, -1, -1, -1, -1};
  CacheState cs_{};
  bool self_loop_ = false;
  bool may_invalidate_ = false;
  bool has_fp_arith_ = false;     // the block has native FP arithmetic
  bool fp_maybe_pending_ = false;  // FP status may be pending here (JitState::fp_pending)
  Xbyak::Label loop_head_;
  Xbyak::Label fault_[cpu::Cpu::kMaxBlockInsns];
  bool fault_used_[cpu::Cpu::kMaxBlockInsns] = {};
  std::deque<Xbyak::Label> labels_;
  std::deque<std::function<void()>> deferred_;
};

class RuntimeEmitter : public Xbyak::CodeGenerator {
 public:
  RuntimeEmitter(uint8_t* at, size_t room) : Xbyak::CodeGenerator(room, at) {}

  // fpscr_summaries (interp_fpu.cpp) on eax; clobbers ecx only.
  // fp_commit: the pending status of native FP arithmetic applied to the
  // FPSCR exactly as the handlers' fpscr_update + set_fprf would have done,
  // one operation after the other. Every pending operation raised at most
  // the inexact flag (others take the handler), so the sequence reduces to:
  // XX (and FX if XX was clear) if any was inexact, FI of the last one, the
  // summaries, and FPRF of the last result (a normal number).
  void emit_fp_routines(RuntimeCode* rc) {
    Xbyak::Label summaries, s1, fex, sdone;
    L(summaries);
    rc->fp_summaries = getCurr();
    and_(eax, ~(kVX | kFEX));
    test(eax, kVXAll);
    jz(s1);
    or_(eax, kVX);
    L(s1);
    // FEX: (VX and VE) or any of OX UX ZX XX with its enable bit.
    mov(ecx, eax);
    shr(ecx, 22);
    and_(ecx, eax);
    test(ecx, 0xFu << 3);
    jnz(fex);
    test(eax, kVX);
    jz(sdone);
    test(al, 0x80);
    jz(sdone);
    L(fex);
    or_(eax, kFEX);
    L(sdone);
    ret();
    align(16);
    rc->fp_commit = getCurr();
    Xbyak::Label go, n0, n1, n2;
    cmp(byte[r15 + kOffFpPending], 0);
    jne(go);
    ret();
    L(go);
    // Inexact of any pending operation: the sticky host flag.
    stmxcsr(dword[r15 + kOffMxcsrTmp]);
    mov(eax, dword[r15 + kOffMxcsrTmp]);
    mov(dword[r15 + kOffFpUnion], eax);
    // Inexact of the last one: redo it alone.
    ldmxcsr(dword[r15 + kOffMxcsrClear]);
    call(qword[r15 + kOffFpLastRedo]);
    stmxcsr(dword[r15 + kOffMxcsrTmp]);
    mov(eax, dword[rbx + kOffFpscr]);
    and_(eax, ~(kFR | kFI));
    test(byte[r15 + kOffFpUnion], kHostInexact);
    jz(n1);
    test(eax, kXX);
    jnz(n0);
    or_(eax, kFX);
    L(n0);
    or_(eax, kXX);
    L(n1);
    test(byte[r15 + kOffMxcsrTmp], kHostInexact);
    jz(n2);
    or_(eax, kFI);
    L(n2);
    call(summaries);
    and_(eax, ~kFPRF);
    mov(ecx, 0x04u << 12);
    mov(edx, 0x08u << 12);
    cmp(qword[r15 + kOffFpLastBits], 0);
    cmovl(ecx, edx);
    or_(eax, ecx);
    mov(dword[rbx + kOffFpscr], eax);
    mov(byte[r15 + kOffFpPending], 0);
    ret();
    align(16);
    // Redo routines: the operation on JitState::fp_op, then the rounding
    // to single of the single forms (the fast path excluded midpoints).
    const Xbyak::Address a = qword[r15 + kOffFpOp], b = qword[r15 + kOffFpOp + 8], c = qword[r15 + kOffFpOp + 16];
    for (uint8_t k = 0; k < 16; ++k) {
      for (int single = 0; single < 2; ++single) {
        rc->fp_redo[k][single] = nullptr;
        const uint8_t* at = getCurr();
        if (!emit_fp_compute(*this, k, a, b, c)) continue;
        if (single || k == kFrsp) {
          vcvtsd2ss(xmm0, xmm0, xmm0);
          vcvtss2sd(xmm0, xmm0, xmm0);
        }
        ret();
        rc->fp_redo[k][single] = at;
      }
    }
    align(16);
  }

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
    // Native FP operations start from this MXCSR (the guest's rounding mode,
    // set by the dispatcher) with its status flags cleared.
    stmxcsr(dword[r15 + kOffMxcsrTmp]);
    mov(eax, dword[r15 + kOffMxcsrTmp]);
    and_(eax, ~0x3Fu);
    mov(dword[r15 + kOffMxcsrClear], eax);
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
    emit_fp_routines(&rc);
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

bool host_has_avx_fma() {
  Xbyak::util::Cpu host;
  return host.has(Xbyak::util::Cpu::tAVX) && host.has(Xbyak::util::Cpu::tFMA);
}

bool host_has_movbe() {
  Xbyak::util::Cpu host;
  return host.has(Xbyak::util::Cpu::tMOVBE);
}

}  // namespace xdet::jit
