#!/bin/sh
# The guest SDK from outside the tree: `cmake --install` the build into a
# fresh prefix, configure guest/examples/out_of_tree with the installed
# toolchain file, build it and run the result with the installed xdet.
# Usage: sdk_install_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
toolchain="$work/prefix/share/xdet/guest-sdk/cmake/xdet-guest-toolchain.cmake"
test -f "$toolchain" || { echo "FAIL: no toolchain file installed"; exit 1; }
test -f "$work/prefix/share/xdet/guest-sdk/include/xdet/xboxkrnl.h" || { echo "FAIL: no SDK headers installed"; exit 1; }
cp -r "$src/guest/examples/out_of_tree" "$work/project"
cmake -S "$work/project" -B "$work/project/build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; echo "FAIL: configure"; exit 1; }
cmake --build "$work/project/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; echo "FAIL: build"; exit 1; }
out=$("$work/prefix/bin/xdet" run "$work/project/build/worker_sum.xex" 2>"$work/run.err") ||
  { cat "$work/run.err"; echo "FAIL: run exited $?"; exit 1; }
echo "$out"
case "$out" in
  *"worker_sum: 125250 + 375250 = 500500"*) echo "ok: out-of-tree program built with the installed SDK ran" ;;
  *) echo "FAIL: unexpected output"; exit 1 ;;
esac
