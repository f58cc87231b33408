#include "loader/xex2.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/byte_order.h"
#include "base/error.h"
#include "loader/lzx.h"
#include "loader/xex2_format.h"

namespace xdet::xex {

const char* header_key_name(uint32_t key) {
  switch (key) {
    case kHeaderResourceInfo: return "RESOURCE_INFO";
    case kHeaderFileFormatInfo: return "FILE_FORMAT_INFO";
    case kHeaderDeltaPatchDescriptor: return "DELTA_PATCH_DESCRIPTOR";
    case kHeaderBaseReference: return "BASE_REFERENCE";
    case kHeaderBoundingPath: return "BOUNDING_PATH";
    case kHeaderDeviceId: return "DEVICE_ID";
    case kHeaderOriginalBaseAddress: return "ORIGINAL_BASE_ADDRESS";
    case kHeaderEntryPoint: return "ENTRY_POINT";
    case kHeaderImageBaseAddress: return "IMAGE_BASE_ADDRESS";
    case kHeaderImportLibraries: return "IMPORT_LIBRARIES";
    case kHeaderChecksumTimestamp: return "CHECKSUM_TIMESTAMP";
    case kHeaderEnabledForCallcap: return "ENABLED_FOR_CALLCAP";
    case kHeaderEnabledForFastcap: return "ENABLED_FOR_FASTCAP";
    case kHeaderOriginalPeName: return "ORIGINAL_PE_NAME";
    case kHeaderStaticLibraries: return "STATIC_LIBRARIES";
    case kHeaderTlsInfo: return "TLS_INFO";
    case kHeaderDefaultStackSize: return "DEFAULT_STACK_SIZE";
    case kHeaderDefaultFilesystemCacheSize: return "DEFAULT_FILESYSTEM_CACHE_SIZE";
    case kHeaderDefaultHeapSize: return "DEFAULT_HEAP_SIZE";
    case kHeaderPageHeapSizeAndFlags: return "PAGE_HEAP_SIZE_AND_FLAGS";
    case kHeaderSystemFlags: return "SYSTEM_FLAGS";
    case kHeaderExecutionInfo: return "EXECUTION_INFO";
    case kHeaderTitleWorkspaceSize: return "TITLE_WORKSPACE_SIZE";
    case kHeaderGameRatings: return "GAME_RATINGS";
    case kHeaderLanKey: return "LAN_KEY";
    case kHeaderXbox360Logo: return "XBOX360_LOGO";
    case kHeaderMultidiscMediaIds: return "MULTIDISC_MEDIA_IDS";
    case kHeaderAlternateTitleIds: return "ALTERNATE_TITLE_IDS";
    case kHeaderAdditionalTitleMemory: return "ADDITIONAL_TITLE_MEMORY";
    case kHeaderExportsByName: return "EXPORTS_BY_NAME";
  }
  return nullptr;
}

const char* key_kind_name(KeyKind k) {
  switch (k) {
    case KeyKind::kNone: return "none";
    case KeyKind::kRetail: return "retail";
    case KeyKind::kDevkit: return "devkit";
  }
  return "?";
}

uint64_t XexFile::descriptor_span() const {
  uint64_t pages = 0;
  for (const PageDescriptor& d : security.page_descriptors) pages += d.page_count;
  return pages * image_page_size();
}

const OptionalHeader* XexFile::find_header(uint32_t key) const {
  for (const OptionalHeader& h : headers)
    if (h.key == key) return &h;
  return nullptr;
}

namespace {

std::string key_label(uint32_t key) {
  const char* n = header_key_name(key);
  return n ? fmt::format("{} (0x{:08X})", n, key) : fmt::format("optional header 0x{:08X}", key);
}

// Bounds-checked big-endian reads over the header window [0, limit).
class Reader {
 public:
  Reader(std::span<const uint8_t> data, uint64_t limit, const std::string& name)
      : data_(data), limit_(std::min<uint64_t>(limit, data.size())), name_(name) {}

  void need(uint64_t offset, uint64_t size, const std::string& field) const {
    if (offset > limit_ || size > limit_ - offset) {
      throw_input_error("{}: {} at offset 0x{:X} (0x{:X} bytes) extends past the end of the {} (0x{:X} bytes)", name_,
                        field, offset, size, limit_ == data_.size() ? "file" : "header block", limit_);
    }
  }
  uint32_t u32(uint64_t offset, const std::string& field) const {
    need(offset, 4, field);
    return load_be32(data_.data() + offset);
  }
  uint16_t u16(uint64_t offset, const std::string& field) const {
    need(offset, 2, field);
    return load_be16(data_.data() + offset);
  }
  uint8_t u8(uint64_t offset, const std::string& field) const {
    need(offset, 1, field);
    return data_[offset];
  }
  template <size_t N>
  std::array<uint8_t, N> bytes(uint64_t offset, const std::string& field) const {
    need(offset, N, field);
    std::array<uint8_t, N> out;
    std::memcpy(out.data(), data_.data() + offset, N);
    return out;
  }
  // A fixed-size, possibly unterminated name field.
  std::string fixed_string(uint64_t offset, size_t size, const std::string& field) const {
    need(offset, size, field);
    const char* p = reinterpret_cast<const char*>(data_.data() + offset);
    return std::string(p, strnlen(p, size));
  }
  const std::string& name() const { return name_; }

