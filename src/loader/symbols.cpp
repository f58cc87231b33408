#include "loader/symbols.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "cpu/harness/elf_image.h"
#include "loader/loader.h"
#include "memory/guest_memory.h"

namespace xdet::loader {
namespace {

constexpr uint8_t kSttFunc = 2;
constexpr uint32_t kReturnSentinel = 0xBCBCBCBC;  // LR of a thread's first frame

bool looks_like_elf(const std::vector<uint8_t>& b) { return b.size() >= 4 && std::memcmp(b.data(), "\x7F" "ELF", 4) == 0; }

}  // namespace

SymbolTable SymbolTable::from_elf_bytes(std::vector<uint8_t> bytes, const std::string& name) {
  cpu::ElfImage elf = cpu::ElfImage::parse(std::move(bytes), name);
  SymbolTable t;
  for (const cpu::ElfSymbol& s : elf.symbols()) {
    if ((s.info & 0xF) != kSttFunc || s.name.empty() || s.shndx == 0 || s.value > 0xFFFFFFFFull) continue;
    t.add(static_cast<uint32_t>(s.value), static_cast<uint32_t>(std::min<uint64_t>(s.size, 0xFFFFFFFFull)), s.name);
  }
  t.sort();
  return t;
}

SymbolTable SymbolTable::load_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  if (looks_like_elf(bytes)) return from_elf_bytes(std::move(bytes), path);
  // nm-style: "82001000 T main", "0x82001000 main" or "82001000 t name".
  SymbolTable t;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  int lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream f(line);
    std::string addr, a, b;
    if (!(f >> addr) || addr[0] == '#') continue;
    f >> a >> b;
    std::string name = b.empty() ? a : b;
    std::string type = b.empty() ? "" : a;
    char* end = nullptr;
    unsigned long long v = std::strtoull(addr.c_str(), &end, 16);
    if (name.empty() || !end || *end || v > 0xFFFFFFFFull || (type.size() > 1)) {
      throw_input_error("{}:{}: not a symbol line (want \"ADDRESS [TYPE] NAME\"): {}", path, lineno, line);
    }
    // Only code symbols: nm's T/t/W/w (and untyped lines).
    if (!type.empty() && std::string("TtWw").find(type[0]) == std::string::npos) continue;
    t.add(static_cast<uint32_t>(v), 0, name);
  }
  t.sort();
  return t;
}

SymbolTable SymbolTable::beside_xex(const std::string& xex_path) {
  std::string elf = xex_path;
  if (elf.size() > 4 && elf.compare(elf.size() - 4, 4, ".xex") == 0) elf.resize(elf.size() - 4);
  elf += ".elf";
  std::ifstream probe(elf, std::ios::binary);
  if (!probe) return {};
  try {
    return load_file(elf);
  } catch (const Error&) {
    return {};
  }
}

void SymbolTable::add(uint32_t address, uint32_t size, std::string name) {
  symbols_.push_back(Symbol{address, size, std::move(name)});
}

void SymbolTable::merge(const SymbolTable& other) {
  std::vector<Symbol> merged = other.symbols_;
  merged.insert(merged.end(), symbols_.begin(), symbols_.end());
  symbols_ = std::move(merged);
  sort();
}

void SymbolTable::sort() {
  // Stable: at equal addresses the first added wins (a global before its
  // local alias, --symbols before the ELF beside the XEX).
  std::stable_sort(symbols_.begin(), symbols_.end(),
                   [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
  symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                             [](const Symbol& a, const Symbol& b) { return a.address == b.address; }),
                 symbols_.end());
}

const Symbol* SymbolTable::find(uint32_t address) const {
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                             [](uint32_t a, const Symbol& s) { return a < s.address; });
  if (it == symbols_.begin()) return nullptr;
  const Symbol& s = *(it - 1);
  if (s.size) return address - s.address < s.size ? &s : nullptr;
  // Unknown size (maps): up to the next symbol, within a sane function size.
  if (it != symbols_.end()) return &s;
  return address - s.address < 0x10000 ? &s : nullptr;
}

std::string SymbolTable::describe(uint32_t address) const {
  const Symbol* s = find(address);
  if (!s) return {};
  uint32_t off = address - s->address;
  return off ? fmt::format("{}+0x{:x}", s->name, off) : s->name;
}

std::string SymbolTable::describe_pc(uint32_t address) const {
  std::string sym = describe(address);
  return sym.empty() ? fmt::format("0x{:08x}", address) : fmt::format("0x{:08x} ({})", address, sym);
}

std::vector<uint32_t> walk_back_chain(const GuestMemory& mem, uint32_t pc, uint32_t lr, uint32_t sp,
                                      const SymbolTable* symbols, size_t max_frames) {
  std::vector<uint32_t> frames{pc};
  auto readable = [&](uint32_t a) { return a % 4 == 0 && mem.is_accessible(a, 4, GuestMemory::kProtRead); };
  if (!readable(sp)) return frames;
  uint32_t back = mem.read32(sp);
  uint32_t saved = back > sp && readable(back + 4) ? mem.read32(back + 4) : 0;
  // A leaf (or a function before its prologue stored LR) returns through LR
  // itself; a function that has called since holds a stale LR into itself.
  bool lr_in_same_function = false;
  if (symbols) {
    const Symbol* a = symbols->find(pc);
    lr_in_same_function = a && a == symbols->find(lr);
  }
  if (lr && lr != kReturnSentinel && lr != saved && lr % 4 == 0 && !lr_in_same_function) frames.push_back(lr);
  uint32_t cur = sp;
  while (frames.size() < max_frames) {
    if (!readable(cur)) break;
    uint32_t next = mem.read32(cur);
    if (next <= cur || !readable(next + 4)) break;
    uint32_t ret = mem.read32(next + 4);
    if (ret == 0 || ret == kReturnSentinel || ret % 4) break;
    frames.push_back(ret);
    cur = next;
  }
  return frames;
}

}  // namespace xdet::loader
