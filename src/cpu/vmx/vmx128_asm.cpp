// Encoder behind expand_console_mnemonics (see vmx128_asm.h). Field layout
// (LSB-0 bit numbering): VD128 = bits 21-25 | bits 2-3 << 5;
// VA128 = bits 16-20 | bit 5 << 5 | bit 10 << 6; VB128 = bits 11-15 | bits
// 0-1 << 5.
#include "cpu/vmx/vmx128_asm.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace xdet::cpu {
namespace {

enum class Form : uint8_t {
  kVABC,      // vD, vA, vB          (op5/op6 three-register forms)
  kVABD,      // vD, vA, vB[, vD]    (accumulating forms)
  kVADB,      // vD, vA, vD, vB | vD, vA, vB  (vmaddcfp128)
  kVBOnly,    // vD, vB
  kVBImm,     // vD, vB, IMM5 (bits 16-20)
  kSplatImm,  // vD, SIMM | vD, vB, SIMM
  kPerm,      // vD, vA, vB, vC
  kSldoi,     // vD, vA, vB, SHB
  kPermwi,    // vD, vB, PERM8
  kRlimi,     // vD, vB, MASK, ROT
  kPkd3d,     // vD, vB, TYPE, MODE, SHIFT
  kMem128,    // vD, rA, rB (opcode 4 VMX128 memory form)
  kMemX,      // vD, rA, rB (opcode 31 X form)
};

struct Mnemonic {
  const char* name;
  Form form;
  uint32_t base;  // opcode bits with all operand fields zero
  bool rc_ok;     // accepts a trailing '.'
};

constexpr uint32_t op(uint32_t primary) { return primary << 26; }
constexpr uint32_t op5(uint32_t o, bool b4) { return op(5) | (o << 6) | (b4 ? 0x10u : 0u); }
constexpr uint32_t op6(uint32_t o, bool b4) { return op(6) | (o << 6) | (b4 ? 0x10u : 0u); }
constexpr uint32_t op6k(uint32_t key7) { return op(6) | (key7 << 4); }
constexpr uint32_t mem128(uint32_t key7) { return op(4) | (key7 << 4) | 3u; }
constexpr uint32_t memx(uint32_t xo) { return op(31) | (xo << 1); }

constexpr Mnemonic kMnemonics[] = {
    {"vaddfp128", Form::kVABC, op5(0, true), false},
    {"vsubfp128", Form::kVABC, op5(1, true), false},
    {"vmulfp128", Form::kVABC, op5(2, true), false},
    {"vmaddfp128", Form::kVABD, op5(3, true), false},
    {"vmaddcfp128", Form::kVADB, op5(4, true), false},
    {"vnmsubfp128", Form::kVABD, op5(5, true), false},
    {"vmsum3fp128", Form::kVABC, op5(6, true), false},
    {"vmsum4fp128", Form::kVABC, op5(7, true), false},
    {"vand128", Form::kVABC, op5(8, true), false},
    {"vandc128", Form::kVABC, op5(9, true), false},
    {"vnor128", Form::kVABC, op5(10, true), false},
    {"vor128", Form::kVABC, op5(11, true), false},
    {"vxor128", Form::kVABC, op5(12, true), false},
    {"vsel128", Form::kVABD, op5(13, true), false},
    {"vslo128", Form::kVABC, op5(14, true), false},
    {"vsro128", Form::kVABC, op5(15, true), false},
    {"vpkshss128", Form::kVABC, op5(8, false), false},
    {"vpkshus128", Form::kVABC, op5(9, false), false},
    {"vpkswss128", Form::kVABC, op5(10, false), false},
    {"vpkswus128", Form::kVABC, op5(11, false), false},
    {"vpkuhum128", Form::kVABC, op5(12, false), false},
    {"vpkuhus128", Form::kVABC, op5(13, false), false},
    {"vpkuwum128", Form::kVABC, op5(14, false), false},
    {"vpkuwus128", Form::kVABC, op5(15, false), false},
    {"vperm128", Form::kPerm, op(5), false},
    {"vsldoi128", Form::kSldoi, op(4) | 0x10u, false},
    {"vcmpeqfp128", Form::kVABC, op(6) | (0u << 7), true},
    {"vcmpgefp128", Form::kVABC, op(6) | (1u << 7), true},
    {"vcmpgtfp128", Form::kVABC, op(6) | (2u << 7), true},
    {"vcmpbfp128", Form::kVABC, op(6) | (3u << 7), true},
    {"vcmpequw128", Form::kVABC, op(6) | (4u << 7), true},
    {"vrlw128", Form::kVABC, op6(1, true), false},
    {"vslw128", Form::kVABC, op6(3, true), false},
    {"vsraw128", Form::kVABC, op6(5, true), false},
    {"vsrw128", Form::kVABC, op6(7, true), false},
    {"vmaxfp128", Form::kVABC, op6(10, false), false},
    {"vminfp128", Form::kVABC, op6(11, false), false},
    {"vmrghw128", Form::kVABC, op6(12, false), false},
    {"vmrglw128", Form::kVABC, op6(13, false), false},
    {"vupkhsb128", Form::kVBOnly, op6(14, false), false},
    {"vupklsb128", Form::kVBOnly, op6(15, false), false},
    {"vupkhsh128", Form::kVBOnly, op6(14, false) | 0x420u, false},
    {"vupklsh128", Form::kVBOnly, op6(15, false) | 0x420u, false},
    {"vcfpsxws128", Form::kVBImm, op6k(0x23), false},
    {"vcfpuxws128", Form::kVBImm, op6k(0x27), false},
    {"vcsxwfp128", Form::kVBImm, op6k(0x2B), false},
    {"vcuxwfp128", Form::kVBImm, op6k(0x2F), false},
    {"vrfim128", Form::kVBOnly, op6k(0x33), false},
    {"vrfin128", Form::kVBOnly, op6k(0x37), false},
    {"vrfip128", Form::kVBOnly, op6k(0x3B), false},
    {"vrfiz128", Form::kVBOnly, op6k(0x3F), false},
    {"vrefp128", Form::kVBOnly, op6k(0x63), false},
    {"vrsqrtefp128", Form::kVBOnly, op6k(0x67), false},
    {"vexptefp128", Form::kVBOnly, op6k(0x6B), false},
    {"vlogefp128", Form::kVBOnly, op6k(0x6F), false},
    {"vspltw128", Form::kVBImm, op6k(0x73), false},
    {"vspltisw128", Form::kSplatImm, op6k(0x77), false},
    {"vupkd3d128", Form::kVBImm, op6k(0x7F), false},
    {"vpermwi128", Form::kPermwi, op(6) | 0x200u | 0x10u, false},
    {"vrlimi128", Form::kRlimi, op(6) | (7u << 8) | 0x10u, false},
    {"vpkd3d128", Form::kPkd3d, op(6) | (6u << 8) | 0x10u, false},
    {"lvsl128", Form::kMem128, mem128(0x00), false},
    {"lvsr128", Form::kMem128, mem128(0x04), false},
    {"lvewx128", Form::kMem128, mem128(0x08), false},
    {"lvx128", Form::kMem128, mem128(0x0C), false},
    {"stvewx128", Form::kMem128, mem128(0x18), false},
    {"stvx128", Form::kMem128, mem128(0x1C), false},
    {"lvxl128", Form::kMem128, mem128(0x2C), false},
    {"stvxl128", Form::kMem128, mem128(0x3C), false},
    {"lvlx128", Form::kMem128, mem128(0x40), false},
    {"lvrx128", Form::kMem128, mem128(0x44), false},
    {"stvlx128", Form::kMem128, mem128(0x50), false},
    {"stvrx128", Form::kMem128, mem128(0x54), false},
    {"lvlxl128", Form::kMem128, mem128(0x60), false},
    {"lvrxl128", Form::kMem128, mem128(0x64), false},
    {"stvlxl128", Form::kMem128, mem128(0x70), false},
    {"stvrxl128", Form::kMem128, mem128(0x74), false},
    {"lvlx", Form::kMemX, memx(519), false},
    {"lvrx", Form::kMemX, memx(551), false},
    {"stvlx", Form::kMemX, memx(647), false},
    {"stvrx", Form::kMemX, memx(679), false},
    {"lvlxl", Form::kMemX, memx(775), false},
    {"lvrxl", Form::kMemX, memx(807), false},
    {"stvlxl", Form::kMemX, memx(903), false},
    {"stvrxl", Form::kMemX, memx(935), false},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  bool neg = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    neg = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  int64_t v = 0;
  for (char ch : s) {
    int d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (base == 16 && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else if (base == 16 && ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    else return std::nullopt;
    if (d >= base) return std::nullopt;
    v = v * base + d;
    if (v > 0xFFFFFFFFll) return std::nullopt;
  }
  return neg ? -v : v;
}

// "v12", "vr12", "%v12", "12" -> 12 (limit exclusive); `prefix` is 'v' or 'r'.
std::optional<uint32_t> parse_reg(std::string_view s, char prefix, uint32_t limit) {
  s = trim(s);
  if (!s.empty() && s.front() == '%') s.remove_prefix(1);
  if (!s.empty() && std::tolower(static_cast<unsigned char>(s.front())) == prefix) {
    s.remove_prefix(1);
    if (prefix == 'v' && !s.empty() && std::tolower(static_cast<unsigned char>(s.front())) == 'r')
      s.remove_prefix(1);
  }
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return std::nullopt;
  auto v = parse_int(s);
  if (!v || *v < 0 || *v >= limit) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

uint32_t put_vd(uint32_t r) { return ((r & 31) << 21) | (((r >> 5) & 3) << 2); }
uint32_t put_va(uint32_t r) { return ((r & 31) << 16) | (((r >> 5) & 1) << 5) | (((r >> 6) & 1) << 10); }
uint32_t put_vb(uint32_t r) { return ((r & 31) << 11) | ((r >> 5) & 3); }

std::optional<uint32_t> encode(const Mnemonic& m, bool rc, const std::vector<std::string_view>& ops) {
  auto v = [&](size_t i) { return parse_reg(ops[i], 'v', 128); };
  auto imm = [&](size_t i, int64_t lo, int64_t hi) -> std::optional<uint32_t> {
    auto x = parse_int(ops[i]);
    if (!x || *x < lo || *x > hi) return std::nullopt;
    return static_cast<uint32_t>(*x);
  };
  uint32_t w = m.base | (rc ? 0x40u : 0u);
  const size_t n = ops.size();
  switch (m.form) {
    case Form::kVABC:
    case Form::kVABD: {
      if (!(n == 3 || (m.form == Form::kVABD && n == 4))) return std::nullopt;
      auto d = v(0), a = v(1), b = v(2);
      if (!d || !a || !b) return std::nullopt;
      // The accumulator is vD itself; a 4th operand is accepted for the
      // documented syntax but has no field (it must be a vector register).
      if (n == 4 && !v(3)) return std::nullopt;
      return w | put_vd(*d) | put_va(*a) | put_vb(*b);
    }
    case Form::kVADB: {
      if (n != 3 && n != 4) return std::nullopt;
      auto d = v(0), a = v(1), b = v(n - 1);
      if (!d || !a || !b) return std::nullopt;
      if (n == 4 && !v(2)) return std::nullopt;  // repeated vD, not encoded
      return w | put_vd(*d) | put_va(*a) | put_vb(*b);
    }
    case Form::kVBOnly: {
      if (n != 2) return std::nullopt;
      auto d = v(0), b = v(1);
      if (!d || !b) return std::nullopt;
      return w | put_vd(*d) | put_vb(*b);
    }
    case Form::kVBImm: {
      if (n != 3) return std::nullopt;
      auto d = v(0), b = v(1);
      auto i = imm(2, -16, 31);
      if (!d || !b || !i) return std::nullopt;
      return w | put_vd(*d) | put_vb(*b) | ((*i & 31) << 16);
    }
    case Form::kSplatImm: {
      if (n != 2 && n != 3) return std::nullopt;
      auto d = v(0);
      auto b = n == 3 ? v(1) : std::optional<uint32_t>(0);
      auto i = imm(n - 1, -16, 15);
      if (!d || !b || !i) return std::nullopt;
      return w | put_vd(*d) | put_vb(*b) | ((*i & 31) << 16);
    }
    case Form::kPerm: {
      if (n != 4) return std::nullopt;
      auto d = v(0), a = v(1), b = v(2), c = parse_reg(ops[3], 'v', 8);
      if (!d || !a || !b || !c) return std::nullopt;
      return w | put_vd(*d) | put_va(*a) | put_vb(*b) | (*c << 6);
    }
    case Form::kSldoi: {
      if (n != 4) return std::nullopt;
      auto d = v(0), a = v(1), b = v(2);
      auto sh = imm(3, 0, 15);
      if (!d || !a || !b || !sh) return std::nullopt;
      return w | put_vd(*d) | put_va(*a) | put_vb(*b) | (*sh << 6);
    }
    case Form::kPermwi: {
      if (n != 3) return std::nullopt;
      auto d = v(0), b = v(1);
      auto p = imm(2, 0, 255);
      if (!d || !b || !p) return std::nullopt;
      return w | put_vd(*d) | put_vb(*b) | ((*p & 31) << 16) | ((*p >> 5) << 6);
    }
    case Form::kRlimi: {
      if (n != 4) return std::nullopt;
      auto d = v(0), b = v(1);
      auto mask = imm(2, 0, 15), rot = imm(3, 0, 3);
      if (!d || !b || !mask || !rot) return std::nullopt;
      return w | put_vd(*d) | put_vb(*b) | (*mask << 16) | (*rot << 6);
    }
    case Form::kPkd3d: {
      if (n != 5) return std::nullopt;
      auto d = v(0), b = v(1);
      auto type = imm(2, 0, 7), mode = imm(3, 0, 3), shift = imm(4, 0, 3);
      if (!d || !b || !type || !mode || !shift) return std::nullopt;
      return w | put_vd(*d) | put_vb(*b) | (*type << 18) | (*mode << 16) | (*shift << 6);
    }
    case Form::kMem128:
    case Form::kMemX: {
      if (n != 3) return std::nullopt;
      auto d = m.form == Form::kMem128 ? v(0) : parse_reg(ops[0], 'v', 32);
      auto ra = parse_reg(ops[1], 'r', 32), rb = parse_reg(ops[2], 'r', 32);
      if (!d || !ra || !rb) return std::nullopt;
      const uint32_t vd = m.form == Form::kMem128 ? put_vd(*d) : (*d << 21);
      return w | vd | (*ra << 16) | (*rb << 11);
    }
  }
  return std::nullopt;
}

const Mnemonic* find_mnemonic(std::string_view name) {
  for (const Mnemonic& m : kMnemonics)
    if (name == m.name) return &m;
  return nullptr;
}

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}

// Splits "label: label2: mnemonic ops" into the label prefix and the rest.
size_t label_prefix_length(std::string_view s) {
  size_t pos = 0;
  for (;;) {
    size_t p = pos;
    while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p]))) ++p;
    size_t q = p;
    while (q < s.size() && is_ident_char(s[q])) ++q;
    if (q > p && q < s.size() && s[q] == ':') {
      pos = q + 1;
      continue;
    }
    return pos;
  }
}

}  // namespace