 private:
  std::span<const uint8_t> data_;
  uint64_t limit_;
  const std::string& name_;
};

struct Range {
  uint64_t begin, end;
  std::string what;
};

void parse_security(XexFile& x, const Reader& r) {
  SecurityInfo& s = x.security;
  s.offset = x.security_offset;
  const uint64_t o = x.security_offset;
  if (x.is_xex1) {
    s.header_size = r.u32(o + 0x000, "security header_size");
    s.image_size = r.u32(o + 0x004, "security image_size");
    s.load_address = r.u32(o + 0x130, "security load_address");
    s.aes_key = r.bytes<16>(o + 0x134, "security aes_key");
    s.region = r.u32(o + 0x154, "security region");
    s.image_flags = r.u32(o + 0x158, "security image_flags");
    s.export_table = r.u32(o + 0x15C, "security export_table");
    s.allowed_media_types = r.u32(o + 0x160, "security allowed_media_types");
  } else {
    s.header_size = r.u32(o + kSecHeaderSize, "security header_size");
    s.image_size = r.u32(o + kSecImageSize, "security image_size");
    s.image_flags = r.u32(o + kSecImageFlags, "security image_flags");
    s.load_address = r.u32(o + kSecLoadAddress, "security load_address");
    s.import_table_count = r.u32(o + kSecImportTableCount, "security import_table_count");
    s.aes_key = r.bytes<16>(o + kSecAesKey, "security aes_key");
    s.export_table = r.u32(o + kSecExportTable, "security export_table");
    s.region = r.u32(o + kSecRegion, "security region");
    s.allowed_media_types = r.u32(o + kSecAllowedMediaTypes, "security allowed_media_types");
  }
  const uint64_t count_off = o + (x.is_xex1 ? 0x164 : kSecPageDescriptorCount);
  const uint64_t desc_off = o + (x.is_xex1 ? 0x168 : kSecPageDescriptors);
  uint32_t count = r.u32(count_off, "security page_descriptor_count");
  r.need(desc_off, uint64_t{count} * kPageDescriptorSize,
         fmt::format("{} page descriptors (page_descriptor_count at offset 0x{:X})", count, count_off));
  s.page_descriptors.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t d = desc_off + uint64_t{i} * kPageDescriptorSize;
    uint32_t value = r.u32(d, "page descriptor");
    PageDescriptor pd;
    pd.page_count = value >> 4;
    pd.section_type = static_cast<uint8_t>(value & 0xF);
    pd.digest = r.bytes<20>(d + 4, "page descriptor digest");
    if (pd.section_type < kSectionCode || pd.section_type > kSectionReadOnlyData) {
      throw_input_error("{}: page descriptor {} at offset 0x{:X} has section type {} (expected 1 code, 2 data or 3 "
                        "read-only data)",
                        r.name(), i, d, pd.section_type);
    }
    s.page_descriptors.push_back(pd);
  }
}

void parse_file_format(XexFile& x, const Reader& r, uint32_t offset) {
  FileFormat& f = x.format;
  f.offset = offset;
  uint32_t info_size = r.u32(offset, "FILE_FORMAT_INFO info_size");
  if (info_size < 8) {
    throw_input_error("{}: FILE_FORMAT_INFO info_size {} at offset 0x{:X} is smaller than 8", r.name(), info_size,
                      offset);
  }
  r.need(offset, info_size, "FILE_FORMAT_INFO payload");
  f.encryption = r.u16(offset + 4, "FILE_FORMAT_INFO encryption_type");
  f.compression = r.u16(offset + 6, "FILE_FORMAT_INFO compression_type");
  if (f.encryption > kEncryptionNormal) {
    throw_input_error("{}: FILE_FORMAT_INFO encryption_type {} at offset 0x{:X} is unknown (0 none, 1 AES)",
                      r.name(), f.encryption, offset + 4);
  }
  switch (f.compression) {
    case kCompressionNone: break;
    case kCompressionBasic: {
      uint32_t n = (info_size - 8) / 8;
      f.basic_blocks.reserve(n);
      for (uint32_t i = 0; i < n; ++i) {
        BasicBlock b;
        b.data_size = r.u32(offset + 8 + i * 8, "basic block data_size");
        b.zero_size = r.u32(offset + 12 + i * 8, "basic block zero_size");
        f.basic_blocks.push_back(b);
      }
      break;
    }
    case kCompressionNormal: {
      if (info_size < 8 + 4 + 24) {
        throw_input_error("{}: FILE_FORMAT_INFO info_size {} at offset 0x{:X} is too small for normal (LZX) "
                          "compression (need 36)",
                          r.name(), info_size, offset);
      }
      f.window_size = r.u32(offset + 8, "LZX window_size");
      if (f.window_size < 0x8000 || f.window_size > 0x200000 || (f.window_size & (f.window_size - 1))) {
        throw_input_error("{}: LZX window_size 0x{:X} at offset 0x{:X} is not a power of two in 32 KB..2 MB",
                          r.name(), f.window_size, offset + 8);
      }
      f.first_block_size = r.u32(offset + 12, "LZX first block_size");
      f.first_block_hash = r.bytes<20>(offset + 16, "LZX first block hash");
      break;
    }
    case kCompressionDelta:
      throw_input_error("{}: FILE_FORMAT_INFO compression_type 3 (delta patch) at offset 0x{:X} cannot be loaded "
                        "as an image",
                        r.name(), offset + 6);
    default:
      throw_input_error("{}: FILE_FORMAT_INFO compression_type {} at offset 0x{:X} is unknown", r.name(),
                        f.compression, offset + 6);
  }
}

void parse_imports(XexFile& x, const Reader& r, uint32_t offset) {
  uint32_t total = r.u32(offset, "IMPORT_LIBRARIES size");
  if (total < 12) {
    throw_input_error("{}: IMPORT_LIBRARIES size {} at offset 0x{:X} is smaller than its 12-byte header", r.name(),
                      total, offset);
  }
  r.need(offset, total, "IMPORT_LIBRARIES payload");
  uint32_t table_size = r.u32(offset + 4, "IMPORT_LIBRARIES string table size");
  uint32_t string_count = r.u32(offset + 8, "IMPORT_LIBRARIES string count");
  if (table_size > total - 12) {
    throw_input_error("{}: IMPORT_LIBRARIES string table size 0x{:X} at offset 0x{:X} exceeds the payload size 0x{:X}",
                      r.name(), table_size, offset + 4, total);
  }
  std::vector<std::string> names;
  uint64_t p = offset + 12;
  const uint64_t table_end = p + table_size;
  for (uint32_t i = 0; i < string_count; ++i) {
    if (p >= table_end) {
      throw_input_error("{}: IMPORT_LIBRARIES string count {} at offset 0x{:X} exceeds the names in the 0x{:X}-byte "
                        "string table",
                        r.name(), string_count, offset + 8, table_size);
    }
    std::string s = r.fixed_string(p, table_end - p, "import library name");
    if (p + s.size() >= table_end) {
      throw_input_error("{}: import library name at offset 0x{:X} is not NUL-terminated inside the string table",
                        r.name(), p);
    }
    names.push_back(s);
    p += (s.size() + 1 + 3) & ~uint64_t{3};
  }
  p = table_end;
  const uint64_t end = uint64_t{offset} + total;
  while (p + 4 <= end) {
    uint32_t rec_size = r.u32(p, "import library record size");
    if (rec_size == 0) break;
    if (rec_size < 0x28 || rec_size > end - p) {
      throw_input_error("{}: import library record size 0x{:X} at offset 0x{:X} is outside 0x28..0x{:X}", r.name(),
                        rec_size, p, end - p);
    }
    ImportLibrary lib;
    lib.offset = static_cast<uint32_t>(p);
    lib.next_import_digest = r.bytes<20>(p + 4, "import next_import_digest");
    lib.id = r.u32(p + 0x18, "import library id");
    lib.version = r.u32(p + 0x1C, "import library version");
    lib.version_min = r.u32(p + 0x20, "import library version_min");
    lib.name_index = r.u16(p + 0x24, "import library name_index");
    uint16_t count = r.u16(p + 0x26, "import library count");
    if (0x28 + uint64_t{count} * 4 > rec_size) {
      throw_input_error("{}: import library count {} at offset 0x{:X} needs 0x{:X} bytes but the record is 0x{:X}",
                        r.name(), count, p + 0x26, 0x28 + uint64_t{count} * 4, rec_size);
    }
    uint32_t idx = lib.name_index & 0xFF;
    if (idx >= names.size()) {
      throw_input_error("{}: import library name_index {} at offset 0x{:X} is out of range ({} names)", r.name(), idx,
                        p + 0x24, names.size());
    }
    lib.name = names[idx];
    for (uint32_t i = 0; i < count; ++i) lib.record_addresses.push_back(r.u32(p + 0x28 + i * 4, "import record address"));
    x.imports.push_back(std::move(lib));
    p += rec_size;
  }
}

}  // namespace

