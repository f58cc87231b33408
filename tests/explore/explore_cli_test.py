#!/usr/bin/env python3
"""`xdet explore` end to end on the buggy guest samples.

For each sample: its default schedule (seed 0) completes cleanly under both
policies; explore finds the documented failure within the documented number
of schedules; the summary's replay command reproduces it with the same exit
code; --jobs 1 and --jobs 2 give byte-identical summaries; shards of the
seed range run through GNU parallel merge into the whole range's summary.

usage: explore_cli_test.py XDET SAMPLES_DIR WORK_DIR CASE
"""
import json
import os
import shlex
import shutil
import subprocess
import sys

XDET, SAMPLES, WORK, CASE = sys.argv[1:5]

# sample -> (explore options, failure kind, exit code, words the signature names)
CASES = {
    "bug_abba": ([], "deadlock", 7, ["first blocked", "second blocked", "mutant"]),
    "bug_pulse_lost_wakeup": ([], "deadlock", 7, ["consumer blocked", "event_notification"]),
    "bug_auto_reset_broadcast": ([], "deadlock", 7, ["event_synchronization", "main blocked wait-all"]),
    "bug_priority_inversion": (["--sched-policy", "strict", "--livelock-rounds", "300"], "livelock", 7,
                               ["low starved", "medium spinning", "high blocked"]),
}
SCHEDULES = 200  # README: each is found within 200 schedules


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def explore(xex, opts, extra, json_path):
    p = run([XDET, "explore", xex, "--no-progress", "--json", json_path] + opts + extra)
    if p.returncode not in (0, 9):
        fail(f"explore exited {p.returncode}: {p.stderr}")
    with open(json_path) as f:
        text = f.read()
    return p.returncode, text, json.loads(text)


def replay(command):
    argv = shlex.split(command)
    if argv[0] != "xdet":
        fail("replay command does not start with xdet: " + command)
    return run([XDET] + argv[1:]).returncode


def check_sample(name):
    opts, kind, code, words = CASES[name]
    xex = os.path.join(SAMPLES, name + ".xex")
    os.makedirs(WORK, exist_ok=True)
    for policy in ("aging", "strict"):
        for seed_args in ([], ["--schedule-seed", "0"]):
            rc = run([XDET, "run", "--check-exit-code", "--sched-policy", policy] + seed_args + [xex]).returncode
            if rc != 0:
                fail(f"{name}: default schedule under {policy} exited {rc}")

    rc1, text1, s1 = explore(xex, opts, ["--schedules", str(SCHEDULES), "--jobs", "1"], f"{WORK}/{name}.j1.json")
    rc2, text2, s2 = explore(xex, opts, ["--schedules", str(SCHEDULES), "--jobs", "2"], f"{WORK}/{name}.j2.json")
    if text1 != text2:
        fail(f"{name}: --jobs 1 and --jobs 2 summaries differ")
    if rc1 != 9 or s1["schedules"] != SCHEDULES:
        fail(f"{name}: explore exited {rc1}, {s1['schedules']} schedules")
    found = [f for f in s1["failures"] if f["kind"] == kind and all(w in f["signature"] for w in words)]
    if not found:
        fail(f"{name}: no {kind} naming {words} in {json.dumps(s1['failures'], indent=1)}")
    for f in s1["failures"]:
        if f["seed"] == 0:
            fail(f"{name}: the default schedule fails: {f}")
        if not f["command"].startswith(f"xdet run --schedule-seed {f['seed']} "):
            fail(f"{name}: bad replay command {f['command']}")
        if f["exit_code"] != code or replay(f["command"]) != f["exit_code"]:
            fail(f"{name}: replay of {f['command']} does not exit {f['exit_code']}")
        # The smallest seed: no smaller seed shows this signature.
    total = sum(f["count"] for f in s1["failures"]) + s1["clean"]
    if total != SCHEDULES:
        fail(f"{name}: counts add up to {total}")
    print(f"{name}: {kind} found, smallest seed {found[0]['seed']}, {found[0]['count']}/{SCHEDULES} schedules")

    # Shards over GNU parallel, merged, equal the whole range.
    parallel = shutil.which("parallel")
    if parallel:
        shard_cmd = " ".join(shlex.quote(a) for a in [XDET, "explore", xex, "--no-progress", "--jobs", "1"] + opts)
        p = run([parallel, "--will-cite", "-j", "2",
                 shard_cmd + " --seed-range {} --json " + shlex.quote(WORK) + "/" + name + ".shard{#}.json",
                 ":::", "0:49", "50:120", "121:199"])
        if p.returncode not in (0, 9) and not all(
                os.path.exists(f"{WORK}/{name}.shard{i}.json") for i in (1, 2, 3)):
            fail(f"{name}: parallel failed: {p.stderr}")
        merged = f"{WORK}/{name}.merged.json"
        m = run([XDET, "explore", "--merge", "--json", merged] +
                [f"{WORK}/{name}.shard{i}.json" for i in (1, 2, 3)])
        if m.returncode != 9:
            fail(f"{name}: merge exited {m.returncode}: {m.stderr}")
        with open(merged) as f:
            if f.read() != text1:
                fail(f"{name}: merged shards differ from the whole range")
        overlap = run([XDET, "explore", "--merge", f"{WORK}/{name}.shard1.json", f"{WORK}/{name}.j1.json"])
        if overlap.returncode != 2:
            fail(f"{name}: merging overlapping ranges exited {overlap.returncode}")
        print(f"{name}: 3 shards via GNU parallel merge to the whole range")


def check_output_and_exit_kinds():
    xex = os.path.join(SAMPLES, "bug_abba.xex")
    os.makedirs(WORK, exist_ok=True)
    wrong = f"{WORK}/wrong_output.txt"
    with open(wrong, "w") as f:
        f.write("something else\n")
    _, _, s = explore(xex, ["--expect-output", wrong], ["--schedules", "3", "--jobs", "1"], f"{WORK}/mismatch.json")
    kinds = [f["kind"] for f in s["failures"]]
    if "output-mismatch" not in kinds or s["failures"][0]["seed"] != 0:
        fail(f"output mismatch not reported: {s}")
    f = s["failures"][0]
    if f["exit_code"] != 12 or replay(f["command"]) != 12:
        fail(f"output-mismatch replay: {f}")
    right = f"{WORK}/right_output.txt"
    with open(right, "w") as out:
        out.write(run([XDET, "run", xex]).stdout)
    if run([XDET, "run", "--expect-output", right, xex]).returncode != 0:
        fail("--expect-output with the real output does not exit 0")
    print("output-mismatch: found at seed 0, replay exits 12")


if CASE == "kinds":
    check_output_and_exit_kinds()
else:
    check_sample(CASE)
print("PASS")
