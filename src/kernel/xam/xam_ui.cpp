// System UI. Nobody sits at the console: every dialog is answered at once,
// deterministically, with its default (the focused button, the default
// text, the hard drive), its XOVERLAPPED completed before the call returns.
// Each dialog posts XN_SYS_UI on then off, as the guide does when it opens
// and closes, so XamIsUIActive is 0 again when the call returns.
#include <algorithm>

#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

void ui_opened_and_closed(ExportCall& c) {
  post_notification(c, kXnSysUi, 1);
  post_notification(c, kXnSysUi, 0);
}

// (user, title, text, button_count, buttons, focus, flags, presult, overlapped)
void xam_show_message_box_ui(ExportCall& c) {
  uint32_t buttons = c.arg(3), focus = c.arg(5), result = c.arg(7), overlapped = c.arg(8);
  if (!buttons || !result) return c.ret(kErrorInvalidParameter);
  ui_opened_and_closed(c);
  c.mem().write32(result, focus < buttons ? focus : 0);
  finish(c, overlapped, kErrorSuccess);
}

void resolve_message_box(ExportCall& c) {
  std::u16string w = read_guest_wstring(c.mem(), c.arg(1), 128);
  c.resolved_text.clear();
  for (char16_t ch : w) c.resolved_text.push_back(ch < 0x80 ? static_cast<char>(ch) : '?');
  c.resolve("title", TraceValue::string(c.resolved_text.c_str()));
  c.resolve("focus", TraceValue::uinteger(c.arg(5)));
}

// (user, flags, default_text, title, description, buffer, length, overlapped)
void xam_show_keyboard_ui(ExportCall& c) {
  uint32_t def = c.arg(2), buf = c.arg(5), len = c.arg(6), overlapped = c.arg(7);
  if (!buf || !len) return c.ret(kErrorInvalidParameter);
  ui_opened_and_closed(c);
  std::u16string text = read_guest_wstring(c.mem(), def, 4096);
  uint32_t n = std::min<uint32_t>(static_cast<uint32_t>(text.size()), len - 1);
  for (uint32_t i = 0; i < n; ++i) c.mem().write16(buf + 2 * i, text[i]);
  c.mem().write16(buf + 2 * n, 0);
  finish(c, overlapped, kErrorSuccess);
}

// (user, content_type, flags, total_requested u64, pdevice_id, overlapped):
// the hard drive (device 1).
void xam_show_device_selector_ui(ExportCall& c) {
  uint32_t pdevice = c.arg(4), overlapped = c.arg(5);
  ui_opened_and_closed(c);
  if (pdevice) c.mem().write32(pdevice, 1);
  finish(c, overlapped, kErrorSuccess);
}

// (user_count, flags): the profile stays as configured.
void xam_show_signin_ui(ExportCall& c) {
  ui_opened_and_closed(c);
  c.ret(kErrorSuccess);
}

// The guide's information screens (friends, gamer cards, achievements,
// player review, marketplace, ...): (user, ...). They open, the (absent)
// player closes them, and they report success; the offline profile's Live
// screens show their "sign in to Xbox Live" page, which ends the same way.
void xam_show_guide_screen(ExportCall& c) {
  uint32_t user = c.arg(0);
  if (user >= 4 && user != 0xFF) return c.ret(kErrorInvalidParameter);
  ui_opened_and_closed(c);
  c.ret(kErrorSuccess);
}

void xam_is_ui_active(ExportCall& c) { c.ret(c.k.title().ui_active ? 1 : 0); }

const ExportInfo kExports[] = {
    {0x2BC, "XamShowSigninUI", 2, xam_show_signin_ui},
    {0x2BF, "XamShowFriendsUI", 1, xam_show_guide_screen},
    {0x2C0, "XamShowMessagesUI", 1, xam_show_guide_screen},
    {0x2C1, "XamShowKeyboardUI", 8, xam_show_keyboard_ui},
    {0x2C4, "XamShowGamerCardUI", 2, xam_show_guide_screen},
    {0x2C5, "XamShowAchievementsUI", 2, xam_show_guide_screen},
    {0x2C6, "XamShowPlayerReviewUI", 2, xam_show_guide_screen},
    {0x2C7, "XamShowMarketplaceUI", 4, xam_show_guide_screen},
    {0x2C8, "XamShowPlayersUI", 1, xam_show_guide_screen},
    {0x2CA, "XamShowMessageBoxUI", 9, xam_show_message_box_ui, resolve_message_box},
    {0x2CB, "XamShowDeviceSelectorUI", 6, xam_show_device_selector_ui},
    {0x2D0, "XamShowGamesUI", 2, xam_show_guide_screen},
    {0x2D1, "XamShowLiveSignupUI", 1, xam_show_guide_screen},
    {0x2D5, "XamShowGamerCardUIForXUID", 2, xam_show_guide_screen},
    {0x2EC, "XamIsUIActive", 0, xam_is_ui_active},
};

}  // namespace

ExportTable xam_ui_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
