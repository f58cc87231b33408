#include "loader/export_names.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace xdet::exports {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::pair<const ExportInfo*, size_t> table(KernelModule m) {
  if (m == KernelModule::kXboxkrnl) return {&kXboxkrnlExports[0], kXboxkrnlExportCount};
  return {&kXamExports[0], kXamExportCount};
}
}  // namespace

std::optional<KernelModule> kernel_module_for_library(std::string_view library) {
  if (iequals(library, "xboxkrnl.exe")) return KernelModule::kXboxkrnl;
  if (iequals(library, "xam.xex")) return KernelModule::kXam;
  return std::nullopt;
}

const char* library_file_name(KernelModule m) { return m == KernelModule::kXboxkrnl ? "xboxkrnl.exe" : "xam.xex"; }

const ExportInfo* find_export(KernelModule m, uint16_t ordinal) {
  auto [t, n] = table(m);
  const ExportInfo* end = t + n;
  const ExportInfo* it = std::lower_bound(t, end, ordinal, [](const ExportInfo& e, uint16_t o) { return e.ordinal < o; });
  return it != end && it->ordinal == ordinal ? it : nullptr;
}

const ExportInfo* find_export(std::string_view library, uint16_t ordinal) {
  auto m = kernel_module_for_library(library);
  return m ? find_export(*m, ordinal) : nullptr;
}

const ExportInfo* find_export_by_name(KernelModule m, std::string_view name) {
  auto [t, n] = table(m);
  for (size_t i = 0; i < n; ++i)
    if (name == t[i].name) return &t[i];
  return nullptr;
}

std::string export_display_name(std::string_view library, uint16_t ordinal) {
  if (const ExportInfo* e = find_export(library, ordinal)) return e->name;
  return fmt::format("{}!ordinal_0x{:03X}", library, ordinal);
}

}  // namespace xdet::exports
