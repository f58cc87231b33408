#!/usr/bin/env python3
"""Randomized parity of `xdet diff` against the reference diff_events.py.

For each case: generate a trace pair with `xdet gen-traces` (varying seed,
size, threads, noise, divergences, exotic values), optionally corrupt it
(bad-input cases), pick a flag combination, run both tools in scratch
directories and require identical exit codes, stderr, report bytes and
absorbed-events JSONL. Where the reference dies with a Python traceback
(inputs it cannot handle), only require exit code 1 and a one-line message
naming the file from xdet.

Without the reference (a clone without ../shared), --replay FILE checks the
same cases against the reference's outputs recorded in FILE (exit codes,
stdout, stderr, report and absorbed-events bytes) by an earlier run with
--record FILE. Cases are a pure function of --seed, and the recording holds
each input's SHA-256, so a change in `xdet gen-traces` output is reported as
such (re-record then) rather than as a parity failure.

Usage: randomized_parity.py --xdet build/xdet --reference .../diff_events.py
       [--cases N] [--seed S] [--keep DIR] [--record FILE]
       randomized_parity.py --xdet build/xdet --replay FILE
"""
import hashlib
import json
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile

FLAG_COMBOS = [
    [],
    ["--emit-absorbed-events", "absorbed.jsonl"],
    ["--validate-identical"],
    ["--disable-absorber", "wait-begin"],
    ["--disable-absorber", "shared-global,nested-cs", "--emit-absorbed-events", "absorbed.jsonl"],
    ["--disable-absorber", " nested-cs , "],
    ["--no-canonicalize-allocators"],
    ["--no-canonicalize-host-heap-fields", "--validate-identical"],
    ["--tid-map", "6=1,7=2,8=3"],
    ["--tid-map", "0x6=1, 7 = 3 ,9=2,99=1,6=4"],
    ["--tid-map", "6=1,7"],
    ["--tid-map", "6=x"],
    ["--disable-absorber", "bogus,wait-begin"],
    ["STDOUT"],
    ["STDOUT", "--validate-identical", "--emit-absorbed-events", "absorbed.jsonl"],
]


def corrupt(rng, path, kind):
    """Damage one trace the way real broken logs look."""
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    n = len(lines) - 1  # last element is the empty tail
    i = rng.randrange(1, max(2, n))
    if kind == "truncated_line":
        lines[i] = lines[i][: rng.randrange(1, max(2, len(lines[i])))]
    elif kind == "garbage_line":
        lines[i] = rng.choice([b"garbage", b"{\"tid\": 1,}", b"[1, 2", b"{\"a\" 1}", b"  ", b"\"str", b"{} {}",
                               b"{\"tid\": 01}", b"{\"tid\": 1, \"x\": \"\\q\"}", b"{\"x\": \"\\ud800\\u12\"}",
                               b"\xef\xbb\xbf{}", b"{\"tid\": tru}", b"nul", b"-", b"{\"x\":1.}"])
    elif kind == "missing_tid":
        lines[i] = b"{\"tid_event_idx\": 0, \"kind\": \"import.call\", \"payload\": {}}"
    elif kind == "null_tid":
        lines[i] = lines[i].replace(b"\"tid\":", b"\"tid\":null,\"x\":", 1)
    elif kind == "out_of_order":
        lines[i] = lines[i].replace(b"\"tid_event_idx\":", b"\"tid_event_idx\":-5,\"y\":", 1)
    elif kind == "schema_version":
        lines[0] = rng.choice([b"{\"kind\":\"schema_version\",\"schema_version\":2}",
                               b"{\"kind\":\"schema_version\",\"schema_version\":\"1\"}",
                               b"{\"kind\":\"schema_version\",\"schema_version\":1.0}",
                               b"{\"kind\":\"schema_version\"}",
                               b"{\"kind\":\"header\",\"schema_version\":1}",
                               b"{\"schema_version\":1}",
                               b"{\"kind\":[1,\"x\"],\"schema_version\":1}"])
    elif kind == "empty_file":
        lines = [b""]
    elif kind == "blank_lines":
        lines.insert(i, b"")
        lines.insert(i, b"")
    elif kind == "crlf":
        lines = [l + b"\r" if l else l for l in lines]
    elif kind == "bad_utf8":
        lines[i] = lines[i].replace(b"\"name\":\"", b"\"name\":\"\xff", 1)
    elif kind == "deep_nesting":
        lines[i] = b"{\"tid\":6,\"x\":" + b"[" * 5000 + b"]" * 5000 + b"}"
    elif kind == "tid_types":
        # The reference keys threads by any hashable tid: "7", 7.0, true, 7.5.
        import re
        m = re.search(rb'"tid":(\d+),', lines[i])
        if m:
            tid = m.group(1)
            new = rng.choice([b'"' + tid + b'"', tid + b".0", b"true", tid + b".5", b'"t' + tid + b'"'])
            whole = rng.random() < 0.7
            for k in range(1, n):
                if (whole or k == i) and lines[k].startswith(b'{"tid":' + tid + b","):
                    lines[k] = b'{"tid":' + new + lines[k][len(b'{"tid":' + tid):]
    elif kind == "payload_types":
        lines[i] = lines[i].replace(b"\"payload\":{", b"\"payload\":{\"weird\":[1,{\"k\":null}],\"f\":1e400,", 1)
    with open(path, "wb") as f:
        f.write(b"\n".join(lines))


