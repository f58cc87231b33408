#!/usr/bin/env python3
"""Differential test of `xdet run-elf` against qemu-user.

Generates random straight-line-with-forward-branches PowerPC instruction
sequences (integer, rotate/shift, compare, CR logic, branches, loads/stores,
reservations, FPU), wraps each in a prologue that loads a random register
state and an epilogue that dumps the registers, batches many cases into one
freestanding ELF (assembled with Debian's powerpc64-linux-gnu-as/ld), runs
the ELF under xdet and under qemu, and compares the dumps case by case.

Two modes:
  32: ELF32 under qemu-ppc. 32-bit mode semantics (CR0/CA/OV from the low
      word) coincide with the console semantics xdet implements by default.
  64: ELF64 under qemu-ppc64; xdet runs ELF64 with generic 64-bit semantics
      (mode64) and the 64-bit-only instructions are generated.

Documented differences are excluded by rule, never by case:
  R1 FPSCR is compared except FR (qemu does not model "fraction rounded";
     xdet leaves it 0 too). FX is never cleared on its own (mtfsb0 0,
     mcrfs from field 0): qemu sets FX on every exception, the ISA and xdet
     only when an exception bit goes from 0 to 1. Tininess for UX is detected after rounding on the
     x86 host and before rounding on PowerPC: results that round up to the
     smallest normal are not generated on purpose but are rare enough that
     random operands do not meet them. Enabled FP exceptions are not
     generated (no trapping in user mode).
  R2 fres/frsqrte are estimates whose precision is implementation-defined:
     not generated.
  R3 Results the ISA leaves undefined are not generated: divides get a
     positive non-zero divisor; in 64-bit mode the word instructions with
     undefined upper result halves (mulhw, mulhwu, divw, divwu) are not
     generated; fctiw/fctiwz results are compared through stfiwx (low word).
  R4 XER is compared on SO/OV/CA and the byte count only (qemu's POWER9+
     models add OV32/CA32).
  R5 Time base (mftb), traps and sc are not generated (covered by unit tests).
"""
import argparse
import os
import random
import struct
import subprocess
import sys
import tempfile

GPRS = [0] + list(range(3, 30))  # r1, r2, r13 untouched; r30/r31 are bases
BUF_SIZE = 256


