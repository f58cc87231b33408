// Randomized JIT-vs-interpreter lockstep: random programs drawn from the
// instruction families the JIT translates (and many it calls out for), run
// on both engines in random budget chunks; full architectural state and
// memory must agree after every chunk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "jit/lockstep.h"

namespace {

using xdet::jit::Lockstep;

uint32_t D(uint32_t op, uint32_t rt, uint32_t ra, uint32_t imm) {
  return (op << 26) | ((rt & 31) << 21) | ((ra & 31) << 16) | (imm & 0xFFFF);
}
uint32_t X(uint32_t xo, uint32_t rt, uint32_t ra, uint32_t rb, uint32_t rc) {
  return (31u << 26) | ((rt & 31) << 21) | ((ra & 31) << 16) | ((rb & 31) << 11) | (xo << 1) | (rc & 1);
}

// A random scalar FP instruction: arithmetic (mostly the non-record forms
// the JIT translates), conversions, moves, compares and the FPSCR
// instructions (rounding mode changes included).
uint32_t random_fp_insn(std::mt19937_64& rng) {
  // Half of the instructions draw FPRs from f0..f3 (operands aliasing the target).
  const uint32_t few = rng() % 2 ? 4 : 32;
  auto r = [&rng, few](uint32_t m) { return static_cast<uint32_t>(rng() % (m == 32 ? few : m)); };
  static const uint32_t kA[] = {21, 20, 25, 18, 22, 29, 28, 31, 30, 23};
  static const uint32_t kX[] = {12, 846, 72, 40, 264, 136, 0, 32, 14, 15, 814, 815, 583, 134, 70, 38, 64, 711};
  uint32_t rc = r(8) == 0 ? 1 : 0;
  if (r(2)) {
    uint32_t xo = kA[r(10)];
    uint32_t op = (xo != 23 && r(2)) ? 59 : 63;
    return op << 26 | r(32) << 21 | r(32) << 16 | r(32) << 11 | r(32) << 6 | xo << 1 | rc;
  }
  uint32_t xo = kX[r(18)];
  uint32_t rt = r(32), ra = r(32);
  if (xo == 0 || xo == 32 || xo == 64) rt = r(8) << 2, ra = xo == 64 ? r(8) << 2 : r(32);
  if (xo == 134) ra = 0, rt = (r(8) << 2) | 0;  // mtfsfi crf,imm (imm in rB's high bits)
  uint32_t rb = r(32);
  if (xo == 134) rb = r(16) << 1;
  if (xo == 711) return 63u << 26 | r(256) << 17 | r(32) << 11 | xo << 1 | rc;
  return 63u << 26 | rt << 21 | ra << 16 | rb << 11 | xo << 1 | rc;
}

// One random instruction at index `i` of an `n`-word program.
uint32_t random_insn(std::mt19937_64& rng, uint32_t i, uint32_t n) {
  auto r = [&rng](uint32_t m) { return static_cast<uint32_t>(rng() % m); };
  auto dst = [&] { return 3 + r(29); };  // keep r1 (data) and r2 (code) as bases
  auto src = [&] { return r(32); };
  auto simm = [&] { return r(4) == 0 ? r(0x10000) : (r(64) - 32) & 0xFFFF; };
  auto disp = [&](uint32_t align) { return (static_cast<uint32_t>(static_cast<int32_t>(r(0x1100)) - 0x880) & ~(align - 1)) & 0xFFFF; };
  auto rel = [&](int32_t lo, int32_t hi) {  // branch displacement to a word in the program
    int32_t t = static_cast<int32_t>(i) + lo + static_cast<int32_t>(r(static_cast<uint32_t>(hi - lo + 1)));
    if (t < 0) t = 0;
    if (t >= static_cast<int32_t>(n)) t = static_cast<int32_t>(n) - 1;
    return static_cast<uint32_t>((t - static_cast<int32_t>(i)) * 4);
  };
  static const uint32_t kXLogic[] = {28, 60, 444, 412, 316, 476, 124, 284, 24, 536, 27, 539, 792, 794, 26, 58};
  static const uint32_t kXArith[] = {266, 40, 104, 235, 233, 10, 138, 202, 234, 8, 136, 200, 232, 491, 459, 489, 457};
  static const uint32_t kLoadsD[] = {32, 33, 34, 35, 40, 41, 42, 43, 46, 48, 49, 50, 51};
  static const uint32_t kStoresD[] = {36, 37, 38, 39, 44, 45, 47, 52, 53, 54, 55};
  static const uint32_t kXMem[] = {23,  87,  279, 343, 21,  151, 215, 407, 149, 55,  183, 599, 727, 534, 662,
                                   20,  150, 84,  214, 1014, 982, 341, 373, 535, 567, 631, 663, 695, 759, 983};
  static const uint32_t kBo[] = {4, 12, 16, 18, 20, 0, 2, 8, 10, 5, 13, 6};
  switch (r(31)) {
    case 0: return D(14, dst(), src(), simm());
    case 1: return D(15, dst(), src(), simm());
    case 2: return D(14, dst(), 0, simm());
    case 3: return D(24 + r(6), src(), dst(), r(0x10000));  // ori..andis.
    case 4: return D(11, r(8) << 2 | r(2), src(), simm());   // cmpi
    case 5: return D(10, r(8) << 2 | r(2), src(), r(0x10000));
    case 6: return X(r(2) ? 0 : 32, r(8) << 2 | r(2), src(), src(), 0);
    case 7: return (r(3) == 0 ? 20u : 21u) << 26 | src() << 21 | dst() << 16 | r(32) << 11 | r(32) << 6 | r(32) << 1 | r(2);
    case 8: return 30u << 26 | src() << 21 | dst() << 16 | r(32) << 11 | r(64) << 5 | r(4) << 2 | r(2) << 1 | r(2);
    case 9: return X(kXLogic[r(16)], src(), dst(), src(), r(2));
    case 10: return X(kXArith[r(17)] | (r(4) == 0 ? 0x200 : 0), dst(), src(), src(), r(2));
    case 11: return X(r(3) == 0 ? 954 : r(2) ? 922 : 986, src(), dst(), 0, r(2));
    case 12: return X(824, src(), dst(), r(32), r(2));  // srawi
    case 13: return D(kLoadsD[r(13)], dst(), r(8) == 0 ? src() : 1, disp(r(3) ? 4 : 1));
    case 14: return D(kStoresD[r(11)], src(), r(10) == 0 ? 2 : 1, disp(r(3) ? 4 : 1));
    case 15: return D(r(2) ? 58 : 62, dst(), 1, disp(4) | r(2));
    case 16: return X(kXMem[r(30)], dst(), 1, r(4) == 0 ? src() : 0, 0);
    case 17: {  // conditional branch
      uint32_t bo = kBo[r(12)];
      return 16u << 26 | bo << 21 | r(32) << 16 | (rel(-6, 4) & 0xFFFC) | r(2);
    }
    case 18: return 18u << 26 | (rel(-6, 6) & 0x03FFFFFC) | (r(4) == 0 ? 1 : 0);
    case 19: {  // bclr / bcctr
      uint32_t bo = kBo[r(12)] | (r(2) ? 4 : 0);
      return 19u << 26 | bo << 21 | r(32) << 16 | (r(2) ? 16u : 528u) << 1 | r(2);
    }
    case 20: {  // mtlr/mtctr of a code address, mflr/mfctr
      switch (r(4)) {
        case 0: return X(467, dst(), 8, 0, 0);
        case 1: return X(467, dst(), 9, 0, 0);
        case 2: return X(339, dst(), 8, 0, 0);
        default: return X(339, dst(), 9, 0, 0);
      }
    }
    case 21: return D(14, 3 + r(4), 2, r(n) * 4);  // a code address into r3..r6
    case 22: return 19u << 26 | r(32) << 21 | r(32) << 16 | r(32) << 11 | (r(2) ? 449u : 193u) << 1;  // cror/crxor
    case 23: {  // CR moves, XER, time base
      switch (r(5)) {
        case 0: return X(19, dst(), 0, 0, 0);
        case 1: return X(144, src(), r(256) >> 4, (r(256) & 15) << 1, 0);
        case 2: return X(371, dst(), 12, 8, 0);  // mftb
        case 3: return X(339, dst(), 1, 0, 0);   // mfxer
        default: return X(512, r(8) << 2, 0, 0, 0);  // mcrxr
      }
    }
    case 24: return random_fp_insn(rng);
    case 25: return r(4) == 0 ? X(20, dst(), 1, 0, 0) : X(150, src(), 1, 0, 1);  // lwarx / stwcx.
    case 26: return r(6) == 0 ? 0x44000002u : r(3) == 0 ? D(3, r(32), src(), simm()) : X(4, r(32), src(), src(), 0);
    case 27: return r(2) ? X(982, 0, 2, 0, 0) : X(598, 0, 0, 0, 0);  // icbi (code) / sync
    case 28: return static_cast<uint32_t>(rng());  // anything
    case 29: {  // VMX: lvx/stvx (also near the unmapped end of data), logic, modulo add/sub
      static const uint32_t kVx[] = {1028, 1092, 1156, 1220, 1284, 0, 64, 128, 1024, 1088, 1152, 2, 512};
      switch (r(4)) {
        case 0: return X(r(2) ? 103 : 359, r(32), r(4) == 0 ? 0 : 1, r(4) == 0 ? src() : 3 + r(4), 0);
        case 1: return X(r(2) ? 231 : 487, r(32), r(4) == 0 ? 0 : 1, r(4) == 0 ? src() : 3 + r(4), 0);
        default: return 4u << 26 | r(32) << 21 | r(32) << 16 | r(32) << 11 | kVx[r(13)];
      }
    }
    default: return 0x60000000u;  // nop
  }
}

std::string hex_words(const std::vector<uint32_t>& code) {
  std::string out;
  char buf[16];
  for (uint32_t w : code) {
    std::snprintf(buf, sizeof buf, "%08X ", w);
    out += buf;
  }
  return out;
}

// Replays the steps before a failing one, then shortens the failing step's
// budget to the shortest run after which the engines differ.
std::string first_difference(const std::vector<uint32_t>& code, uint64_t seed, const std::vector<uint64_t>& steps) {
  for (uint64_t budget = 1; budget <= steps.back(); ++budget) {
    Lockstep ls(code, seed);
    for (size_t s = 0; s + 1 < steps.size(); ++s) ls.step(steps[s]);
    uint32_t from = ls.interp_context().pc;
    if (auto d = ls.step(budget)) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "shortest differing run: %llu instructions from 0x%08X, stopped at 0x%08X: ",
                    static_cast<unsigned long long>(budget), from, ls.interp_context().pc);
      return buf + *d;
    }
  }
  return "no shorter differing run";
}

