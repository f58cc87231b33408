#!/usr/bin/env python3
"""Differential test of the classic AltiVec instructions: xdet vs qemu-ppc.

Generates one freestanding 32-bit big-endian PowerPC program that runs every
case (random and edge-case vector operands), stores each result vector, VSCR
and CR, and writes the whole buffer to stdout. The same ELF runs under
`xdet run-elf` and `qemu-ppc -cpu 7400`; the outputs must be identical.

Documented Xenon differences are excluded by rule, not by case:
  * vmaddfp/vnmsubfp: Xenon rounds the product before the add; qemu fuses.
  * vrefp/vrsqrtefp/vexptefp/vlogefp: estimates, precision is implementation
    defined.
  * lvebx/lvehx/lvewx: Xenon loads the whole quadword (not exercised here).
  * VSCR[NJ]: Xenon always flushes denormals; every case sets NJ=1 so qemu does
    the same.
  * vsl/vsr: the ISA requires all shift-count bytes equal; cases obey it.
Each case also selects a random FPSCR[RN]: vector arithmetic must ignore it.

Usage: vmx_qemu_diff.py --xdet build/xdet [--cases 24] [--seed 1] [--keep DIR]
Exit status 0 = identical, 1 = mismatches (listed), 77 = tools missing (skip).
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

# (mnemonic, form). Forms: abc = vD,vA,vB; b = vD,vB; bu<N> = vD,vB,UIMM<N;
# s = vD,SIMM; abcc = vD,vA,vB,vC; sld = vD,vA,vB,SH; cmp = compare (+ '.');
# shift = vD,vA,vB with uniform shift bytes in vB.
INSNS = [(m, "abc") for m in (
    "vaddubm vadduhm vadduwm vaddubs vadduhs vadduws vaddsbs vaddshs vaddsws vaddcuw "
    "vsububm vsubuhm vsubuwm vsububs vsubuhs vsubuws vsubsbs vsubshs vsubsws vsubcuw "
    "vmaxub vmaxuh vmaxuw vmaxsb vmaxsh vmaxsw vminub vminuh vminuw vminsb vminsh vminsw "
    "vavgub vavguh vavguw vavgsb vavgsh vavgsw vmuleub vmuleuh vmulesb vmulesh vmuloub "
    "vmulouh vmulosb vmulosh vsum4ubs vsum4sbs vsum4shs vsum2sws vsumsws vand vandc vor "
    "vnor vxor vrlb vrlh vrlw vslb vslh vslw vsrb vsrh vsrw vsrab vsrah vsraw vslo vsro "
    "vmrghb vmrghh vmrghw vmrglb vmrglh vmrglw vpkuhum vpkuwum vpkuhus vpkuwus vpkshss "
    "vpkswss vpkshus vpkswus vpkpx vaddfp vsubfp vmaxfp vminfp").split()]
INSNS += [(m, "shift") for m in ("vsl", "vsr")]
INSNS += [(m, "b") for m in "vupkhsb vupkhsh vupklsb vupklsh vupkhpx vupklpx vrfin vrfiz vrfip vrfim".split()]
INSNS += [("vspltb", "bu16"), ("vsplth", "bu8"), ("vspltw", "bu4")]
INSNS += [(m, "bu32") for m in "vcfux vcfsx vctuxs vctsxs".split()]
INSNS += [(m, "s") for m in "vspltisb vspltish vspltisw".split()]
INSNS += [(m, "abcc") for m in "vmhaddshs vmhraddshs vmladduhm vmsumubm vmsummbm vmsumuhm vmsumuhs vmsumshm vmsumshs vsel vperm".split()]
INSNS += [("vsldoi", "sld")]
INSNS += [(m, "cmp") for m in "vcmpequb vcmpequh vcmpequw vcmpgtub vcmpgtuh vcmpgtuw vcmpgtsb vcmpgtsh vcmpgtsw vcmpeqfp vcmpgefp vcmpgtfp vcmpbfp".split()]

SPECIAL_WORDS = [
    0x00000000, 0x80000000, 0x00000001, 0x807FFFFF, 0x00800000, 0x3F800000, 0xBF800000,
    0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00001, 0x7F800001, 0x7F7FFFFF, 0x4F000000,
    0xCF000000, 0x4F800000, 0x3F000000, 0x40490FDB, 0x7FFFFFFF, 0xFFFFFFFF, 0x0000FFFF,
    0x7FFF8000, 0x80007FFF, 0x7F807F80, 0x80FF7F00, 0x00010002, 0x3FC00000, 0xC0200000,
]


def rand_word(rng):
    r = rng.random()
    if r < 0.35:
        return rng.getrandbits(32)
    if r < 0.65:
        return rng.choice(SPECIAL_WORDS)
    if r < 0.8:  # small integers, signed
        return rng.randint(-300, 300) & 0xFFFFFFFF
    if r < 0.9:  # bytes/halves near saturation edges
        parts = [rng.choice([0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF]) for _ in range(4)]
        return (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    # floats of moderate magnitude
    return struct.unpack(">I", struct.pack(">f", rng.uniform(-1e6, 1e6)))[0]


def rand_vec(rng):
    return [rand_word(rng) for _ in range(4)]


def case_inputs(rng, form):
    a, b, c = rand_vec(rng), rand_vec(rng), rand_vec(rng)
    if form == "shift":
        s = rng.getrandbits(8)
        b = [s * 0x01010101] * 4
    return a, b, c


def statement(rng, mnem, form, record):
    if form in ("abc", "shift"):
        return f"{mnem} v5, v1, v2"
    if form == "b":
        return f"{mnem} v5, v2"
    if form.startswith("bu"):
        return f"{mnem} v5, v2, {rng.randrange(int(form[2:]))}"
    if form == "s":
        return f"{mnem} v5, {rng.randint(-16, 15)}"
    if form == "abcc":
        return f"{mnem} v5, v1, v2, v3"
    if form == "sld":
        return f"{mnem} v5, v1, v2, {rng.randrange(16)}"
    if form == "cmp":
        return f"{mnem}{'.' if record else ''} v5, v1, v2"
    raise ValueError(form)


def build_program(cases):
    data, text = [], []
    data.append("  .section .data\n  .align 4\nvscr_init: .long 0, 0, 0, 0x00010000\ninputs:")
    for a, b, c, _, _ in cases:
        data.append("  .long " + ", ".join(f"0x{x:08X}" for x in a + b + c + [0, 0, 0, 0]))
    data.append(f"  .align 4\noutputs: .space {48 * len(cases)}")
    text.append("  .section .text\n  .globl _start\n_start:")
    text.append("  lis r20, inputs@ha\n  addi r20, r20, inputs@l")
    text.append("  lis r21, outputs@ha\n  addi r21, r21, outputs@l\n  mr r22, r21")
    text.append("  lis r9, vscr_init@ha\n  addi r9, r9, vscr_init@l\n  lvx v0, 0, r9")
    text.append("  li r10, 16\n  li r11, 32\n  li r12, 48\n  li r8, 0")
    for _, _, _, stmt, rn in cases:
        text.append(
            f"  lvx v1, 0, r20\n  lvx v2, r20, r10\n  lvx v3, r20, r11\n  mtvscr v0\n  mtcr r8\n  mtfsfi 7, {rn}\n"
            "  vxor v5, v5, v5\n"
            f"  {stmt}\n"
            "  mfvscr v6\n  mfcr r7\n  stvx v5, 0, r21\n  stvx v6, r21, r10\n  stw r7, 32(r21)\n"
            "  addi r20, r20, 64\n  addi r21, r21, 48")
    text.append(f"  li r0, 4\n  li r3, 1\n  mr r4, r22\n  lis r5, {(48 * len(cases)) >> 16}\n"
                f"  ori r5, r5, {(48 * len(cases)) & 0xFFFF}\n  sc\n  li r0, 1\n  li r3, 0\n  sc")
    return "\n".join(data) + "\n" + "\n".join(text) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--cases", type=int, default=24, help="cases per instruction form")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="directory to keep the program in")
    args = ap.parse_args()
    tools = ["powerpc-linux-gnu-as", "powerpc-linux-gnu-ld", "qemu-ppc"]
    if any(shutil.which(t) is None for t in tools):
        print("skipped: needs " + ", ".join(tools))
        return 77
    rng = random.Random(args.seed)
    cases = []
    for mnem, form in INSNS:
        for i in range(args.cases):
            a, b, c = case_inputs(rng, form)
            stmt = statement(rng, mnem, form, record=(i % 2 == 1))
            cases.append((a, b, c, stmt, rng.randrange(4)))
    work = args.keep or tempfile.mkdtemp(prefix="vmxdiff")
    os.makedirs(work, exist_ok=True)
    src, obj, elf = (os.path.join(work, n) for n in ("diff.s", "diff.o", "diff.elf"))
    with open(src, "w") as f:
        f.write(build_program(cases))
    subprocess.run(["powerpc-linux-gnu-as", "-mregnames", "-maltivec", src, "-o", obj], check=True)
    subprocess.run(["powerpc-linux-gnu-ld", "-static", "-e", "_start", obj, "-o", elf], check=True)
    ref = subprocess.run(["qemu-ppc", "-cpu", "7400", elf], capture_output=True, check=True).stdout
    got = subprocess.run([args.xdet, "run-elf", elf], capture_output=True)
    if got.returncode != 0:
        print(f"xdet run-elf failed ({got.returncode}): {got.stderr.decode(errors='replace')}")
        return 1
    out = got.stdout
    if len(out) != len(ref):
        print(f"output size differs: xdet {len(out)} qemu {len(ref)}")
        return 1
    bad = 0
    for n, (a, b, c, stmt, rn) in enumerate(cases):
        r, x = ref[48 * n:48 * n + 48], out[48 * n:48 * n + 48]
        if r[:36] != x[:36]:
            bad += 1
            if bad <= 40:
                fmt = lambda v: "[" + ", ".join(f"{w:08X}" for w in v) + "]"
                words = lambda bs: list(struct.unpack(">9I", bs[:36]))
                rw, xw = words(r), words(x)
                print(f"MISMATCH {stmt} (FPSCR[RN]={rn}): a={fmt(a)} b={fmt(b)} c={fmt(c)}\n"
                      f"   qemu vD={fmt(rw[0:4])} vscr={rw[7]:08X} cr={rw[8]:08X}\n"
                      f"   xdet vD={fmt(xw[0:4])} vscr={xw[7]:08X} cr={xw[8]:08X}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(cases) - bad} identical, {bad} different ({len(INSNS)} instructions, seed {args.seed})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