class Case:
    def __init__(self, rng, idx, mode):
        self.rng = rng
        self.idx = idx
        self.mode = mode
        self.lines = []
        self.label_seq = 0
        self.pending = []  # (remaining_insns, label)

    # --- random operands ---
    def gpr(self):
        return self.rng.choice(GPRS)

    def fpr(self):
        return self.rng.randrange(32)

    def emit(self, text):
        self.lines.append("  " + text)

    def end_group(self):
        # Forward-branch labels go between generated groups only, so a branch
        # never skips part of a multi-instruction group (e.g. address setup).
        still = []
        for rem, lab in self.pending:
            if rem <= 1:
                self.lines.append(lab + ":")
            else:
                still.append((rem - 1, lab))
        self.pending = still

    def new_label(self):
        self.label_seq += 1
        return ".Lc%d_%d" % (self.idx, self.label_seq)

    def flush_labels(self):
        for _, lab in self.pending:
            self.lines.append(lab + ":")
        self.pending = []

    def restore_base(self):
        self.emit("lis r31, buf_%d@ha" % self.idx)
        self.emit("addi r31, r31, buf_%d@l" % self.idx)

    # --- instruction families ---
    def gen_int(self):
        r = self.rng
        m64 = self.mode == 64
        d, a, b = self.gpr(), self.gpr(), self.gpr()
        xo = ["add", "addc", "adde", "addze", "addme", "subf", "subfc", "subfe", "subfze", "subfme", "neg", "mullw"]
        if not m64:
            xo += ["mulhw", "mulhwu"]
        else:
            xo += ["mulld", "mulhd", "mulhdu"]
        choice = r.randrange(10)
        if choice < 4:
            op = r.choice(xo)
            suffix = ""
            if op not in ("mulhw", "mulhwu", "mulhd", "mulhdu") and r.random() < 0.4:
                suffix += "o"
            if r.random() < 0.5:
                suffix += "."
            if op in ("addze", "addme", "subfze", "subfme", "neg"):
                self.emit("%s%s r%d, r%d" % (op, suffix, d, a))
            else:
                self.emit("%s%s r%d, r%d, r%d" % (op, suffix, d, a, b))
        elif choice < 6:
            op = r.choice(["addi", "addis", "addic", "addic.", "subfic", "mulli"])
            imm = r.randrange(-32768, 32768)
            if op in ("addi", "addis") and a == 0:
                a = 3
            self.emit("%s r%d, r%d, %d" % (op, d, a, imm))
        elif choice < 8:
            op = r.choice(["and", "andc", "or", "orc", "xor", "nand", "nor", "eqv", "slw", "srw", "sraw"] +
                          (["sld", "srd", "srad"] if m64 else []))
            dot = "." if r.random() < 0.5 else ""
            self.emit("%s%s r%d, r%d, r%d" % (op, dot, d, a, b))
        else:
            op = r.choice(["andi.", "andis.", "ori", "oris", "xori", "xoris"])
            self.emit("%s r%d, r%d, %d" % (op, d, a, r.randrange(65536)))

    def gen_unary(self):
        r = self.rng
        ops = ["extsb", "extsh", "cntlzw"] + (["extsw", "cntlzd"] if self.mode == 64 else [])
        dot = "." if r.random() < 0.5 else ""
        self.emit("%s%s r%d, r%d" % (r.choice(ops), dot, self.gpr(), self.gpr()))

    def gen_div(self):
        r = self.rng
        d, a, b = self.gpr(), self.gpr(), self.gpr()
        while b == a or b == 0:
            b = self.gpr()
        dot = "." if r.random() < 0.5 else ""
        o = "o" if r.random() < 0.3 else ""
        if self.mode == 64 and r.random() < 0.6:
            # R3: positive non-zero 64-bit divisor
            self.emit("rldicl r%d, r%d, 0, 1" % (b, b))
            self.emit("ori r%d, r%d, 1" % (b, b))
            self.emit("%s%s%s r%d, r%d, r%d" % (r.choice(["divd", "divdu"]), o, dot, d, a, b))
        elif self.mode == 32:
            self.emit("rlwinm r%d, r%d, 0, 1, 31" % (b, b))
            self.emit("ori r%d, r%d, 1" % (b, b))
            self.emit("%s%s%s r%d, r%d, r%d" % (r.choice(["divw", "divwu"]), o, dot, d, a, b))
        else:
            self.gen_int()

    def gen_rotate(self):
        r = self.rng
        d, s, b = self.gpr(), self.gpr(), self.gpr()
        dot = "." if r.random() < 0.5 else ""
        k = r.randrange(8 if self.mode == 64 else 5)
        if k == 0:
            self.emit("rlwinm%s r%d, r%d, %d, %d, %d" % (dot, d, s, r.randrange(32), r.randrange(32), r.randrange(32)))
        elif k == 1:
            self.emit("rlwnm%s r%d, r%d, r%d, %d, %d" % (dot, d, s, b, r.randrange(32), r.randrange(32)))
        elif k == 2:
            self.emit("rlwimi%s r%d, r%d, %d, %d, %d" % (dot, d, s, r.randrange(32), r.randrange(32), r.randrange(32)))
        elif k == 3:
            self.emit("srawi%s r%d, r%d, %d" % (dot, d, s, r.randrange(32)))
        elif k == 4:
            self.emit("slwi%s r%d, r%d, %d" % (dot, d, s, r.randrange(32)))
        elif k == 5:
            op = r.choice(["rldicl", "rldicr", "rldic", "rldimi"])
            self.emit("%s%s r%d, r%d, %d, %d" % (op, dot, d, s, r.randrange(64), r.randrange(64)))
        elif k == 6:
            op = r.choice(["rldcl", "rldcr"])
            self.emit("%s%s r%d, r%d, r%d, %d" % (op, dot, d, s, b, r.randrange(64)))
        else:
            self.emit("sradi%s r%d, r%d, %d" % (dot, d, s, r.randrange(64)))

    def gen_cmp(self):
        r = self.rng
        cr = r.randrange(8)
        a, b = self.gpr(), self.gpr()
        L = r.randrange(2) if self.mode == 64 else 0
        k = r.randrange(4)
        if k == 0:
            self.emit("cmp %d, %d, r%d, r%d" % (cr, L, a, b))
        elif k == 1:
            self.emit("cmpl %d, %d, r%d, r%d" % (cr, L, a, b))
        elif k == 2:
            self.emit("cmpi %d, %d, r%d, %d" % (cr, L, a, r.randrange(-32768, 32768)))
        else:
            self.emit("cmpli %d, %d, r%d, %d" % (cr, L, a, r.randrange(65536)))

    def gen_crlogic(self):
        r = self.rng
        k = r.randrange(5)
        if k < 3:
            op = r.choice(["crand", "cror", "crxor", "crnand", "crnor", "creqv", "crandc", "crorc"])
            self.emit("%s %d, %d, %d" % (op, r.randrange(32), r.randrange(32), r.randrange(32)))
        elif k == 3:
            self.emit("mcrf %d, %d" % (r.randrange(8), r.randrange(8)))
        else:
            kk = r.randrange(4)
            if kk == 0:
                self.emit("mfcr r%d" % self.gpr())
            elif kk == 1:
                self.emit("mtcrf %d, r%d" % (r.randrange(256), self.gpr()))
            elif kk == 2:
                self.emit("mfocrf r%d, %d" % (self.gpr(), 1 << r.randrange(8)))
            else:
                self.emit("mtocrf %d, r%d" % (1 << r.randrange(8), self.gpr()))

    def gen_spr(self):
        r = self.rng
        k = r.randrange(5 if self.mode == 32 else 4)  # mcrxr does not exist on 64-bit POWER
        if k == 0:
            self.emit("mtxer r%d" % self.gpr())
        elif k == 1:
            d = self.gpr()
            self.emit("mfxer r%d" % d)
            # R4: keep SO/OV/CA and the byte count only
            self.emit("rlwinm r%d, r%d, 0, 25, 2" % (d, d))
            if self.mode == 64:
                self.emit("clrldi r%d, r%d, 32" % (d, d))
        elif k == 2:
            self.emit("mtctr r%d" % self.gpr())
        elif k == 3:
            self.emit("mfctr r%d" % self.gpr())
        else:
            self.emit("mcrxr %d" % r.randrange(8))

    def gen_branch(self):
        r = self.rng
        lab = self.new_label()
        dist = r.randrange(1, 5)
        k = r.randrange(8)
        bo = r.choice([4, 12, 20, 0, 2, 8, 10, 16, 18])
        bi = r.randrange(32)
        if k == 0:
            self.emit("b %s" % lab)
        elif k <= 2:
            self.emit("bc %d, %d, %s" % (bo, bi, lab))
        elif k == 3:
            self.emit("bcl %d, %d, %s" % (bo, bi, lab))
        elif k == 6:
            self.emit("lis r30, %s@ha" % lab)
            self.emit("addi r30, r30, %s@l" % lab)
            self.emit("mtctr r30")
            self.emit("bcctrl %d, %d" % (r.choice([4, 12, 20]), bi))
        elif k == 7:
            self.emit("lis r30, %s@ha" % lab)
            self.emit("addi r30, r30, %s@l" % lab)
            self.emit("mtlr r30")
            self.emit("bclrl %d, %d" % (bo, bi))
        elif k == 4:
            # bclr to a forward label through LR
            self.emit("lis r30, %s@ha" % lab)
            self.emit("addi r30, r30, %s@l" % lab)
            self.emit("mtlr r30")
            self.emit("bclr %d, %d" % (bo, bi))
        else:
            bo = r.choice([4, 12, 20])
            self.emit("lis r30, %s@ha" % lab)
            self.emit("addi r30, r30, %s@l" % lab)
            self.emit("mtctr r30")
            self.emit("bcctr %d, %d" % (bo, bi))
        self.pending.append((dist, lab))

    def gen_mem(self):
        r = self.rng
        m64 = self.mode == 64
        d = self.gpr()
        k = r.randrange(9)
        loads = [("lbz", 1), ("lhz", 2), ("lha", 2), ("lwz", 4)] + ([("lwa", 4), ("ld", 8)] if m64 else [])
        stores = [("stb", 1), ("sth", 2), ("stw", 4)] + ([("std", 8)] if m64 else [])
        if k < 3:
            op, size = r.choice(loads + stores)
            if op in ("lwa", "ld", "std"):
                off = r.randrange(0, BUF_SIZE - 8, 4)  # DS form
            else:
                off = r.randrange(0, BUF_SIZE - size + 1)
            self.emit("%s r%d, %d(r31)" % (op, d, off))
        elif k < 5:
            op, size = r.choice(loads + stores)
            off = r.randrange(0, BUF_SIZE - size + 1)
            if op in ("lwa",):
                op = "lwax"
            else:
                op = op + "x"
            self.emit("li r30, %d" % off)
            self.emit("%s r%d, r31, r30" % (op, d))
        elif k == 5:
            op, size = r.choice(loads + stores)
            if op in ("lwa",):
                op, size = "lwz", 4
            off = r.randrange(0, BUF_SIZE - size + 1)
            if op in ("ld", "std"):
                off &= ~3
            self.emit("addi r30, r31, %d" % off)
            if r.random() < 0.5:
                self.emit("li r29, 0")
                d = d if d != 29 else 28
                self.emit("%sux r%d, r30, r29" % (op, d))
            else:
                self.emit("%su r%d, 0(r30)" % (op, d))
        elif k == 6:
            ops = [("lhbrx", 2), ("lwbrx", 4), ("sthbrx", 2), ("stwbrx", 4)]
            op, size = r.choice(ops)
            self.emit("li r30, %d" % r.randrange(0, BUF_SIZE - size + 1))
            self.emit("%s r%d, r31, r30" % (op, d))
        elif k == 7:
            # load-reserve / store-conditional pair, possibly broken by a store
            size = 8 if (m64 and r.random() < 0.5) else 4
            lop, sop, st = ("ldarx", "stdcx.", "std") if size == 8 else ("lwarx", "stwcx.", "stw")
            off = r.randrange(0, BUF_SIZE - size + 1, size)
            self.emit("addi r30, r31, %d" % off)
            self.emit("%s r%d, 0, r30" % (lop, d))
            if r.random() < 0.3:
                self.emit("%s r%d, 0(r30)" % (st, self.gpr()))
            self.emit("%s r%d, 0, r30" % (sop, self.gpr()))
        else:
            kk = r.randrange(4)
            if kk == 0:
                start = r.randrange(20, 32)
                self.emit("stmw r%d, %d(r31)" % (start, r.randrange(0, BUF_SIZE - 4 * (32 - start) + 1, 4)))
            elif kk == 1:
                start = r.randrange(20, 30)
                # the base register may not be in the loaded range
                self.emit("mr r3, r31")
                self.emit("lmw r%d, %d(r3)" % (start, r.randrange(0, BUF_SIZE - 4 * (32 - start) + 1, 4)))
                self.restore_base()
            elif kk == 3:
                # indexed string forms: byte count from XER
                nb = r.randrange(0, 17)
                regs = (nb + 3) // 4
                rd = r.randrange(3, 29 - max(regs, 1))
                self.emit("li r29, %d" % nb)
                self.emit("mtxer r29")
                self.emit("li r30, %d" % r.randrange(0, BUF_SIZE - 16))
                self.emit("%s r%d, r31, r30" % (r.choice(["lswx", "stswx"]), rd))
            else:
                nb = r.randrange(1, 17)
                regs = (nb + 3) // 4
                rd = r.randrange(3, 30 - regs)
                if r.random() < 0.5:
                    self.emit("lswi r%d, r31, %d" % (rd, nb))
                else:
                    self.emit("stswi r%d, r31, %d" % (rd, nb))

    def gen_fpu(self):
        r = self.rng
        d, a, b, c = self.fpr(), self.fpr(), self.fpr(), self.fpr()
        k = r.randrange(12)
        s = "s" if r.random() < 0.4 else ""
        dot = "." if r.random() < 0.25 else ""
        if k < 3:
            op = r.choice(["fadd", "fsub", "fmul", "fdiv"])
            if op == "fmul":
                self.emit("fmul%s%s f%d, f%d, f%d" % (s, dot, d, a, c))
            else:
                self.emit("%s%s%s f%d, f%d, f%d" % (op, s, dot, d, a, b))
        elif k < 5:
            op = r.choice(["fmadd", "fmsub", "fnmadd", "fnmsub"])
            self.emit("%s%s%s f%d, f%d, f%d, f%d" % (op, s, dot, d, a, c, b))
        elif k == 5:
            # qemu's 32-bit CPU models have no fsqrt: only generated in 64-bit mode
            op = r.choice(["fabs", "fneg", "fnabs", "fmr", "frsp"] + (["fsqrt"] if self.mode == 64 else []))
            if op == "fsqrt" and s:
                op = "fsqrts"
            self.emit("%s%s f%d, f%d" % (op, dot, d, b))
        elif k == 6:
            self.emit("fsel f%d, f%d, f%d, f%d" % (d, a, c, b))
        elif k == 7:
            self.emit("%s %d, f%d, f%d" % (r.choice(["fcmpu", "fcmpo"]), r.randrange(8), a, b))
        elif k == 8:
            # R3: fctiw results compared through stfiwx (low word only)
            op = r.choice(["fctiw", "fctiwz"] + (["fctid", "fctidz", "fcfid"] if self.mode == 64 else []))
            self.emit("%s f%d, f%d" % (op, d, b))
            if op.startswith("fctiw"):
                self.emit("li r30, %d" % r.randrange(0, BUF_SIZE - 3, 4))
                self.emit("stfiwx f%d, r31, r30" % d)
                while a == d:
                    a = self.fpr()
                self.emit("fmr f%d, f%d" % (d, a))
        elif k == 11:
            kk = r.randrange(3)
            if kk == 0:
                self.emit("mffs%s f%d" % (dot, d))
            elif kk == 1:
                # R1: not field 0 (it clears FX, see mtfsb0 below)
                self.emit("mcrfs %d, %d" % (r.randrange(8), r.randrange(1, 8)))
            else:
                # clear one exception bit (not an enable: those would trap).
                # R1: FX itself is not cleared: qemu sets FX on every
                # exception, the ISA (and xdet) only when an exception bit
                # goes from 0 to 1, which differs once FX was cleared alone.
                self.emit("mtfsb0 %d" % r.choice([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 21, 22, 23]))
        elif k == 10:
            # rounding mode (FPSCR[RN]) for the following operations
            if r.random() < 0.7:
                self.emit("mtfsfi 7, %d" % r.randrange(4))
            else:
                self.emit("%s %d" % (r.choice(["mtfsb0", "mtfsb1"]), r.choice([30, 31])))
        else:
            op, size = r.choice([("lfs", 4), ("lfd", 8), ("stfs", 4), ("stfd", 8)])
            off = r.randrange(0, BUF_SIZE - size + 1, 4)
            if r.random() < 0.5:
                self.emit("%s f%d, %d(r31)" % (op, d, off))
            else:
                self.emit("li r30, %d" % off)
                self.emit("%sx f%d, r31, r30" % (op, d))

    def generate_body(self, length):
        gens = [(self.gen_int, 22), (self.gen_unary, 4), (self.gen_div, 4), (self.gen_rotate, 12), (self.gen_cmp, 8),
                (self.gen_crlogic, 6), (self.gen_spr, 4), (self.gen_branch, 8), (self.gen_mem, 16),
                (self.gen_fpu, 16)]
        total = sum(w for _, w in gens)
        for _ in range(length):
            x = self.rng.randrange(total)
            for g, w in gens:
                if x < w:
                    g()
                    self.end_group()
                    break
                x -= w
        self.flush_labels()


