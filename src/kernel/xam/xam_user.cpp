// Profiles: one offline profile signed in to slot 0 by default
// (`--no-profile`: none). Users 1-3 are never signed in.
#include <algorithm>

#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

constexpr uint32_t kMaxUsers = 4;

bool signed_in(ExportCall& c, uint32_t user) { return user == 0 && c.k.title().options().profile_signed_in; }

// 0 not signed in, 1 signed in locally, 2 signed in to Live.
void xam_user_get_signin_state(ExportCall& c) { c.ret(signed_in(c, c.arg(0)) ? 1 : 0); }

// (user, type_mask, pxuid): type 1 = offline XUID, 2 = online XUID. The
// offline profile has no online XUID.
void xam_user_get_xuid(ExportCall& c) {
  uint32_t user = c.arg(0), mask = c.arg(1), out = c.arg(2);
  if (user >= kMaxUsers) return c.ret(kErrorInvalidParameter);
  if (out) c.mem().write64(out, 0);
  if (!signed_in(c, user)) return c.ret(kErrorNoSuchUser);
  if (mask && !(mask & 1)) return c.ret(kErrorNoSuchUser);
  if (out) c.mem().write64(out, c.k.title().options().xuid);
  c.ret(kErrorSuccess);
}

// (user, char* buffer, length): the gamertag, NUL-terminated, truncated.
void xam_user_get_name(ExportCall& c) {
  uint32_t user = c.arg(0), buf = c.arg(1), len = c.arg(2);
  if (user >= kMaxUsers) return c.ret(kErrorInvalidParameter);
  if (!signed_in(c, user)) return c.ret(kErrorNoSuchUser);
  if (!len) return c.ret(kErrorSuccess);
  const std::string& name = c.k.title().options().gamertag;
  uint32_t n = std::min<uint32_t>(static_cast<uint32_t>(name.size()), len - 1);
  c.mem().write_bytes(buf, name.data(), n);
  c.mem().write8(buf + n, 0);
  c.ret(kErrorSuccess);
}

// (user, wchar_t* buffer, length in characters).
void xam_user_get_gamer_tag(ExportCall& c) {
  uint32_t user = c.arg(0), buf = c.arg(1), len = c.arg(2);
  if (user >= kMaxUsers) return c.ret(kErrorInvalidParameter);
  if (!signed_in(c, user)) return c.ret(kErrorNoSuchUser);
  if (!buf || !len) return c.ret(kErrorInvalidParameter);
  const std::string& name = c.k.title().options().gamertag;
  uint32_t n = std::min<uint32_t>(static_cast<uint32_t>(name.size()), len - 1);
  for (uint32_t i = 0; i < n; ++i) c.mem().write16(buf + 2 * i, static_cast<uint8_t>(name[i]));
  c.mem().write16(buf + 2 * n, 0);
  c.ret(kErrorSuccess);
}

// X_USER_SIGNIN_INFO (0x28): +0 xuid, +8 flags, +0xC signin state,
// +0x10 guest number, +0x14 sponsor index, +0x18 name[16].
void xam_user_get_signin_info(ExportCall& c) {
  uint32_t user = c.arg(0), info = c.arg(2);
  if (user >= kMaxUsers || !info) return c.ret(kErrorInvalidParameter);
  for (uint32_t off = 0; off < 0x28; off += 4) c.mem().write32(info + off, 0);
  if (!signed_in(c, user)) return c.ret(kErrorNoSuchUser);
  const TitleOptions& o = c.k.title().options();
  c.mem().write64(info, o.xuid);
  c.mem().write32(info + 0x0C, 1);
  std::string name = o.gamertag.substr(0, 15);
  c.mem().write_bytes(info + 0x18, name.data(), static_cast<uint32_t>(name.size()));
  c.ret(kErrorSuccess);
}

