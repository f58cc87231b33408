#pragma once
// A small synthetic XEX image used by the loader tests: one code page (PE
// headers + code + two thunks), one read-only page (IAT slots), one data page.
#include <cstring>

#include "base/byte_order.h"
#include "loader/xex2_format.h"
#include "loader/xex2_writer.h"

namespace xdet::testing {

inline constexpr uint32_t kBase = 0x82000000;
inline constexpr uint32_t kEntry = 0x82001000;
inline constexpr uint32_t kThunkDbgPrint = 0x82001100;
inline constexpr uint32_t kThunkXamUnknown = 0x82001110;
inline constexpr uint32_t kThunkKeTls = 0x82001120;
inline constexpr uint32_t kIatDbgPrint = 0x82010000;
inline constexpr uint32_t kIatRegion = 0x82010004;
inline constexpr uint32_t kIatStamp = 0x82010008;
inline constexpr uint32_t kIatXamUnknown = 0x8201000C;
inline constexpr uint32_t kIatKeTls = 0x82010010;
inline constexpr uint32_t kIatOther = 0x82010014;
inline constexpr uint32_t kDataWord = 0x82020010;

inline xex::XexBuildSpec make_fixture_spec() {
  xex::XexBuildSpec s;
  s.image_base = kBase;
  s.entry_point = kEntry;
  s.image.assign(0x30000, 0);
  auto put = [&](uint32_t addr, uint32_t v) { store_be32(&s.image[addr - kBase], v); };
  put(kEntry + 0, 0x38600000);  // li r3,0
  put(kEntry + 4, 0x480000FD);  // bl kThunkDbgPrint
  put(kEntry + 8, 0x4E800020);  // blr
  for (uint32_t i = 0; i < 64; ++i) put(kEntry + 0x200 + i * 4, 0x60000000 + i);  // non-zero body
  put(kDataWord, 0xCAFEF00D);
  for (uint32_t i = 0; i < 0x300; ++i) s.image[0x28000 + i] = static_cast<uint8_t>(i * 7 + 1);
  s.runs = {{1, xex::kSectionCode}, {1, xex::kSectionReadOnlyData}, {1, xex::kSectionData}};
  s.imports = {
      {"xboxkrnl.exe", 0x003, kIatDbgPrint, kThunkDbgPrint},       // DbgPrint (function)
      {"xboxkrnl.exe", 0x00C, kIatRegion, 0},                      // ExConsoleGameRegion (variable)
      {"xboxkrnl.exe", 0x0AD, kIatStamp, 0},                       // KeTimeStampBundle (variable)
      {"xam.xex", 0x7FF, kIatXamUnknown, kThunkXamUnknown},        // unknown xam export
      {"xboxkrnl.exe", 0x152, kIatKeTls, kThunkKeTls},             // KeTlsAlloc
      {"other.xex", 0x001, kIatOther, 0},                          // not a kernel module
  };
  s.sections = {{".text", kEntry, 0xF000, 0x60000020},
                {".rdata", 0x82010000, 0x10000, 0x40000040},
                {".data", 0x82020000, 0x10000, 0xC0000040}};
  s.default_stack_size = 0x20000;
  s.tls = xex::TlsInfo{8, 0x82028000, 0x40, 0x20};
  s.title_id = 0x58440001;
  s.original_pe_name = "fixture.exe";
  return s;
}

}  // namespace xdet::testing