def rand_u64(rng):
    k = rng.randrange(8)
    specials = [0, 1, 0xFFFFFFFFFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFFFFFF, 0x8000000000000000,
                0x7FFFFFFFFFFFFFFF, 0x100000000, 0xFFFFFFFF80000000]
    if k == 0:
        return rng.choice(specials)
    if k == 1:
        return rng.randrange(-64, 64) & 0xFFFFFFFFFFFFFFFF
    if k == 2:
        return rng.getrandbits(32)
    if k == 3:
        return (rng.getrandbits(32) ^ (0xFFFFFFFF00000000 if rng.random() < 0.5 else 0))
    return rng.getrandbits(64)


def rand_double_bits(rng):
    k = rng.randrange(12)
    specials = [0, 1 << 63, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 0x7FF4000000000000,
                0x0000000000000001, 0x000FFFFFFFFFFFFF, 0x3FF0000000000000, 0xBFF0000000000000,
                0x41DFFFFFFFC00000, 0xC1E0000000000000, 0x4330000000000000]
    if k == 0:
        return rng.choice(specials)
    if k <= 2:  # small integers
        return struct.unpack(">Q", struct.pack(">d", float(rng.randrange(-100000, 100000))))[0]
    if k <= 4:  # representable singles
        f = struct.unpack(">f", struct.pack(">I", rng.getrandbits(32) & 0x7F7FFFFF | (rng.getrandbits(1) << 31)))[0]
        return struct.unpack(">Q", struct.pack(">d", f))[0]
    exp = rng.randrange(1023 - 80, 1023 + 80)
    return (rng.getrandbits(1) << 63) | (exp << 52) | rng.getrandbits(52)


