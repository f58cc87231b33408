// Console information, the title loader (launch data, termination), the
// execution id and XamAlloc/XamFree.
#include <algorithm>

#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"
#include "loader/loader.h"

namespace xdet::kernel {

namespace {

using namespace xam;

// AV pack (cable), region and language: the run's configuration.
void x_get_av_pack(ExportCall& c) { c.ret(c.k.title().options().av_pack); }
void x_get_game_region(ExportCall& c) { c.ret(c.k.title().options().game_region); }
void x_get_language(ExportCall& c) { c.ret(c.k.title().options().language); }

// Encoded like the dashboard's version word: major << 28 | minor << 24 |
// build << 8 | qfe, matching XboxKrnlVersion (2.0.0xFFFF.0x80).
void xam_get_system_version(ExportCall& c) { c.ret((2u << 28) | (0u << 24) | (0xFFFFu << 8) | 0x80u); }

void xam_get_current_title_id(ExportCall& c) {
  const loader::LoadedModule* m = c.k.title().module();
  c.ret(m && m->execution ? m->execution->title_id : 0);
}

// (pptr): the EXECUTION_INFO block inside the guest copy of the XEX headers.
void xam_get_execution_id(ExportCall& c) {
  TitleState& title = c.k.title();
  const loader::LoadedModule* m = title.module();
  if (!m || !m->execution_info_offset || !title.header_copy()) {
    if (c.arg(0)) c.mem().write32(c.arg(0), 0);
    return c.ret(0xC0000225);  // STATUS_NOT_FOUND
  }
  if (c.arg(0)) c.mem().write32(c.arg(0), title.header_copy() + *m->execution_info_offset);
  c.ret(kStatusSuccess);
}

// (feature): optional system features a title may probe (Kinect, avatar
// editor, ...). None is enabled on the console xdet presents.
void xam_feature_enabled(ExportCall& c) { c.ret(0); }

void xam_loader_set_launch_data(ExportCall& c) {
  uint32_t data = c.arg(0), size = c.arg(1);
  c.k.title().launch_data() = read_guest_bytes(c.mem(), data, size);
  c.ret(kErrorSuccess);
}

void xam_loader_get_launch_data_size(ExportCall& c) {
  const auto& ld = c.k.title().launch_data();
  if (c.arg(0)) c.mem().write32(c.arg(0), static_cast<uint32_t>(ld.size()));
  c.ret(ld.empty() ? kErrorNotFound : kErrorSuccess);
}

void xam_loader_get_launch_data(ExportCall& c) {
  const auto& ld = c.k.title().launch_data();
  if (ld.empty()) return c.ret(kErrorNotFound);
  uint32_t n = std::min<uint32_t>(c.arg(1), static_cast<uint32_t>(ld.size()));
  if (n) c.mem().write_bytes(c.arg(0), ld.data(), n);
  c.ret(kErrorSuccess);
}

// Ends the title (back to the dashboard on a console): every thread exits.
void xam_loader_terminate_title(ExportCall& c) { terminate_title(c, 0); }

// (flags, size, pptr): zeroed memory from the system pool.
void xam_alloc(ExportCall& c) {
  uint32_t size = c.arg(1);
  uint32_t a = size ? c.k.pool().allocate(size, 16) : 0;
  if (c.arg(2)) c.mem().write32(c.arg(2), a);
  if (!a) return c.ret(kErrorNotEnoughMemory);
  for (uint32_t i = 0; i < size; i += 4) c.mem().write32(a + i, 0);
  c.ret(kErrorSuccess);
}

void xam_free(ExportCall& c) {
  if (c.arg(0)) c.k.pool().release(c.arg(0));
  c.ret(kErrorSuccess);
}

// Inactivity processing dims the screen after a while without input; a run
// has no screen and no idle user, so only the setting is kept.
void xam_enable_inactivity_processing(ExportCall& c) {
  c.k.title().inactivity_processing = c.arg(1) != 0;
  c.ret(kErrorSuccess);
}

void xam_reset_inactivity(ExportCall& c) { c.ret(kErrorSuccess); }

const ExportInfo kExports[] = {
    {0x1A0, "XamEnableInactivityProcessing", 2, xam_enable_inactivity_processing},
    {0x1A1, "XamResetInactivity", 0, xam_reset_inactivity},
    {0x1A6, "XamLoaderSetLaunchData", 2, xam_loader_set_launch_data},
    {0x1A7, "XamLoaderGetLaunchDataSize", 1, xam_loader_get_launch_data_size},
    {0x1A8, "XamLoaderGetLaunchData", 2, xam_loader_get_launch_data},
    {0x1A9, "XamLoaderTerminateTitle", 0, xam_loader_terminate_title},
    {0x1CF, "XamGetCurrentTitleId", 0, xam_get_current_title_id},
    {0x200, "XamFeatureEnabled", 1, xam_feature_enabled},
    {0x1EA, "XamAlloc", 3, xam_alloc},
    {0x1EC, "XamFree", 1, xam_free},
    {0x280, "XamGetExecutionId", 1, xam_get_execution_id},
    {0x282, "XamGetSystemVersion", 0, xam_get_system_version},
    {0x3CB, "XGetAVPack", 0, x_get_av_pack},
    {0x3CC, "XGetGameRegion", 0, x_get_game_region},
    {0x3CD, "XGetLanguage", 0, x_get_language},
};

}  // namespace

ExportTable xam_info_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
