// XMsg (messages to the console's system apps), overlapped results and
// XamEnumerate. xdet hosts no system apps, so every message is answered
// with X_E_NOTFOUND, as the console answers a message no app handles.
#include <algorithm>

#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

// (app, message, param1, param2)
void x_msg_in_process_call(ExportCall& c) { c.ret(kENotFound); }

// (app, message, overlapped, buffer, size[, unknown])
void x_msg_start_io_request(ExportCall& c) { finish(c, c.arg(2), kENotFound); }

void resolve_msg(ExportCall& c) {
  c.resolve("app", TraceValue::hex32(c.arg(0)));
  c.resolve("message", TraceValue::hex32(c.arg(1)));
}

// (overlapped, wait): everything completed already.
void x_msg_cancel_io_request(ExportCall& c) { c.ret(kErrorSuccess); }

// (overlapped, plength, wait)
void xam_get_overlapped_result(ExportCall& c) {
  uint32_t ov = c.arg(0);
  if (!ov) return c.ret(kErrorInvalidParameter);
  uint32_t result = c.mem().read32(ov);
  if (c.arg(1)) c.mem().write32(c.arg(1), c.mem().read32(ov + 4));
  c.ret(result);
}

// (handle, flags, buffer, size, pcount, overlapped): as many whole items as
// fit; ERROR_NO_MORE_FILES once none are left.
void xam_enumerate(ExportCall& c) {
  uint32_t handle = c.arg(0), buf = c.arg(2), size = c.arg(3), pcount = c.arg(4), ov = c.arg(5);
  if (pcount) c.mem().write32(pcount, 0);
  uint32_t obj;
  uint8_t type;
  auto& enums = c.k.title().enumerators();
  if (c.k.resolve_handle(c.t, handle, &obj, &type) != kStatusSuccess || !enums.count(obj)) {
    return c.ret(kErrorInvalidHandle);
  }
  TitleState::Enumerator& e = enums[obj];
  if (e.next >= e.items.size()) return finish(c, ov, kErrorNoMoreFiles);
  if (size < e.item_size) return finish(c, ov, kErrorInsufficientBuffer);
  uint32_t n = 0;
  while (e.next < e.items.size() && (n + 1) * e.item_size <= size) {
    c.mem().write_bytes(buf + n * e.item_size, e.items[e.next].data(), e.item_size);
    ++e.next;
    ++n;
  }
  if (pcount) c.mem().write32(pcount, n);
  finish(c, ov, kErrorSuccess, n);
}

const ExportInfo kExports[] = {
    {0x1F4, "XMsgInProcessCall", 4, x_msg_in_process_call, resolve_msg, "no system apps are hosted"},
    {0x1F7, "XMsgStartIORequest", 5, x_msg_start_io_request, resolve_msg, "no system apps are hosted"},
    {0x1F8, "XMsgCancelIORequest", 2, x_msg_cancel_io_request},
    {0x1FB, "XamGetOverlappedResult", 3, xam_get_overlapped_result},
    {0x1FC, "XMsgStartIORequestEx", 6, x_msg_start_io_request, resolve_msg, "no system apps are hosted"},
    {0x250, "XamEnumerate", 6, xam_enumerate},
};

}  // namespace

ExportTable xam_msg_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
