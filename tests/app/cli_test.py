#!/usr/bin/env python3
"""The xdet command line as a new user meets it: one option style for every
subcommand (CLI11: --opt value / --opt=value, range-checked numbers, "did you
mean"), --version, output folders created as needed, one exit code (10) for
an output that cannot be written, zstd traces, exit-state files that do not
overwrite another run's, and the small defects found on the way.

Usage: cli_test.py --xdet build/xdet --samples build/guest/samples"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

FAILS = []
XDET = SAMPLES = WORK = None


def run(*args, cwd=None):
    p = subprocess.run([XDET, *args], capture_output=True, cwd=cwd or WORK, timeout=300)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def check(name, cond, detail=""):
    if cond:
        print(f"ok   {name}")
    else:
        print(f"FAIL {name}: {detail}")
        FAILS.append(name)


def expect_rc(name, want_rc, *args, stderr_has=None, stdout_has=None, cwd=None):
    rc, out, err = run(*args, cwd=cwd)
    ok = rc == want_rc
    if stderr_has is not None and stderr_has not in err:
        ok = False
    if stdout_has is not None and stdout_has not in out:
        ok = False
    check(name, ok, f"rc={rc} (want {want_rc}) stdout={out[:300]!r} stderr={err[:400]!r}")
    return rc, out, err


def test_one_cli():
    rc, out, _ = expect_rc("--version", 0, "--version", stdout_has="git revision:")
    check("--version names engines and build type", "cpu engines:" in out and "build type:" in out, out)
    # Every subcommand but diff: usage errors are exit 2 with the xdet <cmd>: prefix.
    for cmd, args in [("run", ["--quantum", "-5", "x.xex"]), ("run-elf", ["--max-instructions", "-1", "x.elf"]),
                      ("ppc-test", ["--max-instructions", "0", "x.s"]), ("inspect", ["--bogus", "x.xex"]),
                      ("pack", ["--stack-size", "0", "a.elf", "b.xex"]), ("exports", ["--jsn"]),
                      ("gen-traces", ["--events", "-5", "--out-dir", "g"])]:
        expect_rc(f"{cmd}: usage error is exit 2 with prefix", 2, cmd, *args, stderr_has=f"xdet {cmd}: error:")
    # gen-traces --events -5 used to wrap to 2^64-5 and write until the disk was full.
    expect_rc("gen-traces --events -5 rejected", 2, "gen-traces", "--events", "-5", "--out-dir", "g",
              stderr_has="must not be negative")
    check("gen-traces --events -5 wrote nothing", not os.path.exists(os.path.join(WORK, "g")))
    expect_rc("gen-traces --threads 0 rejected", 2, "gen-traces", "--threads", "0", "--out-dir", "g")
    # --opt=value works for every converted subcommand.
    expect_rc("--opt=value (run-elf)", 2, "run-elf", "--max-instructions=-3", "x.elf", stderr_has="negative")
    expect_rc("--opt=value (gen-traces)", 0, "gen-traces", "-q", "--out-dir=eq", "--events=200", "--seed=4")
    check("--opt=value wrote the pair", os.path.exists(os.path.join(WORK, "eq", "canary.jsonl")))
    expect_rc("did you mean", 2, "run-elf", "--max-instructons", "5", "x.elf",
              stderr_has="did you mean '--max-instructions'?")
    for cmd in ["run", "run-elf", "ppc-test", "inspect", "pack", "exports", "gen-traces"]:
        rc, out, _ = run(cmd, "--help")
        check(f"{cmd} --help", rc == 0 and "OPTIONS" in out.upper(), out[:200])
    rc, out, _ = run("gen-traces", "--help")
    check("gen-traces --help shows defaults", "20000" in out and "--threads" in out, out)
    # gen-traces refuses to scatter files into the current directory.
    rc, _, err = run("gen-traces", "-q", "--events", "100")
    check("gen-traces without --out-dir is a usage error", rc == 2 and not os.path.exists(os.path.join(WORK, "canary.jsonl")),
          f"rc={rc} {err}")


def test_small_things():
    readme = os.path.join(WORK, "README.md")
    with open(readme, "w") as f:
        f.write("# not a test file\n\nSome text.\n")
    # Used to print "0 passed, 0 failed" and exit 0.
    expect_rc("ppc-test on a file with no tests is an error", 3, "ppc-test", readme, stderr_has="no test_ label")
    xex = os.path.join(SAMPLES, "hello.xex")
    rc, out, _ = run("inspect", "--json", xex)
    try:
        j = json.loads(out)
        ok = j["entry_point"].startswith("0x") and j["image_base"] == "0x82000000" and \
            all(s["address"].startswith("0x") for s in j["sections"])
    except Exception as e:  # noqa: BLE001
        ok, out = False, f"{e}: {out[:300]}"
    check("inspect --json addresses are 0x strings", rc == 0 and ok, out[:300])


def main():
    global XDET, SAMPLES, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--samples", required=True)
    a = ap.parse_args()
    XDET, SAMPLES = os.path.abspath(a.xdet), os.path.abspath(a.samples)
    WORK = tempfile.mkdtemp(prefix="xdet-cli-test-")
    try:
        for t in [test_one_cli, test_small_things] + EXTRA_TESTS:
            t()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print(f"{len(FAILS)} failed")
    return 1 if FAILS else 0


EXTRA_TESTS = []

if __name__ == "__main__":
    sys.exit(main())