std::vector<uint32_t> random_program(std::mt19937_64& rng, uint32_t n) {
  std::vector<uint32_t> code(n);
  for (uint32_t i = 0; i < n; ++i) code[i] = random_insn(rng, i, n);
  code[n - 1] = 0x48000000u | ((0u - 4 * (n - 1)) & 0x03FFFFFC);  // b start
  return code;
}

TEST(JitLockstep, RandomProgramsMatchTheInterpreterAtEveryStop) {
  std::mt19937_64 rng(20261203);
  uint64_t total = 0;
  // XDET_LOCKSTEP_PROGRAMS=N runs a longer campaign (default 400 programs, ~2 M instructions).
  int programs = 400;
  if (const char* env = std::getenv("XDET_LOCKSTEP_PROGRAMS")) programs = std::max(1, std::atoi(env));
  for (int prog = 0; prog < programs; ++prog) {
    uint32_t n = 8 + static_cast<uint32_t>(rng() % 300);
    std::vector<uint32_t> code = random_program(rng, n);
    Lockstep ls(code, rng());
    for (int s = 0; s < 60; ++s) {
      uint64_t budget = rng() % 4 == 0 ? 1 + rng() % 8 : 1 + rng() % 600;
      auto diff = ls.step(budget);
      ASSERT_FALSE(diff.has_value()) << "program " << prog << " step " << s << ": " << *diff;
    }
    total += ls.retired();
  }
  EXPECT_GT(total, 1'000'000u);
  std::printf("lockstep: %llu instructions compared\n", static_cast<unsigned long long>(total));
}

