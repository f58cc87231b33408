#!/usr/bin/env bash
# The README demo.
#  1. Build xdet and the starvation sample (the seed's scenario: a priority-15
#     mixer spin-waits on CPU 5 while the priority-0 producer it waits for
#     shares that CPU).
#  2. Run it under strict priority: it wedges (exit 7) and
#     trace.exit-thread-state.json shows who waits on whom.
#  3. Run it under priority aging: the starved producer's effective priority
#     climbs until it runs, and the program completes.
#  4. `xdet diff` finds where the two runs' traces first diverge.
#  5. A generated canary/ours pair with absorbable noise shows the diff
#     harness on a cross-engine comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default > /dev/null
cmake --build --preset default --target xdet guest_starvation -j 2
out=build/demo
rm -rf "$out"
mkdir -p "$out/strict" "$out/aging" "$out/generated"
xex=build/guest/samples/starvation.xex

echo "== strict priority: the priority-15 mixer starves the priority-0 producer on CPU 5"
set +e
build/xdet run --sched-policy strict --trace "$out/strict/trace.jsonl" "$xex"
echo "exit code $? (7 = wedge); exit state: $out/strict/trace.exit-thread-state.json"

echo
echo "== priority aging: the starved producer's effective priority climbs until it runs"
build/xdet run --sched-policy aging --trace "$out/aging/trace.jsonl" "$xex"
echo "exit code $?"
set -e

echo
echo "== xdet diff: first divergence per thread (strict as 'canary', aging as 'ours')"
build/xdet diff --canary "$out/strict/trace.jsonl" --ours "$out/aging/trace.jsonl" --out "$out/diff.md"
sed -n '/^## canary_tid=2/,/^\*\*Pre-context/p' "$out/diff.md"
echo "full report: $out/diff.md"

echo
echo "== a generated cross-engine pair (4 threads, 2 injected divergences, absorbable noise)"
build/xdet gen-traces --out-dir "$out/generated" --seed 42 --events 20000 --threads 4 --divergences 2
build/xdet diff --canary "$out/generated/canary.jsonl" --ours "$out/generated/ours.jsonl" \
  --out "$out/generated/report.md" --emit-absorbed-events "$out/generated/absorbed.jsonl"
sed -n '/^## Summary/,/^\*`floating_create/p' "$out/generated/report.md"
echo "full report: $out/generated/report.md; absorbed noise: $out/generated/absorbed.jsonl"

echo
echo "== look and ask: the strict run again with scheduling events, as a time line and as SQL"
mkdir -p "$out/sched"
set +e
build/xdet run --sched-policy strict --trace-sched --trace "$out/sched/trace.jsonl" "$xex" 2> /dev/null
set -e
build/xdet timeline "$out/sched/trace.jsonl" -o "$out/sched/run.html"
build/xdet timeline --format perfetto "$out/sched/trace.jsonl" -o "$out/sched/run.json"
build/xdet db "$out/sched/trace.jsonl" -o "$out/sched/trace.sqlite"
python3 - "$out/sched/trace.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("threads ready but not running for more than 1000 rounds (docs/analysis.md, query 3):")
for row in db.execute("SELECT r.tid, t.name, t.priority, r.since_round, r.rounds FROM runnable r "
                      "JOIN threads t USING(tid) WHERE r.rounds > 1000 ORDER BY r.rounds DESC"):
    print("  tid %d %-9s priority %d, ready since round %d, %d rounds without a CPU" % row)
PY
echo "open $out/sched/run.html in a browser; $out/sched/run.json in ui.perfetto.dev"
