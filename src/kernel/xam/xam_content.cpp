// Content packages (saves, DLC). Creating and opening packages needs the
// virtual file system's scratch devices; until then xdet has no content, so
// enumerations are real but empty: XamEnumerate answers ERROR_NO_MORE_FILES.
#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

constexpr uint32_t kContentDataSize = 0x134;  // XCONTENT_DATA

// (user, device, content_type, flags, count, psize, phandle)
void xam_content_create_enumerator(ExportCall& c) {
  uint32_t count = c.arg(4), psize = c.arg(5), phandle = c.arg(6);
  if (!phandle) return c.ret(kErrorInvalidParameter);
  uint32_t handle = 0;
  if (c.k.create_event(c.t, &handle, 0, false) != kStatusSuccess) return c.ret(kErrorNotEnoughMemory);
  uint32_t obj;
  uint8_t type;
  c.k.resolve_handle(c.t, handle, &obj, &type);
  TitleState::Enumerator e;
  e.item_size = kContentDataSize;
  c.k.title().enumerators()[obj] = std::move(e);
  if (psize) c.mem().write32(psize, count * kContentDataSize);
  c.mem().write32(phandle, handle);
  c.ret(kErrorSuccess);
}

// (device_id, pdata): XDEVICE_DATA for the hard drive (id 1).
void xam_content_get_device_data(ExportCall& c) {
  uint32_t device = c.arg(0), data = c.arg(1);
  if (device != 1) return c.ret(kErrorDeviceNotConnected);
  if (!data) return c.ret(kErrorInvalidParameter);
  for (uint32_t off = 0; off < 0x50; off += 4) c.mem().write32(data + off, 0);
  c.mem().write32(data + 0x00, 1);                      // device id
  c.mem().write32(data + 0x04, 1);                      // type: hard drive
  c.mem().write64(data + 0x08, 20ull << 30);            // total bytes
  c.mem().write64(data + 0x10, 16ull << 30);            // free bytes
  const char16_t name[] = u"Hard Drive";
  for (uint32_t i = 0; name[i]; ++i) c.mem().write16(data + 0x18 + 2 * i, name[i]);
  c.ret(kErrorSuccess);
}

const ExportInfo kExports[] = {
    {0x25C, "XamContentCreateEnumerator", 7, xam_content_create_enumerator, nullptr,
     "no content packages exist yet: creation needs the virtual file system"},
    {0x25E, "XamContentGetDeviceData", 2, xam_content_get_device_data},
};

}  // namespace

ExportTable xam_content_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
