// Notification listeners. A listener is a notification event, signalled
// while its queue holds something, so titles can wait on the handle. The
// first listener that covers the system area receives the notifications a
// console posts at title start: XN_SYS_UI on then off, XN_SYS_SIGNINCHANGED
// twice when a profile is signed in (as xenia observed titles expecting),
// and XN_SYS_INPUTDEVICESCHANGED when a controller is connected.
#include <algorithm>

#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

// (mask u64, max_version): returns the listener handle (0 on failure).
void xam_notify_create_listener(ExportCall& c) {
  uint64_t mask = c.arg64(0);
  uint32_t handle = 0;
  if (c.k.create_event(c.t, &handle, 0, false) != kStatusSuccess) return c.ret(0);
  uint32_t obj;
  uint8_t type;
  c.k.resolve_handle(c.t, handle, &obj, &type);
  TitleState& title = c.k.title();
  TitleState::Listener& l = title.listeners()[obj];
  l = TitleState::Listener{};
  l.mask = mask;
  if (!title.boot_notifications_posted && (mask & 1)) {
    title.boot_notifications_posted = true;
    l.queue.emplace_back(kXnSysUi, 1);
    l.queue.emplace_back(kXnSysUi, 0);
    if (title.options().profile_signed_in) {
      l.queue.emplace_back(kXnSysSigninChanged, 1);
      l.queue.emplace_back(kXnSysSigninChanged, 1);
    }
    if (title.options().controller_connected) l.queue.emplace_back(kXnSysInputDevicesChanged, 0);
    if (!l.queue.empty()) c.k.set_event(&c.t, obj);
  }
  c.ret(handle);
}

void resolve_listener_mask(ExportCall& c) { c.resolve("mask", TraceValue::hex32(static_cast<uint32_t>(c.arg64(0)))); }

// (handle, match_id, pid, pparam): 1 if a notification was dequeued.
void x_notify_get_next(ExportCall& c) {
  uint32_t handle = c.arg(0), match = c.arg(1), pid = c.arg(2), pparam = c.arg(3);
  uint32_t obj;
  uint8_t type;
  if (c.k.resolve_handle(c.t, handle, &obj, &type) != kStatusSuccess) return c.ret(0);
  auto& listeners = c.k.title().listeners();
  auto it = listeners.find(obj);
  if (it == listeners.end()) return c.ret(0);
  auto& q = it->second.queue;
  auto n = match ? std::find_if(q.begin(), q.end(), [&](const auto& e) { return e.first == match; }) : q.begin();
  if (n == q.end()) {
    if (pid) c.mem().write32(pid, 0);
    if (pparam) c.mem().write32(pparam, 0);
    return c.ret(0);
  }
  if (pid) c.mem().write32(pid, n->first);
  if (pparam) c.mem().write32(pparam, n->second);
  q.erase(n);
  if (q.empty()) c.k.reset_event(obj);
  c.ret(1);
}

void x_notify_position_ui(ExportCall& c) { c.ret(kErrorSuccess); }

const ExportInfo kExports[] = {
    {0x28A, "XamNotifyCreateListener", 2, xam_notify_create_listener, resolve_listener_mask},
    {0x28B, "XNotifyGetNext", 4, x_notify_get_next},
    {0x28C, "XNotifyPositionUI", 1, x_notify_position_ui},
};

}  // namespace

ExportTable xam_notify_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
