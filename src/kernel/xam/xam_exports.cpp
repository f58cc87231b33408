#include "kernel/xam/xam_exports.h"

#include "kernel/title_state.h"

namespace xdet::kernel {

std::vector<SubsystemTable> xam_subsystems() {
  return {{"info", xam_info_exports}, {"user", xam_user_exports},       {"input", xam_input_exports},
          {"notify", xam_notify_exports}, {"ui", xam_ui_exports}, {"content", xam_content_exports},
          {"msg", xam_msg_exports}, {"task", xam_task_exports}, {"net", xam_net_exports}};
}

namespace xam {

void complete_overlapped(ExportCall& c, uint32_t ov, uint32_t result, uint32_t length) {
  complete_overlapped(c, ov, result, length, result);
}

void complete_overlapped(ExportCall& c, uint32_t ov, uint32_t result, uint32_t length, uint32_t extended) {
  GuestMemory& mem = c.mem();
  mem.write32(ov + 0x00, result);
  mem.write32(ov + 0x04, length);
  mem.write32(ov + 0x18, extended);
  uint32_t event = mem.read32(ov + 0x0C);
  if (event) {
    uint32_t obj;
    uint8_t type;
    if (c.k.resolve_handle(c.t, event, &obj, &type) == kStatusSuccess &&
        (type == kTypeEventNotification || type == kTypeEventSynchronization)) {
      c.k.set_event(&c.t, obj);
    }
  }
}

void finish(ExportCall& c, uint32_t overlapped, uint32_t result, uint32_t length) {
  if (!overlapped) return c.ret(result);
  complete_overlapped(c, overlapped, result, length);
  c.ret(kErrorIoPending);
}

void post_notification(ExportCall& c, uint32_t id, uint32_t param) {
  uint32_t area = (id >> 25) & 0x3F;
  for (auto& [obj, l] : c.k.title().listeners()) {
    if (!(l.mask >> area & 1)) continue;
    l.queue.emplace_back(id, param);
    c.k.set_event(&c.t, obj);
  }
}

}  // namespace xam
}  // namespace xdet::kernel
