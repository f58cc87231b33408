#!/usr/bin/env bash
# xdet demo: build (if needed), generate a realistic canary/ours trace pair
# with injected divergences and absorbable noise, diff it, show the report.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/xdet ]; then
  cmake --preset default
  cmake --build --preset default --target xdet
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== Generating a trace pair (4 guest threads, 2 injected divergences)"
build/xdet gen-traces --out-dir "$work" --seed 42 --events 20000 --threads 4 --divergences 2

echo
echo "== xdet diff --canary canary.jsonl --ours ours.jsonl --emit-absorbed-events absorbed.jsonl"
build/xdet diff --canary "$work/canary.jsonl" --ours "$work/ours.jsonl" \
  --out "$work/report.md" --emit-absorbed-events "$work/absorbed.jsonl"
echo
cat "$work/report.md"
echo
echo
echo "== First absorbed events (noise the diff tolerates)"
head -n 3 "$work/absorbed.jsonl" | cut -c1-200
