// Modules, XEX headers, console configuration and title termination:
// XexCheckExecutablePrivilege, XexGetModuleHandle, XexGetModuleSection,
// XexGetProcedureAddress, RtlImageXexHeaderField, ExGetXConfigSetting,
// ExRegisterTitleTerminateNotification, MmQueryStatistics,
// HalReturnToFirmware, ExTerminateTitleProcess.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

#include "kernel/exports/exports.h"
#include "kernel/title_state.h"
#include "loader/loader.h"

namespace xdet::kernel {

namespace {

constexpr NtStatus kStatusDllNotFound = 0xC0000135;
constexpr NtStatus kStatusNotFound = 0xC0000225;
constexpr NtStatus kStatusOrdinalNotFound = 0xC0000262;
constexpr NtStatus kStatusEntrypointNotFound = 0xC0000263;
constexpr NtStatus kStatusInvalidParameter1 = 0xC00000EF;
constexpr NtStatus kStatusInvalidParameter2 = 0xC00000F0;
constexpr NtStatus kStatusInvalidParameter3 = 0xC00000F1;

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

void xex_check_executable_privilege(ExportCall& c) {
  uint32_t bit = c.arg(0);
  // Privileges 0-31 are the bits of the SYSTEM_FLAGS header.
  uint32_t flags = c.k.title().system_flags();
  c.ret(bit < 32 && (flags >> bit) & 1 ? 1 : 0);
}

void resolve_privilege(ExportCall& c) { c.resolve("privilege", TraceValue::uinteger(c.arg(0))); }

void xex_get_module_handle(ExportCall& c) {
  TitleState& title = c.k.title();
  std::string name = lower(read_guest_cstring(c.mem(), c.arg(0), 260));
  uint32_t handle = 0;
  if (!c.arg(0) || name == lower(title.image_name())) handle = title.ldr_entry(c.k);
  else if (name == "xboxkrnl.exe") handle = title.kernel_module_handle(c.k, KernelModule::kXboxkrnl);
  else if (name == "xam.xex") handle = title.kernel_module_handle(c.k, KernelModule::kXam);
  if (c.arg(1)) c.mem().write32(c.arg(1), handle);
  c.ret(handle ? kStatusSuccess : kStatusDllNotFound);
}

void resolve_module_name(ExportCall& c) {
  c.resolved_text = c.arg(0) ? read_guest_cstring(c.mem(), c.arg(0), 260) : std::string("(title)");
  c.resolve("module", TraceValue::string(c.resolved_text.c_str()));
}

void xex_get_module_section(ExportCall& c) {
  TitleState& title = c.k.title();
  uint32_t hmodule = c.arg(0);
  std::string name = read_guest_cstring(c.mem(), c.arg(1), 64);
  const loader::LoadedModule* m = title.module();
  if (hmodule && hmodule != title.ldr_entry(c.k)) {
    c.ret(title.kernel_module_for_handle(hmodule) ? kStatusNotFound : kStatusInvalidHandle);
    return;
  }
  if (m) {
    for (const xex::ResourceInfo& r : m->xex.resources) {
      // Resource names are up to 8 characters, compared exactly.
      if (r.name.substr(0, 8) != name.substr(0, 8)) continue;
      if (c.arg(2)) c.mem().write32(c.arg(2), r.address);
      if (c.arg(3)) c.mem().write32(c.arg(3), r.size);
      c.ret(kStatusSuccess);
      return;
    }
  }
  c.ret(kStatusNotFound);
}

void resolve_section_name(ExportCall& c) {
  c.resolved_text = read_guest_cstring(c.mem(), c.arg(1), 64);
  c.resolve("section", TraceValue::string(c.resolved_text.c_str()));
}

void xex_get_procedure_address(ExportCall& c) {
  TitleState& title = c.k.title();
  uint32_t hmodule = c.arg(0), ord_or_name = c.arg(1), out = c.arg(2);
  if (out) c.mem().write32(out, 0);
  bool by_name = ord_or_name > 0xFFFF;
  auto module = title.kernel_module_for_handle(hmodule);
  if (!module) {
    // The title (or an unknown handle): titles export nothing by name; by
    // ordinal, a DLL's export table.
    const loader::LoadedModule* m = title.module();
    if (hmodule && hmodule == title.ldr_entry(c.k) && m && !by_name) {
      if (auto a = m->export_address(static_cast<uint16_t>(ord_or_name))) {
        if (out) c.mem().write32(out, *a);
        c.ret(kStatusSuccess);
        return;
      }
    }
    c.ret(hmodule && hmodule == title.ldr_entry(c.k) ? (by_name ? kStatusEntrypointNotFound : kStatusOrdinalNotFound)
                                                      : kStatusInvalidHandle);
    return;
  }
  uint16_t ordinal = 0;
  const exports::ExportInfo* known = nullptr;
  if (by_name) {
    known = exports::find_export_by_name(*module, read_guest_cstring(c.mem(), ord_or_name, 256));
    if (known) ordinal = known->ordinal;
  } else {
    ordinal = static_cast<uint16_t>(ord_or_name);
    known = exports::find_export(*module, ordinal);
  }
  const ExportInfo* ours = (by_name && !known) ? nullptr : find_module_export(*module, ordinal);
  if (!known && !ours) {
    c.ret(by_name ? kStatusEntrypointNotFound : kStatusOrdinalNotFound);
    return;
  }
  uint32_t address = 0;
  if (known && known->is_variable) {
    address = *module == KernelModule::kXboxkrnl ? c.k.kernel_variable(ordinal) : 0;
    if (!address) {
      c.unsupported("variable export " + std::string(known->name) + " is not provided");
      return;
    }
  } else {
    // A callable `sc 2; blr` thunk; an ordinal xdet does not implement stops
    // the run when called, like an unimplemented import.
    address = title.procedure_thunk(c.k, *module, ordinal);
    if (!address) {
      c.ret(kStatusNoMemory);
      return;
    }
  }
  if (out) c.mem().write32(out, address);
  c.ret(kStatusSuccess);
}

void resolve_procedure(ExportCall& c) {
  if (c.arg(1) > 0xFFFF) {
    c.resolved_text = read_guest_cstring(c.mem(), c.arg(1), 256);
    c.resolve("name", TraceValue::string(c.resolved_text.c_str()));
  } else {
    c.resolve("ordinal", TraceValue::uinteger(c.arg(1)));
  }
}

// XEX2 header (in guest memory): +0x14 optional header count, +0x18
// directory of (key, value) pairs. Key low byte 0: the value is the datum;
// 1: the datum is the value field itself; else the value is an offset from
// the header start.
void rtl_image_xex_header_field(ExportCall& c) {
  uint32_t base = c.arg(0), key = c.arg(1);
  if (!base) {
    c.ret(0);
    return;
  }
  uint32_t count = c.mem().read32(base + 0x14);
  count = std::min<uint32_t>(count, 256);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t entry = base + 0x18 + 8 * i;
    if (c.mem().read32(entry) != key) continue;
    uint32_t value = c.mem().read32(entry + 4);
    switch (key & 0xFF) {
      case 0x00: c.ret(value); return;
      case 0x01: c.ret(entry + 4); return;
      default: c.ret(base + value); return;
    }
  }
  c.ret(0);
}

void resolve_header_key(ExportCall& c) { c.resolve("key", TraceValue::hex32(c.arg(1))); }

void ex_get_xconfig_setting(ExportCall& c) {
  const TitleOptions& o = c.k.title().options();
  uint16_t category = static_cast<uint16_t>(c.arg(0)), setting = static_cast<uint16_t>(c.arg(1));
  uint32_t buffer = c.arg(2);
  uint16_t size = static_cast<uint16_t>(c.arg(3));
  uint32_t required = c.arg(4);
  uint8_t value[4] = {0, 0, 0, 0};
  uint16_t value_size = 4;
  auto be32 = [&](uint32_t v) {
    value[0] = static_cast<uint8_t>(v >> 24);
    value[1] = static_cast<uint8_t>(v >> 16);
    value[2] = static_cast<uint8_t>(v >> 8);
    value[3] = static_cast<uint8_t>(v);
  };
  switch (category) {
    case 0x0002:  // XCONFIG_SECURED_CATEGORY
      if (setting != 0x0002) return c.ret(kStatusInvalidParameter2);
      be32(o.av_region);  // XCONFIG_SECURED_AV_REGION
      break;
    case 0x0003:  // XCONFIG_USER_CATEGORY
      switch (setting) {
        case 0x0001: case 0x0002: case 0x0003: case 0x0004:
        case 0x0005: case 0x0006: case 0x0007:  // time zone: UTC
          be32(0);
          break;
        case 0x0009: be32(o.language); break;                               // LANGUAGE
        case 0x000A: be32(o.widescreen ? 0x00050000 : 0x00040000); break;  // VIDEO_FLAGS
        case 0x000B: be32(0x00010001); break;                               // AUDIO_FLAGS
        case 0x000C: be32(0x40); break;  // RETAIL_FLAGS: initial setup complete
        case 0x000D: be32(0); break;     // DEVKIT_FLAGS
        case 0x000E: value_size = 1; value[0] = static_cast<uint8_t>(o.country); break;  // COUNTRY
        case 0x0019: value_size = 1; value[0] = 0x03; break;  // PC_FLAGS: no parental limits
        default: return c.ret(kStatusInvalidParameter2);
      }
      break;
    default:
      return c.ret(kStatusInvalidParameter1);
  }
  if (buffer) {
    if (size < value_size) return c.ret(kStatusBufferTooSmall);
    c.mem().write_bytes(buffer, value, value_size);
  } else if (size) {
    return c.ret(kStatusInvalidParameter3);
  }
  if (required) c.mem().write16(required, value_size);
  c.ret(kStatusSuccess);
}

void resolve_xconfig(ExportCall& c) {
  c.resolve("category", TraceValue::uinteger(c.arg(0) & 0xFFFF));
  c.resolve("setting", TraceValue::uinteger(c.arg(1) & 0xFFFF));
}

// (registration*, create): the registration block is {routine, priority,
// list entry}; create = 1 registers, 0 unregisters.
void ex_register_title_terminate_notification(ExportCall& c) {
  auto& regs = c.k.title().terminate_registrations();
  uint32_t reg = c.arg(0);
  auto it = std::find(regs.begin(), regs.end(), reg);
  if (c.arg(1)) {
    if (it == regs.end()) regs.push_back(reg);
  } else if (it != regs.end()) {
    regs.erase(it);
  }
}

// MM_STATISTICS: +0 length (in, must be 0x68), then page counts.
void mm_query_statistics(ExportCall& c) {
  uint32_t stats = c.arg(0);
  if (!stats) return c.ret(kStatusInvalidParameter);
  constexpr uint32_t kSize = 0x68;
  if (c.mem().read32(stats) != kSize) return c.ret(kStatusInvalidParameter);
  for (uint32_t off = 4; off < kSize; off += 4) c.mem().write32(stats + off, 0);
  // Totals of the console's 512 MB in 4 KB pages; "available" is what the
  // title heaps have not committed. The figures derive from guest state only.
  constexpr uint32_t kTotalPages = 0x20000;
  uint32_t title_pages = 0;
  if (MemoryMap* map = c.k.memory_map()) title_pages = map->physical_pages_in_use();
  uint32_t avail = title_pages < kTotalPages ? kTotalPages - title_pages : 0;
  c.mem().write32(stats + 0x04, kTotalPages);   // TotalPhysicalPages
  c.mem().write32(stats + 0x08, 0x1000);        // KernelPages
  c.mem().write32(stats + 0x0C, 0x12000);       // TitleAvailablePages
  c.mem().write32(stats + 0x10, 0x20000000);    // TitleTotalVirtualMemoryBytes
  c.mem().write32(stats + 0x14, title_pages * 0x1000);  // TitleReservedVirtualMemoryBytes
  c.mem().write32(stats + 0x18, title_pages);   // TitlePhysicalPages
  c.mem().write32(stats + 0x1C, 0);             // TitlePoolPages
  c.mem().write32(stats + 0x20, 0);             // TitleStackPages
  c.mem().write32(stats + 0x24, 0);             // TitleImagePages
  c.mem().write32(stats + 0x28, 0);             // TitleHeapPages
  c.mem().write32(stats + 0x2C, 0);             // TitleVirtualPages
  c.mem().write32(stats + 0x30, 0);             // TitlePageTablePages
  c.mem().write32(stats + 0x34, 0);             // TitleCachePages
  c.mem().write32(stats + 0x38, avail);         // SystemAvailablePages
  c.ret(kStatusSuccess);
}

}  // namespace

