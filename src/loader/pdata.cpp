#include "loader/pdata.h"

namespace xdet::loader {

uint32_t measure_prolog(const uint32_t* words, uint32_t count) {
  uint32_t prolog = 0;
  for (uint32_t i = 0; i < count && i < 0xFF; ++i) {
    uint32_t w = words[i];
    uint32_t op = w >> 26, rs = (w >> 21) & 31, ra = (w >> 16) & 31, xo = (w >> 1) & 0x3FF;
    bool relevant = false;
    if (op == 31 && xo == 339 && (((w >> 16) & 31) | (((w >> 11) & 31) << 5)) == 8) {
      relevant = true;  // mflr
    } else if ((op == 36 || op == 37 || op == 47 || op == 54 || op == 62) && ra == 1) {
      relevant = true;  // stw / stwu / stmw / stfd / std / stdu through r1
    } else if (op == 31 && (xo == 183 || xo == 181) && rs == 1 && ra == 1) {
      relevant = true;  // stwux / stdux r1,r1,rX
    } else if (op == 18 || op == 16 || op == 19) {
      break;  // a branch (or the first call) ends the prolog region
    }
    if (relevant) prolog = i + 1;
  }
  return prolog;
}

}  // namespace xdet::loader