XexFile parse_xex(std::span<const uint8_t> data, const std::string& name) {
  XexFile x;
  x.name = name;
  x.file_size = data.size();
  Reader file(data, data.size(), name);
  if (data.size() < kMainHeaderSize) {
    throw_input_error("{}: file is {} bytes, too small for the 24-byte XEX main header", name, data.size());
  }
  uint32_t magic = file.u32(0, "magic");
  if (magic != kMagicXex2 && magic != kMagicXex1) {
    throw_input_error("{}: bad magic 0x{:08X} at offset 0x0 (expected 0x58455832 'XEX2')", name, magic);
  }
  x.is_xex1 = magic == kMagicXex1;
  x.module_flags = file.u32(4, "module_flags");
  x.header_size = file.u32(8, "header_size");
  x.security_offset = file.u32(0x10, "security_offset");
  uint32_t count = file.u32(0x14, "header_count");
  if (x.header_size > data.size()) {
    throw_input_error("{}: header_size 0x{:X} at offset 0x8 is past the end of the file (0x{:X} bytes)", name,
                      x.header_size, data.size());
  }
  const uint64_t dir_end = kMainHeaderSize + uint64_t{count} * 8;
  if (dir_end > x.header_size) {
    throw_input_error("{}: header_count {} at offset 0x14 needs a directory up to 0x{:X}, past header_size 0x{:X}",
                      name, count, dir_end, x.header_size);
  }
  if (x.module_flags & (kModulePatch | kModulePatchFull | kModulePatchDelta)) {
    throw_input_error("{}: module_flags 0x{:X} at offset 0x4 mark a patch file, which has no image to load", name,
                      x.module_flags);
  }
  Reader hdr(data, x.header_size, name);

  const uint64_t sec_fixed = x.is_xex1 ? 0x168 : kSecPageDescriptors;
  hdr.need(x.security_offset, sec_fixed,
           fmt::format("security info (security_offset at offset 0x10 = 0x{:X})", x.security_offset));
  if (x.security_offset < dir_end) {
    throw_input_error("{}: security_offset 0x{:X} at offset 0x10 overlaps the main header / optional-header "
                      "directory (ends at 0x{:X})",
                      name, x.security_offset, dir_end);
  }
  parse_security(x, hdr);
  const uint64_t sec_end =
      x.security_offset + sec_fixed + uint64_t{x.security.page_descriptors.size()} * kPageDescriptorSize;

  std::vector<Range> used;
  used.push_back({0, dir_end, "the main header and optional-header directory"});
  used.push_back({x.security_offset, sec_end, "the security info"});

  for (uint32_t i = 0; i < count; ++i) {
    OptionalHeader h;
    h.entry_offset = kMainHeaderSize + i * 8;
    h.key = hdr.u32(h.entry_offset, "optional header key");
    h.value = hdr.u32(h.entry_offset + 4, "optional header value");
    for (const OptionalHeader& o : x.headers) {
      if (o.key == h.key) {
        throw_input_error("{}: {} appears twice in the directory (entries at offsets 0x{:X} and 0x{:X})", name,
                          key_label(h.key), o.entry_offset, h.entry_offset);
      }
    }
    const uint8_t low = h.key & 0xFF;
    if (low >= 0x02) {
      uint64_t size;
      if (low == 0xFF) {
        size = hdr.u32(h.value, fmt::format("payload size of {} (directory entry at offset 0x{:X})", key_label(h.key),
                                            h.entry_offset));
        if (size < 4) {
          throw_input_error("{}: payload of {} at offset 0x{:X} declares size {} (< 4)", name, key_label(h.key),
                            h.value, size);
        }
      } else {
        size = uint64_t{low} * 4;
      }
      hdr.need(h.value, size,
               fmt::format("payload of {} (directory entry at offset 0x{:X})", key_label(h.key), h.entry_offset));
      Range mine{h.value, h.value + size, "payload of " + key_label(h.key)};
      for (const Range& u : used) {
        if (mine.begin < u.end && u.begin < mine.end) {
          throw_input_error("{}: {} at offset 0x{:X}..0x{:X} overlaps {} (0x{:X}..0x{:X})", name, mine.what,
                            mine.begin, mine.end, u.what, u.begin, u.end);
        }
      }
      used.push_back(mine);
    }
    x.headers.push_back(h);
  }

  for (const OptionalHeader& h : x.headers) {
    switch (h.key) {
      case kHeaderFileFormatInfo: parse_file_format(x, hdr, h.value); break;
      case kHeaderEntryPoint: x.entry_point = h.value; break;
      case kHeaderImageBaseAddress: x.image_base_address = h.value; break;
      case kHeaderOriginalBaseAddress: x.original_base_address = h.value; break;
      case kHeaderDefaultStackSize: x.default_stack_size = h.value; break;
      case kHeaderDefaultHeapSize: x.default_heap_size = h.value; break;
      case kHeaderDefaultFilesystemCacheSize: x.default_filesystem_cache_size = h.value; break;
      case kHeaderSystemFlags: x.system_flags = h.value; break;
      case kHeaderTitleWorkspaceSize: x.title_workspace_size = h.value; break;
      case kHeaderAdditionalTitleMemory: x.additional_title_memory = h.value; break;
      case kHeaderImportLibraries: parse_imports(x, hdr, h.value); break;
      case kHeaderTlsInfo: {
        TlsInfo t;
        t.slot_count = hdr.u32(h.value, "TLS_INFO slot_count");
        t.raw_data_address = hdr.u32(h.value + 4, "TLS_INFO raw_data_address");
        t.data_size = hdr.u32(h.value + 8, "TLS_INFO data_size");
        t.raw_data_size = hdr.u32(h.value + 12, "TLS_INFO raw_data_size");
        if (t.raw_data_size > t.data_size) {
          throw_input_error("{}: TLS_INFO raw_data_size 0x{:X} at offset 0x{:X} exceeds data_size 0x{:X}", name,
                            t.raw_data_size, h.value + 12, t.data_size);
        }
        x.tls = t;
        break;
      }
      case kHeaderExecutionInfo: {
        ExecutionInfo e;
        e.media_id = hdr.u32(h.value, "EXECUTION_INFO media_id");
        e.version = hdr.u32(h.value + 4, "EXECUTION_INFO version");
        e.base_version = hdr.u32(h.value + 8, "EXECUTION_INFO base_version");
        e.title_id = hdr.u32(h.value + 12, "EXECUTION_INFO title_id");
        e.platform = hdr.u8(h.value + 16, "EXECUTION_INFO platform");
        e.executable_table = hdr.u8(h.value + 17, "EXECUTION_INFO executable_table");
        e.disc_number = hdr.u8(h.value + 18, "EXECUTION_INFO disc_number");
        e.disc_count = hdr.u8(h.value + 19, "EXECUTION_INFO disc_count");
        e.savegame_id = hdr.u32(h.value + 20, "EXECUTION_INFO savegame_id");
        x.execution = e;
        x.execution_info_offset = h.value;
        break;
      }
      case kHeaderOriginalPeName: {
        uint32_t size = hdr.u32(h.value, "ORIGINAL_PE_NAME size");
        x.original_pe_name = hdr.fixed_string(h.value + 4, size - 4, "ORIGINAL_PE_NAME");
        break;
      }
      case kHeaderChecksumTimestamp:
        x.checksum_timestamp = std::array<uint32_t, 2>{hdr.u32(h.value, "CHECKSUM_TIMESTAMP checksum"),
                                                       hdr.u32(h.value + 4, "CHECKSUM_TIMESTAMP timestamp")};
        break;
      case kHeaderResourceInfo: {
        uint32_t size = hdr.u32(h.value, "RESOURCE_INFO size");
        for (uint64_t p = h.value + 4; p + 16 <= uint64_t{h.value} + size; p += 16) {
          ResourceInfo ri;
          ri.name = hdr.fixed_string(p, 8, "RESOURCE_INFO name");
          ri.address = hdr.u32(p + 8, "RESOURCE_INFO address");
          ri.size = hdr.u32(p + 12, "RESOURCE_INFO size");
          x.resources.push_back(ri);
        }
        break;
      }
      case kHeaderStaticLibraries: {
        uint32_t size = hdr.u32(h.value, "STATIC_LIBRARIES size");
        for (uint64_t p = h.value + 4; p + 16 <= uint64_t{h.value} + size; p += 16) {
          StaticLibrary sl;
          sl.name = hdr.fixed_string(p, 8, "STATIC_LIBRARIES name");
          sl.major = hdr.u16(p + 8, "STATIC_LIBRARIES major");
          sl.minor = hdr.u16(p + 10, "STATIC_LIBRARIES minor");
          sl.build = hdr.u16(p + 12, "STATIC_LIBRARIES build");
          sl.approval = hdr.u8(p + 14, "STATIC_LIBRARIES approval");
          sl.qfe = hdr.u8(p + 15, "STATIC_LIBRARIES qfe");
          x.static_libraries.push_back(sl);
        }
        break;
      }
      case kHeaderAlternateTitleIds: {
        uint32_t size = hdr.u32(h.value, "ALTERNATE_TITLE_IDS size");
        for (uint64_t p = h.value + 4; p + 4 <= uint64_t{h.value} + size; p += 4)
          x.alternate_title_ids.push_back(hdr.u32(p, "ALTERNATE_TITLE_IDS entry"));
        break;
      }
      default: break;
    }
  }

  if (!x.find_header(kHeaderFileFormatInfo)) {
    throw_input_error("{}: the mandatory FILE_FORMAT_INFO (0x000003FF) optional header is missing", name);
  }
  uint32_t base = x.image_base();
  if (base < 0x80000000u || base >= 0xA0000000u) {
    throw_input_error("{}: image base 0x{:08X} ({}) is outside the XEX heaps 0x80000000-0x9FFFFFFF", name, base,
                      x.image_base_address ? "IMAGE_BASE_ADDRESS header" : "security load_address");
  }
  if (base % x.image_page_size() != 0) {
    throw_input_error("{}: image base 0x{:08X} is not aligned to the heap's 0x{:X}-byte pages", name, base,
                      x.image_page_size());
  }
  uint64_t heap_end = base >= 0x90000000u ? 0xA0000000ull : 0x90000000ull;
  if (base + x.descriptor_span() > heap_end) {
    throw_input_error("{}: page descriptors at offset 0x{:X} span 0x{:X} bytes from 0x{:08X}, past the heap end "
                      "0x{:08X}",
                      name, x.security_offset + (x.is_xex1 ? 0x168 : kSecPageDescriptors), x.descriptor_span(), base,
                      heap_end);
  }
  return x;
}

