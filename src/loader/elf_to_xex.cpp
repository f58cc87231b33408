#include "loader/elf_to_xex.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "base/byte_order.h"
#include "base/error.h"
#include "cpu/harness/elf_image.h"
#include "loader/pdata.h"
#include "loader/xex2_format.h"

namespace xdet::xex {

namespace {

constexpr uint32_t kShtProgbits = 1, kShtNobits = 8;
constexpr uint32_t kShfWrite = 1, kShfAlloc = 2, kShfExec = 4, kShfTls = 0x400;

struct Section {
  std::string name;
  uint32_t type, flags, addr, offset, size;
};

const char* library_for_index(uint32_t index) {
  switch (index) {
    case 0: return "xboxkrnl.exe";
    case 1: return "xam.xex";
  }
  return nullptr;
}

// The exception directory. Programs that use the SDK's SEH (xdet/seh.h)
// carry function table entries written in assembly between
// __xdet_pdata_start/_end; every other function gets an entry from the
// symbol table (address, size) with its prolog measured from its first
// instructions, so the kernel can unwind through gcc's frames. The sorted
// table goes on read-only pages appended to the image. Without such
// entries the image has no exception directory (as before).
void add_exception_directory(XexBuildSpec& spec, const cpu::ElfImage& img, const std::string& name,
                             std::map<std::string, uint32_t>& symbols, uint64_t& span, uint32_t page) {
  if (!symbols.count("__xdet_pdata_start") || !symbols.count("__xdet_pdata_end")) return;
  const uint32_t base = spec.image_base;
  uint32_t first = symbols["__xdet_pdata_start"], last = symbols["__xdet_pdata_end"];
  if (last == first) return;
  if (last < first || first < base || last > base + span || (last - first) % 8) {
    throw_input_error("{}: __xdet_pdata_start/_end (0x{:08X}..0x{:08X}) are not a whole number of 8-byte function "
                      "table entries inside the image",
                      name, first, last);
  }
  auto word_at = [&](uint32_t addr) { return load_be32(&spec.image[addr - base]); };
  struct Entry {
    uint32_t begin, word;
  };
  std::vector<Entry> entries;
  for (uint32_t a = first; a < last; a += 8) {
    Entry e{word_at(a), word_at(a + 4)};
    loader::RuntimeFunction f;
    loader::decode_pdata_word(e.word, &f);
    f.begin = e.begin;
    if (e.begin < base + 0x1000 || (e.begin & 3) || f.length_insns == 0 || f.end() > base + span ||
        f.prolog_insns > f.length_insns) {
      throw_input_error("{}: function table entry at 0x{:08X} (begin 0x{:08X}, word 0x{:08X}) does not describe a "
                        "function inside the image",
                        name, a, e.begin, e.word);
    }
    if (f.has_handler && e.begin < base + 0x1008) {
      throw_input_error("{}: function 0x{:08X} has a language handler but no room for it before its start", name,
                        e.begin);
    }
    entries.push_back(e);
  }
  auto covered = [&](uint32_t addr) {
    for (const Entry& e : entries) {
      loader::RuntimeFunction f;
      loader::decode_pdata_word(e.word, &f);
      f.begin = e.begin;
      if (addr >= f.begin && addr < f.end()) return true;
    }
    return false;
  };
  uint32_t thunks_start = symbols.count("__xdet_thunks_start") ? symbols["__xdet_thunks_start"] : 0;
  uint32_t thunks_end = symbols.count("__xdet_thunks_end") ? symbols["__xdet_thunks_end"] : 0;
  std::vector<Entry> derived;
  for (const cpu::ElfSymbol& sym : img.symbols()) {
    constexpr uint8_t kSttFunc = 2;
    uint32_t addr = static_cast<uint32_t>(sym.value), size = static_cast<uint32_t>(sym.size);
    if ((sym.info & 0xF) != kSttFunc || size < 4 || (addr & 3) || addr < base + 0x1000 ||
        uint64_t{addr} + size > base + span) {
      continue;
    }
    if (addr >= thunks_start && addr < thunks_end) continue;  // import thunks: `sc` stubs, no frame
    if (covered(addr)) continue;
    uint32_t count = std::min<uint32_t>(size / 4, 64);
    std::vector<uint32_t> words(count);
    for (uint32_t i = 0; i < count; ++i) words[i] = word_at(addr + 4 * i);
    derived.push_back({addr, loader::encode_pdata_word(loader::measure_prolog(words.data(), count), size / 4, false)});
  }
  entries.insert(entries.end(), derived.begin(), derived.end());
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
  entries.erase(std::unique(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.begin == b.begin; }),
                entries.end());
  const uint32_t bytes = static_cast<uint32_t>(entries.size() * 8);
  const uint32_t table = base + static_cast<uint32_t>(span);
  const uint32_t pages = (bytes + page - 1) / page;
  uint64_t new_span = span + uint64_t{pages} * page;
  if (base + new_span > (base >= 0x90000000u ? 0xA0000000ull : 0x90000000ull)) {
    throw_input_error("{}: the function table (0x{:X} bytes) does not fit the XEX heap after the image", name, bytes);
  }
  spec.image.resize(new_span, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* p = &spec.image[table - base + i * 8];
    store_be32(p, entries[i].begin);
    store_be32(p + 4, entries[i].word);
  }
  if (!spec.runs.empty() && spec.runs.back().section_type == kSectionReadOnlyData) spec.runs.back().pages += pages;
  else spec.runs.push_back({pages, kSectionReadOnlyData});
  span = new_span;
  spec.exception_directory_rva = table - base;
  spec.exception_directory_size = bytes;
}

}  // namespace