def build_source(cases, inits, mode):
    m64 = mode == 64
    W = 8 if m64 else 4
    ld, st = ("ld", "std") if m64 else ("lwz", "stw")
    out = []
    if m64:
        out.append("  .abiversion 2")
    out.append("  .text")
    out.append("  .globl _start")
    out.append("_start:")
    for c in cases:
        i = c.idx
        out.append("  lis r30, init_%d@ha" % i)
        out.append("  addi r30, r30, init_%d@l" % i)
        # CR, XER, CTR, LR via r3
        out.append("  %s r3, %d(r30)" % (ld, 32 * W))
        out.append("  mtcrf 255, r3")
        out.append("  %s r3, %d(r30)" % (ld, 33 * W))
        out.append("  mtxer r3")
        out.append("  %s r3, %d(r30)" % (ld, 34 * W))
        out.append("  mtctr r3")
        for field in range(8):
            out.append("  mtfsfi %d, 0" % field)
        for f in range(32):
            out.append("  lfd f%d, %d(r30)" % (f, 35 * W + 8 * f))
        for g in [0] + list(range(3, 30)):
            out.append("  %s r%d, %d(r30)" % (ld, g, g * W))
        out.append("  lis r31, buf_%d@ha" % i)
        out.append("  addi r31, r31, buf_%d@l" % i)
        out.append("  li r30, 0")
        out.extend(c.lines)
        # dump
        out.append("  lis r2, dump_%d@ha" % i)
        out.append("  addi r2, r2, dump_%d@l" % i)
        for g in [0] + list(range(3, 32)):
            out.append("  %s r%d, %d(r2)" % (st, g, g * W))
        out.append("  mfcr r3")
        out.append("  %s r3, %d(r2)" % (st, 32 * W))
        out.append("  mfxer r3")
        out.append("  %s r3, %d(r2)" % (st, 33 * W))
        out.append("  mfctr r3")
        out.append("  %s r3, %d(r2)" % (st, 34 * W))
        for f in range(32):
            out.append("  stfd f%d, %d(r2)" % (f, 35 * W + 8 * f))
        out.append("  mflr r3")
        out.append("  %s r3, %d(r2)" % (st, 35 * W + 256))
        out.append("  mffs f0")
        out.append("  stfd f0, %d(r2)" % (36 * W + 256))
    # write(1, dump_all, size); exit_group(0)
    rec = 36 * W + 256 + 8
    out.append("  li r0, 4")
    out.append("  li r3, 1")
    out.append("  lis r4, dump_0@ha")
    out.append("  addi r4, r4, dump_0@l")
    out.append("  lis r5, %d@ha" % (rec * len(cases)))
    out.append("  addi r5, r5, %d@l" % (rec * len(cases)))
    out.append("  sc")
    out.append("  li r0, 234")
    out.append("  li r3, 0")
    out.append("  sc")
    out.append("  .data")
    out.append("  .balign 8")
    for c, (gprs, fprs, cr, xer, ctr, buf) in zip(cases, inits):
        out.append("init_%d:" % c.idx)
        words = gprs + [cr, xer, ctr]
        for v in words:
            if m64:
                out.append("  .quad 0x%x" % v)
            else:
                out.append("  .long 0x%x" % (v & 0xFFFFFFFF))
        for v in fprs:
            out.append("  .quad 0x%x" % v)
        out.append("buf_%d:" % c.idx)
        out.append("  .byte " + ",".join(str(b) for b in buf))
        out.append("  .balign 8")
    out.append("  .bss")
    out.append("  .balign 8")
    for c in cases:
        out.append("dump_%d:" % c.idx)
        out.append("  .space %d" % rec)
    return "\n".join(out) + "\n"