// ---------------------------------------------------------------- crypto

namespace {
// One AES-128-ECB block with the master key: the file stores the session key
// encrypted this way.
std::array<uint8_t, 16> aes128_ecb_block(const std::array<uint8_t, 16>& in, const uint8_t master[16], bool encrypt) {
  std::array<uint8_t, 16> out{};
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || !EVP_CipherInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, master, nullptr, encrypt ? 1 : 0) ||
      !EVP_CIPHER_CTX_set_padding(ctx.get(), 0) || !EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), 16)) {
    throw Error(ExitCode::kInternal,
                fmt::format("OpenSSL AES-128-ECB {} failed", encrypt ? "encryption" : "decryption"));
  }
  return out;
}
}  // namespace

std::array<uint8_t, 16> derive_session_key(const std::array<uint8_t, 16>& encrypted_key, const uint8_t master[16]) {
  return aes128_ecb_block(encrypted_key, master, false);
}

std::array<uint8_t, 16> encrypt_session_key(const std::array<uint8_t, 16>& session_key, const uint8_t master[16]) {
  return aes128_ecb_block(session_key, master, true);
}

std::array<uint8_t, 20> sha1(std::span<const uint8_t> data) {
  std::array<uint8_t, 20> out{};
  SHA1(data.data(), data.size(), out.data());
  return out;
}

