#!/usr/bin/env bash
# Whole-program differential check: the benchmark kernels (bench/cpu/guest,
# with small iteration counts) compiled as 32-bit (console semantics, checked
# against qemu-ppc) and 64-bit ELFv1 (mode64, checked against qemu-ppc64)
# must print the same output under `xdet run-elf` as under qemu.
set -u
XDET="$1"
SRC="$2"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail=0
SMALL="-DROUNDS=3 -DITERATIONS=20000"
FLAGS="-O2 -static -nostdlib -ffreestanding -fno-builtin"
for k in hash sort interp matmul; do
  powerpc-linux-gnu-gcc $FLAGS $SMALL -mcpu=750 -o "$T/${k}32.elf" "$SRC/$k.c" -lgcc || { echo "FAIL build $k 32"; fail=1; continue; }
  powerpc64-linux-gnu-gcc $FLAGS $SMALL -mcpu=970 -mno-altivec -o "$T/${k}64.elf" "$SRC/$k.c" -lgcc || { echo "FAIL build $k 64"; fail=1; continue; }
  for bits in 32 64; do
    qemu=qemu-ppc; [ $bits = 64 ] && qemu=qemu-ppc64
    want="$($qemu "$T/$k$bits.elf")"
    got="$("$XDET" run-elf "$T/$k$bits.elf")"
    if [ "$want" != "$got" ] || [ -z "$want" ]; then
      echo "FAIL $k ($bits-bit): qemu '$want' xdet '$got'"
      fail=1
    else
      echo "ok   $k ($bits-bit): $got"
    fi
  done
done
exit $fail
