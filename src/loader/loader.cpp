#include "loader/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "base/byte_order.h"
#include "base/error.h"
#include "loader/xex2_format.h"

namespace xdet::loader {

const ImportRecord* LoadedModule::find_record(uint32_t address) const {
  auto it = std::lower_bound(imports.begin(), imports.end(), address,
                             [](const ImportRecord& r, uint32_t a) { return r.record_address < a; });
  return it != imports.end() && it->record_address == address ? &*it : nullptr;
}

const ImportRecord* LoadedModule::find_thunk(uint32_t address) const {
  const ImportRecord* r = find_record(address);
  return r && r->kind == ImportKind::kFunction ? r : nullptr;
}

std::optional<uint32_t> LoadedModule::export_address(uint16_t ordinal) const {
  for (const auto& [o, a] : exports)
    if (o == ordinal) return a;
  return std::nullopt;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error("{}: cannot open: {}", path, std::strerror(errno));
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> data(static_cast<size_t>(std::max<std::streamoff>(size, 0)));
  if (size > 0 && !in.read(reinterpret_cast<char*>(data.data()), size)) {
    throw_input_error("{}: read error", path);
  }
  return data;
}

LoadedModule load_xex(MemoryMap& map, std::span<const uint8_t> file, const std::string& name,
                      const ImportResolver* resolver, uint64_t max_image_size) {
  using namespace xex;
  LoadedModule m;
  m.name = name;
  m.xex = parse_xex(file, name);
  const XexFile& x = m.xex;
  DecodedImage image = decode_basefile(x, file, max_image_size);
  PeInfo pe = parse_pe(image.bytes, name);

  const uint32_t base = x.image_base();
  const uint32_t page = x.image_page_size();
  Heap* heap = map.image_heap(base);
  if (!heap) throw_input_error("{}: image base 0x{:08X} is not in a XEX heap", name, base);
  // Raw images map exactly the basefile (xenia); compressed ones the
  // page-descriptor span, which the decoder already produced.
  const uint64_t mapped = (uint64_t{image.bytes.size()} + page - 1) / page * page;
  if (mapped == 0 || base + mapped > heap->base() + heap->size()) {
    throw_input_error("{}: image of 0x{:X} bytes at 0x{:08X} does not fit the {} heap", name, mapped, base,
                      heap->name());
  }
  if (!heap->is_free(base, static_cast<uint32_t>(mapped)) ||
      !heap->alloc_fixed(base, static_cast<uint32_t>(mapped), page, kAllocReserve | kAllocCommit,
                         kMemProtRead | kMemProtWrite)) {
    throw Error(ExitCode::kBadInput, fmt::format("{}: image range 0x{:08X}-0x{:08X} is already in use", name, base,
                                                 base + mapped));
  }
  GuestMemory& mem = map.memory();
  mem.invalidate_code(base, mapped);
  mem.discard(base, mapped);
  std::memcpy(mem.translate(base), image.bytes.data(), image.bytes.size());

  m.image_base = base;
  m.image_size = static_cast<uint32_t>(mapped);
  m.full_image_size = x.security.image_size;
  m.entry_point = x.entry_point.value_or(0);
  m.default_stack_size = x.default_stack_size;
  m.tls = x.tls;
  m.execution = x.execution;
  m.execution_info_offset = x.execution_info_offset;
  m.system_flags = x.system_flags.value_or(0);
  m.module_flags = x.module_flags;
  m.key = image.key;
  m.compression = x.format.compression;
  m.header_block.assign(file.begin(), file.begin() + x.header_size);

  // Imports: first read every record, then patch.
  auto in_image = [&](uint32_t addr, uint32_t size) {
    return addr >= base && uint64_t{addr} + size <= uint64_t{base} + mapped;
  };
  for (const ImportLibrary& lib : x.imports) {
    auto kmod = exports::kernel_module_for_library(lib.name);
    for (size_t i = 0; i < lib.record_addresses.size(); ++i) {
      uint32_t addr = lib.record_addresses[i];
      const uint64_t field = lib.offset + 0x28 + i * 4;
      if (!in_image(addr, 4)) {
        throw_input_error("{}: import record address 0x{:08X} ({} entry {}, file offset 0x{:X}) is outside the image "
                          "0x{:08X}-0x{:08X}",
                          name, addr, lib.name, i, field, base, base + mapped);
      }
      uint32_t word = load_be32(mem.translate(addr));
      uint8_t type = static_cast<uint8_t>(word >> 24);
      ImportRecord r;
      r.library = lib.name;
      r.ordinal = static_cast<uint16_t>(word & 0xFFFF);
      r.record_address = addr;
      r.kernel = kmod.has_value();
      if (type == kImportVariable) {
        r.kind = ImportKind::kVariable;
      } else if (type == kImportFunction) {
        r.kind = ImportKind::kFunction;
        if (!in_image(addr, 16)) {
          throw_input_error("{}: import thunk at 0x{:08X} (file offset 0x{:X}) does not fit in the image", name, addr,
                            field);
        }
      } else {
        throw_input_error("{}: import record at 0x{:08X} (listed at file offset 0x{:X}) has type {} (word 0x{:08X}); "
                          "expected 0 (variable) or 1 (function thunk)",
                          name, addr, field, type, word);
      }
      const exports::ExportInfo* info = kmod ? exports::find_export(*kmod, r.ordinal) : nullptr;
      r.known = info != nullptr;
      r.name = info ? info->name : exports::export_display_name(lib.name, r.ordinal);
      m.imports.push_back(std::move(r));
    }
  }
  std::sort(m.imports.begin(), m.imports.end(),
            [](const ImportRecord& a, const ImportRecord& b) { return a.record_address < b.record_address; });
  for (size_t i = 1; i < m.imports.size(); ++i) {
    const ImportRecord& a = m.imports[i - 1];
    const ImportRecord& b = m.imports[i];
    uint32_t a_size = a.kind == ImportKind::kFunction ? 16 : 4;
    if (uint64_t{a.record_address} + a_size > b.record_address) {
      throw_input_error("{}: import records at 0x{:08X} ({}) and 0x{:08X} ({}) overlap", name, a.record_address,
                        a.name, b.record_address, b.name);
    }
  }
  std::map<std::pair<std::string, uint16_t>, uint32_t> thunk_of;
  for (const ImportRecord& r : m.imports) {
    if (r.kind == ImportKind::kFunction) thunk_of.emplace(std::pair{r.library, r.ordinal}, r.record_address);
  }
  for (ImportRecord& r : m.imports) {
    uint8_t* p = mem.translate(r.record_address);
    if (r.kind == ImportKind::kFunction) {
      store_be32(p, kThunkSyscall);
      store_be32(p + 4, kThunkBlr);
      store_be32(p + 8, kThunkNop);
      store_be32(p + 12, kThunkNop);
      continue;
    }
    uint32_t value;
    auto kmod = exports::kernel_module_for_library(r.library);
    auto thunk = thunk_of.find({r.library, r.ordinal});
    if (!kmod) {
      value = kUnresolvedVariable;
    } else if (thunk != thunk_of.end()) {
      value = thunk->second;  // a function: its callable thunk
    } else {
      const exports::ExportInfo* info = exports::find_export(*kmod, r.ordinal);
      if (info && !info->is_variable) {
        value = kFunctionInVariableSlot;
      } else {
        std::optional<uint32_t> addr;
        if (resolver && resolver->variable_address) addr = resolver->variable_address(*kmod, r.ordinal);
        value = addr ? *addr : unimplemented_variable_value(r.ordinal);
      }
    }
    r.slot_value = value;
    store_be32(p, value);
  }

  // Page-descriptor protections (only on mapped pages).
  uint64_t cursor = base;
  bool have_code = false;
  for (const PageDescriptor& d : x.security.page_descriptors) {
    uint64_t size = uint64_t{d.page_count} * page;
    LoadedRun run{static_cast<uint32_t>(cursor), static_cast<uint32_t>(size), d.section_type};
    m.runs.push_back(run);
    uint64_t end = std::min<uint64_t>(cursor + size, uint64_t{base} + mapped);
    if (end > cursor) {
      uint32_t prot = d.section_type == kSectionData ? (kMemProtRead | kMemProtWrite) : kMemProtRead;
      heap->protect(static_cast<uint32_t>(cursor), static_cast<uint32_t>(end - cursor), prot);
    }
    if (d.section_type == kSectionCode && size) {
      if (!have_code) m.code_start = static_cast<uint32_t>(cursor);
      m.code_end = static_cast<uint32_t>(cursor + size);
      have_code = true;
    }
    cursor += size;
  }

  // Ordinal export table of DLL XEXes: magic[3], module_number[2],
  // version[3], image_base_hi, count, base ordinal, offsets[count].
  if (uint32_t table = x.security.export_table) {
    const uint64_t field = x.security_offset + (x.is_xex1 ? 0x15C : kSecExportTable);
    if (!in_image(table, 44)) {
      throw_input_error("{}: security export_table 0x{:08X} (at file offset 0x{:X}) is outside the image", name, table,
                        field);
    }
    uint32_t base_hi = load_be32(mem.translate(table + 32));
    uint32_t count = load_be32(mem.translate(table + 36));
    uint32_t first = load_be32(mem.translate(table + 40));
    if (count > 0xFFFF || !in_image(table + 44, count * 4) || first + uint64_t{count} > 0x10000) {
      throw_input_error("{}: export table at 0x{:08X} declares {} exports from ordinal {}, which do not fit the image",
                        name, table, count, first);
    }
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t offset = load_be32(mem.translate(table + 44 + i * 4));
      if (offset) m.exports.emplace_back(static_cast<uint16_t>(first + i), offset + (base_hi << 16));
    }
  }

  for (const PeSection& s : pe.sections) {
    m.sections.push_back({s.name, base + s.virtual_address, s.virtual_size, s.characteristics});
  }
  return m;
}

}  // namespace xdet::loader