XexBuildSpec spec_from_elf(std::span<const uint8_t> elf, const std::string& name) {
  // The packer's own requirements first (clearer messages for its inputs),
  // then the ELF reader `xdet run-elf` uses for everything else.
  if (elf.size() < 52) {
    throw_input_error("{}: ELF header at offset 0x0 (0x34 bytes) extends past the end of the file (0x{:X} bytes)", name,
                      elf.size());
  }
  const uint8_t* e = elf.data();
  if (std::memcmp(e, "\x7F" "ELF", 4) != 0) throw_input_error("{}: not an ELF file (bad magic at offset 0)", name);
  if (e[4] != 1 || e[5] != 2) {
    throw_input_error("{}: ELF class {} / data encoding {} at offset 4 is not 32-bit big-endian", name, e[4], e[5]);
  }
  uint16_t type = load_be16(e + 16);
  uint16_t machine = load_be16(e + 18);
  if (machine != 20) throw_input_error("{}: ELF e_machine {} at offset 0x12 is not 20 (PowerPC)", name, machine);
  if (type != 2) throw_input_error("{}: ELF e_type {} at offset 0x10 is not 2 (executable); link it first", name, type);
  uint16_t shentsize = load_be16(e + 46);
  if (shentsize != 40) throw_input_error("{}: ELF e_shentsize {} at offset 0x2E is not 40", name, shentsize);
  cpu::ElfImage img = cpu::ElfImage::parse(std::vector<uint8_t>(elf.begin(), elf.end()), name);
  uint32_t entry = static_cast<uint32_t>(img.entry());

  std::vector<Section> sections;
  for (const cpu::ElfSection& es : img.sections()) {
    Section sec{es.name, es.type, static_cast<uint32_t>(es.flags), static_cast<uint32_t>(es.addr),
                static_cast<uint32_t>(es.offset), static_cast<uint32_t>(es.size)};
    sections.push_back(sec);
  }
  // Symbols of interest.
  std::map<std::string, uint32_t> symbols;
  for (const cpu::ElfSymbol& sym : img.symbols()) {
    if (sym.name.rfind("__xdet_", 0) == 0) symbols[sym.name] = static_cast<uint32_t>(sym.value);
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
    std::span<const uint8_t> data = img.bytes(s->offset, s->size, "section contents");
    std::memcpy(&spec.image[s->addr - base], data.data(), s->size);
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

  add_exception_directory(spec, img, name, symbols, span, page);

  for (const Section* s : alloc) {
    uint32_t ch = (s->flags & kShfExec) ? 0x60000020u
                  : (s->flags & kShfWrite) ? (s->type == kShtNobits ? 0xC0000080u : 0xC0000040u)
                                           : 0x40000040u;
    spec.sections.push_back({s->name, s->addr, s->size, ch});
  }
  if (spec.exception_directory_size) {
    spec.sections.push_back({".pdata", base + spec.exception_directory_rva, spec.exception_directory_size, 0x40000040u});
  }
  (void)kShtProgbits;
  return spec;
}

}  // namespace xdet::xex
