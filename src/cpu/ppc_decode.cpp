#include "cpu/ppc_decode.h"

#include "cpu/cpu_fault.h"
#include "cpu/interp_families.h"
#ifdef XDET_HAVE_VMX
#include "cpu/vmx/vmx_decode.h"
#endif

namespace xdet::cpu {
namespace {

void op_illegal(PpcContext& ctx, const DecodedInsn& insn) { raise_illegal_instruction(ctx, insn); }

InsnHandler decode_known(uint32_t w) {
  InsnHandler h = nullptr;
  uint32_t op = w >> 26;
  switch (op) {
    case 4: case 5: case 6: break;  // vector only
    case 59: case 63: h = decode_fpu(w); break;
    case 16: case 18: case 19: h = decode_branch(w); break;
    case 31:
      if (!(h = decode_integer(w)) && !(h = decode_loadstore(w))) h = decode_system(w);
      break;
    default:
      if (!(h = decode_integer(w)) && !(h = decode_loadstore(w))) h = decode_system(w);
      break;
  }
#ifdef XDET_HAVE_VMX
  if (!h && (op == 4 || op == 5 || op == 6 || op == 31)) h = decode_vector_insn(w);
#endif
  return h;
}

}  // namespace

InsnHandler decode_instruction(uint32_t word) {
  InsnHandler h = decode_known(word);
  return h ? h : op_illegal;
}

bool is_known_instruction(uint32_t word) { return decode_known(word) != nullptr; }

bool ends_block(uint32_t word) { return is_block_terminator(word) || !is_known_instruction(word); }

}  // namespace xdet::cpu
