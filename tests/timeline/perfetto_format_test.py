#!/usr/bin/env python3
"""Validates `xdet timeline --format perfetto` against the trace-event format.

Checks the JSON object form ({"traceEvents": [...]}), the fields each phase
needs (X: name/ts/dur/pid/tid; i: scope s in g/p/t; M: process_name or
thread_name with args.name; s/f flow pairs sharing an id, f binding to the
enclosing slice), non-negative numeric timestamps, complete events that nest
properly on every (pid, tid), and that the counts match the trace: one CPU
slice and one thread slice per sched.slice, one wait per wait.begin, one
instant per kernel.call, one flow per thread a signal.match woke, and a
global stop instant when the exit state exists.

usage: perfetto_format_test.py XDET SAMPLES_DIR WORK_DIR
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timeline_test_lib import read_exit_state, read_trace, run_sample  # noqa: E402


def fail(msg):
    raise SystemExit("FAIL: " + msg)


def validate(doc, events, exit_state, tag):
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail(f"{tag}: not a JSON object with a traceEvents list")
    if doc.get("displayTimeUnit") not in (None, "ms", "ns"):
        fail(f"{tag}: bad displayTimeUnit")
    by_ph = defaultdict(list)
    flows = defaultdict(dict)
    complete = defaultdict(list)
    names = {}
    for ev in doc["traceEvents"]:
        ph = ev.get("ph")
        if ph not in ("X", "i", "M", "s", "f"):
            fail(f"{tag}: unexpected phase {ph!r}: {ev}")
        for key in ("pid", "tid"):
            if not isinstance(ev.get(key), int):
                fail(f"{tag}: {key} missing or not an integer: {ev}")
        if not isinstance(ev.get("name"), str):
            fail(f"{tag}: name missing: {ev}")
        by_ph[ph].append(ev)
        if ph == "M":
            if ev["name"] not in ("process_name", "thread_name") or not isinstance(ev.get("args", {}).get("name"), str):
                fail(f"{tag}: bad metadata event {ev}")
            names[(ev["pid"], ev["tid"], ev["name"])] = ev["args"]["name"]
            continue
        ts = ev.get("ts")
        if not isinstance(ts, (int, float)) or ts < 0:
            fail(f"{tag}: bad ts in {ev}")
        if ph == "X":
            if not isinstance(ev.get("dur"), (int, float)) or ev["dur"] < 0:
                fail(f"{tag}: bad dur in {ev}")
            complete[(ev["pid"], ev["tid"])].append((ts, ts + ev["dur"], ev))
        elif ph == "i":
            if ev.get("s") not in ("g", "p", "t"):
                fail(f"{tag}: instant without scope: {ev}")
        else:
            if "id" not in ev:
                fail(f"{tag}: flow event without id: {ev}")
            if ph == "f" and ev.get("bp") != "e":
                fail(f"{tag}: flow end not bound to its enclosing slice: {ev}")
            if ph in flows[ev["id"]]:
                fail(f"{tag}: flow id {ev['id']} has two {ph} events")
            flows[ev["id"]][ph] = ev
    for fid, pair in flows.items():
        if set(pair) != {"s", "f"}:
            fail(f"{tag}: flow {fid} is not a start/finish pair")
        if pair["f"]["ts"] < pair["s"]["ts"]:
            fail(f"{tag}: flow {fid} ends before it starts")
    # Complete events on one track must nest (the viewer drops the rest).
    eps = 1e-6
    for track, spans in complete.items():
        spans.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for b, e, ev in spans:
            while stack and stack[-1] <= b + eps:
                stack.pop()
            if stack and e > stack[-1] + eps:
                fail(f"{tag}: overlapping slices on track {track}: {ev}")
            stack.append(e)
        for (pid, tid) in [track]:
            if (pid, tid, "thread_name") not in names:
                fail(f"{tag}: track {track} has no thread_name")

    slices = sum(1 for e in events if e["kind"] == "sched.slice.begin")
    waits = sum(1 for e in events if e["kind"] == "wait.begin")
    calls = sum(1 for e in events if e["kind"] == "kernel.call")
    wakes = sum(len(e["payload"]["waiter_tids"]) for e in events if e["kind"] == "signal.match")
    got = defaultdict(int)
    for ev in by_ph["X"]:
        got[ev.get("cat")] += 1
    kernel_instants = sum(1 for ev in by_ph["i"] if ev.get("cat") == "kernel")
    stops = [ev for ev in by_ph["i"] if ev.get("s") == "g"]
    checks = [("CPU slices", got["sched"], slices), ("thread slices", got["run"], slices),
              ("waits", got["wait"], waits), ("kernel calls", kernel_instants, calls), ("flows", len(flows), wakes),
              ("stop markers", len(stops), 1 if exit_state else 0)]
    for what, have, want in checks:
        if have != want:
            fail(f"{tag}: {have} {what}, the trace has {want}")
    if exit_state and round(stops[0]["ts"] * 1000) != exit_state["guest_time_ns"]:
        fail(f"{tag}: stop marker at {stops[0]['ts']} us, exit state says {exit_state['guest_time_ns']} ns")
    print(f"{tag}: {len(doc['traceEvents'])} trace events valid; " +
          ", ".join(f"{w} {h}" for w, h, _ in checks))


def main():
    xdet, samples, work = sys.argv[1:4]
    for tag, xex, extra in [("sync_events", "sync_events.xex", []),
                            ("sync_semaphore_mutant", "sync_semaphore_mutant.xex", []),
                            ("starvation_strict", "starvation.xex", ["--sched-policy", "strict"])]:
        trace = run_sample(xdet, os.path.join(samples, xex), os.path.join(work, tag), *extra)
        _, events = read_trace(trace)
        out = os.path.join(work, tag + ".json")
        subprocess.run([xdet, "timeline", "--format", "perfetto", trace, "-o", out], check=True)
        with open(out) as f:
            doc = json.load(f)
        validate(doc, events, read_exit_state(trace), tag)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