// FP-heavy programs (arithmetic, FP loads/stores, loops on themselves so
// pending FPSCR status crosses iterations): FPRs, FPSCR and CR must agree at
// every stop.
TEST(JitLockstep, FloatingPointProgramsMatchTheInterpreter) {
  std::mt19937_64 rng(31337);
  uint64_t total = 0;
  int programs = 300;
  if (const char* env = std::getenv("XDET_LOCKSTEP_FP_PROGRAMS")) programs = std::max(1, std::atoi(env));
  for (int prog = 0; prog < programs; ++prog) {
    uint32_t n = 6 + static_cast<uint32_t>(rng() % 60);
    std::vector<uint32_t> code(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t k = static_cast<uint32_t>(rng() % 10);
      if (k < 6) {
        code[i] = random_fp_insn(rng);
      } else if (k < 8) {  // lfs/lfsu/lfd/lfdu/stfs/stfsu/stfd/stfdu off r1
        code[i] = D(48 + static_cast<uint32_t>(rng() % 8), static_cast<uint32_t>(rng() % 32), 1,
                    (static_cast<uint32_t>(rng() % 64) * 8 - 256) & 0xFFFF);
      } else if (k < 9) {
        code[i] = random_insn(rng, i, n);
      } else {
        code[i] = D(14, 1, 1, 0);  // addi r1,r1,0 keeps the base
      }
    }
    // A self-loop of the whole program (bdnz with a big CTR, or b).
    code[n - 1] = rng() % 2 ? (16u << 26 | 16u << 21 | ((0u - 4 * (n - 1)) & 0xFFFC))
                            : (0x48000000u | ((0u - 4 * (n - 1)) & 0x03FFFFFC));
    const uint64_t seed = rng();
    Lockstep ls(code, seed);
    std::vector<uint64_t> steps;
    for (int s = 0; s < 40; ++s) {
      uint64_t budget = rng() % 4 == 0 ? 1 + rng() % 8 : 1 + rng() % 2000;
      steps.push_back(budget);
      auto diff = ls.step(budget);
      ASSERT_FALSE(diff.has_value()) << "program " << prog << " step " << s << " budget " << budget << ": " << *diff
                                     << "\n" << hex_words(code) << "\n" << first_difference(code, seed, steps);
    }
    total += ls.retired();
  }
  EXPECT_GT(total, 1'000'000u);
  std::printf("lockstep (FP): %llu instructions compared\n", static_cast<unsigned long long>(total));
}