def compare(mode, cases, xd, qd, report):
    m64 = mode == 64
    W = 8 if m64 else 4
    rec = 36 * W + 256 + 8
    fmt = ">Q" if m64 else ">I"
    fails = 0
    names = {32: "cr", 33: "xer", 34: "ctr"}
    for n, c in enumerate(cases):
        xb, qb = xd[n * rec:(n + 1) * rec], qd[n * rec:(n + 1) * rec]
        diffs = []
        for k in range(35):
            if k in (1, 2, 13):
                continue
            xv = struct.unpack_from(fmt, xb, k * W)[0]
            qv = struct.unpack_from(fmt, qb, k * W)[0]
            if k == 33:  # R4
                xv &= 0xE000007F
                qv &= 0xE000007F
            if xv != qv:
                diffs.append("%s xdet=0x%x qemu=0x%x" % (names.get(k, "r%d" % k), xv, qv))
        for f in range(32):
            xv = struct.unpack_from(">Q", xb, 35 * W + 8 * f)[0]
            qv = struct.unpack_from(">Q", qb, 35 * W + 8 * f)[0]
            if xv != qv:
                diffs.append("f%d xdet=0x%016x qemu=0x%016x" % (f, xv, qv))
        xv = struct.unpack_from(fmt, xb, 35 * W + 256)[0]
        qv = struct.unpack_from(fmt, qb, 35 * W + 256)[0]
        if xv != qv:
            diffs.append("lr xdet=0x%x qemu=0x%x" % (xv, qv))
        xv = struct.unpack_from(">Q", xb, 36 * W + 256)[0] & ~0x40000
        qv = struct.unpack_from(">Q", qb, 36 * W + 256)[0] & ~0x40000
        if xv != qv:
            diffs.append("fpscr xdet=0x%x qemu=0x%x" % (xv, qv))
        if diffs:
            fails += 1
            if report > 0:
                report -= 1
                print("MISMATCH mode %d case %d: %s" % (mode, c.idx, "; ".join(diffs[:6])))
                print("  code:\n" + "\n".join(c.lines))
    return fails


