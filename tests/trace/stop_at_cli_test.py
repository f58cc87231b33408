#!/usr/bin/env python3
"""`xdet run --stop-at TID:IDX` / `--stop-at-guest-ms T` on the strict
starvation sample: the stop is deterministic (two runs give identical
traces, exit states and dumps), the stopped trace is a prefix of the full
run's trace that contains the requested event, and the dump shows every
thread's registers, back chain, code around its PC, and the handles.

usage: stop_at_cli_test.py XDET SAMPLES_DIR WORK_DIR
"""
import json
import os
import re
import subprocess
import sys

XDET, SAMPLES, WORK = sys.argv[1:4]
XEX = os.path.join(SAMPLES, "starvation.xex")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def run(name, extra):
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    p = subprocess.run([XDET, "run", "--sched-policy", "strict", "--trace", d + "/trace.jsonl"] + extra + [XEX],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    files = {}
    for f, name in (("trace.jsonl", "trace.jsonl"), ("exit-thread-state.json", "trace.exit-thread-state.json"),
                    ("state-dump.txt", "trace.state-dump.txt")):
        path = os.path.join(d, name)
        files[f] = open(path).read() if os.path.exists(path) else None
    return p.returncode, files


rc, full = run("full", [])
if rc != 7:
    fail(f"full strict run exited {rc}")
full_lines = full["trace.jsonl"].splitlines()

rc, a = run("event_a", ["--stop-at", "1:60"])
_, b = run("event_b", ["--stop-at", "1:60"])
if rc != 0:
    fail(f"--stop-at exited {rc}")
if a != b:
    fail("two --stop-at runs differ")
lines = a["trace.jsonl"].splitlines()
if full_lines[:len(lines)] != lines or len(lines) >= len(full_lines):
    fail("the stopped trace is not a proper prefix of the full trace")
target = [json.loads(l) for l in lines[1:] if json.loads(l).get("tid") == 1 and json.loads(l).get("tid_event_idx") == 60]
if not target:
    fail("event 1:60 is not in the stopped trace")
state = json.loads(a["exit-thread-state.json"])
if state["stop_reason"] != "stop-at":
    fail("exit state stop reason " + state["stop_reason"])
dump = a["state-dump.txt"]
print(dump[:3000])
if not dump.startswith(f"xdet state dump: after trace event 1:60 ({target[0]['kind']})"):
    fail("dump header")
for tid, name in ((1, "main"), (2, "consumer"), (3, "producer"), (4, "mixer")):
    if not re.search(rf"== tid {tid} {name} — ", dump):
        fail(f"thread {tid} missing from the dump")
if len(re.findall(r"\n   pc  [0-9a-f]{8}  lr  [0-9a-f]{8}", dump)) != 4 or len(re.findall(r"  r31 [0-9a-f]{16}\n", dump)) != 4:
    fail("registers of every thread expected")
if len(re.findall(r"backtrace:\n     #0 [0-9a-f]{8}\n     #1 [0-9a-f]{8} \(lr\)\n     #2 [0-9a-f]{8} \(frame", dump)) < 1:
    fail("no back-chain frame")
if len(re.findall(r"\n   > [0-9a-f]{8}  [0-9a-f]{8}  \S", dump)) != 4:
    fail("disassembly around each PC expected")
if not re.search(r"== handles\n(   f8[0-9a-f]{6} -> .*\n)+", dump) or "-> semaphore" not in dump:
    fail("handle table missing")

rc, t = run("time", ["--stop-at-guest-ms", "3"])
state = json.loads(t["exit-thread-state.json"])
if rc != 0 or state["stop_reason"] != "stop-at" or state["guest_time_ns"] != 3000000:
    fail(f"--stop-at-guest-ms: rc {rc}, {state['stop_reason']} at {state['guest_time_ns']} ns")
if not t["state-dump.txt"].startswith("xdet state dump: at guest time 3 ms"):
    fail("time dump header")
if full_lines[:len(t["trace.jsonl"].splitlines())] != t["trace.jsonl"].splitlines():
    fail("time-stopped trace is not a prefix")
bad = subprocess.run([XDET, "run", "--stop-at", "2", XEX], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
if bad.returncode != 2:
    fail("--stop-at 2 accepted")
print("PASS")
