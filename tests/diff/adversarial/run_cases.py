#!/usr/bin/env python3
"""run.sh-style parity over tests/diff/adversarial/cases/ (same layout and
semantics as shared/diff-parity-examples/run.sh: scratch dir, `<bin>
--canary canary.jsonl --ours ours.jsonl [--out report.md] <args.txt split on
whitespace>`, exact rc / report / absorbed / stderr comparison, stderr_mode
prefix|lines). Cases listed in known_failing.txt (one name per line, '#'
comments) are skipped and reported as such, so CI stays green while the
mismatches they document are open.

Usage: run_cases.py /path/to/xdet-diff-wrapper [cases_dir]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    cases_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "cases")
    known = set()
    kf = os.path.join(here, "known_failing.txt")
    if os.path.exists(kf):
        for ln in open(kf):
            ln = ln.split("#", 1)[0].strip()
            if ln:
                known.add(ln)
    passed, failed, skipped = 0, [], []
    for name in sorted(os.listdir(cases_dir)):
        d = os.path.join(cases_dir, name)
        if not os.path.isfile(os.path.join(d, "expected_rc")):
            continue
        if name in known:
            skipped.append(name)
            continue
        work = tempfile.mkdtemp(prefix="xdet-adv-case-")
        try:
            shutil.copy(os.path.join(d, "canary.jsonl"), work)
            shutil.copy(os.path.join(d, "ours.jsonl"), work)
            extra = []
            if os.path.exists(os.path.join(d, "args.txt")):
                # bash `read -r -a` (run.sh): first line, split on IFS (space, tab, newline) only
                first = open(os.path.join(d, "args.txt"), "rb").read().split(b"\n", 1)[0]
                extra = [a for a in re.split(rb"[ \t]+", first) if a]
            stdout_mode = os.path.exists(os.path.join(d, "stdout_mode"))
            out = [] if stdout_mode else ["--out", "report.md"]
            p = subprocess.run([binary, "--canary", "canary.jsonl", "--ours", "ours.jsonl"] + out + extra,
                               cwd=work, capture_output=True, timeout=120)
            why = []
            exp_rc = int(open(os.path.join(d, "expected_rc")).read().strip())
            if p.returncode != exp_rc:
                why.append(f"rc {p.returncode} != expected {exp_rc}")
            er = os.path.join(d, "expected_report.md")
            if os.path.exists(er):
                got = p.stdout if stdout_mode else (
                    open(os.path.join(work, "report.md"), "rb").read() if os.path.exists(os.path.join(work, "report.md")) else None)
                if got is None:
                    why.append("no report written")
                elif got != open(er, "rb").read():
                    why.append("report differs")
            ea = os.path.join(d, "expected_absorbed.jsonl")
            if os.path.exists(ea):
                ga = os.path.join(work, "absorbed.jsonl")
                if not os.path.exists(ga):
                    why.append("no absorbed.jsonl written")
                elif open(ga, "rb").read() != open(ea, "rb").read():
                    why.append("absorbed.jsonl differs")
            es = os.path.join(d, "expected_stderr.txt")
            if os.path.exists(es):
                exp = open(es, "rb").read()
                mode = open(os.path.join(d, "stderr_mode")).read().strip() if os.path.exists(os.path.join(d, "stderr_mode")) else "exact"
                if mode == "prefix":
                    ok = p.stderr.startswith(exp)
                elif mode == "lines":
                    ok = all(ln in p.stderr.split(b"\n") for ln in exp.split(b"\n") if ln)
                else:
                    ok = p.stderr == exp
                if not ok:
                    why.append(f"stderr differs: got {p.stderr[:200]!r} expected {exp[:200]!r}")
            if why:
                failed.append(name)
                print(f"FAIL {name}: {'; '.join(why)}")
            else:
                passed += 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {len(failed)} failed, {len(skipped)} known-failing skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