// ---- profile settings ----
// X_USER_READ_PROFILE_SETTINGS: {count, settings*}, then `count` settings of
// 0x28 bytes: +0 source, +8 user index (or XUID), +0x10 setting id,
// +0x18 X_USER_DATA {u8 type, pad, +8 value: i32/f32, i64/f64/time, or
// {u32 size, u32 pointer} for strings and blobs}. The type is id >> 28.
constexpr uint32_t kSettingSize = 0x28;
constexpr uint32_t kMaxSettings = 0x100;
constexpr uint32_t kSourceNoValue = 0, kSourceDefault = 1, kSourceTitle = 2;
enum : uint8_t { kTypeInt32 = 1, kTypeInt64 = 2, kTypeDouble = 3, kTypeUnicode = 4, kTypeFloat = 5, kTypeBinary = 6,
                 kTypeDateTime = 7 };

bool is_blob(uint8_t type) { return type == kTypeUnicode || type == kTypeBinary; }
uint32_t value_size(uint8_t type) { return type == kTypeInt32 || type == kTypeFloat ? 4 : 8; }

// The system defaults of a fresh profile (XDK XPROFILE_* settings).
struct DefaultSetting {
  uint32_t id;
  uint32_t value;
};
constexpr DefaultSetting kDefaults[] = {
    {0x10040002, 0},  // GAMER_YAXIS_INVERSION: off
    {0x10040003, 1},  // OPTION_CONTROLLER_VIBRATION: on
    {0x10040015, 0},  // GAMER_DIFFICULTY: normal
    {0x10040018, 0},  // GAMER_CONTROL_SENSITIVITY: medium
    {0x10040022, 1},  // GAMER_ACTION_AUTO_AIM: on
    {0x10040023, 0},  // GAMER_ACTION_AUTO_CENTER: off
};

// (title, user, xuid_count, xuids, setting_count, setting_ids, psize, buffer, overlapped)
void xam_user_read_profile_settings(ExportCall& c) {
  uint32_t user = c.arg(1), xuid_count = c.arg(2), xuids = c.arg(3), count = c.arg(4), ids = c.arg(5);
  uint32_t psize = c.arg(6), buffer = c.arg(7), overlapped = c.arg(8);
  if (!count || count > kMaxSettings || !ids || !psize) return c.ret(kErrorInvalidParameter);
  if (!xuid_count && (user >= kMaxUsers || !signed_in(c, user))) return c.ret(kErrorNoSuchUser);
  const auto& stored = c.k.title().profile_settings();
  uint32_t needed = 8 + count * kSettingSize;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t id = c.mem().read32(ids + 4 * i);
    auto it = stored.find(id);
    if (is_blob(static_cast<uint8_t>(id >> 28)) && it != stored.end()) needed += static_cast<uint32_t>(it->second.size());
  }
  if (!buffer || c.mem().read32(psize) < needed) {
    c.mem().write32(psize, needed);
    return c.ret(kErrorInsufficientBuffer);
  }
  uint32_t settings = buffer + 8, blob = settings + count * kSettingSize;
  c.mem().write32(buffer, count);
  c.mem().write32(buffer + 4, settings);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t id = c.mem().read32(ids + 4 * i), e = settings + i * kSettingSize;
    uint8_t type = static_cast<uint8_t>(id >> 28);
    for (uint32_t off = 0; off < kSettingSize; off += 4) c.mem().write32(e + off, 0);
    if (xuid_count && xuids) c.mem().write64(e + 8, c.mem().read64(xuids));
    else c.mem().write32(e + 8, user);
    c.mem().write32(e + 0x10, id);
    c.mem().write8(e + 0x18, type);
    uint32_t source = kSourceNoValue;
    if (auto it = stored.find(id); it != stored.end()) {
      source = kSourceTitle;
      const std::vector<uint8_t>& v = it->second;
      if (is_blob(type)) {
        c.mem().write32(e + 0x20, static_cast<uint32_t>(v.size()));
        c.mem().write32(e + 0x24, blob);
        if (!v.empty()) c.mem().write_bytes(blob, v.data(), static_cast<uint32_t>(v.size()));
        blob += static_cast<uint32_t>(v.size());
      } else if (!v.empty()) {
        c.mem().write_bytes(e + 0x20, v.data(), static_cast<uint32_t>(v.size()));
      }
    } else {
      for (const DefaultSetting& d : kDefaults) {
        if (d.id != id) continue;
        source = kSourceDefault;
        c.mem().write32(e + 0x20, d.value);
      }
    }
    c.mem().write32(e, source);
  }
  finish(c, overlapped, kErrorSuccess);
}

