// xdet inspect FILE.xex [--json] [--disasm ADDR[:COUNT]]
// Summarises an XEX2 file (headers, imports with names, sections, TLS, stack)
// and disassembles a range of the loaded image with capstone (PowerPC, big-
// endian). Words capstone cannot decode, and VMX128 encodings (which it does
// not know), are shown as `.long`.
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "base/byte_order.h"
#include "base/error.h"
#include "kernel/exports/exports.h"
#include "loader/disasm.h"
#include "loader/loader.h"
#include "loader/symbols.h"
#include "loader/xex2_format.h"

namespace xdet::app {
namespace {

using loader::ImportKind;
using loader::LoadedModule;

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += c;
    }
  }
  return out;
}

const char* compression_name(uint16_t c) {
  switch (c) {
    case xex::kCompressionNone: return "raw";
    case xex::kCompressionBasic: return "basic";
    case xex::kCompressionNormal: return "lzx";
    case xex::kCompressionDelta: return "delta";
  }
  return "?";
}

const char* section_type_name(uint8_t t) {
  switch (t) {
    case xex::kSectionCode: return "code";
    case xex::kSectionData: return "data";
    case xex::kSectionReadOnlyData: return "rodata";
  }
  return "?";
}

struct Library {
  std::string name;
  std::vector<const loader::ImportRecord*> records;
};

std::vector<Library> group_imports(const LoadedModule& m) {
  std::vector<Library> libs;
  for (const xex::ImportLibrary& l : m.xex.imports) {
    Library lib{l.name, {}};
    for (uint32_t a : l.record_addresses)
      if (const loader::ImportRecord* r = m.find_record(a)) lib.records.push_back(r);
    libs.push_back(std::move(lib));
  }
  return libs;
}

