#include "loader/elf_to_xex.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "base/byte_order.h"
#include "base/error.h"
#include "loader/xex2_format.h"

namespace xdet::xex {

namespace {

constexpr uint32_t kShtProgbits = 1, kShtSymtab = 2, kShtNobits = 8;
constexpr uint32_t kShfWrite = 1, kShfAlloc = 2, kShfExec = 4, kShfTls = 0x400;

struct Section {
  std::string name;
  uint32_t type, flags, addr, offset, size;
};

class ElfReader {
 public:
  ElfReader(std::span<const uint8_t> d, const std::string& name) : d_(d), name_(name) {}
  void need(uint64_t off, uint64_t size, const char* what) const {
    if (off > d_.size() || size > d_.size() - off) {
      throw_input_error("{}: ELF {} at offset 0x{:X} (0x{:X} bytes) extends past the end of the file (0x{:X} bytes)",
                        name_, what, off, size, d_.size());
    }
  }
  uint32_t u32(uint64_t off, const char* what) const {
    need(off, 4, what);
    return load_be32(d_.data() + off);
  }
  uint16_t u16(uint64_t off, const char* what) const {
    need(off, 2, what);
    return load_be16(d_.data() + off);
  }
  std::string str(uint64_t table_off, uint64_t table_size, uint32_t index, const char* what) const {
    if (index >= table_size) throw_input_error("{}: ELF {} name index {} is outside its string table", name_, what, index);
    need(table_off, table_size, what);
    const char* p = reinterpret_cast<const char*>(d_.data() + table_off + index);
    return std::string(p, strnlen(p, table_size - index));
  }
  const uint8_t* at(uint64_t off) const { return d_.data() + off; }

