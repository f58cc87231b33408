#pragma once
// XEX2 parsing and basefile decoding (shared/spec/xex2-format.md).
//
// parse_xex() validates and decodes every header of the container without
// touching guest memory; decode_basefile() turns the basefile into the image
// bytes (decrypting and decompressing). Both throw InputError
// (ExitCode::kBadInput) naming the file, the field and its file offset, and
// never read outside the input.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace xdet::xex {

struct OptionalHeader {
  uint32_t key = 0;
  uint32_t value = 0;         // inline value, or file offset of the payload
  uint32_t entry_offset = 0;  // file offset of the directory entry
};

struct PageDescriptor {
  uint32_t page_count = 0;
  uint8_t section_type = 0;  // kSectionCode / kSectionData / kSectionReadOnlyData
  std::array<uint8_t, 20> digest{};
};

struct SecurityInfo {
  uint32_t offset = 0;  // file offset
  uint32_t header_size = 0;
  uint32_t image_size = 0;
  uint32_t image_flags = 0;
  uint32_t load_address = 0;
  uint32_t import_table_count = 0;
  uint32_t export_table = 0;
  uint32_t region = 0;
  uint32_t allowed_media_types = 0;
  std::array<uint8_t, 16> aes_key{};
  std::vector<PageDescriptor> page_descriptors;
};

struct BasicBlock {
  uint32_t data_size = 0;
  uint32_t zero_size = 0;
};

struct FileFormat {
  uint32_t offset = 0;  // file offset of the FILE_FORMAT_INFO payload
  uint16_t encryption = 0;
  uint16_t compression = 0;
  std::vector<BasicBlock> basic_blocks;  // compression basic
  uint32_t window_size = 0;              // compression normal
  uint32_t first_block_size = 0;
  std::array<uint8_t, 20> first_block_hash{};
};

struct ImportLibrary {
  std::string name;
  uint32_t offset = 0;  // file offset of the library record
  uint32_t id = 0;
  uint32_t version = 0;
  uint32_t version_min = 0;
  uint16_t name_index = 0;
  std::array<uint8_t, 20> next_import_digest{};
  std::vector<uint32_t> record_addresses;  // guest addresses of import records
};

struct TlsInfo {
  uint32_t slot_count = 0;
  uint32_t raw_data_address = 0;
  uint32_t data_size = 0;
  uint32_t raw_data_size = 0;
};

struct ExecutionInfo {
  uint32_t media_id = 0;
  uint32_t version = 0;
  uint32_t base_version = 0;
  uint32_t title_id = 0;
  uint8_t platform = 0;
  uint8_t executable_table = 0;
  uint8_t disc_number = 0;
  uint8_t disc_count = 0;
  uint32_t savegame_id = 0;
};

struct ResourceInfo {
  std::string name;
  uint32_t address = 0;
  uint32_t size = 0;
};

struct StaticLibrary {
  std::string name;
  uint16_t major = 0, minor = 0, build = 0;
  uint8_t approval = 0, qfe = 0;
};

struct XexFile {
  std::string name;  // for messages
  uint64_t file_size = 0;
  bool is_xex1 = false;
  uint32_t module_flags = 0;
  uint32_t header_size = 0;
  uint32_t security_offset = 0;
  std::vector<OptionalHeader> headers;
  SecurityInfo security;
  FileFormat format;

  std::optional<uint32_t> entry_point;
  std::optional<uint32_t> image_base_address;  // IMAGE_BASE_ADDRESS header
  std::optional<uint32_t> original_base_address;
  std::optional<uint32_t> default_stack_size;
  std::optional<uint32_t> default_heap_size;
  std::optional<uint32_t> default_filesystem_cache_size;
  std::optional<uint32_t> system_flags;
  std::optional<uint32_t> title_workspace_size;
  std::optional<uint32_t> additional_title_memory;
  std::optional<TlsInfo> tls;
  std::optional<ExecutionInfo> execution;
  std::optional<uint32_t> execution_info_offset;  // file offset of the 24-byte block
  std::optional<std::string> original_pe_name;
  std::optional<std::array<uint32_t, 2>> checksum_timestamp;
  std::vector<ImportLibrary> imports;
  std::vector<ResourceInfo> resources;
  std::vector<StaticLibrary> static_libraries;
  std::vector<uint32_t> alternate_title_ids;

  // IMAGE_BASE_ADDRESS if present, else the security load_address.
  uint32_t image_base() const { return image_base_address ? *image_base_address : security.load_address; }
  // Page size of the heap the image loads into (64 KB at 0x8xxxxxxx, 4 KB at 0x9xxxxxxx).
  uint32_t image_page_size() const { return image_base() >= 0x90000000 ? 0x1000 : 0x10000; }
  // Sum of the page descriptors in bytes.
  uint64_t descriptor_span() const;
  const OptionalHeader* find_header(uint32_t key) const;
};

// Parses and validates the container headers.
XexFile parse_xex(std::span<const uint8_t> data, const std::string& name);

enum class KeyKind : uint8_t { kNone, kRetail, kDevkit };
const char* key_kind_name(KeyKind k);

struct DecodedImage {
  std::vector<uint8_t> bytes;  // the image as mapped at image_base()
  KeyKind key = KeyKind::kNone;
};

// Decrypts and decompresses the basefile. Images larger than max_image_size
// are rejected (the XEX heaps hold 256 MB).
DecodedImage decode_basefile(const XexFile& xex, std::span<const uint8_t> data,
                             uint64_t max_image_size = 0x10000000);

// The little-endian PE headers inside a decoded image.
struct PeSection {
  std::string name;
  uint32_t virtual_address = 0;  // RVA
  uint32_t virtual_size = 0;
  uint32_t raw_size = 0;
  uint32_t raw_offset = 0;
  uint32_t characteristics = 0;
};

struct PeInfo {
  uint32_t nt_header_offset = 0;  // e_lfanew
  uint16_t machine = 0;
  uint16_t characteristics = 0;
  uint32_t entry_rva = 0;
  uint32_t image_base = 0;  // not used for placement
  uint32_t size_of_image = 0;
  uint16_t subsystem = 0;
  std::vector<PeSection> sections;
};

// Validates the PE headers per xex2-format.md §5; `name` is the XEX file name.
PeInfo parse_pe(std::span<const uint8_t> image, const std::string& name);

// AES-128 helpers (OpenSSL).
std::array<uint8_t, 16> derive_session_key(const std::array<uint8_t, 16>& encrypted_key, const uint8_t master[16]);
std::array<uint8_t, 16> encrypt_session_key(const std::array<uint8_t, 16>& session_key, const uint8_t master[16]);
std::array<uint8_t, 20> sha1(std::span<const uint8_t> data);

}  // namespace xdet::xex
