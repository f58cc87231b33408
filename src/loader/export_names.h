#pragma once
// Ordinal -> name tables of the kernel modules a title imports from
// (xboxkrnl.exe and xam.xex), per shared/spec/xboxkrnl-exports.md. Used by
// `xdet inspect` to name imports, by the loader to label unimplemented
// imports, and by `xdet pack` (through the guest SDK's ordinals).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xdet::exports {

struct ExportInfo {
  uint16_t ordinal;
  const char* name;
  bool is_variable;  // a kernel variable (data export) rather than a function
};

enum class KernelModule : uint8_t { kXboxkrnl, kXam };

// "xboxkrnl.exe" / "xam.xex" (case-insensitive) -> module; nullopt otherwise.
std::optional<KernelModule> kernel_module_for_library(std::string_view library);
const char* library_file_name(KernelModule m);

// Known export of a kernel module, or nullptr.
const ExportInfo* find_export(KernelModule m, uint16_t ordinal);
const ExportInfo* find_export(std::string_view library, uint16_t ordinal);
const ExportInfo* find_export_by_name(KernelModule m, std::string_view name);

// "Name" if known, else "library!ordinal_0xNNN" (always something printable).
std::string export_display_name(std::string_view library, uint16_t ordinal);

// The tables themselves (sorted by ordinal).
extern const ExportInfo kXboxkrnlExports[];
extern const size_t kXboxkrnlExportCount;
extern const ExportInfo kXamExports[];
extern const size_t kXamExportCount;

}  // namespace xdet::exports
