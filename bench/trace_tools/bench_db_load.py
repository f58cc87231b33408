#!/usr/bin/env python3
"""`xdet db` load rate on 1M-event traces: medians of repeated runs.

Traces:
  calls  `xdet gen-traces --events 1000000` canary.jsonl (1,066,749 events:
         kernel calls, waits, handles; the pairing and payload-heavy case)
  sched  the starvation sample under strict priority with --trace-sched and
         --livelock-rounds 500000 (1,000,092 events, mostly scheduler events)
For each, `xdet db` runs --runs times; the figures are the loader's own
(stderr): load wall and CPU events/s (parse + insert, before the indexes),
the CPU of the parsing and the inserting thread, index wall, and the whole
command's wall and CPU time (what a user waits for: parse, insert, indexes).
Medians are printed with the load average, since the machine may be shared.
Target: the whole command at >= 1M events/s.

Usage: bench_db_load.py --xdet build/xdet [--samples build/guest/samples] [--runs 7] [--tmp DIR]
"""
import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

FIG = re.compile(r"xdet db: (\d+) events .*? loaded in ([\d.]+) s \(\d+ events/s; CPU ([\d.]+) s, \d+ events/s; "
                 r"parse ([\d.]+) s, insert ([\d.]+) s\), indexed in ([\d.]+) s \(CPU ([\d.]+) s\)")


def bench(xdet, trace, out, runs):
    rows = []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        r = subprocess.run([xdet, "db", trace, "-o", out], capture_output=True, text=True)
        wall = time.monotonic() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        whole_cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
        m = FIG.search(r.stderr)
        if r.returncode or not m:
            sys.exit(f"xdet db failed (rc {r.returncode}): {r.stderr}")
        events = int(m.group(1))
        load, cpu, parse, insert, index, index_cpu = (float(m.group(k)) for k in range(2, 8))
        rows.append(dict(events=events, load=load, cpu=cpu, parse=parse, insert=insert, index=index,
                         index_cpu=index_cpu, wall=wall, whole_cpu=whole_cpu))
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    n = rows[0]["events"]
    return n, med, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--samples")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--tmp")
    a = ap.parse_args()
    xdet = os.path.abspath(a.xdet)
    work = tempfile.mkdtemp(prefix="xdet-bench-db-", dir=a.tmp or ("/work" if os.access("/work", os.W_OK) else None))
    ok = True
    try:
        traces = []
        subprocess.run([xdet, "gen-traces", "-q", "--out-dir", work, "--events", "1000000", "--seed", "11",
                        "--threads", "12", "--divergences", "2"], check=True)
        os.remove(os.path.join(work, "ours.jsonl"))
        traces.append(("calls", os.path.join(work, "canary.jsonl")))
        if a.samples and os.path.exists(os.path.join(a.samples, "starvation.xex")):
            os.makedirs(os.path.join(work, "sched"))
            trace = os.path.join(work, "sched", "trace.jsonl")
            subprocess.run([xdet, "run", "--trace", trace, "--trace-sched", "--sched-policy", "strict",
                            "--livelock-rounds", "500000", os.path.join(a.samples, "starvation.xex")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            traces.append(("sched", trace))
        for tag, trace in traces:
            load_before = os.getloadavg()[0]
            n, med, rows = bench(xdet, trace, os.path.join(work, tag + ".sqlite"), a.runs)
            load_after = os.getloadavg()[0]
            wall_rate = n / med["load"]
            print(f"== {tag}: {n} events, {os.path.getsize(trace) / 1e6:.0f} MB, median of {a.runs} runs "
                  f"(load average {load_before:.2f} -> {load_after:.2f})")
            print(f"  load:  {med['load']:.3f} s wall = {wall_rate / 1e6:.2f} M events/s; "
                  f"CPU {med['cpu']:.3f} s = {n / med['cpu'] / 1e6:.2f} M events/s per CPU-second "
                  f"(parse {med['parse']:.3f} s, insert {med['insert']:.3f} s)")
            print(f"  index: {med['index']:.3f} s wall (CPU {med['index_cpu']:.3f} s)")
            whole_rate = n / med["wall"]
            print(f"  whole command: {med['wall']:.3f} s wall = {whole_rate / 1e6:.2f} M events/s; "
                  f"CPU {med['whole_cpu']:.3f} s = {n / med['whole_cpu'] / 1e6:.2f} M events/s per CPU-second")
            print("  whole-command walls: " + " ".join(f"{r['wall']:.3f}" for r in rows))
            ok &= whole_rate >= 1e6
            print(f"  whole command >= 1M events/s: {'OK' if whole_rate >= 1e6 else 'MISSED'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
