#!/usr/bin/env python3
"""exit-thread-state.json against its published JSON Schema
(docs/exit-state.schema.json) for every way a run can stop: clean exit, wedge,
guest fault, limit and interrupt; plus the structured diagnosis agreeing with
the text report (same round numbers) and the symbols beside each PC.

Usage: exit_state_schema_test.py --xdet build/xdet --samples build/guest/samples --schema docs/exit-state.schema.json"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import jsonschema

FAILS = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))
    if not cond:
        FAILS.append(name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xdet", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--schema", required=True)
    a = ap.parse_args()
    schema = json.load(open(a.schema))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    work = tempfile.mkdtemp(prefix="xdet-exit-state-")
    s = lambda n: os.path.join(a.samples, n + ".xex")  # noqa: E731
    cases = [
        ("clean exit", 0, [s("hello")]),
        ("wedge", 7, ["--sched-policy", "strict", s("starvation")]),
        ("fault", 4, [s("fault")]),
        ("limit", 6, ["--max-instructions", "20000", "--sched-policy", "strict", s("starvation")]),
    ]
    states = {}
    try:
        for name, want_rc, args in cases:
            d = os.path.join(work, name.replace(" ", "_"))
            p = subprocess.run([a.xdet, "run", "--trace", os.path.join(d, "trace.jsonl"), *args],
                               capture_output=True, timeout=300)
            check(f"{name}: exit {want_rc}", p.returncode == want_rc, f"rc={p.returncode} {p.stderr[-500:]!r}")
            states[name] = (json.load(open(os.path.join(d, "trace.exit-thread-state.json"))), p.stderr.decode())
        # Interrupt: a run with no wedge detection and no time limit, stopped by SIGINT.
        d = os.path.join(work, "interrupt")
        proc = subprocess.Popen([a.xdet, "run", "--sched-policy", "strict", "--livelock-rounds", "1000000000",
                                 "--max-guest-ms", "100000000", "--trace", os.path.join(d, "trace.jsonl"),
                                 s("starvation")], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        check("interrupt: exit 130", proc.returncode == 130, f"rc={proc.returncode}")
        states["interrupt"] = (json.load(open(os.path.join(d, "trace.exit-thread-state.json"))), err.decode())

        for name, (state, _) in states.items():
            errors = sorted(validator.iter_errors(state), key=lambda e: e.path)
            check(f"{name}: validates against the schema", not errors,
                  "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:3]))
            check(f"{name}: trace recorded", state["trace"] == "trace.jsonl", state["trace"])

        wedge, text = states["wedge"]
        by_name = {t["name"]: t for t in wedge["threads"]}
        mixer, producer, main_t = by_name["mixer"], by_name["producer"], by_name["main"]
        check("wedge: the JSON says spinning, not just 'ready'", mixer["diagnosis"]["kind"] == "spinning", mixer)
        loop = mixer["diagnosis"].get("loop", {})
        pc = int(mixer["pc"], 16)
        check("wedge: the spin loop's PC range holds the PC",
              loop and int(loop["start"], 16) <= pc <= int(loop["end"], 16), loop)
        check("wedge: the producer is starved and never ran",
              producer["diagnosis"]["kind"] == "starved" and producer["diagnosis"]["never_ran"], producer)
        check("wedge: the mixer held the producer's CPU",
              producer["diagnosis"].get("cpu_holders") == [{"cpu": 5, "tid": mixer["tid"]}], producer)
        m = re.search(r"tid %d producer.*never ran \((\d+) rounds ready\)" % producer["tid"], wedge["report"])
        check("wedge: same round numbers as the text report",
              m and int(m.group(1)) == producer["diagnosis"]["rounds_ready"], wedge["report"])
        m = re.search(r"tid %d main.*blocked since round (\d+)" % main_t["tid"], wedge["report"])
        check("wedge: main blocked since the report's round",
              main_t["diagnosis"]["kind"] == "blocked" and m and int(m.group(1)) == main_t["diagnosis"]["since_round"],
              main_t)
        limit, limit_err = states["limit"]
        check("limit: thread states printed at a limit stop", "tid " in limit_err and "threads at stop" in limit_err,
              limit_err)
        check("clean exit: every thread exited or ready",
              all(t["diagnosis"]["kind"] in ("exited", "ready", "running") for t in states["clean exit"][0]["threads"]))
        for name, (state, _) in states.items():
            for t in state["threads"]:
                if t["diagnosis"]["kind"] in ("blocked", "spinning"):
                    check(f"{name}: tid {t['tid']} has a backtrace", len(t.get("backtrace", [])) >= 1, t)
        fault, fault_err = states["fault"]
        t = fault["threads"][0]
        check("fault: pc_symbol names the faulting function",
              (t.get("pc_symbol") or "").startswith("read_field+0x"), t.get("pc_symbol"))
        check("fault: the report symbolizes the PC", "read_field+0x" in fault_err, fault_err)
        check("fault: back-chain backtrace through parse_header and main",
              "parse_header" in fault_err and "main" in fault_err.split("backtrace", 1)[-1], fault_err)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
