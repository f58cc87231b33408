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
    expect_rc("unknown command: did you mean", 2, "inpsect", stderr_has="did you mean 'inspect'?")
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


def test_outputs():
    starv = os.path.join(SAMPLES, "starvation.xex")
    hello = os.path.join(SAMPLES, "hello.xex")
    # The README's own example: out/ did not exist and the run failed with "cannot open trace file".
    expect_rc("--trace into a folder that does not exist yet", 0, "run", hello, "--trace", "out/trace.jsonl")
    check("trace and exit state written into the new folder",
          os.path.exists(os.path.join(WORK, "out", "trace.jsonl")) and
          os.path.exists(os.path.join(WORK, "out", "trace.exit-thread-state.json")))
    # One exit code (10) for an output that cannot be written, in every subcommand.
    blocker = os.path.join(WORK, "a-file")
    open(blocker, "w").close()
    for name, args in [("run --trace", ["run", hello, "--trace", blocker + "/t.jsonl"]),
                       ("run --exit-state", ["run", hello, "--exit-state", blocker + "/e.json"]),
                       ("gen-traces", ["gen-traces", "-q", "--events", "100", "--out-dir", blocker + "/g"]),
                       ("pack", ["pack", os.path.join(SAMPLES, "hello.elf"), blocker + "/h.xex"]),
                       ("diff --out", ["diff", "--canary", "eq/canary.jsonl", "--ours", "eq/ours.jsonl",
                                       "--out", blocker + "/r.md"])]:
        rc, _, err = run(*args)
        want = 1 if name.startswith("diff") else 10  # diff keeps the reference's codes
        check(f"unwritable output: {name} exits {want}", rc == want, f"rc={rc} {err[:300]}")
    # Two runs with traces in one folder used to overwrite each other's exit-thread-state.json.
    expect_rc("first run, trace a", 7, "run", "--sched-policy", "strict", "--trace", "two/a.jsonl", starv)
    expect_rc("second run, trace b, same folder", 0, "run", "--trace", "two/b.jsonl.zst", starv)
    a_state = json.load(open(os.path.join(WORK, "two", "a.exit-thread-state.json")))
    b_state = json.load(open(os.path.join(WORK, "two", "b.exit-thread-state.json")))
    check("each trace keeps its own exit state (NAME.exit-thread-state.json)",
          a_state["stop_reason"] == "livelock" and a_state["trace"] == "a.jsonl" and
          b_state["stop_reason"] == "process-exit" and b_state["trace"] == "b.jsonl.zst", (a_state["trace"], b_state["trace"]))
    check("no shared exit-thread-state.json is written", not os.path.exists(os.path.join(WORK, "two", "exit-thread-state.json")))
    # zstd traces: the same bytes, compressed; diff reads them transparently.
    expect_rc("--trace X.jsonl.zst", 7, "run", "--sched-policy", "strict", "--trace", "z/t.jsonl.zst", starv)
    expect_rc("--trace X.jsonl (plain twin)", 7, "run", "--sched-policy", "strict", "--trace", "p/t.jsonl", starv)
    raw = open(os.path.join(WORK, "z", "t.jsonl.zst"), "rb").read()
    check("the .zst trace is zstd", raw[:4] == b"\x28\xb5\x2f\xfd", raw[:8])
    plain = subprocess.run(["zstd", "-dc", os.path.join(WORK, "z", "t.jsonl.zst")], capture_output=True).stdout
    check("the .zst trace decompresses to the plain trace", plain == open(os.path.join(WORK, "p", "t.jsonl"), "rb").read())
    expect_rc("diff reads .zst inputs", 0, "diff", "--canary", "z/t.jsonl.zst", "--ours", "p/t.jsonl",
              "--validate-identical")
    rc1, r1, _ = run("diff", "--canary", "eq/canary.jsonl", "--ours", "eq/ours.jsonl")
    subprocess.run(["zstd", "-q", "-f", os.path.join(WORK, "eq", "ours.jsonl"), "-o", os.path.join(WORK, "eq", "o.jsonl.zst")])
    rc2, r2, _ = run("diff", "--canary", "eq/canary.jsonl", "--ours", "eq/o.jsonl.zst")
    check("diff: a .zst input gives the same report as the plain file", rc1 == rc2 and r1 == r2 and r1)
    with open(os.path.join(WORK, "bad.jsonl.zst"), "wb") as f:
        f.write(raw[:len(raw) // 2])
    rc, _, err = run("diff", "--canary", "bad.jsonl.zst", "--ours", "p/t.jsonl")
    check("diff: a truncated .zst is one clear error, exit 1", rc == 1 and "bad.jsonl.zst" in err and len(err.strip().split("\n")) == 1, err)


def test_stubs():
    xex = os.path.join(SAMPLES, "unimplemented_import.xex")
    rc, _, err = expect_rc("unimplemented import still stops the run by default", 8, "run", xex)
    # The sample calls whatever XAM export xdet does not implement yet: take its name from the stop message.
    import re
    m = re.search(r"import xam\.xex!(\w+) \(ordinal", err)
    check("the stop message names the export", m, err)
    name = m.group(1) if m else "XamLoaderLaunchTitle"
    rc, out, err = expect_rc("--stub NAME gets past it", 0, "run", xex, "--stub", name + "=0x5",
                             "--trace", "stub/t.jsonl", stdout_has="after the call")
    check("--stub prints a summary at exit", f"stubbed xam.xex!{name}" in err and "returned 0x00000005" in err, err)
    events = [json.loads(l) for l in open(os.path.join(WORK, "stub", "t.jsonl"))][1:]
    calls = [e for e in events if e["kind"] == "kernel.call" and e["payload"]["name"] == name]
    check("kernel.call carries stubbed: true", calls and calls[0]["payload"].get("stubbed") is True, calls)
    rets = [e for e in events if e["kind"] == "kernel.return" and e["payload"]["name"] == name]
    check("kernel.return carries the stub's status", rets and rets[0]["payload"]["return_value"] == "0x00000005", rets)
    state = json.load(open(os.path.join(WORK, "stub", "t.exit-thread-state.json")))
    check("exit state lists the stubbed calls",
          state.get("stubbed_calls") == [{"module": "xam.xex", "name": name, "ordinal": state["stubbed_calls"][0]["ordinal"],
                                          "status": "0x00000005", "calls": 1}], state.get("stubbed_calls"))
    expect_rc("--stub-all-missing", 0, "run", xex, "--stub-all-missing", stdout_has="after the call")
    expect_rc("--stub of an implemented export is a usage error", 2, "run", xex, "--stub", "NtClose",
              stderr_has="implements it")
    expect_rc("--stub of an unknown name is a usage error", 2, "run", xex, "--stub", "NoSuchExport")
    expect_rc("--stub with a bad status is a usage error", 2, "run", xex, "--stub", name + "=-1")


def test_symbols():
    fault = os.path.join(SAMPLES, "fault.xex")
    rc, _, err = expect_rc("fault report names the function from the ELF beside the XEX", 4, "run", fault,
                           stderr_has="read_field+0x")
    check("fault report has a back-chain backtrace", "parse_header" in err and "main+0x" in err, err)
    # --symbols with an nm-style map (the ELF moved away).
    d = os.path.join(WORK, "sym")
    os.makedirs(d)
    shutil.copy(fault, os.path.join(d, "fault.xex"))
    rc, _, err = run("run", os.path.join(d, "fault.xex"))
    check("no symbols without the ELF", rc == 4 and "read_field" not in err, err)
    nm = subprocess.run(["powerpc-linux-gnu-nm", os.path.join(SAMPLES, "fault.elf")], capture_output=True, text=True)
    with open(os.path.join(d, "fault.map"), "w") as f:
        f.write(nm.stdout)
    expect_rc("--symbols MAP", 4, "run", os.path.join(d, "fault.xex"), "--symbols", os.path.join(d, "fault.map"),
              stderr_has="read_field+0x")
    expect_rc("--symbols ELF", 4, "run", os.path.join(d, "fault.xex"), "--symbols", os.path.join(SAMPLES, "fault.elf"),
              stderr_has="read_field+0x")
    with open(os.path.join(d, "bad.map"), "w") as f:
        f.write("82001000 T main\nnot a symbol line at all\n")
    expect_rc("--symbols with a malformed map: exit 3 naming file:line", 3, "run", os.path.join(d, "fault.xex"),
              "--symbols", os.path.join(d, "bad.map"), stderr_has="bad.map:2")
    rc, out, _ = expect_rc("inspect --disasm shows symbols", 0, "inspect", "--disasm", "entry:64", os.path.join(SAMPLES, "fault.xex"))
    check("inspect --disasm labels functions", "<main>:" in out or "<_start>:" in out, out[:500])


def test_schema_headings():
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "schema-v1.md")
    headings = {l.lstrip("#").strip() for l in open(docs) if l.startswith("#")}
    rc, report, _ = run("diff", "--canary", "eq/canary.jsonl", "--ours", "eq/ours.jsonl")
    import re
    refs = re.findall(r'schema-v1\.md §"([^"]+)"', report) + re.findall(r'§"([^"]+)"', report)
    check("the diff report refers to schema sections", refs, report[:300])
    missing = [r for r in refs if r not in headings]
    check("every schema section the diff report names is a heading of docs/schema-v1.md", not missing, missing)


def test_progress_line():
    # A run longer than a few seconds shows a progress line, but only on a terminal.
    if not shutil.which("script"):
        print("ok   progress line (skipped: no `script` to provide a terminal)")
        return
    # The interpreter, so that the run lasts the few seconds after which the line appears.
    cmd = (f"{XDET} run --cpu interp --sched-policy strict --livelock-rounds 1000000000 --max-guest-ms 100000000 "
           f"--max-instructions 2500000000 {os.path.join(SAMPLES, 'starvation.xex')}")
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, timeout=300, cwd=WORK)
    out = p.stdout.decode(errors="replace")
    check("progress line on a terminal (guest time, round, MIPS, threads by state)",
          "xdet run: guest " in out and " MIPS " in out and "waiting" in out, out[-600:])
    rc, _, err = run("run", "--sched-policy", "strict", "--max-instructions", "300000", os.path.join(SAMPLES, "starvation.xex"))
    check("no progress line when stderr is not a terminal", rc == 6 and "MIPS" not in err, err)


EXTRA_TESTS = [test_progress_line, test_outputs, test_stubs, test_symbols, test_schema_headings]

if __name__ == "__main__":
    sys.exit(main())
