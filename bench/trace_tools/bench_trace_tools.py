#!/usr/bin/env python3
"""Benchmark of `xdet db` and `xdet timeline` on 1M-event traces.

1. A scheduling-heavy run: the starvation sample under strict priority with
   --trace-sched and --livelock-rounds 500000 (1,000,093 lines, ~260 MB).
2. A kernel-call-heavy trace from `xdet gen-traces --events 1000000`
   (ours.jsonl, ~890k events, no scheduling events).
For each: `xdet db` (its own load figures: wall and CPU events/s, index
time), `xdet timeline` to HTML and to Perfetto JSON (wall time, output
size), and, when Chromium is installed, the HTML page loaded headless with
its load time and steady-state redraw times (whole run, 1% zoom), which the
page measures itself when opened with #bench.
Target: db loads >= 1M events/s. Temporary files go to --tmp and are removed.

Usage: bench_trace_tools.py --xdet build/xdet --samples build/guest/samples [--tmp DIR] [--keep]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


def timed(cmd):
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True)
    return time.monotonic() - t0, r


def bench(xdet, trace, work, tag):
    size = os.path.getsize(trace)
    print(f"== {tag}: {trace} ({size / 1e6:.0f} MB)")
    wall, r = timed([xdet, "db", trace, "-o", os.path.join(work, tag + ".sqlite")])
    print(f"  db:       {wall:.2f} s wall; {r.stderr.strip()}")
    for fmt, ext in (("html", "html"), ("perfetto", "json")):
        out = os.path.join(work, f"{tag}.{ext}")
        wall, r = timed([xdet, "timeline", "--format", fmt, trace, "-o", out])
        if r.returncode:
            sys.exit(r.stderr)
        print(f"  timeline {fmt}: {wall:.2f} s wall, {os.path.getsize(out) / 1e6:.1f} MB")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser:
        page = os.path.join(work, tag + ".html")
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--user-data-dir=" + os.path.join(work, "profile"), "--virtual-time-budget=60000",
                            "--window-size=1400,800", "--dump-dom", "file://" + os.path.abspath(page) + "#bench"],
                           capture_output=True, text=True, timeout=600)
        got = dict(re.findall(r'data-([a-z-]+-ms)="([\d.]+)"', r.stdout))
        print(f"  page: load {got.get('load-ms', '?')} ms, redraw whole run {got.get('bench-whole-ms', '?')} ms, "
              f"1% zoom {got.get('bench-zoomed-ms', '?')} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--tmp")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="xdet-bench-tt-", dir=a.tmp)
    try:
        os.makedirs(os.path.join(work, "sched"))
        trace = os.path.join(work, "sched", "trace.jsonl")
        subprocess.run([a.xdet, "run", "--trace", trace, "--trace-sched", "--sched-policy", "strict",
                        "--livelock-rounds", "500000", os.path.join(a.samples, "starvation.xex")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bench(a.xdet, trace, work, "sched")
        os.makedirs(os.path.join(work, "gen"))
        subprocess.run([a.xdet, "gen-traces", "--out-dir", os.path.join(work, "gen"), "--events", "1000000", "-q"],
                       check=True)
        bench(a.xdet, os.path.join(work, "gen", "ours.jsonl"), work, "calls")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