def run_batch(args, mode, seed, ncases, tmp):
    rng = random.Random(seed)
    cases, inits = [], []
    for i in range(ncases):
        c = Case(rng, i, mode)
        c.generate_body(rng.randrange(6, 20))
        cases.append(c)
        gprs = [rand_u64(rng) for _ in range(32)]
        if mode == 32:
            gprs = [g & 0xFFFFFFFF for g in gprs]
        fprs = [rand_double_bits(rng) for _ in range(32)]
        cr = rng.getrandbits(32)
        xer = rng.getrandbits(3) << 29
        ctr = rand_u64(rng) & (0xFFFFFFFFFFFFFFFF if mode == 64 else 0xFFFFFFFF)
        buf = [rng.getrandbits(8) for _ in range(BUF_SIZE)]
        inits.append((gprs, fprs, cr, xer, ctr, buf))
    src = build_source(cases, inits, mode)
    base = os.path.join(tmp, "m%d_s%d" % (mode, seed))
    with open(base + ".s", "w") as f:
        f.write(src)
    asm = ["powerpc64-linux-gnu-as", "-be", "-mregnames", "-mpower7" if mode == 64 else "-mppc",
           "-a64" if mode == 64 else "-a32", "-o", base + ".o", base + ".s"]
    subprocess.run(asm, check=True)
    ld = ["powerpc64-linux-gnu-ld", "-m", "elf64ppc" if mode == 64 else "elf32ppc", "-Ttext=0x10000000",
          "-o", base + ".elf", base + ".o"]
    subprocess.run(ld, check=True)
    qemu = "qemu-ppc64" if mode == 64 else "qemu-ppc"
    q = subprocess.run([qemu, base + ".elf"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    x = subprocess.run([args.xdet, "run-elf", base + ".elf"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    W = 8 if mode == 64 else 4
    want = (36 * W + 256 + 8) * ncases
    if q.returncode != 0 or len(q.stdout) != want:
        print("qemu failed on batch mode %d seed %d (rc %d): %s" % (mode, seed, q.returncode, q.stderr.decode()[:300]))
        return ncases, ncases
    if x.returncode != 0 or len(x.stdout) != want:
        print("xdet failed on batch mode %d seed %d (rc %d): %s" % (mode, seed, x.returncode, x.stderr.decode()[:300]))
        return ncases, ncases
    return ncases, compare(mode, cases, x.stdout, q.stdout, args.report)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--cases", type=int, default=3000, help="total cases (split over both modes)")
    ap.add_argument("--batch", type=int, default=250)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--modes", default="32,64")
    ap.add_argument("--report", type=int, default=5, help="max mismatching cases printed per batch")
    ap.add_argument("--keep", help="keep generated files in this directory")
    args = ap.parse_args()
    modes = [int(m) for m in args.modes.split(",")]
    total = fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = args.keep or tmp
        os.makedirs(tmp, exist_ok=True)
        per_mode = args.cases // len(modes)
        for mode in modes:
            done, b = 0, 0
            while done < per_mode:
                n = min(args.batch, per_mode - done)
                t, f = run_batch(args, mode, args.seed * 1000 + b, n, tmp)
                total += t
                fails += f
                done += n
                b += 1
    print("%d cases, %d passed, %d failed" % (total, total - fails, fails))
    return 0 if fails == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
