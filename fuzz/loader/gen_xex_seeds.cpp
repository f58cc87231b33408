// Writes small valid XEX2 files (every format the writer can produce) as the
// seed corpus of fuzz_xex_parser.
#include <cstdio>
#include <fstream>
#include <string>

#include "base/byte_order.h"
#include "loader/xex2_format.h"
#include "loader/xex2_writer.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gen_xex_seeds DIR\n");
    return 2;
  }
  using namespace xdet::xex;
  struct Variant {
    const char* name;
    BaseCompression compression;
    bool encrypt;
  } variants[] = {{"raw", BaseCompression::kRaw, false},
                  {"basic", BaseCompression::kBasic, false},
                  {"lzx", BaseCompression::kLzxStored, false},
                  {"basic_aes", BaseCompression::kBasic, true},
                  {"lzx_aes", BaseCompression::kLzxStored, true},
                  {"lzx_compressed", BaseCompression::kLzx, false}};
  for (const Variant& v : variants) {
    // A 4 KB-page image at 0x92000000: 2 pages, one thunk and one variable.
    XexBuildSpec s;
    s.image_base = 0x92000000;
    s.entry_point = 0x92001000;
    s.image.assign(0x2000, 0);
    xdet::store_be32(&s.image[0x1000], 0x48000021);  // bl thunk
    xdet::store_be32(&s.image[0x1004], 0x4E800020);  // blr
    s.runs = {{1, kSectionCode}, {1, kSectionData}};
    s.imports = {{"xboxkrnl.exe", 0x003, 0x92001800, 0x92001020}, {"xam.xex", 0x1CF, 0x92001804, 0}};
    s.sections = {{".text", 0x92001000, 0x1000, 0x60000020}};
    s.tls = TlsInfo{4, 0x92001900, 0x20, 0x10};
    s.compression = v.compression;
    s.encrypt = v.encrypt;
    std::vector<uint8_t> bytes = build_xex(s);
    std::string path = std::string(argv[1]) + "/seed_" + v.name + ".xex";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
  }
  return 0;
}
