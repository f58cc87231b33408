// xdet exports [--json]: everything xdet implements, by module (xboxkrnl.exe,
// xam.xex) and subsystem, with what partial exports leave out, plus the
// kernel variables it provides.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "app/cli.h"
#include "app/commands.h"
#include "kernel/exports/exports.h"

namespace xdet::app {
namespace {

using kernel::KernelModule;

std::string json_string(const char* s) {
  std::string out = "\"";
  for (const char* p = s; *p; ++p) {
    if (*p == '"' || *p == '\\') out += '\\';
    out += *p;
  }
  return out + "\"";
}

}  // namespace

int run_exports(int argc, char** argv) {
  CLI::App app{"Lists the kernel exports xdet implements, by module and subsystem.", "xdet exports"};
  bool json = false;
  app.add_flag("--json", json, "machine-readable output");
  if (auto rc = parse_cli(app, "exports", argc, argv)) return *rc;

  std::string j = "{\"modules\":[";
  bool first_module = true;
  for (KernelModule m : {KernelModule::kXboxkrnl, KernelModule::kXam}) {
    const char* lib = exports::library_file_name(m);
    size_t functions = kernel::implemented_exports(m).size();
    auto vars = kernel::provided_variables(m);
    if (!json) fmt::print("{}: {} functions, {} variables\n", lib, functions, vars.size());
    j += fmt::format("{}{{\"name\":{},\"functions\":{},\"subsystems\":[", first_module ? "" : ",", json_string(lib),
                     functions);
    first_module = false;
    bool first_sub = true;
    for (const kernel::SubsystemTable& sub : kernel::module_subsystems(m)) {
      kernel::ExportTable t = sub.table();
      if (!json) fmt::print("  {} ({})\n", sub.name, t.count);
      j += fmt::format("{}{{\"name\":{},\"exports\":[", first_sub ? "" : ",", json_string(sub.name));
      first_sub = false;
      for (size_t i = 0; i < t.count; ++i) {
        const kernel::ExportInfo& e = t.entries[i];
        const char* status = e.partial ? "partial" : "implemented";
        if (!json) {
          fmt::print("    0x{:03X} {:<40} {} args  {}{}\n", e.ordinal, e.name, e.arg_count, status,
                     e.partial ? fmt::format(" (missing: {})", e.partial) : "");
        }
        j += fmt::format("{}{{\"ordinal\":{},\"name\":{},\"args\":{},\"status\":\"{}\"{}}}", i ? "," : "", e.ordinal,
                         json_string(e.name), e.arg_count, status,
                         e.partial ? ",\"missing\":" + json_string(e.partial) : "");
      }
      j += "]}";
    }
    j += "],\"variables\":[";
    if (!json && !vars.empty()) fmt::print("  variables ({})\n", vars.size());
    for (size_t i = 0; i < vars.size(); ++i) {
      if (!json) fmt::print("    0x{:03X} {}\n", vars[i].ordinal, vars[i].name);
      j += fmt::format("{}{{\"ordinal\":{},\"name\":{}}}", i ? "," : "", vars[i].ordinal, json_string(vars[i].name));
    }
    j += "]}";
  }
  j += "]}\n";
  if (json) std::fputs(j.c_str(), stdout);
  return 0;
}

}  // namespace xdet::app
