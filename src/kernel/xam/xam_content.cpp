// Content packages (saved games, downloadable content): created, opened,
// mounted under a root name ("save:"), closed, deleted and enumerated over
// the content store (vfs/content_store.h) in the run's scratch directory or
// the folder given with `--content-dir`.
//
// A package is identified by (owner, title id, content type, file name):
// saved games (type 1) belong to the signed-in profile, everything else to
// no profile (owner 0), as on the console where DLC is shared by all
// profiles. The only device is the hard drive (device id 1).
#include <fmt/format.h>

#include "kernel/io/io_state.h"
#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"
#include "loader/loader.h"
#include "vfs/content_store.h"

namespace xdet::kernel {

namespace {

using namespace xam;

// XCONTENT_DATA: +0 device id, +4 content type, +8 display name
// (128 UTF-16 units), +0x108 file name (42 chars), padded to 0x134.
constexpr uint32_t kContentDataSize = 0x134;
constexpr uint32_t kFileNameOffset = 0x108;
constexpr uint32_t kFileNameSize = 42;
constexpr uint32_t kHardDrive = 1;
constexpr uint32_t kSavedGame = 1;

constexpr uint32_t kErrorFileNotFound = 2;
constexpr uint32_t kErrorPathNotFound = 3;
constexpr uint32_t kErrorAccessDenied = 5;
constexpr uint32_t kErrorInvalidName = 123;
constexpr uint32_t kErrorAlreadyExists = 183;
constexpr uint32_t kErrorFunctionFailed = 1627;
constexpr uint32_t kEInvalidArg = 0x80070057;

// Creation dispositions in the low nibble of the flags.
enum : uint32_t { kCreateNew = 1, kCreateAlways = 2, kOpenExisting = 3, kOpenAlways = 4, kTruncateExisting = 5 };
// What XamContentCreate reports in *disposition (and the overlapped length).
enum : uint32_t { kDispositionCreated = 1, kDispositionOpened = 2 };

uint32_t title_id(ExportCall& c) {
  const loader::LoadedModule* m = c.k.title().module();
  return m && m->execution ? m->execution->title_id : 0;
}

vfs::ContentStore* store(ExportCall& c) { return c.k.title().content_store(); }

// The package an XCONTENT_DATA names for `user`; false (with *error) when the
// data cannot name one.
bool content_key(ExportCall& c, uint32_t user, uint32_t data, vfs::ContentKey* key, uint32_t* error) {
  if (!data) {
    *error = kErrorInvalidParameter;
    return false;
  }
  uint32_t device = c.mem().read32(data + 0);
  if (device != 0 && device != kHardDrive) {
    *error = kErrorDeviceNotConnected;
    return false;
  }
  key->content_type = c.mem().read32(data + 4);
  key->file_name = read_guest_cstring(c.mem(), data + kFileNameOffset, kFileNameSize);
  key->title_id = title_id(c);
  key->owner = 0;
  if (key->content_type == kSavedGame) {
    // 0xFF (any user) means the signed-in profile, if there is one.
    const TitleOptions& o = c.k.title().options();
    if ((user != 0 && user != 0xFF) || !o.profile_signed_in) {
      *error = kErrorNoSuchUser;
      return false;
    }
    key->owner = o.xuid;
  }
  if (!vfs::ContentStore::valid_name(key->file_name)) {
    *error = kErrorInvalidName;
    return false;
  }
  return true;
}

// Root names are device-style names without the colon ("save").
bool valid_root(const std::string& root) {
  return !root.empty() && root.size() <= 32 && root.find(':') == std::string::npos && vfs::valid_file_name(root);
}

// Returns `error` synchronously, or completes the overlapped with it (the
// console reports failures of asynchronous content calls as
// ERROR_FUNCTION_FAILED with the cause as HRESULT in the extended error).
void finish_content(ExportCall& c, uint32_t ov, uint32_t error, uint32_t length = 0) {
  if (!ov || error == kErrorSuccess) return finish(c, ov, error, length);
  complete_overlapped(c, ov, kErrorFunctionFailed, length, 0x80070000u | (error & 0xFFFF));
  c.ret(kErrorIoPending);
}

uint32_t mount_package(ExportCall& c, const std::string& root, const vfs::ContentKey& key) {
  TitleState& ts = c.k.title();
  std::string dir = store(c)->package_dir(key);
  if (dir.empty()) return kErrorPathNotFound;
  std::string device = fmt::format("\\Device\\Content\\{}", ts.next_content_device++);
  vfs::FileSystem& fs = c.k.io().fs();
  std::string error;
  if (!fs.mount(device, dir, false, vfs::VolumeKind::kDisk, &error)) return kErrorPathNotFound;
  if (fs.names().add_link(root + ":", device) != kStatusSuccess) {
    fs.unmount(device);
    return kErrorAlreadyExists;
  }
  ts.open_content()[vfs::to_lower(root)] = {device, key};
  return kErrorSuccess;
}

// (user, root, data, flags, pdisposition, plicense, cache_size, content_size, overlapped)
void content_create(ExportCall& c, uint32_t user, uint32_t root_addr, uint32_t data, uint32_t flags,
                    uint32_t pdisposition, uint32_t plicense, uint32_t ov) {
  if (!store(c)) return c.unsupported("content packages need the run's scratch directory");
  std::string root = root_addr ? read_guest_cstring(c.mem(), root_addr, 64) : std::string();
  if (pdisposition) c.mem().write32(pdisposition, 0);
  if (!valid_root(root)) return finish_content(c, ov, kErrorInvalidName);
  vfs::ContentKey key;
  uint32_t error = kErrorSuccess;
  if (!content_key(c, user, data, &key, &error)) return finish_content(c, ov, error);
  if (c.k.title().open_content().count(vfs::to_lower(root))) return finish_content(c, ov, kErrorAlreadyExists);

  bool exists = store(c)->exists(key), create = false;
  switch (flags & 0xF) {
    case kCreateNew:
      if (exists) return finish_content(c, ov, kErrorAlreadyExists);
      create = true;
      break;
    case kCreateAlways: create = true; break;
    case kOpenExisting:
      if (!exists) return finish_content(c, ov, kErrorPathNotFound);
      break;
    case kOpenAlways: create = !exists; break;
    case kTruncateExisting:
      if (!exists) return finish_content(c, ov, kErrorPathNotFound);
      create = true;
      break;
    default: return finish_content(c, ov, kErrorInvalidParameter);
  }
  if (create) {
    if (exists && store(c)->remove(key) != kStatusSuccess) return finish_content(c, ov, kErrorAccessDenied);
    std::vector<uint8_t> header = read_guest_bytes(c.mem(), data, kContentDataSize);
    header[0] = header[1] = header[2] = 0;
    header[3] = kHardDrive;
    if (store(c)->create(key, header) != kStatusSuccess) return finish_content(c, ov, kErrorAccessDenied);
  }
  uint32_t result = mount_package(c, root, key);
  if (result != kErrorSuccess) return finish_content(c, ov, result);
  uint32_t disposition = create ? kDispositionCreated : kDispositionOpened;
  if (pdisposition) c.mem().write32(pdisposition, disposition);
  // No licenses are granted unless the run says so (--license-mask); only
  // marketplace content (type 2) carries licenses.
  if (plicense) c.mem().write32(plicense, key.content_type == 2 ? c.k.title().options().license_mask : 0);
  finish(c, ov, kErrorSuccess, disposition);
}

void xam_content_create_ex(ExportCall& c) {
  content_create(c, c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4), c.arg(5), c.arg(8));
}

// (user, root, data, flags, pdisposition, plicense, overlapped)
void xam_content_create(ExportCall& c) {
  content_create(c, c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(4), c.arg(5), c.arg(6));
}

// (root, overlapped): unmounts the root; files still open keep working.
void xam_content_close(ExportCall& c) {
  std::string root = c.arg(0) ? read_guest_cstring(c.mem(), c.arg(0), 64) : std::string();
  auto& open = c.k.title().open_content();
  auto it = open.find(vfs::to_lower(root));
  if (it == open.end()) return finish(c, c.arg(1), kErrorFileNotFound);
  vfs::FileSystem& fs = c.k.io().fs();
  fs.names().remove_link(root + ":");
  fs.unmount(it->second.device);
  open.erase(it);
  finish(c, c.arg(1), kErrorSuccess);
}

// (root, overlapped): the store writes through, so flushing only checks the root.
void xam_content_flush(ExportCall& c) {
  std::string root = c.arg(0) ? read_guest_cstring(c.mem(), c.arg(0), 64) : std::string();
  bool open = c.k.title().open_content().count(vfs::to_lower(root)) != 0;
  finish(c, c.arg(1), open ? kErrorSuccess : kErrorFileNotFound);
}

bool is_mounted(ExportCall& c, const vfs::ContentKey& key) {
  for (const auto& [root, pkg] : c.k.title().open_content()) {
    const vfs::ContentKey& k = pkg.key;
    if (k.owner == key.owner && k.title_id == key.title_id && k.content_type == key.content_type &&
        vfs::to_lower(k.file_name) == vfs::to_lower(key.file_name)) {
      return true;
    }
  }
  return false;
}

// (user, data, overlapped). A package that is mounted cannot be deleted.
void xam_content_delete(ExportCall& c) {
  if (!store(c)) return c.unsupported("content packages need the run's scratch directory");
  vfs::ContentKey key;
  uint32_t error = kErrorSuccess;
  if (!content_key(c, c.arg(0), c.arg(1), &key, &error)) return finish(c, c.arg(2), error);
  if (!store(c)->exists(key)) return finish(c, c.arg(2), kErrorFileNotFound);
  if (is_mounted(c, key)) return finish(c, c.arg(2), kErrorAccessDenied);
  finish(c, c.arg(2), store(c)->remove(key) == kStatusSuccess ? kErrorSuccess : kErrorAccessDenied);
}

// (user, data, pis_creator, pxuid, overlapped): the profile creates its own
// saved games; other content has no creator profile.
void xam_content_get_creator(ExportCall& c) {
  if (!store(c)) return c.unsupported("content packages need the run's scratch directory");
  uint32_t pis_creator = c.arg(2), pxuid = c.arg(3), ov = c.arg(4);
  vfs::ContentKey key;
  uint32_t error = kErrorSuccess;
  if (!content_key(c, c.arg(0), c.arg(1), &key, &error)) return finish(c, ov, error);
  if (!store(c)->exists(key)) return finish(c, ov, kErrorPathNotFound);
  bool mine = key.content_type == kSavedGame;
  if (pis_creator) c.mem().write32(pis_creator, mine ? 1 : 0);
  if (pxuid) c.mem().write64(pxuid, mine ? key.owner : 0);
  finish(c, ov, kErrorSuccess);
}

// (pmask, overlapped)
void xam_content_get_license_mask(ExportCall& c) {
  if (!c.arg(0)) return c.ret(kErrorInvalidParameter);
  c.mem().write32(c.arg(0), c.k.title().options().license_mask);
  finish(c, c.arg(1), kErrorSuccess);
}

// (user, device, content_type, flags, count, psize, phandle): the packages
// of that type on the hard drive, sorted by file name.
void xam_content_create_enumerator(ExportCall& c) {
  uint32_t user = c.arg(0), device = c.arg(1), type = c.arg(2), count = c.arg(4), psize = c.arg(5),
           phandle = c.arg(6);
  if (!phandle || (device != 0 && device != kHardDrive)) {
    if (psize) c.mem().write32(psize, 0);
    return c.ret(kEInvalidArg);
  }
  uint32_t handle = 0;
  if (c.k.create_event(c.t, &handle, 0, false) != kStatusSuccess) return c.ret(kErrorNotEnoughMemory);
  uint32_t obj;
  uint8_t obj_type;
  c.k.resolve_handle(c.t, handle, &obj, &obj_type);
  TitleState::Enumerator e;
  e.item_size = kContentDataSize;
  if (vfs::ContentStore* s = store(c)) {
    const TitleOptions& o = c.k.title().options();
    uint64_t owner = 0;
    bool listable = true;
    if (type == kSavedGame) {
      listable = (user == 0 || user == 0xFF) && o.profile_signed_in;
      owner = o.xuid;
    }
    if (listable) {
      vfs::ContentKey key{owner, title_id(c), type, {}};
      for (const std::string& name : s->list(owner, key.title_id, type)) {
        key.file_name = name;
        std::vector<uint8_t> item = s->header(key);
        item.resize(kContentDataSize, 0);
        // The store's spelling is the package's name, whatever the header says.
        std::fill(item.begin() + kFileNameOffset, item.begin() + kFileNameOffset + kFileNameSize, 0);
        std::copy(name.begin(), name.end(), item.begin() + kFileNameOffset);
        e.items.push_back(std::move(item));
      }
    }
  }
  c.k.title().enumerators()[obj] = std::move(e);
  if (psize) c.mem().write32(psize, count * kContentDataSize);
  c.mem().write32(phandle, handle);
  c.ret(kErrorSuccess);
}

// (device_id, pdata): XDEVICE_DATA for the hard drive (id 1).
void xam_content_get_device_data(ExportCall& c) {
  uint32_t device = c.arg(0), data = c.arg(1);
  if (device != kHardDrive) return c.ret(kErrorDeviceNotConnected);
  if (!data) return c.ret(kErrorInvalidParameter);
  for (uint32_t off = 0; off < 0x50; off += 4) c.mem().write32(data + off, 0);
  c.mem().write32(data + 0x00, kHardDrive);             // device id
  c.mem().write32(data + 0x04, 1);                      // type: hard drive
  c.mem().write64(data + 0x08, 20ull << 30);            // total bytes
  c.mem().write64(data + 0x10, 16ull << 30);            // free bytes
  const char16_t name[] = u"Hard Drive";
  for (uint32_t i = 0; name[i]; ++i) c.mem().write16(data + 0x18 + 2 * i, name[i]);
  c.ret(kErrorSuccess);
}

// (device_id, pname, name_chars)
void xam_content_get_device_name(ExportCall& c) {
  uint32_t device = c.arg(0), out = c.arg(1), chars = c.arg(2);
  if (device != kHardDrive) return c.ret(kErrorDeviceNotConnected);
  const char16_t name[] = u"Hard Drive";
  constexpr uint32_t kLen = sizeof(name) / sizeof(name[0]);  // with the terminator
  if (!out || chars < kLen) return c.ret(kErrorInsufficientBuffer);
  for (uint32_t i = 0; i < kLen; ++i) c.mem().write16(out + 2 * i, name[i]);
  c.ret(kErrorSuccess);
}

// (device_id, overlapped)
void xam_content_get_device_state(ExportCall& c) {
  finish(c, c.arg(1), c.arg(0) == kHardDrive ? kErrorSuccess : kErrorDeviceNotConnected);
}

// args_resolved: the root name and the package's file name, as the guest
// spelled them.
void resolve_root_at(ExportCall& c, int n) {
  c.resolved_text = c.arg(n) ? read_guest_cstring(c.mem(), c.arg(n), 64) : std::string();
  c.resolve("root", TraceValue::string(c.resolved_text.c_str()));
}
void resolve_package_at(ExportCall& c, int n) {
  if (!c.arg(n)) return;
  c.resolved_text2 = read_guest_cstring(c.mem(), c.arg(n) + kFileNameOffset, kFileNameSize);
  c.resolve("package", TraceValue::string(c.resolved_text2.c_str()));
}
void resolve_create(ExportCall& c) {
  resolve_root_at(c, 1);
  resolve_package_at(c, 2);
}
void resolve_root(ExportCall& c) { resolve_root_at(c, 0); }
void resolve_package(ExportCall& c) { resolve_package_at(c, 1); }

const ExportInfo kExports[] = {
    {0x258, "XamContentCreate", 7, xam_content_create, resolve_create},
    {0x259, "XamContentCreateEx", 9, xam_content_create_ex, resolve_create},
    {0x25A, "XamContentClose", 2, xam_content_close, resolve_root},
    {0x25B, "XamContentDelete", 3, xam_content_delete, resolve_package},
    {0x25C, "XamContentCreateEnumerator", 7, xam_content_create_enumerator},
    {0x25E, "XamContentGetDeviceData", 2, xam_content_get_device_data},
    {0x25F, "XamContentGetDeviceName", 3, xam_content_get_device_name},
    {0x262, "XamContentGetCreator", 5, xam_content_get_creator, resolve_package},
    {0x265, "XamContentGetDeviceState", 2, xam_content_get_device_state},
    {0x266, "XamContentGetLicenseMask", 2, xam_content_get_license_mask},
    {0x267, "XamContentFlush", 2, xam_content_flush, resolve_root},
};

}  // namespace

ExportTable xam_content_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