void print_text(const LoadedModule& m, FILE* out) {
  const xex::XexFile& x = m.xex;
  fmt::print(out, "{}: {} ({} bytes)\n", m.name, x.is_xex1 ? "XEX1" : "XEX2", x.file_size);
  fmt::print(out, "  module flags    0x{:08X}{}{}\n", x.module_flags, (x.module_flags & xex::kModuleTitle) ? " title" : "",
             (x.module_flags & xex::kModuleDll) ? " dll" : "");
  fmt::print(out, "  header size     0x{:X} ({} optional headers)\n", x.header_size, x.headers.size());
  fmt::print(out, "  format          {}, {}{}\n", compression_name(x.format.compression),
             x.format.encryption ? "AES-128-CBC" : "unencrypted",
             x.format.encryption ? fmt::format(" ({} key)", xex::key_kind_name(m.key)) : "");
  if (x.format.compression == xex::kCompressionNormal)
    fmt::print(out, "  LZX window      0x{:X}\n", x.format.window_size);
  if (x.format.compression == xex::kCompressionBasic)
    fmt::print(out, "  basic blocks    {}\n", x.format.basic_blocks.size());
  fmt::print(out, "  image base      0x{:08X}\n", m.image_base);
  fmt::print(out, "  image size      0x{:X} mapped, 0x{:X} in security info\n", m.image_size, m.full_image_size);
  fmt::print(out, "  entry point     0x{:08X}\n", m.entry_point);
  if (m.default_stack_size) fmt::print(out, "  stack size      0x{:X}\n", *m.default_stack_size);
  else fmt::print(out, "  stack size      (default)\n");
  if (m.tls) {
    fmt::print(out, "  TLS             {} slots, raw data 0x{:08X} (0x{:X} of 0x{:X} bytes)\n", m.tls->slot_count,
               m.tls->raw_data_address, m.tls->raw_data_size, m.tls->data_size);
  } else {
    fmt::print(out, "  TLS             none (1024 dynamic slots)\n");
  }
  if (m.execution) {
    const xex::ExecutionInfo& e = *m.execution;
    fmt::print(out, "  title ID        0x{:08X}  media 0x{:08X}  version 0x{:08X}  disc {}/{}\n", e.title_id,
               e.media_id, e.version, e.disc_number, e.disc_count);
  }
  if (x.system_flags) fmt::print(out, "  system flags    0x{:08X}\n", *x.system_flags);
  if (x.original_pe_name) fmt::print(out, "  original PE     {}\n", *x.original_pe_name);
  for (const xex::ResourceInfo& r : x.resources)
    fmt::print(out, "  resource        {:<8} 0x{:08X} size 0x{:X}\n", r.name, r.address, r.size);
  for (const xex::StaticLibrary& l : x.static_libraries)
    fmt::print(out, "  static library  {:<8} {}.{}.{}.{}\n", l.name, l.major, l.minor, l.build, l.qfe);
  for (uint32_t id : x.alternate_title_ids) fmt::print(out, "  alt title ID    0x{:08X}\n", id);
  if (!m.exports.empty()) fmt::print(out, "  exports         {} by ordinal\n", m.exports.size());
  fmt::print(out, "\noptional headers:\n");
  for (const xex::OptionalHeader& h : x.headers) {
    const char* n = xex::header_key_name(h.key);
    fmt::print(out, "  0x{:08X} {:<30} 0x{:08X}\n", h.key, n ? n : "?", h.value);
  }
  fmt::print(out, "\npage descriptors ({}-byte pages):\n", x.image_page_size());
  for (const loader::LoadedRun& r : m.runs) {
    fmt::print(out, "  0x{:08X}-0x{:08X} {}\n", r.address, r.address + r.size, section_type_name(r.section_type));
  }
  fmt::print(out, "\nsections:\n");
  for (const loader::LoadedSection& s : m.sections) {
    fmt::print(out, "  {:<8} 0x{:08X} size 0x{:X} flags 0x{:08X}\n", s.name, s.address, s.size, s.characteristics);
  }
  fmt::print(out, "\nimports:\n");
  for (const Library& lib : group_imports(m)) {
    fmt::print(out, "  {} ({} records)\n", lib.name, lib.records.size());
    for (const loader::ImportRecord* r : lib.records) {
      fmt::print(out, "    0x{:08X} {:<5} 0x{:03X} {}{}\n", r->record_address,
                 r->kind == ImportKind::kFunction ? "thunk" : "var", r->ordinal, r->name,
                 r->kind == ImportKind::kVariable ? fmt::format(" = 0x{:08X}", r->slot_value) : "");
    }
  }
}