// Self-modifying code: a store rewrites an instruction of a block that was
// already translated (and of the block being executed); both engines must
// see the new instruction exactly when the interpreter does.
TEST(JitLockstep, StoresIntoTranslatedCodeAreSeen) {
  std::vector<uint32_t> code = {
      D(14, 3, 0, 0),                       // li r3,0
      D(14, 3, 3, 1),                       // 4: addi r3,r3,1   <- rewritten
      D(15, 4, 0, 0x3863),                  // lis r4,0x3863 (addi r3,r3,..)
      D(24, 4, 4, 5),                       // ori r4,r4,5 -> addi r3,r3,5
      D(36, 4, 2, 4),                       // stw r4,4(r2)
      X(982, 0, 2, 0, 0),                   // icbi 0,r2
      D(14, 3, 3, 100),                     // addi r3,r3,100
      0x4BFFFFE4u,                          // b -28 (to index 0)
  };
  Lockstep ls(code, 1);
  for (int s = 0; s < 200; ++s) {
    auto diff = ls.step(1 + s % 13);
    ASSERT_FALSE(diff.has_value()) << "step " << s << ": " << *diff;
  }
}

// A code cache that holds only a few blocks: translations are dropped and
// redone all the time (whole-cache flushes between blocks, links reset).
TEST(JitLockstep, TinyCodeCacheFlushesAndStaysExact) {
  std::mt19937_64 rng(99);
  uint64_t flushes = 0;
  for (int prog = 0; prog < 40; ++prog) {
    std::vector<uint32_t> code = random_program(rng, 400);
    Lockstep ls(code, rng(), 6u << 10);
    for (int s = 0; s < 80; ++s) {
      auto diff = ls.step(1 + rng() % 500);
      ASSERT_FALSE(diff.has_value()) << "program " << prog << " step " << s << ": " << *diff;
    }
    flushes += ls.jit_flushes();
  }
  EXPECT_GT(flushes, 10u);
}

// Budget ends inside blocks of every length, and faults at every position.
TEST(JitLockstep, BudgetAndFaultBoundaries) {
  std::mt19937_64 rng(7);
  for (int prog = 0; prog < 50; ++prog) {
    std::vector<uint32_t> code = random_program(rng, 40);
    for (uint64_t budget = 1; budget < 20; ++budget) {
      Lockstep ls(code, static_cast<uint64_t>(prog));
      for (int s = 0; s < 20; ++s) {
        auto diff = ls.step(budget);
        ASSERT_FALSE(diff.has_value()) << "program " << prog << " budget " << budget << ": " << *diff;
      }
    }
  }
}

}  // namespace
