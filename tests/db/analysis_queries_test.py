#!/usr/bin/env python3
"""Runs every query of docs/analysis.md against `xdet db` databases made from
guest samples and checks the rows it returns. Also checks that the events
view gives back every trace event exactly (the scheduler's events are stored
in slices/readies and rebuilt by the view).

usage: analysis_queries_test.py XDET SAMPLES_DIR ANALYSIS_MD WORK_DIR
"""
import json
import os
import re
import sqlite3
import subprocess
import sys


def fail(msg):
    raise SystemExit("FAIL: " + msg)


def make_db(xdet, samples, work, tag, xex, *extra):
    out = os.path.join(work, tag)
    os.makedirs(out, exist_ok=True)
    trace = os.path.join(out, "trace.jsonl")
    subprocess.run([xdet, "run", "--trace", trace, "--trace-sched", *extra, os.path.join(samples, xex)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    db = os.path.join(out, "trace.sqlite")
    subprocess.run([xdet, "db", trace, "-o", db], check=True, stderr=subprocess.DEVNULL)
    return trace, sqlite3.connect(db)


def check_events_view(trace, db, tag):
    with open(trace) as f:
        lines = [l for l in f if l.strip()][1:]
    rows = db.execute("SELECT id, tid, idx, kind, ns, payload FROM events ORDER BY id").fetchall()
    if len(rows) != len(lines):
        fail(f"{tag}: events view has {len(rows)} rows, the trace {len(lines)} events")
    for n, (line, row) in enumerate(zip(lines, rows), 1):
        ev = json.loads(line)
        want = (n, ev["tid"], ev["tid_event_idx"], ev["kind"], ev["host_ns"])
        if tuple(row[:5]) != want:
            fail(f"{tag}: event {n}: view {row[:5]} != trace {want}")
        # Same payload, same key order.
        if list(json.loads(row[5], object_pairs_hook=list)) != list(json.loads(json.dumps(ev["payload"]), object_pairs_hook=list)):
            fail(f"{tag}: event {n}: payload {row[5]} != {json.dumps(ev['payload'])}")


def check_fallback_rows(xdet, work):
    """Kernel-call events are stored once, in their calls row, only when the
    view can rebuild them; every other shape keeps a guest_events row. A
    hand-written trace with each such case must come back event for event."""
    out = os.path.join(work, "call_shapes")
    os.makedirs(out, exist_ok=True)
    trace = os.path.join(out, "trace.jsonl")
    events = [
        # import + call + return: folded into one calls row
        (1, "import.call", {"name": "KeA", "ord": 1, "module": "xboxkrnl.exe", "thunk_pc": "0x82000010"}),
        (1, "kernel.call", {"name": "KeA", "ord": 1, "args": {"r3": "0x1"}, "args_resolved": {"x": float("nan")}}),
        (2, "import.call", {"name": "KeB", "ord": 2, "module": "xboxkrnl.exe", "thunk_pc": "0x82000020"}),
        (1, "kernel.return", {"name": "KeA", "return_value": "0x00000000", "status": "0x00000000"}),
        # an import whose call never comes, then an import of another export
        (2, "wait.begin", {"handles_semantic_ids": ["s1"], "wait_type": "any", "timeout": None, "alertable": False}),
        (2, "import.call", {"name": "KeC", "ord": 3, "module": "xboxkrnl.exe", "thunk_pc": "0x82000030"}),
        (2, "kernel.call", {"name": "KeD", "ord": 4, "args": {}, "args_resolved": {}}),
        # a return with an extra field, an empty return value
        (2, "kernel.return", {"name": "KeD", "return_value": "0x1", "status": "0x1", "extra": 1}),
        (3, "kernel.call", {"ord": 5, "name": "KeE", "args": {}, "args_resolved": {}}),
        (3, "kernel.return", {"name": "KeE", "return_value": "", "status": "0xc0000001"}),
        (3, "kernel.return", {"name": "KeE", "return_value": "0x0", "status": "0x0"}),
        (4, "import.call", {"name": "KeF", "ord": 6, "module": "xam.xex", "thunk_pc": "0x82000040", "more": []}),
        (4, "kernel.call", {"name": "KeF", "ord": 6, "args": {"r3": "0x2"}, "args_resolved": {}}),
        (5, "import.call", {"name": "KeG", "ord": 7, "module": "xboxkrnl.exe", "thunk_pc": "0x82000050"}),
    ]
    idx = {}
    with open(trace, "w") as f:
        f.write(json.dumps({"kind": "schema_version", "schema_version": 1, "engine": "xdet", "title_id": "0x0",
                            "seed": 0}) + "\n")
        for n, (tid, kind, payload) in enumerate(events):
            idx[tid] = idx.get(tid, -1) + 1
            f.write(json.dumps({"tid": tid, "tid_event_idx": idx[tid], "kind": kind, "host_ns": 100 * n,
                                "payload": payload}) + "\n")
    db = os.path.join(out, "trace.sqlite")
    subprocess.run([xdet, "db", trace, "-o", db], check=True, stderr=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    check_events_view(trace, con, "call_shapes")
    stored = con.execute("SELECT id FROM guest_events ORDER BY id").fetchall()
    if [r[0] for r in stored] != [3, 5, 6, 8, 9, 10, 11, 12, 14]:
        fail(f"call_shapes: guest_events rows {stored}")
    calls = con.execute("SELECT name, import_event, call_line, return_event, return_line FROM calls ORDER BY id").fetchall()
    if calls != [("KeA", 1, 3, 4, 5), ("KeD", None, 8, 8, None), ("KeE", None, None, 10, None),
                 ("KeF", None, 14, None, None)]:
        fail(f"call_shapes: calls {calls}")
    print("call_shapes: kernel-call events stored once where the view rebuilds them")


def main():
    xdet, samples, doc_path, work = sys.argv[1:5]
    with open(doc_path) as f:
        doc = f.read()
    queries = dict(re.findall(r"<!-- query: ([\w-]+) -->\n```sql\n(.*?)```", doc, re.S))
    if len(queries) != 10:
        fail(f"docs/analysis.md has {len(queries)} marked queries, expected 10")

    starv_trace, starv = make_db(xdet, samples, work, "starvation_strict", "starvation.xex", "--sched-policy", "strict")
    ev_trace, ev = make_db(xdet, samples, work, "sync_events", "sync_events.xex")
    sm_trace, sm = make_db(xdet, samples, work, "sync_semaphore_mutant", "sync_semaphore_mutant.xex")
    for trace, db, tag in [(starv_trace, starv, "starvation_strict"), (ev_trace, ev, "sync_events"),
                           (sm_trace, sm, "sync_semaphore_mutant")]:
        check_events_view(trace, db, tag)
    check_fallback_rows(xdet, work)

    def q(db, name, **params):
        return db.execute(queries[name], params).fetchall()

    checked = set()

    def expect(name, got, want):
        checked.add(name)
        if got != want:
            fail(f"{name}:\n  got  {got}\n  want {want}")
        print(f"{name}: {len(got)} rows as expected")

    # The starvation sample under strict priority: the mixer (priority 15)
    # spins on CPU 5 forever; the producer never runs, the consumer (8) stops
    # running after its first timed wait; main waits for all three.
    expect("starved-threads", q(starv, "starved-threads", n=1000),
           [(3, "producer", 0, 3, None, 20001), (2, "consumer", 8, 43, None, 19961)])
    expect("who-took-the-cpu", q(starv, "who-took-the-cpu", tid=3), [(4, "mixer", 15, 20001, 200010000)])
    expect("blocked-at-stop", q(starv, "blocked-at-stop"),
           [(1, "main", 1002770, "all", None,
             "thread 0xf800000c (tid 2), thread 0xf8000010 (tid 3), thread 0xf8000014 (tid 4)")])
    expect("cpu-usage", q(starv, "cpu-usage"),
           [(0, 1, "main", 2, 277, 0), (5, 4, "mixer", 20001, 200010000, 20001), (5, 2, "consumer", 1, 24, 0)])
    expect("wait-timeouts", q(starv, "wait-timeouts"), [(2, "consumer", 1, -50000, 5000880)])
    per_export = q(starv, "calls-per-export")
    checked.add("calls-per-export")
    if per_export[0] != ("ExCreateThread", 3, 0, 1, 0):
        fail(f"calls-per-export: first row {per_export[0]}")
    if ("NtWaitForMultipleObjectsEx", 1, None, 1, 1) not in per_export:
        fail(f"calls-per-export: main's unreturned wait missing: {per_export}")
    if sum(r[1] for r in per_export) != 23:
        fail(f"calls-per-export: {sum(r[1] for r in per_export)} calls, the trace has 23")
    print(f"calls-per-export: {len(per_export)} rows as expected")

    # sync_events: main sets the synchronization event three times, each
    # waking one of the three waiters in arrival order, then once with no
    # waiter left.
    event = "aa9a778b1e4f8fbb"
    expect("who-signalled", q(ev, "who-signalled", sid=event),
           [(1020300, 1, "main", "signal", 3, "2"), (2035750, 1, "main", "signal", 2, "3"),
            (3051200, 1, "main", "signal", 1, "4"), (4066660, 1, "main", "signal", 0, None)])
    longest = q(ev, "longest-waits")
    checked.add("longest-waits")
    if len(longest) != 10 or longest[0][:4] != (4, None, 110, 3051090) or event not in longest[0][6]:
        fail(f"longest-waits: {longest[:2]}")
    if [r[3] for r in longest] != sorted((r[3] for r in longest), reverse=True):
        fail("longest-waits: not sorted by duration")
    print("longest-waits: 10 rows as expected")
    contention = q(ev, "object-contention")
    checked.add("object-contention")
    if contention[0][:5] != (event, "event_synchronization", "0x8202002c", 5, 4):
        fail(f"object-contention: first row {contention[0]}")
    print(f"object-contention: {len(contention)} rows as expected")

    # sync_semaphore_mutant: the error paths it exercises on purpose, and
    # the semaphore main releases twice.
    failed = q(sm, "failed-calls")
    if [(r[3], r[5]) for r in failed] != [("NtReleaseSemaphore", "0xc0000047"), ("NtCreateSemaphore", "0xc000000d"),
                                           ("KeReleaseMutant", "0xc0000046"), ("KeReleaseMutant", "0xffffffff"),
                                           ("NtReleaseMutant", "0xc0000046")]:
        fail(f"failed-calls: {failed}")
    checked.add("failed-calls")
    print(f"failed-calls: {len(failed)} rows as expected")
    sema = "2a8527ac772681ff"
    released = [r for r in q(sm, "who-signalled", sid=sema) if r[3].startswith("release")]
    if [(r[1], r[3]) for r in released] != [(1, "release 2"), (1, "release 1")]:
        fail(f"who-signalled (semaphore): {released}")
    print("who-signalled (semaphore releases): 2 rows as expected")

    if checked != set(queries):
        fail(f"queries without a check: {sorted(set(queries) - checked)}")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
