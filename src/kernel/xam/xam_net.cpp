// Networking (NetDll_* in xam.xex): a console with no network cable.
//
// Titles start Winsock and XNet at boot whether or not they play online,
// then look at the link and the title address to decide. xdet answers as a
// console whose Ethernet link is down: startup succeeds, the link status is
// 0, the title address is XNET_GET_XNADDR_NONE, and socket() fails with
// WSAENETDOWN, so no socket ever exists (operations on one fail with
// WSAENOTSOCK). Nothing reaches the host network, and every answer is fixed,
// so runs stay deterministic. The per-thread WSAGetLastError value lives in
// TitleState. WSA events are manual-reset notification events, as on the
// console.
#include <algorithm>

#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

constexpr uint32_t kSocketError = 0xFFFFFFFF;  // SOCKET_ERROR and INVALID_SOCKET
constexpr uint32_t kInaddrNone = 0xFFFFFFFF;
constexpr uint32_t kWsaEFault = 10014;
constexpr uint32_t kWsaEInval = 10022;
constexpr uint32_t kWsaENotSock = 10038;
constexpr uint32_t kWsaENetDown = 10050;
constexpr uint32_t kWsaNotInitialised = 10093;
constexpr uint32_t kXnAddrNone = 0x00000001;  // XNET_GET_XNADDR_NONE
constexpr uint32_t kXnAddrSize = 36;          // XNADDR
constexpr uint16_t kWinsockHighVersion = 0x0202;

void set_wsa_error(ExportCall& c, uint32_t error) { c.k.title().wsa_last_error()[c.t.tid] = error; }

// X_WSADATA: +0 wVersion, +2 wHighVersion, +4 szDescription[257],
// +0x105 szSystemStatus[129], +0x186 iMaxSockets, +0x188 iMaxUdpDg, then the
// vendor-info pointer, which titles expect to find unchanged: left alone.
void fill_wsadata(ExportCall& c, uint32_t data, uint16_t version) {
  if (!data) return;
  for (uint32_t off = 0; off < 0x18A; ++off) c.mem().write8(data + off, 0);
  c.mem().write16(data + 0, version);
  c.mem().write16(data + 2, kWinsockHighVersion);
  c.mem().write_bytes(data + 4, "WinSock 2.0", 11);
  c.mem().write_bytes(data + 0x105, "No network", 10);
  c.mem().write16(data + 0x186, 0);
  c.mem().write16(data + 0x188, 0);
}

// (caller, version, pwsadata)
void wsa_startup(ExportCall& c) {
  fill_wsadata(c, c.arg(2), static_cast<uint16_t>(c.arg(1)));
  ++c.k.title().wsa_startups;
  c.ret(0);
}

// (caller)
void wsa_cleanup(ExportCall& c) {
  TitleState& ts = c.k.title();
  if (ts.wsa_startups == 0) {
    set_wsa_error(c, kWsaNotInitialised);
    return c.ret(kSocketError);
  }
  --ts.wsa_startups;
  c.ret(0);
}

// (caller, af, type, protocol): no interface is up.
void net_socket(ExportCall& c) {
  set_wsa_error(c, c.k.title().wsa_startups ? kWsaENetDown : kWsaNotInitialised);
  c.ret(kSocketError);
}

// Every call that takes a socket: there are none.
void net_not_a_socket(ExportCall& c) {
  set_wsa_error(c, c.k.title().wsa_startups ? kWsaENotSock : kWsaNotInitialised);
  c.ret(kSocketError);
}

// (caller, nfds, readfds, writefds, exceptfds, timeout): any socket in a set
// is not one; empty sets are WSAEINVAL, as Winsock answers.
void net_select(ExportCall& c) {
  if (!c.k.title().wsa_startups) {
    set_wsa_error(c, kWsaNotInitialised);
    return c.ret(kSocketError);
  }
  bool any = false;
  for (int n = 2; n <= 4; ++n) {
    if (c.arg(n) && c.mem().read32(c.arg(n)) != 0) any = true;  // fd_set.fd_count
  }
  set_wsa_error(c, any ? kWsaENotSock : kWsaEInval);
  c.ret(kSocketError);
}