// Ends the title. Every other live thread exits. With no registered
// terminate notifications the caller exits too and the run stops with
// process-exit. Otherwise the caller goes on to run the notification
// routines (higher priority first, then in registration order) through a
// small guest stub, and exits with `code` when the last one returns.
void terminate_title(ExportCall& c, uint32_t code) {
  for (const auto& t : c.k.threads()) {
    if (t.get() != &c.t && t->state != ThreadState::kTerminated) c.k.exit_thread(*t, code);
  }
  TitleState& title = c.k.title();
  std::vector<uint32_t> regs = std::move(title.terminate_registrations());
  title.terminate_registrations().clear();
  if (regs.empty()) {
    c.k.exit_thread(c.t, code);
    return;
  }
  std::stable_sort(regs.begin(), regs.end(), [&](uint32_t a, uint32_t b) {
    return static_cast<int32_t>(c.mem().read32(a + 4)) > static_cast<int32_t>(c.mem().read32(b + 4));
  });
  std::vector<uint32_t> words;
  auto load = [&](uint32_t reg, uint32_t value) {  // lis reg, hi; ori reg, reg, lo
    words.push_back(0x3C000000u | reg << 21 | value >> 16);
    words.push_back(0x60000000u | reg << 21 | reg << 16 | (value & 0xFFFF));
  };
  for (uint32_t reg : regs) {
    load(12, c.mem().read32(reg));
    words.push_back(0x7D8903A6u);  // mtctr r12
    words.push_back(0x4E800421u);  // bctrl
  }
  load(3, code);
  load(12, kReturnSentinelLr);
  words.push_back(0x7D8903A6u);  // mtctr r12
  words.push_back(0x4E800420u);  // bctr: the thread returns with r3 = code
  uint32_t stub = title.code_block(c.k, words);
  if (!stub) {
    c.k.exit_thread(c.t, code);
    return;
  }
  c.ret(code);
  c.t.ctx.pc = stub;
}

