// Writes a minimal guest ELF (32-bit big-endian PowerPC, the guest SDK's
// layout: .text with one import thunk, .rdata with its slot, symbols) as the
// seed of fuzz_elf_to_xex.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "base/byte_order.h"

namespace {
struct Elf {
  std::vector<uint8_t> b;
  size_t add(const void* p, size_t n) {
    size_t off = b.size();
    b.insert(b.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
    return off;
  }
  void be32(size_t off, uint32_t v) { xdet::store_be32(&b[off], v); }
  void be16(size_t off, uint16_t v) { xdet::store_be16(&b[off], v); }
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  Elf e;
  e.b.resize(52);
  const uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1, 2, 1};
  std::memcpy(e.b.data(), ident, sizeof ident);
  e.be16(16, 2);
  e.be16(18, 20);
  e.be32(20, 1);
  e.be32(24, 0x82001000);
  e.be16(40, 52);
  uint8_t text[32] = {};
  xdet::store_be32(text + 0, 0x48000011);   // bl thunk
  xdet::store_be32(text + 4, 0x4E800020);   // blr
  xdet::store_be32(text + 16, 0x01000003);  // thunk: DbgPrint
  xdet::store_be32(text + 20, 0x82010000);
  xdet::store_be32(text + 24, 0x7D6903A6);
  xdet::store_be32(text + 28, 0x4E800420);
  size_t text_off = e.add(text, sizeof text);
  uint8_t rdata[4];
  xdet::store_be32(rdata, 0x00000003);
  size_t rdata_off = e.add(rdata, sizeof rdata);
  const char shstr[] = "\0.text\0.rdata\0.symtab\0.strtab\0.shstrtab";
  size_t shstr_off = e.add(shstr, sizeof shstr);
  const char* names[] = {"__xdet_image_base", "__xdet_thunks_start", "__xdet_thunks_end", "__xdet_iat_start",
                         "__xdet_iat_end"};
  uint32_t values[] = {0x82000000, 0x82001010, 0x82001020, 0x82010000, 0x82010004};
  std::string strtab(1, '\0');
  std::vector<uint8_t> syms(16, 0);
  for (int i = 0; i < 5; ++i) {
    uint8_t s[16] = {};
    xdet::store_be32(s, static_cast<uint32_t>(strtab.size()));
    xdet::store_be32(s + 4, values[i]);
    s[12] = 0x10;  // global notype
    xdet::store_be16(s + 14, 0xFFF1);
    syms.insert(syms.end(), s, s + 16);
    strtab += names[i];
    strtab += '\0';
  }
  size_t sym_off = e.add(syms.data(), syms.size());
  size_t str_off = e.add(strtab.data(), strtab.size());
  while (e.b.size() % 4) e.b.push_back(0);
  size_t shoff = e.b.size();
  e.be32(32, static_cast<uint32_t>(shoff));
  e.be16(46, 40);
  e.be16(48, 6);
  e.be16(50, 5);
  struct Sh {
    uint32_t name, type, flags, addr, off, size, link, info, align, entsize;
  } sh[6] = {{},
             {1, 1, 6, 0x82001000, (uint32_t)text_off, sizeof text, 0, 0, 16, 0},
             {7, 1, 2, 0x82010000, (uint32_t)rdata_off, sizeof rdata, 0, 0, 4, 0},
             {14, 2, 0, 0, (uint32_t)sym_off, (uint32_t)syms.size(), 4, 1, 4, 16},
             {22, 3, 0, 0, (uint32_t)str_off, (uint32_t)strtab.size(), 0, 0, 1, 0},
             {30, 3, 0, 0, (uint32_t)shstr_off, sizeof shstr, 0, 0, 1, 0}};
  for (const Sh& s : sh) {
    uint32_t f[10] = {s.name, s.type, s.flags, s.addr, s.off, s.size, s.link, s.info, s.align, s.entsize};
    for (uint32_t v : f) {
      uint8_t w[4];
      xdet::store_be32(w, v);
      e.add(w, 4);
    }
  }
  std::ofstream(std::string(argv[1]) + "/seed.elf", std::ios::binary)
      .write(reinterpret_cast<const char*>(e.b.data()), static_cast<std::streamsize>(e.b.size()));
  return 0;
}
