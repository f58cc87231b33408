#!/usr/bin/env bash
# The README demo: build the starvation sample, run it under strict priority
# (it wedges: exit 7, exit-thread-state.json shows the cycle) and under
# priority aging (it completes), then let `xdet diff` find where the two
# runs' traces first diverge.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default > /dev/null
cmake --build --preset default --target xdet guest_starvation -j 2
out=build/demo
rm -rf "$out"
mkdir -p "$out/strict" "$out/aging"
xex=build/guest/samples/starvation.xex

echo "== strict priority: the priority-15 mixer starves the priority-0 producer on CPU 5"
set +e
build/xdet run --sched-policy strict --trace "$out/strict/trace.jsonl" "$xex"
echo "exit code $? (7 = wedge); exit state: $out/strict/exit-thread-state.json"

echo
echo "== priority aging: the starved producer's effective priority climbs until it runs"
build/xdet run --sched-policy aging --trace "$out/aging/trace.jsonl" "$xex"
echo "exit code $?"

echo
echo "== xdet diff: first divergence per thread (strict as 'canary', aging as 'ours')"
build/xdet diff --canary "$out/strict/trace.jsonl" --ours "$out/aging/trace.jsonl" --out "$out/diff.md"
sed -n '/^## canary_tid=2/,/^\*\*Pre-context/p' "$out/diff.md"
echo "full report: $out/diff.md"