std::optional<uint32_t> encode_console_insn(std::string_view statement) {
  statement = trim(statement);
  size_t e = 0;
  while (e < statement.size() && !std::isspace(static_cast<unsigned char>(statement[e]))) ++e;
  std::string name(statement.substr(0, e));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  bool rc = false;
  if (!name.empty() && name.back() == '.') {
    rc = true;
    name.pop_back();
  }
  const Mnemonic* m = find_mnemonic(name);
  if (!m || (rc && !m->rc_ok)) return std::nullopt;
  std::vector<std::string_view> ops;
  std::string_view rest = trim(statement.substr(e));
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    ops.push_back(trim(rest.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return encode(*m, rc, ops);
}

namespace {

uint32_t get_vd(uint32_t w) { return ((w >> 21) & 31) | (((w >> 2) & 3) << 5); }
uint32_t get_va(uint32_t w) { return ((w >> 16) & 31) | (((w >> 5) & 1) << 5) | (((w >> 10) & 1) << 6); }
uint32_t get_vb(uint32_t w) { return ((w >> 11) & 31) | ((w & 3) << 5); }
int32_t simm5(uint32_t w) { return static_cast<int32_t>(((w >> 16) & 31) ^ 16) - 16; }

// The operand fields a form uses (everything else is opcode).
uint32_t operand_mask(Form f) {
  constexpr uint32_t kVd = (31u << 21) | (3u << 2), kVa = (31u << 16) | (1u << 5) | (1u << 10),
                     kVb = (31u << 11) | 3u;
  switch (f) {
    case Form::kVABC:
    case Form::kVABD:
    case Form::kVADB: return kVd | kVa | kVb;
    case Form::kVBOnly: return kVd | kVb;
    case Form::kVBImm:
    case Form::kSplatImm: return kVd | kVb | (31u << 16);
    case Form::kPerm: return kVd | kVa | kVb | (7u << 6);
    case Form::kSldoi: return kVd | kVa | kVb | (15u << 6);
    case Form::kPermwi: return kVd | kVb | (31u << 16) | (7u << 6);
    case Form::kRlimi: return kVd | kVb | (15u << 16) | (3u << 6);
    case Form::kPkd3d: return kVd | kVb | (7u << 18) | (3u << 16) | (3u << 6);
    case Form::kMem128: return kVd | (31u << 16) | (31u << 11);
    case Form::kMemX: return (31u << 21) | (31u << 16) | (31u << 11);
  }
  return 0;
}

std::string operands(const Mnemonic& m, uint32_t w) {
  char b[96];
  const uint32_t d = get_vd(w), a = get_va(w), v = get_vb(w);
  switch (m.form) {
    case Form::kVABC:
    case Form::kVABD:
    case Form::kVADB: std::snprintf(b, sizeof b, "v%u, v%u, v%u", d, a, v); break;
    case Form::kVBOnly: std::snprintf(b, sizeof b, "v%u, v%u", d, v); break;
    case Form::kVBImm: std::snprintf(b, sizeof b, "v%u, v%u, %u", d, v, (w >> 16) & 31); break;
    case Form::kSplatImm: std::snprintf(b, sizeof b, "v%u, v%u, %d", d, v, simm5(w)); break;
    case Form::kPerm: std::snprintf(b, sizeof b, "v%u, v%u, v%u, v%u", d, a, v, (w >> 6) & 7); break;
    case Form::kSldoi: std::snprintf(b, sizeof b, "v%u, v%u, v%u, %u", d, a, v, (w >> 6) & 15); break;
    case Form::kPermwi:
      std::snprintf(b, sizeof b, "v%u, v%u, %u", d, v, ((w >> 16) & 31) | (((w >> 6) & 7) << 5));
      break;
    case Form::kRlimi: std::snprintf(b, sizeof b, "v%u, v%u, %u, %u", d, v, (w >> 16) & 15, (w >> 6) & 3); break;
    case Form::kPkd3d:
      std::snprintf(b, sizeof b, "v%u, v%u, %u, %u, %u", d, v, (w >> 18) & 7, (w >> 16) & 3, (w >> 6) & 3);
      break;
    case Form::kMem128: std::snprintf(b, sizeof b, "v%u, r%u, r%u", d, (w >> 16) & 31, (w >> 11) & 31); break;
    case Form::kMemX: std::snprintf(b, sizeof b, "v%u, r%u, r%u", (w >> 21) & 31, (w >> 16) & 31, (w >> 11) & 31); break;
  }
  return b;
}

}  // namespace

std::optional<std::string> disassemble_console_insn(uint32_t word) {
  for (const Mnemonic& m : kMnemonics) {
    for (bool rc : {false, true}) {
      if (rc && !m.rc_ok) continue;
      const uint32_t fixed = ~operand_mask(m.form);
      if ((word & fixed) != ((m.base | (rc ? 0x40u : 0u)) & fixed)) continue;
      std::string text = std::string(m.name) + (rc ? ". " : " ") + operands(m, word);
      // Only a rendering that assembles back to the same word is an answer
      // (forms whose fields overlap another's opcode bits do not).
      if (encode_console_insn(text) == word) return text;
    }
  }
  return std::nullopt;
}

std::string expand_console_mnemonics(std::string_view src) {
  std::string out;
  out.reserve(src.size() + src.size() / 8);
  size_t start = 0;
  while (start <= src.size()) {
    size_t end = src.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = src.size();
    const std::string_view line = src.substr(start, end - start);
    const std::string_view code = line.substr(0, line.find('#'));
    const size_t lp = label_prefix_length(code);
    std::string_view stmt = trim(code.substr(lp));
    std::optional<uint32_t> word;
    if (!stmt.empty() && stmt.find(';') == std::string_view::npos) word = encode_console_insn(stmt);
    if (word) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "  .long 0x%08X", *word);
      out.append(line.substr(0, lp));
      out.append(buf);
      out.append("  # ");
      out.append(stmt);
    } else {
      out.append(line);
    }
    if (last) break;
    out.push_back('\n');
    start = end + 1;
  }
  return out;
}

}  // namespace xdet::cpu