void print_json(const LoadedModule& m, FILE* out) {
  const xex::XexFile& x = m.xex;
  std::string j = "{";
  j += fmt::format("\"file\":\"{}\",\"magic\":\"{}\",\"file_size\":{},\"module_flags\":\"0x{:08x}\",\"header_size\":{},",
                   json_escape(m.name), x.is_xex1 ? "XEX1" : "XEX2", x.file_size, x.module_flags, x.header_size);
  j += fmt::format("\"format\":{{\"compression\":\"{}\",\"encryption\":\"{}\",\"key\":\"{}\"}},",
                   compression_name(x.format.compression), x.format.encryption ? "aes" : "none",
                   xex::key_kind_name(m.key));
  j += fmt::format("\"image_base\":\"0x{:08x}\",\"image_size\":{},\"full_image_size\":{},\"entry_point\":\"0x{:08x}\",", m.image_base,
                   m.image_size, m.full_image_size, m.entry_point);
  j += m.default_stack_size ? fmt::format("\"default_stack_size\":{},", *m.default_stack_size)
                            : std::string("\"default_stack_size\":null,");
  if (m.tls) {
    j += fmt::format("\"tls\":{{\"slot_count\":{},\"raw_data_address\":\"0x{:08x}\",\"data_size\":{},\"raw_data_size\":{}}},",
                     m.tls->slot_count, m.tls->raw_data_address, m.tls->data_size, m.tls->raw_data_size);
  } else {
    j += "\"tls\":null,";
  }
  if (m.execution) {
    j += fmt::format("\"execution\":{{\"title_id\":\"0x{:08x}\",\"media_id\":\"0x{:08x}\",\"version\":\"0x{:08x}\",\"base_version\":\"0x{:08x}\","
                     "\"disc_number\":{},\"disc_count\":{}}},",
                     m.execution->title_id, m.execution->media_id, m.execution->version, m.execution->base_version,
                     m.execution->disc_number, m.execution->disc_count);
  } else {
    j += "\"execution\":null,";
  }
  j += fmt::format("\"system_flags\":\"0x{:08x}\",", m.system_flags);
  j += "\"optional_headers\":[";
  for (size_t i = 0; i < x.headers.size(); ++i) {
    const char* n = xex::header_key_name(x.headers[i].key);
    j += fmt::format("{}{{\"key\":\"0x{:08x}\",\"name\":\"{}\",\"value\":\"0x{:08x}\"}}", i ? "," : "", x.headers[i].key, n ? n : "",
                     x.headers[i].value);
  }
  j += "],\"page_descriptors\":[";
  for (size_t i = 0; i < m.runs.size(); ++i) {
    j += fmt::format("{}{{\"address\":\"0x{:08x}\",\"size\":{},\"type\":\"{}\"}}", i ? "," : "", m.runs[i].address,
                     m.runs[i].size, section_type_name(m.runs[i].section_type));
  }
  j += "],\"sections\":[";
  for (size_t i = 0; i < m.sections.size(); ++i) {
    const loader::LoadedSection& s = m.sections[i];
    j += fmt::format("{}{{\"name\":\"{}\",\"address\":\"0x{:08x}\",\"size\":{},\"characteristics\":\"0x{:08x}\"}}", i ? "," : "",
                     json_escape(s.name), s.address, s.size, s.characteristics);
  }
  j += "],\"imports\":[";
  std::vector<Library> libs = group_imports(m);
  for (size_t li = 0; li < libs.size(); ++li) {
    j += fmt::format("{}{{\"library\":\"{}\",\"records\":[", li ? "," : "", json_escape(libs[li].name));
    for (size_t i = 0; i < libs[li].records.size(); ++i) {
      const loader::ImportRecord* r = libs[li].records[i];
      j += fmt::format("{}{{\"address\":\"0x{:08x}\",\"kind\":\"{}\",\"ordinal\":{},\"name\":\"{}\",\"known\":{}", i ? "," : "",
                       r->record_address, r->kind == ImportKind::kFunction ? "function" : "variable", r->ordinal,
                       json_escape(r->name), r->known ? "true" : "false");
      if (r->kind == ImportKind::kVariable) j += fmt::format(",\"value\":\"0x{:08x}\"", r->slot_value);
      j += "}";
    }
    j += "]}";
  }
  j += "]}";
  fmt::print(out, "{}\n", j);
}

uint32_t parse_address(const std::string& s, const LoadedModule& m) {
  if (s == "entry") return m.entry_point;
  try {
    size_t used = 0;
    unsigned long long v = std::stoull(s, &used, 16);
    if (used != s.size() || v > 0xFFFFFFFFull) throw std::invalid_argument(s);
    return static_cast<uint32_t>(v);
  } catch (const std::exception&) {
    throw Error(ExitCode::kUsage, fmt::format("--disasm: '{}' is not a hex address or 'entry'", s));
  }
}

