// Arbitrary instruction words through the JIT and the interpreter side by
// side (jit/lockstep.h): the first 8 bytes seed registers and data, the next
// byte picks the budget pattern, the rest is the program. Any difference in
// architectural state, stop result or memory aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "jit/lockstep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 13) return 0;
  uint64_t seed;
  std::memcpy(&seed, data, 8);
  uint8_t pattern = data[8];
  std::vector<uint32_t> code;
  for (size_t i = 9; i + 4 <= size && code.size() < 512; i += 4) {
    code.push_back(static_cast<uint32_t>(data[i]) << 24 | static_cast<uint32_t>(data[i + 1]) << 16 |
                   static_cast<uint32_t>(data[i + 2]) << 8 | data[i + 3]);
  }
  // Loop back to the start so short inputs still run many blocks.
  code.push_back(0x48000000u | ((0u - 4 * static_cast<uint32_t>(code.size())) & 0x03FFFFFC));
  xdet::jit::Lockstep ls(code, seed);
  for (int s = 0; s < 24; ++s) {
    uint64_t budget = 1 + ((pattern >> (s % 8)) & 1 ? (seed >> (s % 32)) % 7 : 50 + (seed >> (s % 16)) % 400);
    if (auto diff = ls.step(budget)) {
      std::fprintf(stderr, "jit/interpreter mismatch at step %d: %s\n", s, diff->c_str());
      std::abort();
    }
  }
  return 0;
}