// (title, user, count, settings*, overlapped): kept for the run.
void xam_user_write_profile_settings(ExportCall& c) {
  uint32_t user = c.arg(1), count = c.arg(2), settings = c.arg(3), overlapped = c.arg(4);
  if (user >= kMaxUsers || !signed_in(c, user)) return c.ret(kErrorNoSuchUser);
  if (!count || count > kMaxSettings || !settings) return c.ret(kErrorInvalidParameter);
  auto& stored = c.k.title().profile_settings();
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t e = settings + i * kSettingSize;
    uint32_t id = c.mem().read32(e + 0x10);
    uint8_t type = static_cast<uint8_t>(id >> 28);
    std::vector<uint8_t> v;
    if (is_blob(type)) {
      uint32_t size = std::min<uint32_t>(c.mem().read32(e + 0x20), 0x10000), ptr = c.mem().read32(e + 0x24);
      v = read_guest_bytes(c.mem(), ptr, size);
    } else if (type >= kTypeInt32 && type <= kTypeDateTime) {
      v.resize(value_size(type));
      c.mem().read_bytes(e + 0x20, v.data(), static_cast<uint32_t>(v.size()));
    } else {
      return c.ret(kErrorInvalidParameter);
    }
    stored[id] = std::move(v);
  }
  finish(c, overlapped, kErrorSuccess);
}

void resolve_user(ExportCall& c) { c.resolve("user", TraceValue::uinteger(c.arg(0))); }

// (xuid, flags, pindex): the slot of the profile with this XUID.
void xam_user_get_index_from_xuid(ExportCall& c) {
  uint64_t xuid = c.arg64(0);
  uint32_t out = c.arg(2);
  const TitleOptions& o = c.k.title().options();
  if (!o.profile_signed_in || xuid != o.xuid) return c.ret(kErrorNoSuchUser);
  if (out) c.mem().write32(out, 0);
  c.ret(kErrorSuccess);
}

// (user, privilege, presult): the offline profile has no Xbox Live account,
// and every privilege a title can ask about (multiplayer, communications,
// profile viewing, user content, purchases, presence, video, trading) is a
// Live privilege, so each answer is "not granted".
void xam_user_check_privilege(ExportCall& c) {
  uint32_t user = c.arg(0), out = c.arg(2);
  if (user >= kMaxUsers && user != 0xFF) return c.ret(kErrorInvalidParameter);
  if (out) c.mem().write32(out, 0);
  if (!signed_in(c, user == 0xFF ? 0 : user)) return c.ret(kErrorNoSuchUser);
  c.ret(kErrorSuccess);
}

// (user): offline profiles are never online-enabled.
void xam_user_is_online_enabled(ExportCall& c) { c.ret(0); }

// (user): the tier of the Live membership: none (0) for an offline profile.
void xam_user_get_membership_tier(ExportCall& c) { c.ret(0); }

const ExportInfo kExports[] = {
    {0x20A, "XamUserGetXUID", 3, xam_user_get_xuid, resolve_user},
    {0x20C, "XamUserGetGamerTag", 3, xam_user_get_gamer_tag, resolve_user},
    {0x20E, "XamUserGetName", 3, xam_user_get_name, resolve_user},
    {0x210, "XamUserGetSigninState", 1, xam_user_get_signin_state, resolve_user},
    {0x211, "XamUserGetIndexFromXUID", 3, xam_user_get_index_from_xuid},
    {0x212, "XamUserCheckPrivilege", 3, xam_user_check_privilege, resolve_user},
    {0x219, "XamUserReadProfileSettings", 9, xam_user_read_profile_settings, nullptr,
     "settings start as a fresh profile's (a few system defaults) and live for the run"},
    {0x21A, "XamUserWriteProfileSettings", 5, xam_user_write_profile_settings},
    {0x21B, "XamUserGetMembershipTier", 1, xam_user_get_membership_tier, resolve_user},
    {0x221, "XamUserIsOnlineEnabled", 1, xam_user_is_online_enabled, resolve_user},
    {0x227, "XamUserGetSigninInfo", 3, xam_user_get_signin_info, resolve_user},
};

}  // namespace

ExportTable xam_user_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