CRASH_KINDS = {"bad_utf8", "deep_nesting"}  # the reference dies with a traceback


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def to_text(b):
    """Bytes as a JSON-safe string (latin-1 keeps every byte)."""
    return None if b is None else b.decode("latin-1")


def from_text(t):
    return None if t is None else t.encode("latin-1")


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--reference", help="the reference diff_events.py (live comparison)")
    ap.add_argument("--replay", help="compare with the reference outputs recorded in this file")
    ap.add_argument("--record", help="with --reference: record its outputs into this file")
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", default=None, help="keep failing cases here")
    args = ap.parse_args()
    if bool(args.reference) == bool(args.replay):
        ap.error("give exactly one of --reference and --replay")
    recorded = None
    if args.replay:
        with open(args.replay) as f:
            recorded = json.load(f)
        args.seed, args.cases = recorded["seed"], recorded["cases"]
    recording = {"seed": args.seed, "cases": args.cases, "results": []} if args.record else None
    xdet = os.path.abspath(args.xdet)
    rng = random.Random(args.seed)
    failures = 0
    base = tempfile.mkdtemp(prefix="xdet-rparity-")
    counts = {"identical": 0, "bad_input": 0, "crash_class": 0}
    try:
        for case in range(args.cases):
            work = os.path.join(base, f"case{case}")
            os.makedirs(work)
            seed = rng.randrange(1, 1 << 30)
            gen = [xdet, "gen-traces", "-q", "--out-dir", work, "--seed", str(seed),
                   "--events", str(rng.choice([300, 1500, 4000])),
                   "--threads", str(rng.choice([1, 2, 3, 5, 8])),
                   "--divergences", str(rng.choice([0, 0, 1, 2, 4])),
                   "--noise", str(rng.choice([0, 1, 2, 3, 3])),
                   "--exotic-rate", str(rng.choice([0.0, 0.02, 0.2]))]
            if rng.random() < 0.3:
                gen.append("--no-remap")
            rc, _, err = run(gen, work)
            if rc != 0:
                print(f"case {case}: generator failed: {err.decode()}")
                failures += 1
                continue
            bad = None
            if rng.random() < 0.3:
                bad = rng.choice(["truncated_line", "garbage_line", "missing_tid", "null_tid", "out_of_order",
                                  "schema_version", "empty_file", "blank_lines", "crlf", "bad_utf8",
                                  "deep_nesting", "payload_types", "tid_types", "tid_types"])
                corrupt(rng, os.path.join(work, rng.choice(["canary.jsonl", "ours.jsonl"])), bad)
            flags = list(rng.choice(FLAG_COMBOS))
            stdout_mode = "STDOUT" in flags
            flags = [f for f in flags if f != "STDOUT"]
            out = [] if stdout_mode else ["--out", "report.md"]
            results = {}
            digests = [sha256_file(os.path.join(work, n)) for n in ("canary.jsonl", "ours.jsonl")]
            if recorded is not None:
                rec = recorded["results"][case]
                if rec["inputs_sha256"] != digests:
                    failures += 1
                    print(f"FAIL case {case}: generated inputs differ from the recording "
                          f"(xdet gen-traces output changed?): re-record with --record")
                    continue
                results["ref"] = (rec["rc"], from_text(rec["stdout"]), from_text(rec["stderr"]),
                                  {k: from_text(v) for k, v in rec["files"].items()})
            for tool in (("xdet",) if recorded is not None else ("ref", "xdet")):
                d = os.path.join(work, tool)
                os.makedirs(d)
                shutil.copy(os.path.join(work, "canary.jsonl"), d)
                shutil.copy(os.path.join(work, "ours.jsonl"), d)
                cmd = ([sys.executable, args.reference] if tool == "ref" else [xdet, "diff"])
                cmd += ["--canary", "canary.jsonl", "--ours", "ours.jsonl"] + out + flags
                rc, so, se = run(cmd, d)
                files = {}
                for name in ("report.md", "absorbed.jsonl"):
                    p = os.path.join(d, name)
                    files[name] = open(p, "rb").read() if os.path.exists(p) else None
                results[tool] = (rc, so, se, files)
            r_rc, r_out, r_err, r_files = results["ref"]
            if recording is not None:
                recording["results"].append({
                    "inputs_sha256": digests, "bad": bad, "flags": flags, "stdout_mode": stdout_mode,
                    "rc": r_rc, "stdout": to_text(r_out), "stderr": to_text(r_err),
                    "files": {k: to_text(v) for k, v in r_files.items()}})
            x_rc, x_out, x_err, x_files = results["xdet"]
            why = []
            if b"Traceback (most recent call last)" in r_err:
                counts["crash_class"] += 1
                if x_rc != 1:
                    why.append(f"reference crashed; xdet rc {x_rc} != 1")
                lines = x_err.decode(errors="replace").strip().split("\n")
                if len(lines) != 1 or (bad in CRASH_KINDS and ".jsonl" not in lines[0]):
                    why.append(f"reference crashed; xdet stderr not one line naming the file: {x_err!r}")
                crash_flags = "6=x" in flags  # int('x', 0) raises in the reference
                if bad not in CRASH_KINDS and bad not in (None, "payload_types", "tid_types") and not crash_flags:
                    why.append(f"reference crashed on '{bad}' (unexpected): {r_err[-300:]!r}")
            else:
                counts["bad_input" if bad else "identical"] += 1
                if r_rc != x_rc:
                    why.append(f"rc {x_rc} != ref {r_rc}")
                if r_err != x_err:
                    why.append(f"stderr differs: ref {r_err[:300]!r} xdet {x_err[:300]!r}")
                if r_out != x_out:
                    why.append("stdout differs")
                for name in r_files:
                    if r_files[name] != x_files[name]:
                        why.append(f"{name} differs")
            if why:
                failures += 1
                print(f"FAIL case {case} (seed {seed}, bad={bad}, flags={flags}, stdout={stdout_mode}): " + "; ".join(why))
                if args.keep:
                    dst = os.path.join(args.keep, f"case{case}")
                    shutil.rmtree(dst, ignore_errors=True)
                    shutil.copytree(work, dst)
            shutil.rmtree(work, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    if recording is not None:
        if len(recording["results"]) != args.cases:
            print("not recorded: a case failed before the reference ran")
            return 1
        with open(args.record, "w") as f:
            json.dump(recording, f, indent=0, sort_keys=True)
            f.write("\n")
    print(f"{args.cases - failures} passed, {failures} failed "
          f"(exact-parity cases: {counts['identical']} clean + {counts['bad_input']} bad-input; "
          f"reference-crash cases: {counts['crash_class']})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
