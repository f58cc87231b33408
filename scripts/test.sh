#!/usr/bin/env bash
# Builds xdet (release preset) and runs every test; then builds the
# sanitizer preset's fuzz targets and runs each briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset default
cmake --build --preset default
ctest --preset default
if [ "${XDET_SKIP_FUZZ:-0}" != 1 ]; then
  cmake --preset asan > /dev/null
  # Only the fuzz targets (and what they link) are built in the asan tree here.
  fuzzers=$(cmake --build --preset asan --target help | sed -n 's/^\(fuzz_[A-Za-z0-9_]*\):.*/\1/p')
  if [ -n "$fuzzers" ]; then
    cmake --build --preset asan --target $fuzzers
    ctest --preset asan -L fuzz
  fi
fi
