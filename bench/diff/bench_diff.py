#!/usr/bin/env python3
"""Benchmark of `xdet diff` against the reference diff_events.py.

1. Generates a ~1M-event trace pair (1M events per trace) with
   `xdet gen-traces` and runs --pairs paired runs: the reference, then xdet
   diff, back to back, so both see the same machine load. Prints each
   pair's speed-up and the median (target >= 100x), peak RSS (target <= 1/10
   of the reference's) and whether the reports are identical.
2. Generates a ~13M-event pair (about 6.3 GB of JSONL; needs ~7 GB free
   disk), runs xdet diff --runs times on it and checks the median wall time
   (target <= 4 s) and peak RSS (<= 2 GiB). The reference is not run there:
   it does not fit in memory.
The load average is printed before and after each part: the machine may be
shared, and the figures mean little without it.
Temporary files go to --tmp (default: a fresh directory under /work if
writable, else /tmp) and are deleted afterwards.

Usage: bench_diff.py --xdet build/xdet --reference .../diff_events.py
                     [--pairs 5] [--runs 5] [--skip-1m] [--skip-13m] [--skip-reference] [--tmp DIR]
"""
import argparse
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
import time


def measure(cmd, cwd):
    """Runs cmd; returns (wall seconds, peak RSS bytes, exit code)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        sys.stderr.write(err)
    return wall, ru.ru_maxrss * 1024, p.returncode


def loadavg():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def gen(xdet, d, events, seed):
    t0 = time.monotonic()
    subprocess.run([xdet, "gen-traces", "-q", "--out-dir", d, "--seed", str(seed), "--events", str(events),
                    "--threads", "12", "--divergences", "2"], check=True)
    size = sum(os.path.getsize(os.path.join(d, f)) for f in ("canary.jsonl", "ours.jsonl"))
    print(f"  generated {size / 1e9:.2f} GB in {time.monotonic() - t0:.1f} s")
    return size


def fmt_bytes(b):
    return f"{b / 2**20:.0f} MiB" if b < 2**30 else f"{b / 2**30:.2f} GiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--skip-13m", action="store_true")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--skip-1m", action="store_true")
    ap.add_argument("--events-large", type=int, default=13_000_000)
    ap.add_argument("--runs", type=int, default=5, help="xdet runs on the 13M pair (median is judged)")
    ap.add_argument("--pairs", type=int, default=5, help="paired reference/xdet runs on the 1M pair")
    ap.add_argument("--wall-large", type=float, default=4.0, help="13M target, seconds")
    args = ap.parse_args()
    xdet = os.path.abspath(args.xdet)
    parent = args.tmp or ("/work" if os.access("/work", os.W_OK) else "/tmp")
    tmp = tempfile.mkdtemp(prefix="xdet-bench-diff-", dir=parent)
    ok = True
    try:
        if not args.skip_1m:
            print(f"[1M] 1M-event pair in {tmp}")
            gen(xdet, tmp, 1_000_000, 11)
            xcmd = [xdet, "diff", "--canary", "canary.jsonl", "--ours", "ours.jsonl", "--out", "xdet.md"]
            rcmd = [sys.executable, args.reference, "--canary", "canary.jsonl", "--ours", "ours.jsonl", "--out", "ref.md"]
            measure(xcmd, tmp)  # page cache warm for both
            print(f"  load average before: {loadavg()}")
            if args.skip_reference:
                walls = [measure(xcmd, tmp)[0] for _ in range(args.pairs)]
                print(f"  xdet diff: median {statistics.median(walls):.3f} s of {args.pairs} runs: "
                      + " ".join(f"{w:.3f}" for w in walls))
            else:
                ratios, xws, rws, xr, rr, same = [], [], [], 0, 0, True
                for k in range(args.pairs):
                    rw, r_rss, rrc = measure(rcmd, tmp)
                    xw, x_rss, xrc = measure(xcmd, tmp)
                    xr, rr = max(xr, x_rss), max(rr, r_rss)
                    same &= open(os.path.join(tmp, "xdet.md"), "rb").read() == open(os.path.join(tmp, "ref.md"), "rb").read()
                    ratios.append(rw / xw)
                    xws.append(xw)
                    rws.append(rw)
                    print(f"  pair {k + 1}: reference {rw:6.2f} s (rc {rrc}), xdet {xw:.3f} s (rc {xrc}): {rw / xw:5.0f}x"
                          f"  (load {loadavg()})", flush=True)
                speed = statistics.median(ratios)
                mem = xr / rr
                print(f"  medians: reference {statistics.median(rws):.2f} s, xdet {statistics.median(xws):.3f} s; "
                      f"xdet peak RSS {fmt_bytes(xr)}, reference {fmt_bytes(rr)}")
                print(f"  speed-up median {speed:.0f}x of {args.pairs} pairs (min {min(ratios):.0f}x, max {max(ratios):.0f}x)"
                      f" (target >= 100x): {'OK' if speed >= 100 else 'MISSED'}")
                print(f"  RSS ratio 1/{1 / mem:.0f} (target <= 1/10): {'OK' if mem <= 0.1 else 'MISSED'}")
                print(f"  reports identical: {same}")
                ok &= speed >= 100 and mem <= 0.1 and same
            print(f"  load average after: {loadavg()}")
            for f in ("canary.jsonl", "ours.jsonl"):
                os.remove(os.path.join(tmp, f))
        if not args.skip_13m:
            free = shutil.disk_usage(tmp).free
            need = args.events_large * 520
            if free < need:
                print(f"[13M] skipped: {fmt_bytes(free)} free, need {fmt_bytes(need)}")
                ok = False
            else:
                print(f"[13M] {args.events_large / 1e6:.0f}M-event pair in {tmp}")
                size = gen(xdet, tmp, args.events_large, 13)
                xcmd = [xdet, "diff", "--canary", "canary.jsonl", "--ours", "ours.jsonl", "--out", "xdet.md"]
                measure(xcmd, tmp)  # page cache warm
                print(f"  load average before: {loadavg()}")
                walls, xr = [], 0
                for _ in range(args.runs):
                    w, r, xrc = measure(xcmd, tmp)
                    walls.append(w)
                    xr = max(xr, r)
                xw = statistics.median(walls)
                print(f"  xdet diff: median {xw:.2f} s of {args.runs} runs ({' '.join(f'{w:.2f}' for w in walls)}), "
                      f"best {min(walls):.2f} s, peak RSS {fmt_bytes(xr)} ({size / xw / 1e6:.0f} MB/s, rc {xrc})")
                print(f"  load average after: {loadavg()}")
                print(f"  median wall {xw:.2f} s (target <= {args.wall_large:g} s): "
                      f"{'OK' if xw <= args.wall_large else 'MISSED'}")
                print(f"  RSS {fmt_bytes(xr)} (target <= 2 GiB): {'OK' if xr <= 2 * 2**30 else 'MISSED'}")
                ok &= xw <= args.wall_large and xr <= 2 * 2**30
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("all targets met" if ok else "some targets missed (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
