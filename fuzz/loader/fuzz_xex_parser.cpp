// libFuzzer target: the whole XEX path (header parse, basefile decode with
// AES/basic/LZX, PE checks, mapping and import resolution) on arbitrary
// bytes. Bad input must end in InputError; anything else (crash, ASan/UBSan
// report, other exception) is a bug.
#include <cstddef>
#include <cstdint>

#include "base/error.h"
#include "loader/loader.h"

namespace {
xdet::GuestMemory& memory() {
  static xdet::GuestMemory mem;
  return mem;
}
xdet::MemoryMap& memory_map() {
  static xdet::MemoryMap map(memory());
  return map;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  xdet::MemoryMap& map = memory_map();
  try {
    xdet::loader::load_xex(map, std::span<const uint8_t>(data, size), "fuzz.xex", nullptr, 4u << 20);
  } catch (const xdet::InputError&) {
  }
  // Undo a successful load so the next input finds the XEX heaps empty.
  map.heap(xdet::MemoryMap::kV8).reset();
  map.heap(xdet::MemoryMap::kV9).reset();
  return 0;
}
