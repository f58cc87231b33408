#!/usr/bin/env bash
# Checks `xdet run-elf` output and exit codes on tiny assembled programs:
# guest exit status, write to stdout, guest fault (4), trap (5), instruction
# limit (6), unimplemented syscall (8), malformed ELF (3).
set -u
XDET="$1"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail=0

build() {  # name bits asm-body
  local name=$1 bits=$2
  printf '%s\n' "$3" > "$T/$name.s"
  if [ "$bits" = 64 ]; then
    powerpc64-linux-gnu-as -a64 -be -mregnames "$T/$name.s" -o "$T/$name.o" &&
      powerpc64-linux-gnu-ld -m elf64ppc -Ttext=0x10000000 -o "$T/$name.elf" "$T/$name.o"
  else
    powerpc64-linux-gnu-as -a32 -be -mregnames "$T/$name.s" -o "$T/$name.o" &&
      powerpc64-linux-gnu-ld -m elf32ppc -Ttext=0x10000000 -o "$T/$name.elf" "$T/$name.o"
  fi
}

expect() {  # name want_rc [want_stdout] [want_stderr_substring]
  local out err rc
  out="$("$XDET" run-elf "${EXTRA[@]}" "$T/$1.elf" 2>"$T/err")"
  rc=$?
  err="$(cat "$T/err")"
  if [ "$rc" != "$2" ]; then echo "FAIL $1: exit $rc, want $2 ($err)"; fail=1; return; fi
  if [ -n "${3:-}" ] && [ "$out" != "$3" ]; then echo "FAIL $1: stdout '$out', want '$3'"; fail=1; fi
  if [ -n "${4:-}" ] && [[ "$err" != *"$4"* ]]; then echo "FAIL $1: stderr '$err' lacks '$4'"; fail=1; fi
  echo "ok   $1 (exit $rc)"
}
EXTRA=()

HELLO='  .text
  .globl _start
_start:
  li r0, 4
  li r3, 1
  lis r4, msg@ha
  addi r4, r4, msg@l
  li r5, 6
  sc
  li r0, 1
  li r3, 42
  sc
  .data
msg: .ascii "hello\n"'
build hello32 32 "$HELLO" && expect hello32 42 hello
build hello64 64 "  .abiversion 2
$HELLO" && expect hello64 42 hello
build fault 32 '  .globl _start
_start:
  lis r4, 0x2000
  lwz r3, 8(r4)' && expect fault 4 "" "at 0x20000008"
build illegal 32 '  .globl _start
_start:
  .long 0' && expect illegal 4 "" "illegal instruction 0x00000000 at PC 0x10000000"
build trap 32 '  .globl _start
_start:
  trap' && expect trap 5 "" "trap at PC"
build loop 32 '  .globl _start
_start:
  b _start' && { EXTRA=(--max-instructions 1000); expect loop 6 "" "instruction limit"; EXTRA=(); }
build badsys 32 '  .globl _start
_start:
  li r0, 5
  sc' && expect badsys 8 "" "unimplemented system call 5"
printf 'not an elf' > "$T/junk.elf" && expect junk 3 "" "offset 0x"
head -c 60 "$T/hello32.elf" > "$T/trunc.elf" && expect trunc 3 "" "offset"
exit $fail