 private:
  std::span<const uint8_t> d_;
  const std::string& name_;
};

const char* library_for_index(uint32_t index) {
  switch (index) {
    case 0: return "xboxkrnl.exe";
    case 1: return "xam.xex";
  }
  return nullptr;
}

}  // namespace

XexBuildSpec spec_from_elf(std::span<const uint8_t> elf, const std::string& name) {
  ElfReader r(elf, name);
  r.need(0, 52, "header");
  const uint8_t* e = r.at(0);
  if (std::memcmp(e, "\x7F" "ELF", 4) != 0) throw_input_error("{}: not an ELF file (bad magic at offset 0)", name);
  if (e[4] != 1 || e[5] != 2) {
    throw_input_error("{}: ELF class {} / data encoding {} at offset 4 is not 32-bit big-endian", name, e[4], e[5]);
  }
  uint16_t type = r.u16(16, "e_type");
  uint16_t machine = r.u16(18, "e_machine");
  if (machine != 20) throw_input_error("{}: ELF e_machine {} at offset 0x12 is not 20 (PowerPC)", name, machine);
  if (type != 2) throw_input_error("{}: ELF e_type {} at offset 0x10 is not 2 (executable); link it first", name, type);
  uint32_t entry = r.u32(24, "e_entry");
  uint32_t shoff = r.u32(32, "e_shoff");
  uint16_t shentsize = r.u16(46, "e_shentsize");
  uint16_t shnum = r.u16(48, "e_shnum");
  uint16_t shstrndx = r.u16(50, "e_shstrndx");
  if (shentsize != 40) throw_input_error("{}: ELF e_shentsize {} at offset 0x2E is not 40", name, shentsize);
  if (shstrndx >= shnum) throw_input_error("{}: ELF e_shstrndx {} at offset 0x32 is out of range", name, shstrndx);
  r.need(shoff, uint64_t{shnum} * 40, "section header table");

  std::vector<Section> sections;
  const uint64_t strsh = shoff + uint64_t{shstrndx} * 40;
  const uint32_t shstr_off = r.u32(strsh + 16, "sh_offset"), shstr_size = r.u32(strsh + 20, "sh_size");
  for (uint32_t i = 0; i < shnum; ++i) {
    uint64_t h = shoff + uint64_t{i} * 40;
    Section s;
    s.name = r.str(shstr_off, shstr_size, r.u32(h, "sh_name"), "section");
    s.type = r.u32(h + 4, "sh_type");
    s.flags = r.u32(h + 8, "sh_flags");
    s.addr = r.u32(h + 12, "sh_addr");
    s.offset = r.u32(h + 16, "sh_offset");
    s.size = r.u32(h + 20, "sh_size");
    sections.push_back(s);
  }

  // Symbols of interest.
  std::map<std::string, uint32_t> symbols;
  for (const Section& s : sections) {
    if (s.type != kShtSymtab) continue;
    size_t idx = &s - sections.data();
    uint64_t h = shoff + idx * 40;
    uint32_t link = r.u32(h + 24, "sh_link");
    if (link >= sections.size()) throw_input_error("{}: ELF symbol table's string table index {} is invalid", name, link);
    const Section& strtab = sections[link];
    r.need(s.offset, s.size, "symbol table");
    for (uint64_t p = s.offset; p + 16 <= uint64_t{s.offset} + s.size; p += 16) {
      uint32_t name_index = r.u32(p, "st_name");
      if (!name_index) continue;
      std::string n = r.str(strtab.offset, strtab.size, name_index, "symbol");
      if (n.rfind("__xdet_", 0) == 0) symbols[n] = r.u32(p + 4, "st_value");
    }
  }

  // Image extent.
  std::vector<const Section*> alloc;
  for (const Section& s : sections) {
    if (!(s.flags & kShfAlloc) || s.size == 0) continue;
    if (s.flags & kShfTls) {
      throw_input_error("{}: section {} is thread-local; the guest SDK does not support __thread (the console's TLS "
                        "lives at r13+0, not in the SysV r2 model)",
                        name, s.name);
    }
    alloc.push_back(&s);
  }
  if (alloc.empty()) throw_input_error("{}: ELF has no allocated sections", name);
  uint32_t lowest = 0xFFFFFFFF;
  uint64_t highest = 0;
  for (const Section* s : alloc) {
    lowest = std::min(lowest, s->addr);
    highest = std::max<uint64_t>(highest, uint64_t{s->addr} + s->size);
  }
  XexBuildSpec spec;
  spec.image_base = symbols.count("__xdet_image_base") ? symbols["__xdet_image_base"] : (lowest & ~0xFFFFu);
  const uint32_t base = spec.image_base;
  if (base < 0x80000000u || base >= 0xA0000000u) {
    throw_input_error("{}: image base 0x{:08X} is outside the XEX heaps 0x80000000-0x9FFFFFFF (link with the guest "
                      "SDK's xex.ld)",
                      name, base);
  }
  const uint32_t page = base >= 0x90000000u ? 0x1000 : 0x10000;
  if (lowest < base + 0x1000) {
    throw_input_error("{}: section at 0x{:08X} overlaps the 4 KB reserved for the PE headers at 0x{:08X}", name,
                      lowest, base);
  }
  uint64_t span = (highest - base + page - 1) / page * page;
  if (base + span > (base >= 0x90000000u ? 0xA0000000ull : 0x90000000ull)) {
    throw_input_error("{}: image 0x{:08X}-0x{:08X} does not fit its XEX heap", name, base, base + span);
  }
  spec.image.assign(span, 0);
  for (const Section* s : alloc) {
    if (s->type == kShtNobits) continue;
    r.need(s->offset, s->size, "section contents");
    std::memcpy(&spec.image[s->addr - base], r.at(s->offset), s->size);
  }

  // Page types -> runs.
  const uint32_t pages = static_cast<uint32_t>(span / page);
  std::vector<uint8_t> page_type(pages, 0);
  for (const Section* s : alloc) {
    uint8_t t = (s->flags & kShfExec) ? kSectionCode : (s->flags & kShfWrite) ? kSectionData : kSectionReadOnlyData;
    uint32_t first = (s->addr - base) / page;
    uint32_t last = static_cast<uint32_t>((uint64_t{s->addr} + s->size - 1 - base) / page);
    for (uint32_t p = first; p <= last; ++p) {
      uint8_t& cur = page_type[p];
      if (cur == 0 || cur == t) {
        cur = t;
      } else if (cur == kSectionReadOnlyData || t == kSectionReadOnlyData) {
        // Read-only data sharing a page with code stays read-only (code);
        // with writable data the page must be writable.
        if (cur == kSectionReadOnlyData) cur = t;
      } else {
        throw_input_error("{}: section {} puts code and writable data in the same 0x{:X}-byte page at 0x{:08X}; "
                          "align sections to pages (see guest/sdk/xex.ld)",
                          name, s->name, page, base + p * page);
      }
    }
  }
  uint8_t prev = kSectionReadOnlyData;
  for (uint8_t& t : page_type) {
    if (t == 0) t = prev;
    prev = t;
  }
  for (uint32_t p = 0; p < pages; ++p) {
    if (!spec.runs.empty() && spec.runs.back().section_type == page_type[p]) spec.runs.back().pages++;
    else spec.runs.push_back({1, page_type[p]});
  }

  if (entry < base + 0x1000 || entry >= base + span) {
    throw_input_error("{}: ELF entry point 0x{:08X} (e_entry at offset 0x18) is outside the image", name, entry);
  }
  spec.entry_point = entry;

  // Imports.
  auto range = [&](const char* start, const char* end) -> std::optional<std::pair<uint32_t, uint32_t>> {
    if (!symbols.count(start) || !symbols.count(end)) return std::nullopt;
    uint32_t a = symbols[start], b = symbols[end];
    if (b < a || a < base || b > base + span) {
      throw_input_error("{}: {} / {} (0x{:08X}..0x{:08X}) are not a range inside the image", name, start, end, a, b);
    }
    return std::pair{a, b};
  };
  auto word_at = [&](uint32_t addr) { return load_be32(&spec.image[addr - base]); };
  struct Var {
    uint32_t address;
    uint32_t lib;
    uint16_t ordinal;
  };
  std::vector<Var> vars;
  std::map<std::pair<uint32_t, uint16_t>, uint32_t> thunks;
  if (auto iat = range("__xdet_iat_start", "__xdet_iat_end")) {
    if ((iat->second - iat->first) % 4) throw_input_error("{}: import slot area is not a multiple of 4 bytes", name);
    for (uint32_t a = iat->first; a < iat->second; a += 4) {
      uint32_t w = word_at(a);
      if ((w >> 24) != kImportVariable || !library_for_index((w >> 16) & 0xFF)) {
        throw_input_error("{}: import slot at 0x{:08X} holds 0x{:08X}, not (library << 16) | ordinal", name, a, w);
      }
      vars.push_back({a, (w >> 16) & 0xFF, static_cast<uint16_t>(w & 0xFFFF)});
    }
  }
  if (auto th = range("__xdet_thunks_start", "__xdet_thunks_end")) {
    if ((th->second - th->first) % 16) throw_input_error("{}: import thunk area is not a multiple of 16 bytes", name);
    for (uint32_t a = th->first; a < th->second; a += 16) {
      uint32_t w = word_at(a);
      if ((w >> 24) != kImportFunction || !library_for_index((w >> 16) & 0xFF)) {
        throw_input_error("{}: import thunk at 0x{:08X} starts with 0x{:08X}, not a function import record", name, a,
                          w);
      }
      thunks[{(w >> 16) & 0xFF, static_cast<uint16_t>(w & 0xFFFF)}] = a;
    }
  }
  for (const Var& v : vars) {
    ImportSpec i;
    i.library = library_for_index(v.lib);
    i.ordinal = v.ordinal;
    i.variable_address = v.address;
    auto t = thunks.find({v.lib, v.ordinal});
    if (t != thunks.end()) {
      i.thunk_address = t->second;
      thunks.erase(t);
    }
    spec.imports.push_back(i);
  }
  if (!thunks.empty()) {
    auto [key, addr] = *thunks.begin();
    throw_input_error("{}: import thunk at 0x{:08X} ({} ordinal 0x{:X}) has no matching import slot", name, addr,
                      library_for_index(key.first), key.second);
  }

  for (const Section* s : alloc) {
    uint32_t ch = (s->flags & kShfExec) ? 0x60000020u
                  : (s->flags & kShfWrite) ? (s->type == kShtNobits ? 0xC0000080u : 0xC0000040u)
                                           : 0x40000040u;
    spec.sections.push_back({s->name, s->addr, s->size, ch});
  }
  (void)kShtProgbits;
  return spec;
}

}  // namespace xdet::xex
