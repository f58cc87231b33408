#pragma once
// Builds XEX2 files from a memory image (used by `xdet pack` and by tests to
// make fixtures). Output is deterministic: the same spec gives the same bytes
// (no timestamps; the AES session key is derived from the image's SHA-1).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loader/xex2.h"

namespace xdet::xex {

struct RunSpec {  // one page descriptor: `pages` heap pages of one section type
  uint32_t pages = 0;
  uint8_t section_type = 0;
};

struct ImportSpec {
  std::string library;        // "xboxkrnl.exe" / "xam.xex"
  uint16_t ordinal = 0;
  uint32_t variable_address = 0;  // guest address of the IAT slot (required)
  uint32_t thunk_address = 0;     // guest address of the 16-byte thunk, 0 for a variable import
};

struct PeSectionSpec {
  std::string name;
  uint32_t address = 0;  // guest address
  uint32_t size = 0;
  uint32_t characteristics = 0;
};

enum class BaseCompression : uint8_t {
  kRaw,        // compression 0
  kBasic,      // compression 1: zero runs elided
  kLzxStored,  // compression 2 with LZX *uncompressed* blocks (valid LZX, no size gain)
  kLzx,        // compression 2, LZX verbatim blocks from lzx_compress()
};

struct XexBuildSpec {
  uint32_t image_base = 0x82000000;
  uint32_t entry_point = 0;
  // Image bytes from image_base. The first 0x1000 bytes must be zero: the
  // writer puts the PE headers there. Resized to the page-descriptor span.
  std::vector<uint8_t> image;
  std::vector<RunSpec> runs;
  std::vector<ImportSpec> imports;
  std::vector<PeSectionSpec> sections;
  // PE data directory entry 3 (the function table, .pdata): image-relative
  // address and size in bytes; size 0 = none.
  uint32_t exception_directory_rva = 0;
  uint32_t exception_directory_size = 0;
  std::optional<uint32_t> default_stack_size = 0x40000;
  std::optional<TlsInfo> tls;
  uint32_t title_id = 0;
  uint32_t system_flags = 0;    // SYSTEM_FLAGS header: privileges 0-31
  uint32_t module_flags = 0x1;  // TITLE
  std::string original_pe_name;
  BaseCompression compression = BaseCompression::kRaw;
  bool encrypt = false;
  bool devkit_key = false;  // master key for --encrypt: devkit (zero) instead of retail
};

// Throws Error(kBadInput) if the spec is inconsistent (records outside the
// image, header area in use, ...).
std::vector<uint8_t> build_xex(const XexBuildSpec& spec);

// LZX bit stream of verbatim blocks, one per 32 KB frame (xdet's own
// compressor, lzx_encoder.cpp). Only a 32 KB window is supported.
std::vector<uint8_t> lzx_compress(const std::vector<uint8_t>& data, uint32_t window_size = 0x8000);

// LZX bit stream made only of uncompressed blocks (used for kLzxStored).
std::vector<uint8_t> lzx_encode_stored(const std::vector<uint8_t>& data);

// Library index written into bits 23..16 of import records.
uint8_t import_library_index(const std::vector<ImportSpec>& imports, const std::string& library);

}  // namespace xdet::xex
