#!/usr/bin/env python3
"""Loads `xdet timeline` pages in headless Chromium.

For each sample run (recorded with --trace-sched) the page must load from
disk with no console message at all (the page logs nothing, so any message
is an error or a warning), draw one lane per CPU and per thread, and its
drawn slices and waits (each rect says how many it stands for in data-n)
must add up to the trace's sched.slice.begin, wait.begin and kernel.call
counts. The search box must find every call of the most frequent export. A
screenshot of each page is kept in ARTIFACT_DIR.

usage: timeline_browser_test.py XDET SAMPLES_DIR WORK_DIR ARTIFACT_DIR
Exits 77 (skipped) when no Chromium is installed.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timeline_test_lib import expected_threads, read_exit_state, read_trace, run_sample  # noqa: E402

SKIP = 77


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browse(browser, work, page, *args):
    profile = os.path.join(work, "chromium-profile")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
           "--disable-extensions", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=5000", "--window-size=1400,800", *args, "file://" + os.path.abspath(page)]
    # (a "#..." suffix of page stays part of the URL)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def check_page(browser, xdet, trace, work, artifacts, tag):
    _, events = read_trace(trace)
    exit_state = read_exit_state(trace)
    page = os.path.join(work, tag + ".html")
    subprocess.run([xdet, "timeline", trace, "-o", page], check=True)
    with open(page) as f:
        html = f.read()
    if re.search(r"<script[^>]+src=|<link[^>]+href=|https?://(?!www\.w3\.org/2000/svg)", html):
        raise SystemExit(f"FAIL {tag}: the page refers to an external resource")

    r = browse(browser, work, page, "--dump-dom")
    console = [l for l in r.stderr.splitlines() if ":CONSOLE" in l]
    if console:
        raise SystemExit(f"FAIL {tag}: console messages:\n" + "\n".join(console))
    dom = r.stdout
    if 'data-ready="1"' not in dom:
        raise SystemExit(f"FAIL {tag}: the page did not finish drawing\n{r.stderr[-2000:]}")

    slices = sum(1 for e in events if e["kind"] == "sched.slice.begin")
    waits = sum(1 for e in events if e["kind"] == "wait.begin")
    cpus = 6 if slices else 0
    threads = expected_threads(events, exit_state)
    cpu_lanes = len(re.findall(r'<g class="lane lane-cpu', dom))
    thread_lanes = re.findall(r'<g class="lane lane-thread[^"]*" data-lane="tid(-?\d+)"', dom)
    drawn_slices = sum(int(n) for n in re.findall(r'<rect class="slice[^"]*" data-i="\d+" data-n="(\d+)"', dom))
    drawn_waits = sum(int(n) for n in re.findall(r'<rect class="wait[^"]*" data-i="\d+" data-n="(\d+)"', dom))
    drawn_calls = sum(int(n) for n in re.findall(r'<rect class="call[^"]*" data-i="\d+" data-n="(\d+)"', dom))
    calls = sum(1 for e in events if e["kind"] == "kernel.call" and e["tid"] in threads)
    print(f"{tag}: {cpu_lanes} CPU lanes, {len(thread_lanes)} thread lanes, {drawn_slices} slices, "
          f"{drawn_waits} waits, {drawn_calls} calls drawn (trace: {slices} slices, {waits} waits, {calls} calls)")
    if cpu_lanes != cpus:
        raise SystemExit(f"FAIL {tag}: {cpu_lanes} CPU lanes, expected {cpus}")
    if sorted(int(t) for t in thread_lanes) != sorted(threads):
        raise SystemExit(f"FAIL {tag}: thread lanes {thread_lanes}, expected {sorted(threads)}")
    if drawn_slices != slices:
        raise SystemExit(f"FAIL {tag}: {drawn_slices} slices drawn, the trace has {slices}")
    if drawn_waits != waits:
        raise SystemExit(f"FAIL {tag}: {drawn_waits} waits drawn, the trace has {waits}")
    if drawn_calls != calls:
        raise SystemExit(f"FAIL {tag}: {drawn_calls} kernel calls drawn, the trace has {calls}")
    if exit_state and 'id="stop"><line' not in dom:
        raise SystemExit(f"FAIL {tag}: no stop marker")

    # The search box, driven through the page's #search= link: every call
    # of the most frequent export is a match.
    names = {}
    for e in events:
        if e["kind"] == "kernel.call":
            names[e["payload"]["name"]] = names.get(e["payload"]["name"], 0) + 1
    if names:
        name, count = sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        r = browse(browser, work, page + "#search=" + name, "--dump-dom")
        m = re.search(r'data-matches="(\d+)"', r.stdout)
        if not m or int(m.group(1)) != count:
            raise SystemExit(f"FAIL {tag}: search for {name}: {m and m.group(1)} matches, the trace has {count} calls")
        print(f"{tag}: search '{name}' -> {count} matches")

    shot = os.path.join(artifacts, tag + ".png")
    if os.path.exists(shot):
        os.remove(shot)
    browse(browser, work, page, "--screenshot=" + os.path.abspath(shot))
    if not os.path.exists(shot) or os.path.getsize(shot) < 2000:
        raise SystemExit(f"FAIL {tag}: no screenshot")
    print(f"{tag}: screenshot {shot}")


def main():
    xdet, samples, work, artifacts = sys.argv[1:5]
    browser = chromium()
    if not browser:
        print("SKIP: no chromium on PATH (Debian package 'chromium'; scripts/install-deps.sh installs it)")
        return SKIP
    os.makedirs(work, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    runs = [("sync_events", []), ("starvation_strict", ["--sched-policy", "strict"])]
    for tag, extra in runs:
        xex = os.path.join(samples, tag.split("_strict")[0] + ".xex")
        trace = run_sample(xdet, xex, os.path.join(work, tag), *extra)
        check_page(browser, xdet, trace, work, artifacts, tag)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