void disassemble(GuestMemory& mem, const LoadedModule& m, const std::string& spec, bool json,
                 const loader::SymbolTable& symbols, FILE* out) {
  std::string addr_text = spec, count_text = "16";
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    addr_text = spec.substr(0, colon);
    count_text = spec.substr(colon + 1);
  }
  uint32_t addr = parse_address(addr_text, m);
  uint32_t count = 0;
  try {
    size_t used = 0;
    count = static_cast<uint32_t>(std::stoul(count_text, &used, 0));
    if (used != count_text.size() || count == 0 || count > 1000000) throw std::invalid_argument(count_text);
  } catch (const std::exception&) {
    throw Error(ExitCode::kUsage, fmt::format("--disasm: bad instruction count '{}'", count_text));
  }
  if (addr % 4) throw Error(ExitCode::kUsage, fmt::format("--disasm: address 0x{:08X} is not 4-byte aligned", addr));
  uint64_t end = uint64_t{addr} + uint64_t{count} * 4;
  if (addr < m.image_base || end > uint64_t{m.image_base} + m.image_size) {
    throw Error(ExitCode::kUsage, fmt::format("--disasm: 0x{:08X}+{} instructions is outside the image 0x{:08X}-0x{:08X}",
                                              addr, count, m.image_base, m.image_base + m.image_size));
  }
  loader::Disassembler dis;
  if (json) fmt::print(out, "[");
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t a = addr + i * 4;
    uint32_t word = load_be32(mem.translate(a));
    std::string text = dis.text(word, a);
    std::string note;
    if (const loader::ImportRecord* r = m.find_record(a)) {
      note = fmt::format("{} {} ({} ordinal 0x{:X})", r->kind == ImportKind::kFunction ? "thunk" : "import slot",
                         r->name, r->library, r->ordinal);
    } else {
      uint32_t target = 0;
      bool links = false;
      if (loader::branch_target(word, a, &target, &links)) {
        if (const loader::ImportRecord* r = links ? m.find_thunk(target) : nullptr) {
          note = fmt::format("-> {}", r->name);
        } else if (std::string sym = symbols.describe(target); !sym.empty()) {
          note = fmt::format("-> {}", sym);
        }
      }
    }
    const loader::Symbol* fn = symbols.find(a);
    bool starts_function = fn && fn->address == a;
    if (json) {
      std::string sym = symbols.describe(a);
      fmt::print(out, "{}{{\"address\":\"0x{:08x}\",\"word\":\"0x{:08x}\",\"text\":\"{}\"{}{}}}", i ? "," : "", a, word,
                 json_escape(text), sym.empty() ? "" : fmt::format(",\"symbol\":\"{}\"", json_escape(sym)),
                 note.empty() ? "" : fmt::format(",\"note\":\"{}\"", json_escape(note)));
    } else {
      if (starts_function) fmt::print(out, "{}<{}>:\n", i ? "\n" : "", fn->name);
      else if (i == 0 && fn) fmt::print(out, "<{}>:\n", symbols.describe(a));
      if (note.empty()) fmt::print(out, "  {:08X}:  {:08X}  {}\n", a, word, text);
      else fmt::print(out, "  {:08X}:  {:08X}  {:<36}; {}\n", a, word, text, note);
    }
  }
  if (json) fmt::print(out, "]\n");
}

// --coverage: every import with what xdet offers for it.
struct CoverageRow {
  const loader::ImportRecord* record;
  kernel::ExportCoverage coverage;
  bool library_provided;
};

std::vector<CoverageRow> coverage_rows(const LoadedModule& m) {
  std::vector<CoverageRow> rows;
  for (const Library& lib : group_imports(m)) {
    auto module = exports::kernel_module_for_library(lib.name);
    // A function import is a thunk plus its IAT slot: list it once.
    std::set<uint16_t> thunks;
    for (const loader::ImportRecord* r : lib.records)
      if (r->kind == ImportKind::kFunction) thunks.insert(r->ordinal);
    for (const loader::ImportRecord* r : lib.records) {
      if (r->kind == ImportKind::kVariable && thunks.count(r->ordinal)) continue;
      CoverageRow row{r, {}, module.has_value()};
      if (module) {
        bool is_variable = r->kind == ImportKind::kVariable;
        if (const exports::ExportInfo* known = exports::find_export(*module, r->ordinal)) is_variable = known->is_variable;
        row.coverage = kernel::export_coverage(*module, r->ordinal, is_variable);
      }
      rows.push_back(row);
    }
  }
  return rows;
}

