#include "kernel/exceptions/unwind.h"

#include <fmt/format.h>

namespace xdet::kernel {

namespace {

uint32_t read_le32(const GuestMemory& mem, uint32_t a) {
  return static_cast<uint32_t>(mem.read8(a)) | static_cast<uint32_t>(mem.read8(a + 1)) << 8 |
         static_cast<uint32_t>(mem.read8(a + 2)) << 16 | static_cast<uint32_t>(mem.read8(a + 3)) << 24;
}

// What a register holds while the prolog runs, relative to the function's
// entry state: its value at entry (unchanged), the return address (mflr),
// the entry r1 plus an offset, a constant, or something else.
struct Sym {
  enum Kind : uint8_t { kEntry, kLr, kSpRel, kConst, kUnknown } kind = kEntry;
  int64_t value = 0;
};

struct Save {
  bool saved = false;
  int64_t offset = 0;  // from the entry r1
  uint8_t width = 0;
};

struct PrologState {
  Sym gpr[32];
  int64_t sp_offset = 0;   // r1 = entry r1 + sp_offset
  bool frame_allocated = false;
  bool frame_dynamic = false;  // stwux with a size the prolog computed at run time
  Save gpr_save[32];
  Save fpr_save[32];
  Save lr_save;
};

int32_t simm16(uint32_t w) { return static_cast<int16_t>(w & 0xFFFF); }

// The entry-r1-relative address of d(rA), if rA is r1 or derived from it.
bool sp_relative(const PrologState& s, uint32_t ra, int64_t d, int64_t* out) {
  if (ra == 1) {
    *out = s.sp_offset + d;
    return true;
  }
  if (ra != 0 && s.gpr[ra].kind == Sym::kSpRel) {
    *out = s.gpr[ra].value + d;
    return true;
  }
  return false;
}

void record_store(PrologState& s, uint32_t rs, int64_t offset, uint8_t width) {
  const Sym& v = s.gpr[rs];
  if (v.kind == Sym::kLr) {
    if (!s.lr_save.saved) s.lr_save = {true, offset, width};
  } else if (v.kind == Sym::kEntry && rs != 1 && !s.gpr_save[rs].saved) {
    s.gpr_save[rs] = {true, offset, width};
  }
}

// Applies one prolog instruction. Returns the branch target for `bl` (0
// otherwise) so the caller can follow a save helper.
uint32_t step_prolog(PrologState& s, uint32_t pc, uint32_t w) {
  uint32_t op = w >> 26, rs = (w >> 21) & 31, ra = (w >> 16) & 31, rb = (w >> 11) & 31;
  int64_t off = 0;
  switch (op) {
    case 14:  // addi rD,rA,simm
      if (ra == 0) s.gpr[rs] = {Sym::kConst, simm16(w)};
      else if (ra == 1 && rs == 1) s.sp_offset += simm16(w);
      else if (ra == 1) s.gpr[rs] = {Sym::kSpRel, s.sp_offset + simm16(w)};
      else if (s.gpr[ra].kind == Sym::kConst) s.gpr[rs] = {Sym::kConst, s.gpr[ra].value + simm16(w)};
      else if (s.gpr[ra].kind == Sym::kSpRel) s.gpr[rs] = {Sym::kSpRel, s.gpr[ra].value + simm16(w)};
      else if (rs != 1) s.gpr[rs] = {Sym::kUnknown, 0};
      return 0;
    case 15:  // addis rD,rA,simm
      if (rs == 1) return 0;
      if (ra == 0) s.gpr[rs] = {Sym::kConst, static_cast<int64_t>(simm16(w)) * 65536};
      else if (s.gpr[ra].kind == Sym::kConst) s.gpr[rs] = {Sym::kConst, s.gpr[ra].value + int64_t{simm16(w)} * 65536};
      else s.gpr[rs] = {Sym::kUnknown, 0};
      return 0;
    case 24:  // ori rA,rS,uimm
      if (ra == 1) return 0;
      if (s.gpr[rs].kind == Sym::kConst) {
        s.gpr[ra] = {Sym::kConst, static_cast<int64_t>(static_cast<int32_t>(
                                      static_cast<uint32_t>(s.gpr[rs].value) | (w & 0xFFFF)))};
      } else if (!(rs == ra && (w & 0xFFFF) == 0)) {
        s.gpr[ra] = {Sym::kUnknown, 0};
      }
      return 0;
    case 18:  // b / bl
      if ((w & 3) == 1) {
        int32_t li = static_cast<int32_t>(w << 6) >> 6;
        return pc + static_cast<uint32_t>(li & ~3);
      }
      return 0;
    case 36:  // stw
    case 37:  // stwu
      if (!sp_relative(s, ra, simm16(w), &off)) return 0;
      if (op == 37 && rs == 1 && ra == 1) {
        s.sp_offset += simm16(w);
        s.frame_allocated = true;
      } else {
        record_store(s, rs, off, 4);
      }
      return 0;
    case 47:  // stmw rS..r31
      if (!sp_relative(s, ra, simm16(w), &off)) return 0;
      for (uint32_t r = rs; r < 32; ++r) record_store(s, r, off + 4 * (r - rs), 4);
      return 0;
    case 54:  // stfd
      if (sp_relative(s, ra, simm16(w), &off) && !s.fpr_save[rs].saved) s.fpr_save[rs] = {true, off, 8};
      return 0;
    case 62: {  // std / stdu (DS form)
      int64_t ds = static_cast<int16_t>(w & 0xFFFC);
      if (!sp_relative(s, ra, ds, &off)) return 0;
      if ((w & 3) == 1 && rs == 1 && ra == 1) {
        s.sp_offset += ds;
        s.frame_allocated = true;
      } else if ((w & 3) == 0) {
        record_store(s, rs, off, 8);
      }
      return 0;
    }
    case 31: {
      uint32_t xo = (w >> 1) & 0x3FF;
      if (xo == 339 && ((ra | (rb << 5)) == 8)) {  // mflr rD
        s.gpr[rs] = {Sym::kLr, 0};
      } else if ((xo == 183 || xo == 181) && rs == 1 && ra == 1) {  // stwux / stdux r1,r1,rB
        s.frame_allocated = true;
        if (s.gpr[rb].kind == Sym::kConst) s.sp_offset += s.gpr[rb].value;
        else s.frame_dynamic = true;
      } else if (xo == 444 && rs == rb) {  // mr rA,rS
        if (ra == 1) return 0;
        if (rs == 1) s.gpr[ra] = {Sym::kSpRel, s.sp_offset};
        else s.gpr[ra] = s.gpr[rs];
      }
      return 0;
    }
    default:
      return 0;
  }
}

bool is_blr(uint32_t w) { return w == 0x4E800020u; }

// `b target` (no link, relative): an epilogue's branch to a register
// restore helper, or a tail call.
bool branch_target(uint32_t pc, uint32_t w, uint32_t* target) {
  if ((w >> 26) != 18 || (w & 3) != 0) return false;
  int32_t li = static_cast<int32_t>(w << 6) >> 6;
  *target = pc + static_cast<uint32_t>(li & ~3);
  return true;
}

// Runs a register restore helper (__restgprlr_N, __restfpr_N) forward from
// `pc` to its `blr` on the real registers: its loads, `mtlr`, and the
// `addi`/`mr` that set a base register. False (registers untouched) when
// the code is not one: no `blr` within 64 instructions, or a store, branch
// or any other instruction a restore helper does not contain.
bool run_restore_helper(const GuestMemory& mem, uint32_t pc, UnwindRegs& regs) {
  UnwindRegs r = regs;
  for (uint32_t n = 0; n < 64; ++n, pc += 4) {
    uint32_t w = mem.read32(pc);
    if (is_blr(w)) {
      regs = r;
      return true;
    }
    uint32_t op = w >> 26, rd = (w >> 21) & 31, ra = (w >> 16) & 31;
    uint32_t base = ra ? static_cast<uint32_t>(r.gpr[ra]) : 0;
    switch (op) {
      case 32:  // lwz
        r.gpr[rd] = mem.read32(base + static_cast<uint32_t>(simm16(w)));
        break;
      case 50:  // lfd
        r.fpr[rd] = mem.read64(base + static_cast<uint32_t>(simm16(w)));
        break;
      case 58:  // ld (DS form)
        if ((w & 3) != 0) return false;
        r.gpr[rd] = mem.read64(base + static_cast<uint32_t>(static_cast<int16_t>(w & 0xFFFC)));
        break;
      case 14:  // addi
        if (ra == 0 || rd == 1) return false;
        r.gpr[rd] = r.gpr[ra] + static_cast<uint64_t>(static_cast<int64_t>(simm16(w)));
        break;
      case 31: {
        uint32_t xo = (w >> 1) & 0x3FF, rb = (w >> 11) & 31;
        if (xo == 467 && ((ra | (rb << 5)) == 8)) {  // mtlr rS
          r.lr = static_cast<uint32_t>(r.gpr[rd]);
        } else if (xo == 444 && rd == rb && ra != 1) {  // mr rA,rS
          r.gpr[ra] = r.gpr[rd];
        } else {
          return false;
        }
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

}  // namespace

FunctionTable read_function_table(const GuestMemory& mem, uint32_t image_base, uint32_t image_size,
                                  std::string* error) {
  FunctionTable t;
  try {
    if (mem.read8(image_base) != 'M' || mem.read8(image_base + 1) != 'Z') return t;
    uint32_t nt = image_base + read_le32(mem, image_base + 0x3C);
    if (read_le32(mem, nt) != 0x00004550u) return t;
    uint32_t opt = nt + 24;
    uint32_t dir_count = read_le32(mem, opt + 92);
    if (dir_count <= 3) return t;
    uint32_t rva = read_le32(mem, opt + 96 + 3 * 8), size = read_le32(mem, opt + 96 + 3 * 8 + 4);
    if (!rva || !size) return t;
    if (uint64_t{rva} + size > image_size) {
      if (error) {
        *error = fmt::format("the exception directory (rva 0x{:X}, 0x{:X} bytes) lies outside the 0x{:X}-byte image", rva,
                             size, image_size);
      }
      return t;
    }
    t.address = image_base + rva;
    t.size = size;
  } catch (const GuestFault&) {
    return FunctionTable{};
  }
  return t;
}

bool lookup_function_entry(const GuestMemory& mem, const FunctionTable& table, uint32_t pc, RuntimeFunction* out) {
  if (!table.address) return false;
  int64_t lo = 0, hi = static_cast<int64_t>(table.size / 8) - 1;
  while (lo <= hi) {
    int64_t mid = (lo + hi) / 2;
    uint32_t entry = table.address + static_cast<uint32_t>(mid) * 8;
    RuntimeFunction f;
    f.entry = entry;
    f.begin = mem.read32(entry);
    loader::decode_pdata_word(mem.read32(entry + 4), &f);
    if (pc < f.begin) {
      hi = mid - 1;
    } else if (pc >= f.end()) {
      lo = mid + 1;
    } else {
      if (f.has_handler) {
        f.handler = mem.read32(f.begin - 8);
        f.handler_data = mem.read32(f.begin - 4);
      }
      *out = f;
      return true;
    }
  }
  return false;
}

bool virtual_unwind(const GuestMemory& mem, uint32_t control_pc, const RuntimeFunction* f, UnwindRegs& regs,
                    UnwindStep* step, std::string* error) {
  uint32_t sp = static_cast<uint32_t>(regs.gpr[1]);
  step->establisher = sp;
  if (!f) {
    // A leaf without an entry: LR still holds the return address.
    step->in_function = false;
    step->next_pc = regs.lr - 4;
    regs.iar = regs.lr;
    return true;
  }
  // Epilogues, as NT PowerPC's RtlVirtualUnwind recognises them: at the
  // `blr` every saved register and r1 are already back; at the epilogue's
  // `b` into a register restore helper (the frame popped, the helper about
  // to reload the saved registers and LR below r1), the helper is run
  // forward. Either way the control PC is not in the function (its handler
  // does not apply) and r1 is the caller's. Anything else, including an
  // instruction between the frame pop and the `blr`, unwinds as in the body.
  try {
    uint32_t w = mem.read32(control_pc), target = 0;
    bool epilogue = is_blr(w);
    if (!epilogue && branch_target(control_pc, w, &target) && (target < f->begin || target >= f->end())) {
      epilogue = run_restore_helper(mem, target, regs);
    }
    if (epilogue) {
      step->in_function = false;
      regs.iar = regs.lr;
      step->next_pc = regs.lr - 4;
      return true;
    }
  } catch (const GuestFault& e) {
    *error = fmt::format("cannot read the epilogue of the function at {:08x} (at {:08x}): {}", f->begin, control_pc,
                         e.what());
    return false;
  }
  PrologState s;
  uint32_t stop = std::min(control_pc, f->prolog_end());
  uint32_t pc = f->begin;
  try {
    for (; pc < stop; pc += 4) {
      uint32_t target = step_prolog(s, pc, mem.read32(pc));
      if (!target) continue;
      // A save helper: its stores up to `blr`, with the prolog's registers.
      for (uint32_t hpc = target, n = 0;; hpc += 4, ++n) {
        uint32_t hw = mem.read32(hpc);
        if (is_blr(hw)) break;
        if (n >= 64) {
          *error = fmt::format("the prolog of the function at {:08x} calls {:08x} at {:08x}, which is not a register "
                               "save helper (no blr within 64 instructions)",
                               f->begin, target, pc);
          return false;
        }
        if (step_prolog(s, hpc, hw)) {
          *error = fmt::format("the register save helper at {:08x} (called from {:08x}) makes a call", target, pc);
          return false;
        }
      }
    }
  } catch (const GuestFault& e) {
    *error = fmt::format("cannot read the prolog of the function at {:08x} (instruction at {:08x}): {}", f->begin, pc,
                         e.what());
    return false;
  }
  uint64_t entry_sp = 0;
  try {
    if (s.frame_allocated && s.frame_dynamic) {
      entry_sp = mem.read32(sp);  // back chain
    } else {
      entry_sp = static_cast<uint64_t>(static_cast<int64_t>(sp) - s.sp_offset) & 0xFFFFFFFFu;
    }
    auto at = [&](const Save& v) { return static_cast<uint32_t>(entry_sp + v.offset); };
    for (int r = 0; r < 32; ++r) {
      const Save& v = s.gpr_save[r];
      if (!v.saved) continue;
      regs.gpr[r] = v.width == 8 ? mem.read64(at(v)) : mem.read32(at(v));
    }
    for (int r = 0; r < 32; ++r) {
      if (s.fpr_save[r].saved) regs.fpr[r] = mem.read64(at(s.fpr_save[r]));
    }
    uint32_t lr = regs.lr;
    if (s.lr_save.saved) {
      lr = s.lr_save.width == 8 ? static_cast<uint32_t>(mem.read64(at(s.lr_save))) : mem.read32(at(s.lr_save));
    } else {
      for (int r = 0; r < 32; ++r) {
        if (s.gpr[r].kind == Sym::kLr) {
          lr = static_cast<uint32_t>(regs.gpr[r]);
          break;
        }
      }
    }
    regs.lr = lr;
  } catch (const GuestFault& e) {
    *error = fmt::format("cannot read the registers saved by the function at {:08x} (frame {:08x}): {}", f->begin, sp,
                         e.what());
    return false;
  }
  regs.gpr[1] = entry_sp;
  regs.iar = regs.lr;
  step->next_pc = regs.lr - 4;
  step->in_function = control_pc >= f->prolog_end();
  return true;
}

}  // namespace xdet::kernel
