#!/usr/bin/env python3
"""Cross-check annotated ppc-test files (FORMAT.md of shared/ppc-tests) against
qemu-ppc64 running in 64-bit mode (a manual tool, not a CTest).

Every test becomes one block of a freestanding ELF64: all GPRs/FPRs/VRs are
loaded from a per-test table (zero unless a REGISTER_IN gives a value), XER,
CR, CTR and FPSCR are cleared, VSCR[NJ] is set (the console's vector unit
flushes denormals), LR points at a dump routine, and the test body runs until
its blr (0x10001000.. is zeroed scratch memory, as in the runner). The dump writes GPR, FPR, VR, CR, XER and CTR to stdout, which is then
compared with the REGISTER_OUT annotations.

Not cross-checked (skipped): tests with MEMORY_IN/MEMORY_OUT, hand-encoded
words (.long), VMX128 and lvlx/lvrx-family mnemonics, dcbz, mftb and mcrxr
(unknown to binutils' POWER7 mode), as qemu has no equivalent.

Every difference is printed; judge them against the documented console rules
(FORMAT.md section 7): CR0 / XER[CA] / XER[OV] / the CTR test are 32-bit-mode
on the console while qemu-ppc64 runs 64-bit mode, divide-by-zero and
overflowing divides leave 0 on the console (undefined in the ISA), and estimate
instructions (fres, frsqrte, vexptefp, vlogefp...) differ in precision.

Usage: ppc_tests_vs_qemu.py FILE.s...   (needs powerpc64-linux-gnu-as/ld and qemu-ppc64)
"""
import os
import re
import struct
import subprocess
import sys
import tempfile

GPR_OFF, FPR_OFF, VR_OFF = 0, 256, 512
TABLE_SIZE = 1024
DUMP_SIZE = TABLE_SIZE + 24  # + CR, XER, CTR (8 bytes each)
SCRATCH_CLEAR = 0x1000  # bytes of scratch memory zeroed after each test
SKIP_CODE = re.compile(r"\.long|128\b|\blv[lr]x|\bstv[lr]x|\bdcbz|\bmftb|\bmcrxr")


def parse(path):
    tests, cur = [], None
    for raw in open(path):
        line = raw.rstrip("\n")
        text = line.lstrip(" ")
        if text.startswith("test_"):
            cur = {"name": text[5:text.index(":")], "code": [], "in": [], "out": [], "mem": False}
            tests.append(cur)
            continue
        if cur is None:
            continue
        if text.startswith("#_ "):
            key, _, rest = text[3:].partition(" ")
            reg, _, val = rest.strip().partition(" ")
            if key == "REGISTER_IN":
                cur["in"].append((reg, val.strip()))
            elif key == "REGISTER_OUT":
                cur["out"].append((reg, val.strip()))
            else:
                cur["mem"] = True
            continue
        cur["code"].append(line)
    return tests


def int_value(v):
    neg = v.startswith("-")
    v = v[1:] if neg else v
    m = re.match(r"0[xX]([0-9a-fA-F]+)", v)
    x = int(m.group(1), 16) if m else int(re.match(r"\d+", v).group(0))
    return (-x if neg else x) & (2**64 - 1)


def fpr_value(v):
    return int_value(v) if "0x" in v else struct.unpack(">Q", struct.pack(">d", float(v)))[0]


def vr_value(v):
    return b"".join(struct.pack(">I", int(w, 16)) for w in re.findall(r"[0-9a-fA-F]+", v))


def input_table(test):
    table = bytearray(TABLE_SIZE)
    for reg, val in test["in"]:
        n = int(reg[1:])
        if reg[0] == "r":
            table[GPR_OFF + 8 * n:GPR_OFF + 8 * n + 8] = struct.pack(">Q", int_value(val))
        elif reg[0] == "f":
            table[FPR_OFF + 8 * n:FPR_OFF + 8 * n + 8] = struct.pack(">Q", fpr_value(val))
        elif reg[0] == "v":
            table[VR_OFF + 16 * n:VR_OFF + 16 * n + 16] = vr_value(val)
    return table


