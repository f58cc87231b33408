#include "cpu/harness/ppc_test.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include "base/error.h"
#include "cpu/cpu.h"
#include "cpu/harness/elf_image.h"
#include "cpu/harness/host_tools.h"
#if defined(XDET_HAVE_VMX) && __has_include("cpu/vmx/vmx128_asm.h")
#include "cpu/vmx/vmx128_asm.h"
#define XDET_HAVE_VMX_ASM 1
#endif

namespace xdet::cpu {

namespace {

constexpr uint32_t kStartAddress = 0x80000000;
constexpr uint32_t kCodeWindow = 1u << 20;
constexpr uint32_t kScratchStart = 0x10001000;
constexpr uint32_t kScratchEnd = 0x10010000;
constexpr uint32_t kStackTop = kStartAddress - 0x10000;  // r1
constexpr uint32_t kPcrAddress = kStackTop - 0x1000;     // r13
constexpr uint32_t kLrSentinel = 0xBCBCBCBC;

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.pop_back();
  return s;
}

}  // namespace

PpcTestFile parse_ppc_test_source(const std::string& path, const std::string& text) {
  PpcTestFile file;
  file.path = path;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    size_t k = 0;
    while (k < line.size() && line[k] == ' ') ++k;  // spaces only, per the format
    std::string_view rest(line);
    rest.remove_prefix(k);
    if (rest.starts_with("test_")) {
      size_t colon = rest.find(':');
      if (colon == std::string_view::npos) continue;
      file.tests.push_back(PpcTestCase{std::string(rest.substr(5, colon - 5)), line_no, {}});
      continue;
    }
    if (!rest.starts_with("#_ ")) continue;
    std::string body = rstrip(std::string(rest.substr(3)));
    size_t sp = body.find(' ');
    std::string key = body.substr(0, sp);
    std::string args = sp == std::string::npos ? "" : body.substr(sp + 1);
    PpcTestAnnotation a;
    if (key == "REGISTER_IN") a.kind = PpcTestAnnotation::Kind::kRegisterIn;
    else if (key == "REGISTER_OUT") a.kind = PpcTestAnnotation::Kind::kRegisterOut;
    else if (key == "MEMORY_IN") a.kind = PpcTestAnnotation::Kind::kMemoryIn;
    else if (key == "MEMORY_OUT") a.kind = PpcTestAnnotation::Kind::kMemoryOut;
    else throw_input_error("{}:{}: unknown annotation '{}'", path, line_no, key);
    if (file.tests.empty()) throw_input_error("{}:{}: annotation before the first test label", path, line_no);
    size_t sp2 = args.find(' ');
    a.target = args.substr(0, sp2);
    a.value = sp2 == std::string::npos ? "" : args.substr(sp2 + 1);
    a.line = line_no;
    file.tests.back().annotations.push_back(std::move(a));
  }
  return file;
}

