#!/usr/bin/env python3
"""Command-line parity of `xdet diff` with the reference's argparse interface:
for each argument list, the exit code, stdout and the stderr text must match
byte for byte (argparse's program name is "diff_events.py" in both). Cases
where the reference dies with a traceback only need exit code 1 and a
one-line error from xdet.

The inputs are a small divergent pair from `xdet gen-traces` (fixed seed).
Without the reference, --replay FILE compares with the reference's outputs
recorded by --record FILE.

Usage: cli_parity.py --xdet build/xdet --reference .../diff_events.py [--record FILE]
       cli_parity.py --xdet build/xdet --replay FILE"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

CASES = [
    [], ["--canary"], ["--canary", "c.jsonl"], ["--ours", "o.jsonl", "--canary"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--bogus", "x"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--validate-identical=3"],
    ["--can", "c.jsonl", "--ou", "o.jsonl"], ["--canary", "c.jsonl", "--ours", "o.jsonl", "--no"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--tid-map", "-1=2"],
    ["--canary=c.jsonl", "--ours", "o.jsonl", "extra1", "extra2"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "-x"], ["--canary", "c.jsonl", "--ours", "o.jsonl", "--", "x"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--disable-absorber"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--out"],
    ["--cana=c.jsonl", "--ours=o.jsonl", "--val", "--out=r.md"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--disable-absorber", "x,nested-cs,,y"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--tid-map", ","],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--tid-map", "6=1,7=2,8=99", "--validate-identical"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--tid-map", ""],
    ["--canary", "./c.jsonl", "--ours", "o.jsonl", "--out", "./sub//r.md"],
    ["--canary", "missing.jsonl", "--ours", "o.jsonl"],
    ["--help"], ["-hh"], ["-hhx"], ["-h=h"], ["--help=1"], ["--canary", "c.jsonl", "--ours", "o.jsonl", "--"],
    ["--canary", "c.jsonl", "--ours", "o.jsonl", "--emit-absorbed-events", "a.jsonl", "--out", "r.md",
     "--no-canonicalize-allocators", "--no-canonicalize-host-heap-fields"],
]


def to_text(b):
    return b.decode("latin-1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--reference")
    ap.add_argument("--replay")
    ap.add_argument("--record")
    a = ap.parse_args()
    if bool(a.reference) == bool(a.replay):
        ap.error("give exactly one of --reference and --replay")
    xdet = os.path.abspath(a.xdet)
    gen = tempfile.mkdtemp(prefix="xdet-cli-gen-")
    subprocess.run([xdet, "gen-traces", "-q", "--out-dir", gen, "--seed", "9", "--events", "400", "--threads", "3",
                    "--divergences", "2"], check=True)
    digest = hashlib.sha256(open(os.path.join(gen, "canary.jsonl"), "rb").read() +
                            open(os.path.join(gen, "ours.jsonl"), "rb").read()).hexdigest()
    recorded = json.load(open(a.replay)) if a.replay else None
    if recorded is not None and recorded["inputs_sha256"] != digest:
        print("FAIL generated inputs differ from the recording (xdet gen-traces output changed?): re-record")
        return 1
    recording = {"inputs_sha256": digest, "results": []}
    fails = 0
    for i, args in enumerate(CASES):
        outs = {}
        for tool in (("xdet",) if recorded is not None else ("ref", "xdet")):
            d = tempfile.mkdtemp(prefix="xdet-cli-")
            os.makedirs(os.path.join(d, "sub"))
            shutil.copy(os.path.join(gen, "canary.jsonl"), os.path.join(d, "c.jsonl"))
            shutil.copy(os.path.join(gen, "ours.jsonl"), os.path.join(d, "o.jsonl"))
            cmd = ([sys.executable, a.reference] if tool == "ref" else [xdet, "diff"]) + args
            p = subprocess.run(cmd, cwd=d, capture_output=True, env=dict(os.environ, COLUMNS="80"))
            err = p.stderr.decode(errors="replace")
            files = {f: open(os.path.join(d, f), "rb").read() for f in ("r.md", "sub/r.md", "a.jsonl")
                     if os.path.exists(os.path.join(d, f))}
            outs[tool] = (p.returncode, err, p.stdout, files)
            shutil.rmtree(d)
        if recorded is not None:
            r = recorded["results"][i]
            assert r["args"] == args, "recording does not match the case list: re-record"
            outs["ref"] = (r["rc"], r["stderr"], r["stdout"].encode("latin-1"),
                           {k: v.encode("latin-1") for k, v in r["files"].items()})
        r, x = outs["ref"], outs["xdet"]
        recording["results"].append({"args": args, "rc": r[0], "stderr": r[1], "stdout": to_text(r[2]),
                                     "files": {k: to_text(v) for k, v in r[3].items()}})
        if "Traceback" in r[1]:
            ok = x[0] == 1 and len(x[1].strip().split("\n")) == 1
        else:
            ok = r == x
        if not ok:
            fails += 1
            print(f"FAIL {args}: ref rc={r[0]} {r[1]!r}\n     xdet rc={x[0]} {x[1]!r}")
    shutil.rmtree(gen)
    if a.record:
        with open(a.record, "w") as f:
            json.dump(recording, f, indent=0, sort_keys=True)
            f.write("\n")
    print(f"{len(CASES) - fails} passed, {fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