void print_coverage(const LoadedModule& m, bool json, FILE* out) {
  std::vector<CoverageRow> rows = coverage_rows(m);
  size_t counts[3] = {0, 0, 0};
  for (const CoverageRow& r : rows) ++counts[static_cast<int>(r.coverage.status)];
  if (json) {
    std::string j = fmt::format(
        "{{\"file\":\"{}\",\"summary\":{{\"imports\":{},\"implemented\":{},\"partial\":{},\"absent\":{}}},\"imports\":[",
        json_escape(m.name), rows.size(), counts[0], counts[1], counts[2]);
    for (size_t i = 0; i < rows.size(); ++i) {
      const CoverageRow& r = rows[i];
      j += fmt::format("{}{{\"library\":\"{}\",\"ordinal\":{},\"name\":\"{}\",\"kind\":\"{}\",\"status\":\"{}\"",
                       i ? "," : "", json_escape(r.record->library), r.record->ordinal, json_escape(r.record->name),
                       r.record->kind == ImportKind::kFunction ? "function" : "variable",
                       kernel::export_status_name(r.coverage.status));
      if (r.coverage.subsystem) j += fmt::format(",\"subsystem\":\"{}\"", r.coverage.subsystem);
      if (r.coverage.missing) j += fmt::format(",\"missing\":\"{}\"", json_escape(r.coverage.missing));
      if (!r.library_provided) j += ",\"missing\":\"library not provided\"";
      j += "}";
    }
    j += "]}\n";
    std::fputs(j.c_str(), out);
    return;
  }
  fmt::print(out, "{}: {} imports: {} implemented, {} partial, {} absent\n", m.name, rows.size(), counts[0], counts[1],
             counts[2]);
  std::string lib;
  for (const CoverageRow& r : rows) {
    if (r.record->library != lib) {
      lib = r.record->library;
      fmt::print(out, "  {}{}\n", lib, r.library_provided ? "" : " (library not provided: every import absent)");
    }
    std::string status = kernel::export_status_name(r.coverage.status);
    if (r.coverage.missing) status += fmt::format(" (missing: {})", r.coverage.missing);
    fmt::print(out, "    0x{:03X} {:<5} {:<40} {}\n", r.record->ordinal,
               r.record->kind == ImportKind::kFunction ? "thunk" : "var", r.record->name, status);
  }
  if (counts[2]) {
    fmt::print(out, "a run stops with exit 8 at the first call of an absent function import\n");
  }
}

}  // namespace

int run_inspect(int argc, char** argv) {
  CLI::App app{"Summarise an XEX2 file; optionally disassemble part of its image", "xdet inspect"};
  configure_app(app);
  std::string file, disasm;
  bool json = false, coverage = false;
  app.add_option("file", file, "XEX2 file")->required();
  app.add_flag("--json", json, "machine-readable output");
  app.add_flag("--coverage", coverage,
               "list every import with its status in xdet: implemented, partial (with what is missing) or absent");
  app.add_option("--disasm", disasm, "disassemble ADDR[:COUNT] (hex address or 'entry'; default 16 instructions)");
  std::string symbols_path;
  app.add_option("--symbols", symbols_path,
                 "guest symbols (an ELF or an nm-style map) for --disasm; default: NAME.elf beside NAME.xex");
  if (auto rc = parse_cli(app, "inspect", argc, argv)) return *rc;
  std::vector<uint8_t> data = loader::read_file(file);
  GuestMemory mem;
  MemoryMap map(mem);
  LoadedModule m = loader::load_xex(map, data, file);
  if (coverage) {
    print_coverage(m, json, stdout);
  } else if (!disasm.empty()) {
    loader::SymbolTable symbols = loader::SymbolTable::beside_xex(file);
    if (!symbols_path.empty()) symbols.merge(loader::SymbolTable::load_file(symbols_path));
    disassemble(mem, m, disasm, json, symbols, stdout);
  } else if (json) {
    print_json(m, stdout);
  } else {
    print_text(m, stdout);
  }
  return 0;
}

}  // namespace xdet::app