namespace {

// Integer per FORMAT.md section 5: optional '-', 0x-hex or decimal, parsing
// stops at the first non-digit.
std::optional<uint64_t> parse_int(std::string_view s) {
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  size_t n = 0;
  for (char ch : s) {
    int d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (base == 16 && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else if (base == 16 && ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    else break;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return neg ? ~v + 1 : v;
}

std::optional<Vec128> parse_vec(std::string_view s) {
  Vec128 v{};
  bool floats = !s.empty() && s[0] == '(';
  std::string cleaned;
  for (char ch : s) cleaned.push_back((ch == '[' || ch == ']' || ch == '(' || ch == ')' || ch == ',') ? ' ' : ch);
  int n = 0;
  size_t p = 0;
  while (n < 4) {
    while (p < cleaned.size() && cleaned[p] == ' ') ++p;
    if (p >= cleaned.size()) break;
    size_t e = cleaned.find(' ', p);
    if (e == std::string::npos) e = cleaned.size();
    std::string tok = cleaned.substr(p, e - p);
    p = e;
    if (floats) {
      float f = std::strtof(tok.c_str(), nullptr);
      std::memcpy(&v.w[n], &f, 4);
    } else {
      char* end = nullptr;
      v.w[n] = static_cast<uint32_t>(std::strtoul(tok.c_str(), &end, 16));
      if (end == tok.c_str()) return std::nullopt;
    }
    ++n;
  }
  if (n != 4) return std::nullopt;
  return v;
}

std::optional<std::vector<uint8_t>> parse_bytes(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (char ch : s) {
    if (ch == ' ' || ch == '\t') continue;
    int d;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    else return std::nullopt;
    if (hi < 0) {
      hi = d;
    } else {
      out.push_back(static_cast<uint8_t>(hi * 16 + d));
      hi = -1;
    }
  }
  if (hi >= 0) return std::nullopt;
  return out;
}

struct RegRef {
  enum class Kind { kGpr, kFpr, kVr, kCr } kind;
  int index = 0;
};

std::optional<RegRef> parse_reg(std::string_view name) {
  if (name == "cr") return RegRef{RegRef::Kind::kCr, 0};
  if (name.size() < 2) return std::nullopt;
  RegRef::Kind kind;
  int limit;
  switch (name[0]) {
    case 'r': kind = RegRef::Kind::kGpr; limit = 32; break;
    case 'f': kind = RegRef::Kind::kFpr; limit = 32; break;
    case 'v': kind = RegRef::Kind::kVr; limit = 128; break;
    default: return std::nullopt;
  }
  int idx = 0;
  for (char ch : name.substr(1)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    idx = idx * 10 + (ch - '0');
    if (idx >= limit) return std::nullopt;
  }
  return RegRef{kind, idx};
}

std::string vec_str(const Vec128& v) { return fmt::format("[{:08X}, {:08X}, {:08X}, {:08X}]", v.w[0], v.w[1], v.w[2], v.w[3]); }

// Applies a REGISTER_IN; returns an error message for a bad one.
std::optional<std::string> apply_register_in(PpcContext& ctx, const PpcTestAnnotation& a) {
  auto reg = parse_reg(a.target);
  if (!reg) return fmt::format("line {}: unrecognized register name '{}'", a.line, a.target);
  switch (reg->kind) {
    case RegRef::Kind::kGpr:
    case RegRef::Kind::kCr: {
      auto v = parse_int(a.value);
      if (!v) return fmt::format("line {}: bad integer '{}'", a.line, a.value);
      if (reg->kind == RegRef::Kind::kGpr) ctx.gpr[reg->index] = *v;
      else ctx.cr = static_cast<uint32_t>(*v);
      break;
    }
    case RegRef::Kind::kFpr:
      if (a.value.find("0x") != std::string::npos) {
        auto v = parse_int(a.value);
        if (!v) return fmt::format("line {}: bad FPR value '{}'", a.line, a.value);
        ctx.fpr[reg->index] = *v;
      } else {
        double d = std::strtod(a.value.c_str(), nullptr);
        std::memcpy(&ctx.fpr[reg->index], &d, 8);
      }
      break;
    case RegRef::Kind::kVr: {
      auto v = parse_vec(a.value);
      if (!v) return fmt::format("line {}: bad vector '{}'", a.line, a.value);
      ctx.vr[reg->index] = *v;
      break;
    }
  }
  return std::nullopt;
}

// Checks a REGISTER_OUT; returns a mismatch description.
std::optional<std::string> check_register_out(const PpcContext& ctx, const PpcTestAnnotation& a) {
  auto reg = parse_reg(a.target);
  if (!reg) return fmt::format("{}: unrecognized register name", a.target);
  switch (reg->kind) {
    case RegRef::Kind::kGpr:
    case RegRef::Kind::kCr: {
      auto want = parse_int(a.value);
      if (!want) return fmt::format("{}: bad expected value '{}'", a.target, a.value);
      uint64_t got = reg->kind == RegRef::Kind::kGpr ? ctx.gpr[reg->index] : ctx.cr;
      if (reg->kind == RegRef::Kind::kCr) *want &= 0xFFFFFFFF;
      if (got != *want) return fmt::format("{} expected 0x{:016X} actual 0x{:016X}", a.target, *want, got);
      return std::nullopt;
    }
    case RegRef::Kind::kFpr: {
      uint64_t got = ctx.fpr[reg->index];
      double gotd;
      std::memcpy(&gotd, &got, 8);
      if (a.value.find("0x") != std::string::npos) {
        auto want = parse_int(a.value);
        if (!want) return fmt::format("{}: bad expected value '{}'", a.target, a.value);
        if (got != *want) return fmt::format("{} expected 0x{:016X} actual 0x{:016X} ({:.17f})", a.target, *want, got, gotd);
      } else {
        double want = std::strtod(a.value.c_str(), nullptr);
        if (!(gotd == want)) return fmt::format("{} expected {:.17f} actual {:.17f} (0x{:016X})", a.target, want, gotd, got);
      }
      return std::nullopt;
    }
    case RegRef::Kind::kVr: {
      auto want = parse_vec(a.value);
      if (!want) return fmt::format("{}: bad expected value '{}'", a.target, a.value);
      const Vec128& got = ctx.vr[reg->index];
      if (!(got == *want)) return fmt::format("{} expected {} actual {}", a.target, vec_str(*want), vec_str(got));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

struct AssembledFile {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> chunks;  // address, bytes
  std::map<std::string, uint32_t> labels;                          // test name -> address
};

// Assembles and links the file at 0x80000000; returns an error text on failure.
std::optional<std::string> assemble(const std::string& source, const std::string& display_name, AssembledFile& out) {
  TempDir dir;
  std::string src = dir.file("test.s"), obj = dir.file("test.o"), elf = dir.file("test.elf");
  write_text_file(src, source);
  static const std::vector<std::vector<std::string>> kFlagSets = {
      {"-mpower7", "-maltivec", "-mvsx"},
      {"-mcell", "-maltivec"},  // knows lvlx/lvrx/stvlx/stvrx
  };
  ToolResult first;
  bool ok = false;
  for (size_t k = 0; k < kFlagSets.size() && !ok; ++k) {
    std::vector<std::string> argv = {"powerpc64-linux-gnu-as", "-a32", "-be", "-mregnames"};
    argv.insert(argv.end(), kFlagSets[k].begin(), kFlagSets[k].end());
    argv.insert(argv.end(), {"-o", obj, src});
    ToolResult r = run_tool(argv);
    if (k == 0) first = r;
    ok = r.exit_code == 0;
  }
  if (!ok) {
    std::string msg = first.output;
    size_t nl = msg.find('\n');
    if (nl != std::string::npos) {
      size_t nl2 = msg.find('\n', nl + 1);  // first line is "Assembler messages:"
      msg = msg.substr(nl + 1, nl2 == std::string::npos ? std::string::npos : nl2 - nl - 1);
    }
    // Name the original file (the assembler saw a temporary copy with the
    // same line numbering).
    for (size_t p = msg.find(src); p != std::string::npos; p = msg.find(src)) msg.replace(p, src.size(), display_name);
    return "assembly failed: " + msg;
  }
  ToolResult l = run_tool({"powerpc64-linux-gnu-ld", "-melf32ppc", "-Ttext=0x80000000", "-e", "0x80000000", "-o", elf, obj});
  if (l.exit_code != 0) return "link failed: " + rstrip(l.output);
  ElfImage img = ElfImage::load_file(elf);
  for (const auto& s : img.sections()) {
    if ((s.flags & 2) && s.type == 1 && s.size > 0) {  // SHF_ALLOC PROGBITS
      auto bytes = img.bytes(s.offset, s.size, "section");
      out.chunks.emplace_back(static_cast<uint32_t>(s.addr), std::vector<uint8_t>(bytes.begin(), bytes.end()));
    }
  }
  for (const auto& sym : img.symbols()) {
    if (sym.name.starts_with("test_")) out.labels[sym.name.substr(5)] = static_cast<uint32_t>(sym.value);
  }
  return std::nullopt;
}

// Runs one test case; returns the failure description or nullopt.
std::optional<std::string> run_case(const AssembledFile& code, uint32_t entry, const PpcTestCase& tc,
                                    const PpcTestOptions& opt, FILE* out, const std::string& file_name) {
  GuestMemory mem;
  mem.set_protection(kStartAddress, kCodeWindow, GuestMemory::kProtRWX);
  mem.set_protection(kScratchStart, kScratchEnd - kScratchStart, GuestMemory::kProtRW);
  mem.set_protection(kPcrAddress - 0x10000, kStartAddress - (kPcrAddress - 0x10000), GuestMemory::kProtRW);
  for (const auto& [addr, bytes] : code.chunks) {
    if (addr < kStartAddress || addr - kStartAddress + bytes.size() > kCodeWindow) return "code outside the 1 MiB window";
    mem.write_bytes(addr, bytes.data(), bytes.size());
  }
  Cpu cpu(mem);
  if (opt.configure_cpu) opt.configure_cpu(cpu);
  PpcContext ctx;
  cpu.attach(ctx);
  ctx.gpr[1] = kStackTop;
  ctx.gpr[13] = kPcrAddress;
  for (const auto& a : tc.annotations) {
    using K = PpcTestAnnotation::Kind;
    if (a.kind == K::kRegisterIn) {
      if (auto err = apply_register_in(ctx, a)) std::fprintf(out, "%s: %s: %s (ignored)\n", file_name.c_str(), tc.name.c_str(), err->c_str());
    } else if (a.kind == K::kMemoryIn) {
      auto addr = parse_int("0x" + a.target);
      auto bytes = parse_bytes(a.value);
      if (!addr || !bytes) return fmt::format("line {}: bad MEMORY_IN", a.line);
      if (!mem.is_accessible(static_cast<uint32_t>(*addr), bytes->size(), GuestMemory::kProtWrite)) {
        return fmt::format("line {}: MEMORY_IN outside scratch memory", a.line);
      }
      mem.write_bytes(static_cast<uint32_t>(*addr), bytes->data(), bytes->size());
    }
  }
  ctx.lr = kLrSentinel;
  ctx.pc = entry;
  cpu.set_stop_addresses({kLrSentinel});
  ExecResult r = cpu.run(ctx, opt.max_instructions);
  switch (r.reason) {
    case StopReason::kStopAddress: break;
    case StopReason::kFault: return r.fault.message;
    case StopReason::kTrap: return fmt::format("trap taken at PC 0x{:08X}", ctx.pc);
    case StopReason::kSyscall: return fmt::format("unexpected sc at PC 0x{:08X}", ctx.pc - 4);
    case StopReason::kBudget: return fmt::format("did not return within {} instructions", opt.max_instructions);
  }
  std::string failures;
  for (const auto& a : tc.annotations) {
    using K = PpcTestAnnotation::Kind;
    std::optional<std::string> bad;
    if (a.kind == K::kRegisterOut) {
      bad = check_register_out(ctx, a);
    } else if (a.kind == K::kMemoryOut) {
      auto addr = parse_int("0x" + a.target);
      auto want = parse_bytes(a.value);
      if (!addr || !want) {
        bad = fmt::format("line {}: bad MEMORY_OUT", a.line);
      } else if (!mem.is_accessible(static_cast<uint32_t>(*addr), want->size(), GuestMemory::kProtRead)) {
        bad = fmt::format("line {}: MEMORY_OUT outside mapped memory", a.line);
      } else {
        std::vector<uint8_t> got(want->size());
        mem.read_bytes(static_cast<uint32_t>(*addr), got.data(), got.size());
        if (got != *want) {
          std::string w, g;
          for (uint8_t b : *want) w += fmt::format("{:02X}", b);
          for (uint8_t b : got) g += fmt::format("{:02X}", b);
          bad = fmt::format("memory {} expected {} actual {}", a.target, w, g);
        }
      }
    }
    if (bad) failures += (failures.empty() ? "" : "; ") + *bad;
  }
  if (!failures.empty()) return failures;
  return std::nullopt;
}

std::vector<std::string> expand_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        if (e.is_regular_file() && e.path().extension() == ".s") in_dir.push_back(e.path().string());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else if (std::filesystem::exists(p, ec)) {
      files.push_back(p);
    } else {
      throw_input_error("{}: no such file or directory", p);
    }
  }
  return files;
}

}  // namespace

PpcTestTotals run_ppc_tests(const std::vector<std::string>& paths, const PpcTestOptions& options, FILE* out) {
  PpcTestTotals totals;
  for (const std::string& path : expand_paths(paths)) {
    ++totals.files;
    std::string name = std::filesystem::path(path).filename().string();
    std::string text = read_text_file(path);
    PpcTestFile parsed;
    try {
      parsed = parse_ppc_test_source(path, text);
    } catch (const InputError& e) {
      std::fprintf(out, "FAIL %s: %s\n", name.c_str(), e.what());
      ++totals.files_failed_to_build;
      ++totals.failed;
      continue;
    }
    if (parsed.tests.empty()) {
      totals.files_without_tests.push_back(path);
      continue;
    }
#ifdef XDET_HAVE_VMX_ASM
    text = expand_console_mnemonics(text);
#endif
    AssembledFile code;
    if (auto err = assemble(text, name, code)) {
      ++totals.files_failed_to_build;
      for (const auto& tc : parsed.tests) {
        std::fprintf(out, "FAIL %s: %s: %s\n", name.c_str(), tc.name.c_str(), err->c_str());
        ++totals.failed;
      }
      continue;
    }
    for (const auto& tc : parsed.tests) {
      auto it = code.labels.find(tc.name);
      std::optional<std::string> failure;
      if (it == code.labels.end()) failure = "label not found in the assembled object";
      else failure = run_case(code, it->second, tc, options, out, name);
      if (failure) {
        ++totals.failed;
        std::fprintf(out, "FAIL %s: %s: %s\n", name.c_str(), tc.name.c_str(), failure->c_str());
      } else {
        ++totals.passed;
        if (options.verbose) std::fprintf(out, "ok   %s: %s\n", name.c_str(), tc.name.c_str());
      }
    }
  }
  return totals;
}

}  // namespace xdet::cpu