namespace {

// AES-128-CBC with IV 0 whose chain continues across calls.
class CbcDecryptor {
 public:
  explicit CbcDecryptor(const std::array<uint8_t, 16>& key)
      : ctx_(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free) {
    static const uint8_t iv[16] = {};
    if (!ctx_ || !EVP_DecryptInit_ex(ctx_.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv) ||
        !EVP_CIPHER_CTX_set_padding(ctx_.get(), 0)) {
      throw Error(ExitCode::kInternal, "OpenSSL AES-128-CBC setup failed");
    }
  }
  // size must be a multiple of 16.
  void decrypt(const uint8_t* in, uint8_t* out, size_t size) {
    size_t done = 0;
    while (done < size) {
      int chunk = static_cast<int>(std::min<size_t>(size - done, 1 << 30));
      int len = 0;
      if (!EVP_DecryptUpdate(ctx_.get(), out + done, &len, in + done, chunk) || len != chunk) {
        throw Error(ExitCode::kInternal, "OpenSSL AES-128-CBC decryption failed");
      }
      done += static_cast<size_t>(chunk);
    }
  }

 private:
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx_;
};

bool looks_like_pe(const std::vector<uint8_t>& image) {
  return image.size() >= 4 && image[0] == 0x4D && image[1] == 0x5A && image[2] == 0x90 && image[3] == 0x00;
}

std::vector<uint8_t> decode_with_key(const XexFile& x, std::span<const uint8_t> data, const uint8_t* master,
                                     uint64_t max_image_size) {
  const std::string& name = x.name;
  const uint64_t base_off = x.header_size;
  std::span<const uint8_t> basefile = data.subspan(base_off);
  std::unique_ptr<CbcDecryptor> aes;
  if (master) aes = std::make_unique<CbcDecryptor>(derive_session_key(x.security.aes_key, master));
  const FileFormat& f = x.format;
  const uint32_t page = x.image_page_size();

  auto check_span = [&](uint64_t span, const char* what) {
    if (span > max_image_size) {
      throw_input_error("{}: {} of 0x{:X} bytes exceeds the 0x{:X}-byte limit for an image", name, what, span,
                        max_image_size);
    }
  };

  switch (f.compression) {
    case kCompressionNone: {
      uint64_t size = basefile.size();
      check_span(size, "raw basefile");
      if (aes && size % 16) {
        throw_input_error("{}: encrypted raw basefile at offset 0x{:X} is 0x{:X} bytes, not a multiple of the AES "
                          "block size",
                          name, base_off, size);
      }
      std::vector<uint8_t> out(size);
      if (aes) aes->decrypt(basefile.data(), out.data(), size);
      else if (size) std::memcpy(out.data(), basefile.data(), size);
      (void)page;
      return out;
    }
    case kCompressionBasic: {
      uint64_t span = x.descriptor_span();
      check_span(span, "page-descriptor span");
      std::vector<uint8_t> out(span);
      uint64_t src = 0, dst = 0;
      for (size_t i = 0; i < f.basic_blocks.size(); ++i) {
        const BasicBlock& b = f.basic_blocks[i];
        const uint64_t field = f.offset + 8 + i * 8;
        if (b.data_size > basefile.size() - src) {
          throw_input_error("{}: basic block {} data_size 0x{:X} at offset 0x{:X} reads past the end of the file "
                            "(basefile offset 0x{:X} of 0x{:X})",
                            name, i, b.data_size, field, src, basefile.size());
        }
        if (uint64_t{b.data_size} + b.zero_size > span - dst) {
          throw_input_error("{}: basic block {} (data 0x{:X} + zero 0x{:X}, at offset 0x{:X}) overflows the "
                            "0x{:X}-byte page-descriptor span at image offset 0x{:X}",
                            name, i, b.data_size, b.zero_size, field, span, dst);
        }
        if (aes) {
          if (b.data_size % 16) {
            throw_input_error("{}: basic block {} data_size 0x{:X} at offset 0x{:X} is not a multiple of the AES "
                              "block size",
                              name, i, b.data_size, field);
          }
          aes->decrypt(basefile.data() + src, out.data() + dst, b.data_size);
        } else if (b.data_size) {
          std::memcpy(out.data() + dst, basefile.data() + src, b.data_size);
        }
        src += b.data_size;
        dst += uint64_t{b.data_size} + b.zero_size;
      }
      return out;
    }
    case kCompressionNormal: {
      uint64_t span = x.descriptor_span();
      check_span(span, "page-descriptor span");
      std::vector<uint8_t> plain(basefile.size());
      if (aes) {
        if (basefile.size() % 16) {
          throw_input_error("{}: encrypted LZX basefile at offset 0x{:X} is 0x{:X} bytes, not a multiple of the AES "
                            "block size",
                            name, base_off, basefile.size());
        }
        aes->decrypt(basefile.data(), plain.data(), plain.size());
      } else if (!plain.empty()) {
        std::memcpy(plain.data(), basefile.data(), plain.size());
      }
      std::vector<uint8_t> compressed;
      uint64_t p = 0;
      uint32_t block_size = f.first_block_size;
      std::array<uint8_t, 20> hash = f.first_block_hash;
      for (size_t block = 0; block_size != 0; ++block) {
        if (block_size > plain.size() - p || block_size < 24) {
          throw_input_error("{}: LZX block {} of 0x{:X} bytes at basefile offset 0x{:X} (file offset 0x{:X}) is "
                            "shorter than its header or runs past the end of the file",
                            name, block, block_size, p, base_off + p);
        }
        std::span<const uint8_t> blk(plain.data() + p, block_size);
        if (sha1(blk) != hash) {
          throw_input_error("{}: LZX block {} at file offset 0x{:X} fails its SHA-1 check{}", name, block,
                            base_off + p, aes ? " (wrong key or corrupt data)" : "");
        }
        uint32_t next_size = load_be32(blk.data());
        std::array<uint8_t, 20> next_hash;
        std::memcpy(next_hash.data(), blk.data() + 4, 20);
        uint64_t q = 24;
        while (true) {
          if (q + 2 > block_size) {
            throw_input_error("{}: LZX block {} at file offset 0x{:X} ends without a zero chunk length", name, block,
                              base_off + p);
          }
          uint32_t chunk = load_be16(blk.data() + q);
          q += 2;
          if (chunk == 0) break;
          if (chunk > block_size - q) {
            throw_input_error("{}: LZX chunk of 0x{:X} bytes at file offset 0x{:X} runs past its block", name, chunk,
                              base_off + p + q - 2);
          }
          compressed.insert(compressed.end(), blk.data() + q, blk.data() + q + chunk);
          q += chunk;
        }
        p += block_size;
        block_size = next_size;
        hash = next_hash;
      }
      std::vector<uint8_t> out(span);
      std::string error;
      if (!lzx_decompress(compressed, out, f.window_size, &error)) {
        throw_input_error("{}: LZX stream (window 0x{:X}, FILE_FORMAT_INFO at offset 0x{:X}) is corrupt: {}", name,
                          f.window_size, f.offset, error);
      }
      return out;
    }
  }
  throw_input_error("{}: unsupported compression type {}", name, f.compression);
}

}  // namespace

