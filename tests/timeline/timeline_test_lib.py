"""Shared helpers of the timeline tests: run a sample, read its trace."""
import json
import os
import subprocess


def run_sample(xdet, xex, out_dir, *extra):
    """Runs `xdet run --trace-sched` into out_dir; returns the trace path."""
    os.makedirs(out_dir, exist_ok=True)
    trace = os.path.join(out_dir, "trace.jsonl")
    subprocess.run([xdet, "run", "--trace", trace, "--trace-sched", *extra, xex],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if not os.path.exists(trace):
        raise SystemExit(f"FAIL: {xex} produced no trace")
    return trace


def read_trace(path):
    with open(path) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    return lines[0], lines[1:]


def read_exit_state(trace):
    # NAME.exit-thread-state.json beside NAME.jsonl
    base = trace[:-len(".jsonl")] if trace.endswith(".jsonl") else trace
    path = base + ".exit-thread-state.json"
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def expected_threads(events, exit_state):
    tids = {e["tid"] for e in events if e["tid"] >= 0}
    tids |= {e["payload"]["thread"] for e in events if e["kind"] == "sched.slice.begin"}
    if exit_state:
        tids |= {t["tid"] for t in exit_state["threads"]}
    return tids
