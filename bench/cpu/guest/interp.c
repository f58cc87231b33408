/* A branchy bytecode interpreter: a small stack/register VM running a
 * program that computes a checksum over a counted loop. */
#include "rt.h"

#ifndef ITERATIONS
#define ITERATIONS 600000
#endif

enum { OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_SHR, OP_AND, OP_JNZ, OP_DUP, OP_DROP, OP_HALT };

typedef struct {
  unsigned char op;
  int arg;
} Insn;

static const Insn program[] = {
    /* regs: 0 = counter, 1 = acc, 2 = x */
    {OP_PUSH, ITERATIONS}, {OP_STORE, 0},  {OP_PUSH, 1},       {OP_STORE, 1},  {OP_PUSH, 7}, {OP_STORE, 2},
    /* loop: */
    {OP_LOAD, 1},       {OP_LOAD, 2},   {OP_MUL, 0},        {OP_PUSH, 13},  {OP_ADD, 0},  {OP_STORE, 1},
    {OP_LOAD, 1},       {OP_PUSH, 7},   {OP_SHR, 0},        {OP_LOAD, 2},   {OP_XOR, 0},  {OP_PUSH, 0xFFFF},
    {OP_AND, 0},        {OP_PUSH, 3},   {OP_ADD, 0},        {OP_STORE, 2},  {OP_LOAD, 0}, {OP_PUSH, 1},
    {OP_SUB, 0},        {OP_DUP, 0},    {OP_STORE, 0},      {OP_JNZ, 6},    {OP_HALT, 0},
};

static u32 run(const Insn* code, u32* regs) {
  u32 stack[64];
  int sp = 0;
  int pc = 0;
  for (;;) {
    const Insn* in = &code[pc++];
    switch (in->op) {
      case OP_PUSH: stack[sp++] = (u32)in->arg; break;
      case OP_LOAD: stack[sp++] = regs[in->arg]; break;
      case OP_STORE: regs[in->arg] = stack[--sp]; break;
      case OP_ADD: --sp; stack[sp - 1] += stack[sp]; break;
      case OP_SUB: --sp; stack[sp - 1] -= stack[sp]; break;
      case OP_MUL: --sp; stack[sp - 1] *= stack[sp]; break;
      case OP_XOR: --sp; stack[sp - 1] ^= stack[sp]; break;
      case OP_SHR: --sp; stack[sp - 1] >>= stack[sp]; break;
      case OP_AND: --sp; stack[sp - 1] &= stack[sp]; break;
      case OP_JNZ: if (stack[--sp]) pc = in->arg; break;
      case OP_DUP: stack[sp] = stack[sp - 1]; ++sp; break;
      case OP_DROP: --sp; break;
      case OP_HALT: return regs[1] ^ regs[2];
    }
  }
}

int main(void) {
  u32 regs[8] = {0};
  u32 r = run(program, regs);
  print_hex64("interp checksum ", r);
  return 0;
}