// Parses one inet_addr part: decimal, 0-prefixed octal or 0x-prefixed hex.
bool parse_part(const std::string& s, size_t* pos, uint32_t* out) {
  size_t i = *pos;
  uint32_t base = 10;
  if (i < s.size() && s[i] == '0') {
    base = 8;
    if (i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      base = 16;
      i += 2;
    }
  }
  uint64_t v = 0;
  size_t start = i;
  for (; i < s.size(); ++i) {
    char ch = s[i];
    uint32_t d;
    if (ch >= '0' && ch <= '9') d = static_cast<uint32_t>(ch - '0');
    else if (base == 16 && ch >= 'a' && ch <= 'f') d = static_cast<uint32_t>(ch - 'a' + 10);
    else if (base == 16 && ch >= 'A' && ch <= 'F') d = static_cast<uint32_t>(ch - 'A' + 10);
    else break;
    if (d >= base) return false;
    v = v * base + d;
    if (v > 0xFFFFFFFFull) return false;
  }
  if (i == start && base != 8) return false;  // "0x" alone; a lone "0" is octal zero
  *pos = i;
  *out = static_cast<uint32_t>(v);
  return true;
}

// (cp): BSD inet_addr: a.b.c.d, a.b.c (c 16 bits), a.b (b 24 bits) or a
// (32 bits); parts may be octal or hex. The result is in network order,
// which on this big-endian guest is the plain value.
void net_inet_addr(ExportCall& c) {
  if (!c.arg(0)) return c.ret(kInaddrNone);
  std::string s = read_guest_cstring(c.mem(), c.arg(0), 64);
  uint32_t parts[4];
  size_t n = 0, pos = 0;
  while (true) {
    if (n == 4 || !parse_part(s, &pos, &parts[n])) return c.ret(kInaddrNone);
    ++n;
    if (pos == s.size()) break;
    if (s[pos] != '.') return c.ret(kInaddrNone);
    ++pos;
  }
  uint32_t v = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (parts[i] > 0xFF) return c.ret(kInaddrNone);
    v |= parts[i] << (24 - 8 * i);
  }
  uint32_t last_bits = 32 - 8 * static_cast<uint32_t>(n - 1);
  if (last_bits < 32 && parts[n - 1] >> last_bits) return c.ret(kInaddrNone);
  c.ret(v | parts[n - 1]);
}

void wsa_get_last_error(ExportCall& c) {
  auto& errors = c.k.title().wsa_last_error();
  auto it = errors.find(c.t.tid);
  c.ret(it == errors.end() ? 0 : it->second);
}

void wsa_set_last_error(ExportCall& c) {
  set_wsa_error(c, c.arg(0));
  c.ret(0);
}

// WSA events are notification (manual-reset) events.
void wsa_create_event(ExportCall& c) {
  uint32_t handle = 0;
  if (c.k.create_event(c.t, &handle, 0, false) != kStatusSuccess) return c.ret(0);
  c.ret(handle);
}

bool event_object(ExportCall& c, uint32_t handle, uint32_t* obj) {
  uint8_t type;
  return c.k.resolve_handle(c.t, handle, obj, &type) == kStatusSuccess &&
         (type == kTypeEventNotification || type == kTypeEventSynchronization);
}

void wsa_close_event(ExportCall& c) {
  uint32_t obj;
  if (!event_object(c, c.arg(0), &obj)) {
    set_wsa_error(c, 6);  // WSA_INVALID_HANDLE
    return c.ret(0);
  }
  c.ret(c.k.close_handle(&c.t, c.arg(0)) == kStatusSuccess ? 1 : 0);
}

void wsa_set_event(ExportCall& c) {
  uint32_t obj;
  if (!event_object(c, c.arg(0), &obj)) {
    set_wsa_error(c, 6);
    return c.ret(0);
  }
  c.k.set_event(&c.t, obj);
  c.ret(1);
}

void wsa_reset_event(ExportCall& c) {
  uint32_t obj;
  if (!event_object(c, c.arg(0), &obj)) {
    set_wsa_error(c, 6);
    return c.ret(0);
  }
  c.k.reset_event(obj);
  c.ret(1);
}

// (caller, params) / (caller, params, version)
void xnet_startup(ExportCall& c) {
  ++c.k.title().xnet_startups;
  c.ret(0);
}

// (caller)
void xnet_cleanup(ExportCall& c) {
  TitleState& ts = c.k.title();
  if (ts.xnet_startups == 0) return c.ret(kWsaNotInitialised);
  --ts.xnet_startups;
  c.ret(0);
}

