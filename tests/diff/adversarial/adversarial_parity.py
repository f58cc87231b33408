#!/usr/bin/env python3
"""Adversarial parity driver for `xdet diff` vs the reference diff_events.py.

Generates many targeted (and some randomized) input cases: JSON value
rendering (floats, strings, nesting, duplicate keys), malformed lines,
headers, field types, CLI/argparse forms, tid mapping and absorber edge
cases. Runs both tools in scratch directories exactly the way the shared
run.sh does (`<bin> --canary canary.jsonl --ours ours.jsonl [--out report.md]
<args>`) and compares exit code, stderr, report bytes (file or stdout) and
absorbed-events JSONL bytes.

Cases where the reference dies with a Python traceback are "reference
crashes": xdet may differ there (issue 2 asks for a one-line error naming
file and exit 1); they are counted separately and checked only for rc 1 and
a single stderr line.

Every mismatch is written as a run.sh-layout case directory under --save
(canary.jsonl, ours.jsonl, args.txt, expected_rc, expected_report.md or
stdout_mode, expected_absorbed.jsonl, expected_stderr.txt, why.txt).

Usage: adversarial_parity.py --xdet build/xdet --reference .../diff_events.py
       [--save DIR] [--only SUBSTR] [--random N] [--seed S]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases as casegen  # noqa: E402


def run_tool(cmd, cwd, env):
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=120, env=env)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", b"", b""


def execute(case, tool_cmd, work, env):
    os.makedirs(work)
    with open(os.path.join(work, "canary.jsonl"), "wb") as f:
        f.write(case["canary"])
    with open(os.path.join(work, "ours.jsonl"), "wb") as f:
        f.write(case["ours"])
    for name, data in case.get("extra_files", {}).items():
        p = os.path.join(work, name)
        if data is None:
            os.makedirs(p, exist_ok=True)
        else:
            with open(p, "wb") as f:
                f.write(data)
    out = [] if case.get("stdout_mode") else ["--out", "report.md"]
    if case.get("raw_argv") is not None:
        argv = case["raw_argv"]
    else:
        argv = ["--canary", "canary.jsonl", "--ours", "ours.jsonl"] + out + case["args"]
    rc, so, se = run_tool(tool_cmd + argv, work, env)
    files = {}
    for name in ("report.md", "absorbed.jsonl") + tuple(case.get("check_files", ())):
        p = os.path.join(work, name)
        files[name] = open(p, "rb").read() if os.path.isfile(p) else None
    return rc, so, se, files


def expressible(case):
    """Can run.sh reproduce this case (args split on whitespace by `read -a`)?"""
    if case.get("raw_argv") is not None or case.get("extra_files") or case.get("env"):
        return False
    for a in case["args"]:
        if a == "" or any(c in a for c in " \t\n"):
            return False
    return True


def save_case(case, ref, why, dst):
    rc, so, se, files = ref
    shutil.rmtree(dst, ignore_errors=True)
    os.makedirs(dst)
    with open(os.path.join(dst, "canary.jsonl"), "wb") as f:
        f.write(case["canary"])
    with open(os.path.join(dst, "ours.jsonl"), "wb") as f:
        f.write(case["ours"])
    with open(os.path.join(dst, "args.txt"), "w") as f:
        f.write(" ".join(case["args"]) + ("\n" if case["args"] else ""))
    with open(os.path.join(dst, "expected_rc"), "w") as f:
        f.write(f"{rc}\n")
    if case.get("stdout_mode"):
        open(os.path.join(dst, "stdout_mode"), "w").close()
        if so or rc in (0, 1):
            with open(os.path.join(dst, "expected_report.md"), "wb") as f:
                f.write(so)
    elif files.get("report.md") is not None:
        with open(os.path.join(dst, "expected_report.md"), "wb") as f:
            f.write(files["report.md"])
    if files.get("absorbed.jsonl") is not None:
        with open(os.path.join(dst, "expected_absorbed.jsonl"), "wb") as f:
            f.write(files["absorbed.jsonl"])
    with open(os.path.join(dst, "expected_stderr.txt"), "wb") as f:
        f.write(se)
    note = "" if expressible(case) else " [NOT expressible through run.sh: " + (
        "raw argv/extra files/env" if case.get("raw_argv") is not None or case.get("extra_files") or case.get("env")
        else "argument with whitespace or empty") + f"; argv tail {case.get('raw_argv') or case['args']!r}]"
    with open(os.path.join(dst, "why.txt"), "w") as f:
        f.write(f"[{case['category']}] {case.get('desc', '')}: {why}{note}\n")


def strip_prog(err):
    """Drop argparse's usage block and program name (reference: diff_events.py,
    xdet: "xdet diff") so that other stderr differences stay visible."""
    out = []
    skipping = False
    for ln in err.split(b"\n"):
        if ln.startswith(b"usage: "):
            skipping = True
        if skipping:
            if b": error: " in ln:
                skipping = False
                out.append(b"PROG: error: " + ln.split(b": error: ", 1)[1])
            continue
        out.append(ln)
    return b"\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--save", default=None, help="write mismatching cases here")
    ap.add_argument("--save-pass", default=None, help="write passing run.sh-expressible cases here")
    ap.add_argument("--only", default=None, help="comma-separated name substrings")
    ap.add_argument("--random", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    xdet = os.path.abspath(args.xdet)
    ref_cmd = [sys.executable, os.path.abspath(args.reference)]
    base = tempfile.mkdtemp(prefix="xdet-adv-")
    stats = {}
    mismatches = []
    crashes = []
    prog_only = []
    all_cases = list(casegen.targeted_cases()) + list(casegen.random_cases(args.random, args.seed))
    seen = set()
    try:
        for n, case in enumerate(all_cases):
            name = case["name"]
            assert name not in seen, name
            seen.add(name)
            if args.only and not any(o in name for o in args.only.split(",")):
                continue
            env = dict(os.environ)
            env.update(case.get("env", {}))
            cat = case["category"]
            st = stats.setdefault(cat, [0, 0, 0, 0])
            st[0] += 1
            r = execute(case, ref_cmd, os.path.join(base, f"{n}-ref"), env)
            x = execute(case, [xdet, "diff"], os.path.join(base, f"{n}-xdet"), env)
            why = []
            if b"Traceback (most recent call last)" in r[2]:
                st[2] += 1
                last = r[2].decode("utf-8", "replace").strip().split("\n")[-1]
                xl = x[2].decode("utf-8", "replace").strip().split("\n")
                crash_note = "ok"
                if x[0] != 1 or len(xl) != 1:
                    crash_note = f"xdet rc={x[0]} stderr={x[2][:200]!r}"
                crashes.append((name, last[:160], crash_note))
                continue
            if r[0] != x[0]:
                why.append(f"rc xdet={x[0]} ref={r[0]}")
            if r[2] != x[2] and strip_prog(r[2]) == strip_prog(x[2]) and r[0] == x[0] == 2:
                st[3] += 1
                prog_only.append(name)
                if len(prog_only) <= 3 and args.save:
                    save_case(case, r, "argparse usage/prog name differs only", os.path.join(args.save, "argparse_prog_" + name))
                continue
            if r[2] != x[2]:
                why.append(f"stderr xdet={x[2][:300]!r} ref={r[2][:300]!r}")
            if r[1] != x[1]:
                why.append("stdout differs" + (f" xdet={x[1][:200]!r} ref={r[1][:200]!r}" if len(r[1]) < 2000 else ""))
            for fname in r[3]:
                if r[3][fname] != x[3][fname]:
                    if r[3][fname] is None or x[3][fname] is None:
                        why.append(f"{fname}: ref {'absent' if r[3][fname] is None else 'present'}, "
                                   f"xdet {'absent' if x[3][fname] is None else 'present'}")
                    else:
                        a, b = r[3][fname], x[3][fname]
                        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
                        why.append(f"{fname} differs at byte {i}: ref {a[max(0, i - 40):i + 60]!r} "
                                   f"xdet {b[max(0, i - 40):i + 60]!r}")
            if why:
                st[1] += 1
                msg = "; ".join(why)
                mismatches.append((name, msg))
                print(f"MISMATCH {name}: {msg}", flush=True)
                if args.save:
                    save_case(case, r, msg, os.path.join(args.save, name))
            else:
                if args.verbose:
                    print(f"ok {name}", flush=True)
                if args.save_pass and expressible(case):
                    save_case(case, r, "passes (regression case)", os.path.join(args.save_pass, name))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("\nper category: tried / mismatches / reference crashes / argparse-prog-name-only")
    for cat in sorted(stats):
        t, m, c, p = stats[cat]
        print(f"  {cat:28s} {t:5d} {m:5d} {c:5d} {p:5d}")
    tot = [sum(v[i] for v in stats.values()) for i in range(4)]
    print(f"  {'TOTAL':28s} {tot[0]:5d} {tot[1]:5d} {tot[2]:5d} {tot[3]:5d}")
    print(f"argparse prog-name-only differences: {len(prog_only)} ({' '.join(prog_only[:8])} ...)")
    print("\nreference crashes (xdet allowed to differ):")
    for name, last, note in crashes:
        print(f"  {name}: {last} -> xdet {note}")
    print(f"\n{len(mismatches)} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
