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

void resolve_user(ExportCall& c) { c.resolve("user", TraceValue::uinteger(c.arg(0))); }

const ExportInfo kExports[] = {
    {0x20A, "XamUserGetXUID", 3, xam_user_get_xuid, resolve_user},
    {0x20C, "XamUserGetGamerTag", 3, xam_user_get_gamer_tag, resolve_user},
    {0x20E, "XamUserGetName", 3, xam_user_get_name, resolve_user},
    {0x210, "XamUserGetSigninState", 1, xam_user_get_signin_state, resolve_user},
    {0x227, "XamUserGetSigninInfo", 3, xam_user_get_signin_info, resolve_user},
};

}  // namespace

ExportTable xam_user_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