DecodedImage decode_basefile(const XexFile& x, std::span<const uint8_t> data, uint64_t max_image_size) {
  DecodedImage img;
  if (x.format.encryption == kEncryptionNone) {
    img.bytes = decode_with_key(x, data, nullptr, max_image_size);
    if (!looks_like_pe(img.bytes)) {
      throw_input_error("{}: basefile at offset 0x{:X} does not decode to a PE image (expected 4D 5A 90 00)", x.name,
                        x.header_size);
    }
    return img;
  }
  // xenia tries the retail key first and retries with the devkit key.
  std::string first_error;
  for (KeyKind k : {KeyKind::kRetail, KeyKind::kDevkit}) {
    try {
      img.bytes = decode_with_key(x, data, k == KeyKind::kRetail ? kRetailKey : kDevkitKey, max_image_size);
      if (looks_like_pe(img.bytes)) {
        img.key = k;
        return img;
      }
    } catch (const InputError& e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
  throw_input_error("{}: encrypted basefile at offset 0x{:X} does not decrypt to a PE image with the retail or the "
                    "devkit key (security aes_key at offset 0x{:X}){}{}",
                    x.name, x.header_size, x.security_offset + (x.is_xex1 ? 0x134 : kSecAesKey),
                    first_error.empty() ? "" : "; retail attempt: ", first_error);
}

PeInfo parse_pe(std::span<const uint8_t> image, const std::string& name) {
  PeInfo pe;
  auto need = [&](uint64_t off, uint64_t size, const char* field) {
    if (off > image.size() || size > image.size() - off) {
      throw_input_error("{}: PE {} at image offset 0x{:X} lies outside the 0x{:X}-byte image", name, field, off,
                        image.size());
    }
  };
  auto le16 = [&](uint64_t off, const char* field) {
    need(off, 2, field);
    return static_cast<uint16_t>(image[off] | image[off + 1] << 8);
  };
  auto le32 = [&](uint64_t off, const char* field) {
    need(off, 4, field);
    return static_cast<uint32_t>(image[off] | image[off + 1] << 8 | image[off + 2] << 16 |
                                 static_cast<uint32_t>(image[off + 3]) << 24);
  };
  if (le16(0, "DOS magic") != kPeDosMagic) throw_input_error("{}: PE DOS magic at image offset 0 is not 'MZ'", name);
  pe.nt_header_offset = le32(0x3C, "e_lfanew");
  const uint64_t nt = pe.nt_header_offset;
  if (le32(nt, "NT signature") != kPeSignature) {
    throw_input_error("{}: PE signature at image offset 0x{:X} (e_lfanew) is not \"PE\\0\\0\"", name, nt);
  }
  pe.machine = le16(nt + 4, "Machine");
  if (pe.machine != kPeMachinePowerPcBe) {
    throw_input_error("{}: PE Machine 0x{:04X} at image offset 0x{:X} is not 0x01F2 (PowerPC big-endian)", name,
                      pe.machine, nt + 4);
  }
  uint16_t nsections = le16(nt + 6, "NumberOfSections");
  uint16_t opt_size = le16(nt + 20, "SizeOfOptionalHeader");
  pe.characteristics = le16(nt + 22, "Characteristics");
  if (!(pe.characteristics & kPeCharacteristic32BitMachine)) {
    throw_input_error("{}: PE Characteristics 0x{:04X} at image offset 0x{:X} lack 0x0100 (32-bit machine)", name,
                      pe.characteristics, nt + 22);
  }
  if (opt_size != kPeOptionalHeaderSize) {
    throw_input_error("{}: PE SizeOfOptionalHeader {} at image offset 0x{:X} is not 224", name, opt_size, nt + 20);
  }
  const uint64_t opt = nt + 24;
  uint16_t magic = le16(opt, "optional header Magic");
  if (magic != kPeOptionalMagicPe32) {
    throw_input_error("{}: PE optional header Magic 0x{:X} at image offset 0x{:X} is not 0x10B (PE32)", name, magic,
                      opt);
  }
  pe.entry_rva = le32(opt + 16, "AddressOfEntryPoint");
  pe.image_base = le32(opt + 28, "ImageBase");
  pe.size_of_image = le32(opt + 56, "SizeOfImage");
  pe.subsystem = le16(opt + 68, "Subsystem");
  if (pe.subsystem != kPeSubsystemXbox) {
    throw_input_error("{}: PE Subsystem {} at image offset 0x{:X} is not 14 (Xbox)", name, pe.subsystem, opt + 68);
  }
  const uint64_t sec = opt + opt_size;
  need(sec, uint64_t{nsections} * 40, "section table");
  for (uint32_t i = 0; i < nsections; ++i) {
    const uint64_t s = sec + i * 40;
    PeSection ps;
    const char* p = reinterpret_cast<const char*>(image.data() + s);
    ps.name = std::string(p, strnlen(p, 8));
    ps.virtual_size = le32(s + 8, "section VirtualSize");
    ps.virtual_address = le32(s + 12, "section VirtualAddress");
    ps.raw_size = le32(s + 16, "section SizeOfRawData");
    ps.raw_offset = le32(s + 20, "section PointerToRawData");
    ps.characteristics = le32(s + 36, "section Characteristics");
    pe.sections.push_back(ps);
  }
  return pe;
}

}  // namespace xdet::xex