def program(tests):
    a = [".abiversion 2", ".machine power7", ".machine altivec", ".text", ".globl _start", "_start:"]
    for t, test in enumerate(tests):
        a += [f"  lis r13, inp{t}@ha", f"  addi r13, r13, inp{t}@l"]
        a += [f"  lfd f{i}, {FPR_OFF + 8 * i}(r13)" for i in range(32)]
        for i in range(32):
            a += [f"  li r0, {VR_OFF + 16 * i}", f"  lvx v{i}, r13, r0"]
        a += ["  li r0, 0", "  mtxer r0", "  mtcrf 0xff, r0", "  mtctr r0", "  lfd f31, 0(r13)",
              "  mtfsf 0xff, f31", f"  lfd f31, {FPR_OFF + 8 * 31}(r13)",
              "  lis r12, vscr_nj@ha", "  addi r12, r12, vscr_nj@l", "  lvx v31, 0, r12", "  mtvscr v31",
              f"  li r0, {VR_OFF + 16 * 31}", "  lvx v31, r13, r0",
              f"  lis r12, .Ldump{t}@ha", f"  addi r12, r12, .Ldump{t}@l", "  mtlr r12"]
        a += [f"  ld r{i}, {8 * i}(r13)" for i in range(32) if i not in (1, 13)]
        a += test["code"]
        a += [f".Ldump{t}:", "  lis r13, dump@ha", "  addi r13, r13, dump@l"]
        a += [f"  std r{i}, {8 * i}(r13)" for i in range(32) if i != 13]
        a += [f"  stfd f{i}, {FPR_OFF + 8 * i}(r13)" for i in range(32)]
        for i in range(32):
            a += [f"  li r0, {VR_OFF + 16 * i}", f"  stvx v{i}, r13, r0"]
        a += ["  mfcr r0", f"  std r0, {TABLE_SIZE}(r13)", "  mfxer r0", f"  std r0, {TABLE_SIZE + 8}(r13)",
              "  mfctr r0", f"  std r0, {TABLE_SIZE + 16}(r13)",
              "  li r0, 4", "  li r3, 1", "  mr r4, r13", f"  li r5, {DUMP_SIZE}", "  sc"]
        # The runner gives every test zeroed scratch memory at 0x10001000.
        a += ["  lis r4, 0x1000", "  ori r4, r4, 0x1000", "  li r5, 0", f"  li r6, {SCRATCH_CLEAR // 8}",
              "  mtctr r6", f".Lclear{t}:", "  std r5, 0(r4)", "  addi r4, r4, 8", f"  bdnz .Lclear{t}"]
    a += ["  li r0, 1", "  li r3, 0", "  sc", ".data", ".balign 16"]
    for t, test in enumerate(tests):
        a += [f"inp{t}:", "  .byte " + ",".join(str(b) for b in input_table(test))]
    a += [".balign 16", f"dump: .space {DUMP_SIZE}", ".balign 16", "vscr_nj: .long 0,0,0,0x00010000"]
    a += ['.section .scratch,"aw",@nobits', ".space 0xF000"]
    return "\n".join(a) + "\n"


def compare(test, dump):
    diffs = []
    for reg, val in test["out"]:
        if reg == "cr":
            actual = struct.unpack(">Q", dump[TABLE_SIZE:TABLE_SIZE + 8])[0]
            ok, shown = actual == int_value(val), f"0x{actual:X}"
        elif reg[0] == "r":
            n = int(reg[1:])
            actual = struct.unpack(">Q", dump[8 * n:8 * n + 8])[0]
            ok, shown = actual == int_value(val), f"0x{actual:016X}"
        elif reg[0] == "f":
            n = int(reg[1:])
            actual = struct.unpack(">Q", dump[FPR_OFF + 8 * n:FPR_OFF + 8 * n + 8])[0]
            if "0x" in val:
                ok = actual == int_value(val)
            else:
                ok = struct.unpack(">d", struct.pack(">Q", actual))[0] == float(val)
            shown = f"0x{actual:016X}"
        else:
            n = int(reg[1:])
            actual = dump[VR_OFF + 16 * n:VR_OFF + 16 * n + 16]
            ok, shown = actual == vr_value(val), actual.hex().upper()
        if not ok:
            diffs.append(f"{reg} expected {val} qemu {shown}")
    return diffs


def main():
    checked = differing = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in sys.argv[1:]:
            tests = [t for t in parse(path)
                     if not t["mem"] and not any(SKIP_CODE.search(line) for line in t["code"])]
            if not tests:
                continue
            src, obj, elf = (os.path.join(tmp, "t" + ext) for ext in (".s", ".o", ".elf"))
            open(src, "w").write(program(tests))
            try:
                subprocess.run(["powerpc64-linux-gnu-as", "-a64", "-mregnames", "-mpower7", "-maltivec",
                                "-o", obj, src], check=True, capture_output=True)
                subprocess.run(["powerpc64-linux-gnu-ld", "-static", "-Ttext=0x10100000",
                                "-Tdata=0x10200000",
                                "--section-start=.scratch=0x10001000", "-o", elf, obj], check=True, capture_output=True)
            except subprocess.CalledProcessError as e:
                print(f"{path}: build failed: {e.stderr.decode(errors='replace').strip()}")
                differing += 1
                continue
            run = subprocess.run(["qemu-ppc64", "-cpu", "POWER7", elf], capture_output=True)
            for t, test in enumerate(tests):
                dump = run.stdout[t * DUMP_SIZE:(t + 1) * DUMP_SIZE]
                if len(dump) < DUMP_SIZE:
                    print(f"{os.path.basename(path)} {test['name']}: no output (qemu exit {run.returncode})")
                    differing += 1
                    continue
                checked += len(test["out"])
                for d in compare(test, dump):
                    differing += 1
                    print(f"{os.path.basename(path)} {test['name']}: {d}")
    print(f"checked {checked} values, {differing} differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