// (caller, buffer, length): from the run's deterministic random stream.
// A buffer the guest cannot write is WSAEFAULT, before any byte is drawn.
void xnet_random(ExportCall& c) {
  uint32_t buf = c.arg(1), len = c.arg(2);
  if (!buf || !len) return c.ret(0);
  if (!c.mem().is_accessible(buf, len, GuestMemory::kProtWrite)) return c.ret(kWsaEFault);
  uint8_t chunk[4096];
  for (uint32_t done = 0; done < len;) {
    uint32_t n = std::min<uint32_t>(len - done, sizeof chunk);
    c.k.title().random_bytes(chunk, n);
    c.mem().write_bytes(buf + done, chunk, n);
    done += n;
  }
  c.ret(0);
}

// (caller, pxnaddr): no address: the link is down.
void xnet_get_title_xnaddr(ExportCall& c) {
  if (c.arg(1)) {
    for (uint32_t off = 0; off < kXnAddrSize; ++off) c.mem().write8(c.arg(1) + off, 0);
  }
  c.ret(kXnAddrNone);
}

// (caller): 0 = no link (XNET_ETHERNET_LINK_ACTIVE is bit 0).
void xnet_get_ethernet_link_status(ExportCall& c) { c.ret(0); }

// (caller, in_addr): XNET_CONNECT_STATUS_IDLE: nothing ever connects.
void xnet_get_connect_status(ExportCall& c) { c.ret(0); }

// (caller, reset): no newer or older versions seen on the (absent) network.
void xnet_get_broadcast_version_status(ExportCall& c) { c.ret(0); }

const ExportInfo kExports[] = {
    {0x01, "NetDll_WSAStartup", 3, wsa_startup},
    {0x02, "NetDll_WSACleanup", 1, wsa_cleanup},
    {0x03, "NetDll_socket", 4, net_socket},
    {0x04, "NetDll_closesocket", 2, net_not_a_socket},
    {0x05, "NetDll_shutdown", 3, net_not_a_socket},
    {0x06, "NetDll_ioctlsocket", 4, net_not_a_socket},
    {0x07, "NetDll_setsockopt", 6, net_not_a_socket},
    {0x08, "NetDll_getsockopt", 6, net_not_a_socket},
    {0x09, "NetDll_getsockname", 4, net_not_a_socket},
    {0x0A, "NetDll_getpeername", 4, net_not_a_socket},
    {0x0B, "NetDll_bind", 4, net_not_a_socket},
    {0x0C, "NetDll_connect", 4, net_not_a_socket},
    {0x0D, "NetDll_listen", 3, net_not_a_socket},
    {0x0E, "NetDll_accept", 4, net_not_a_socket},
    {0x0F, "NetDll_select", 6, net_select},
    {0x12, "NetDll_recv", 5, net_not_a_socket},
    {0x14, "NetDll_recvfrom", 7, net_not_a_socket},
    {0x16, "NetDll_send", 5, net_not_a_socket},
    {0x18, "NetDll_sendto", 7, net_not_a_socket},
    {0x1A, "NetDll_inet_addr", 1, net_inet_addr},
    {0x1B, "NetDll_WSAGetLastError", 0, wsa_get_last_error},
    {0x1C, "NetDll_WSASetLastError", 1, wsa_set_last_error},
    {0x1D, "NetDll_WSACreateEvent", 0, wsa_create_event},
    {0x1E, "NetDll_WSACloseEvent", 1, wsa_close_event},
    {0x1F, "NetDll_WSASetEvent", 1, wsa_set_event},
    {0x20, "NetDll_WSAResetEvent", 1, wsa_reset_event},
    {0x24, "NetDll_WSAStartupEx", 4, wsa_startup},
    {0x33, "NetDll_XNetStartup", 2, xnet_startup},
    {0x34, "NetDll_XNetCleanup", 1, xnet_cleanup},
    {0x35, "NetDll_XNetRandom", 3, xnet_random},
    {0x42, "NetDll_XNetGetConnectStatus", 2, xnet_get_connect_status},
    {0x49, "NetDll_XNetGetTitleXnAddr", 2, xnet_get_title_xnaddr},
    {0x4B, "NetDll_XNetGetEthernetLinkStatus", 1, xnet_get_ethernet_link_status},
    {0x4C, "NetDll_XNetGetBroadcastVersionStatus", 2, xnet_get_broadcast_version_status},
    {0x50, "NetDll_XNetStartupEx", 3, xnet_startup},
};

}  // namespace

ExportTable xam_net_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