namespace {

void hal_return_to_firmware(ExportCall& c) { terminate_title(c, c.arg(0)); }
void ex_terminate_title_process(ExportCall& c) { terminate_title(c, c.arg(0)); }

const ExportInfo kExports[] = {
    {16, "ExGetXConfigSetting", 5, ex_get_xconfig_setting, resolve_xconfig},
    {21, "ExRegisterTitleTerminateNotification", 2, ex_register_title_terminate_notification},
    {26, "ExTerminateTitleProcess", 1, ex_terminate_title_process},
    {40, "HalReturnToFirmware", 1, hal_return_to_firmware},
    {198, "MmQueryStatistics", 1, mm_query_statistics, nullptr,
     "the per-category title page counts (pool, stack, image, heap) are 0"},
    {299, "RtlImageXexHeaderField", 2, rtl_image_xex_header_field, resolve_header_key},
    {404, "XexCheckExecutablePrivilege", 1, xex_check_executable_privilege, resolve_privilege},
    {405, "XexGetModuleHandle", 2, xex_get_module_handle, resolve_module_name},
    {406, "XexGetModuleSection", 4, xex_get_module_section, resolve_section_name},
    {407, "XexGetProcedureAddress", 3, xex_get_procedure_address, resolve_procedure},
};

}  // namespace

ExportTable modules_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
