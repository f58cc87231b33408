// Files, directories, volumes, I/O completion ports and symbolic links: the
// Nt*File / Io* / Ob*SymbolicLink exports over the virtual file system
// (src/vfs) and the kernel's I/O state (kernel/io/io_state.h).
//
// Structure layouts are the console's (big-endian, 32-bit pointers):
//   OBJECT_ATTRIBUTES   {RootDirectory, ANSI_STRING* ObjectName, Attributes}
//   ANSI_STRING         {u16 Length, u16 MaximumLength, char* Buffer}
//   IO_STATUS_BLOCK     {Status, Information}
//   FILE_DIRECTORY_INFORMATION (0x40 + name): next offset, index, four
//     FILETIMEs, end of file, allocation size, attributes, name length, ANSI
//     name; one entry per call.
// Every call that names a file records its canonical guest path
// (\Device\...\name) in args_resolved.path.
#include <algorithm>

#include "base/hash.h"
#include "kernel/exports/exports.h"
#include "kernel/io/io_state.h"

namespace xdet::kernel {

namespace {

constexpr uint32_t kDosDevicesRoot = 0xFFFFFFFDu;

// ACCESS_MASK bits that ask for write access.
constexpr uint32_t kFileWriteData = 0x0002;
constexpr uint32_t kFileAppendData = 0x0004;
constexpr uint32_t kFileWriteEa = 0x0010;
constexpr uint32_t kFileWriteAttributes = 0x0100;
constexpr uint32_t kDelete = 0x00010000;
constexpr uint32_t kGenericWrite = 0x40000000;
constexpr uint32_t kGenericAll = 0x10000000;
constexpr uint32_t kMaximumAllowed = 0x02000000;
constexpr uint32_t kWriteAccess =
    kFileWriteData | kFileAppendData | kFileWriteEa | kFileWriteAttributes | kDelete | kGenericWrite | kGenericAll;

// Create options.
constexpr uint32_t kFileDirectoryFile = 0x0001;
constexpr uint32_t kFileSynchronousIoAlert = 0x0010;
constexpr uint32_t kFileSynchronousIoNonalert = 0x0020;
constexpr uint32_t kFileNonDirectoryFile = 0x0040;
constexpr uint32_t kFileDeleteOnClose = 0x1000;

// LARGE_INTEGER byte offsets with a meaning.
constexpr uint64_t kUseFilePointerPosition = 0xFFFFFFFFFFFFFFFEull;
constexpr uint64_t kWriteToEndOfFile = 0xFFFFFFFFFFFFFFFFull;

// FILE_INFORMATION_CLASS / FS_INFORMATION_CLASS values.
enum : uint32_t {
  kFileBasicInformation = 4,
  kFileStandardInformation = 5,
  kFileInternalInformation = 6,
  kFileRenameInformation = 10,
  kFileDispositionInformation = 13,
  kFilePositionInformation = 14,
  kFileModeInformation = 16,
  kFileAlignmentInformation = 17,
  kFileAllocationInformation = 19,
  kFileEndOfFileInformation = 20,
  kFileSectorInformation = 26,
  kFileCompletionInformation = 30,
  kFileIoPriorityInformation = 32,
  kFileNetworkOpenInformation = 34,
};
enum : uint32_t {
  kFileFsVolumeInformation = 1,
  kFileFsSizeInformation = 3,
  kFileFsDeviceInformation = 4,
  kFileFsAttributeInformation = 5,
};

constexpr uint32_t kDirectoryInfoHeader = 0x40;
constexpr uint32_t kMinDirectoryQueryLength = 72;

std::string read_ansi(GuestMemory& mem, uint32_t ansi) {
  if (!ansi) return {};
  uint16_t len = mem.read16(ansi);
  uint32_t buf = mem.read32(ansi + 4);
  if (!len || !buf) return {};
  std::string s(len, '\0');
  mem.read_bytes(buf, s.data(), len);
  return s;
}

void write_iosb(GuestMemory& mem, uint32_t iosb, NtStatus status, uint32_t information) {
  if (!iosb) return;
  mem.write32(iosb, status);
  mem.write32(iosb + 4, information);
}

uint64_t path_hash(const std::string& canonical) {
  std::string lower = vfs::to_lower(canonical);
  uint64_t h = kFnv1a64Offset;
  for (char ch : lower) {
    h ^= static_cast<unsigned char>(ch);
    h *= kFnv1a64Prime;
  }
  return h;
}

// Resolves OBJECT_ATTRIBUTES to a canonical guest path: RootDirectory 0 or
// 0xFFFFFFFD (\??) or a directory handle the name is relative to.
NtStatus resolve_object_attributes(ExportCall& c, uint32_t objattr, vfs::Resolved* out) {
  if (!objattr) return kStatusInvalidParameter;
  uint32_t root = c.mem().read32(objattr);
  std::string name = read_ansi(c.mem(), c.mem().read32(objattr + 4));
  IoState& io = c.k.io();
  if (root == 0 || root == kDosDevicesRoot) {
    *out = io.fs().resolve(name, true);
  } else {
    uint32_t obj;
    IoState::FileObject* dir = nullptr;
    NtStatus st = io.file_from_handle(c.t, root, &obj, &dir);
    if (st != kStatusSuccess) return st == kStatusObjectTypeMismatch ? kStatusInvalidHandle : st;
    if (!dir->file->directory()) return kStatusInvalidParameter;
    *out = io.fs().names().resolve_relative(dir->file->where(), name);
  }
  return out->status;
}

// args_resolved.path for calls naming a file by OBJECT_ATTRIBUTES (argument n).
template <int N>
void resolve_objattr_path(ExportCall& c) {
  vfs::Resolved r;
  NtStatus st = resolve_object_attributes(c, c.arg(N), &r);
  if (st == kStatusSuccess) {
    c.resolved_text = r.canonical;
  } else if (c.arg(N)) {
    c.resolved_text = read_ansi(c.mem(), c.mem().read32(c.arg(N) + 4));
  } else {
    return;
  }
  c.resolve("path", TraceValue::string(c.resolved_text.c_str()));
}

// args_resolved.path for calls on a file handle (argument 0).
void resolve_handle_path(ExportCall& c) {
  uint32_t obj;
  IoState::FileObject* f;
  if (c.k.io().file_from_handle(c.t, c.arg(0), &obj, &f) != kStatusSuccess) return;
  c.resolved_text = f->file->canonical();
  c.resolve("path", TraceValue::string(c.resolved_text.c_str()));
}

void resolve_directory_query(ExportCall& c) {
  resolve_handle_path(c);
  if (uint32_t pattern = c.arg(7)) {
    c.resolved_text2 = read_ansi(c.mem(), pattern);
    c.resolve("pattern", TraceValue::string(c.resolved_text2.c_str()));
  }
}

void resolve_port_handle(ExportCall& c) {
  uint32_t obj;
  uint8_t type;
  if (c.k.resolve_handle(c.t, c.arg(0), &obj, &type) == kStatusSuccess) {
    if (const ObjectRecord* rec = c.k.find_object(obj)) c.resolve("handle_semantic_id", TraceValue::sid(rec->sid));
  }
}

void resolve_link_name(ExportCall& c) {
  std::string name = read_ansi(c.mem(), c.arg(0));
  vfs::Components comps;
  c.resolved_text = vfs::split_guest_path(name, true, &comps) == kStatusSuccess ? vfs::join_path(comps) : name;
  c.resolve("path", TraceValue::string(c.resolved_text.c_str()));
}

void resolve_link_create(ExportCall& c) {
  resolve_link_name(c);
  std::string target = read_ansi(c.mem(), c.arg(1));
  vfs::Components comps;
  c.resolved_text2 = vfs::split_guest_path(target, true, &comps) == kStatusSuccess ? vfs::join_path(comps) : target;
  c.resolve("target", TraceValue::string(c.resolved_text2.c_str()));
}

// An optional event handle for an I/O call.
NtStatus event_from_handle(ExportCall& c, uint32_t handle, uint32_t* event) {
  *event = 0;
  if (!handle) return kStatusSuccess;
  uint8_t type;
  NtStatus st = c.k.resolve_handle(c.t, handle, event, &type);
  if (st != kStatusSuccess) return st;
  if (type != kTypeEventNotification && type != kTypeEventSynchronization) return kStatusObjectTypeMismatch;
  return kStatusSuccess;
}

// Completion of a call that finishes inside it without a transfer (a
// directory query): event or file object, completion port. APC routines are
// refused earlier.
void complete_inline(ExportCall& c, uint32_t file_obj, uint32_t event) {
  c.k.set_event(&c.t, event ? event : file_obj);
}

// ---------------------------------------------------------------- create/open

NtStatus create_file(ExportCall& c, uint32_t phandle, uint32_t access, uint32_t objattr, uint32_t iosb,
                     uint32_t disposition, uint32_t options) {
  vfs::Resolved where;
  NtStatus st = resolve_object_attributes(c, objattr, &where);
  if (st == kStatusInvalidParameter && !objattr) return st;
  if (st == kStatusSuccess && (disposition > static_cast<uint32_t>(vfs::Disposition::kOverwriteIf) ||
                                ((options & kFileDirectoryFile) && (options & kFileNonDirectoryFile)))) {
    st = kStatusInvalidParameter;
  }
  vfs::CreateAction action = vfs::CreateAction::kDoesNotExist;
  uint32_t handle = 0;
  if (st == kStatusSuccess) {
    vfs::FileSystem::OpenRequest req;
    req.disposition = static_cast<vfs::Disposition>(disposition);
    req.want_write = (access & (kWriteAccess | kMaximumAllowed)) != 0;
    req.directory_file = options & kFileDirectoryFile;
    req.non_directory_file = options & kFileNonDirectoryFile;
    req.delete_on_close = options & kFileDeleteOnClose;
    req.now = c.k.system_time();
    std::unique_ptr<vfs::OpenFile> file;
    st = c.k.io().fs().open(where, req, &file, &action);
    if (st == kStatusSuccess) {
      bool synchronous = options & (kFileSynchronousIoAlert | kFileSynchronousIoNonalert);
      st = c.k.io().add_file(c.t, std::move(file), synchronous, &handle);
    }
  }
  // xenia writes the status block on every path; so does xdet.
  write_iosb(c.mem(), iosb, st, static_cast<uint32_t>(action));
  if (phandle) c.mem().write32(phandle, st == kStatusSuccess ? handle : 0);
  return st;
}

// (phandle, access, objattr, piosb, palloc_size, attrs, share, disposition, options)
void nt_create_file(ExportCall& c) { c.ret(create_file(c, c.arg(0), c.arg(1), c.arg(2), c.arg(3), c.arg(7), c.arg(8))); }

// (phandle, access, objattr, piosb, options)
void nt_open_file(ExportCall& c) {
  c.ret(create_file(c, c.arg(0), c.arg(1), c.arg(2), c.arg(3), static_cast<uint32_t>(vfs::Disposition::kOpen),
                    c.arg(4)));
}

// ---------------------------------------------------------------- read/write

void start_io(ExportCall& c, IoState::IoKind kind) {
  // (handle, event, apc_routine, apc_context, piosb, buffer, length, poffset)
  IoState& io = c.k.io();
  uint32_t obj;
  IoState::FileObject* f;
  NtStatus st = io.file_from_handle(c.t, c.arg(0), &obj, &f);
  if (st != kStatusSuccess) return c.ret(st);
  IoState::IoRequest r;
  r.kind = kind;
  r.file = obj;
  if ((st = event_from_handle(c, c.arg(1), &r.event)) != kStatusSuccess) return c.ret(st);
  r.apc_routine = c.arg(2);
  r.apc_context = c.arg(3);
  r.iosb = c.arg(4);
  r.buffer = c.arg(5);
  r.length = c.arg(6);
  if ((r.apc_routine & ~1u) && !io.apcs_supported()) {
    return c.unsupported("I/O completion APC routines need the kernel's user APC queue");
  }
  if (f->file->directory()) return c.ret(kStatusInvalidDeviceRequest);
  if (kind == IoState::IoKind::kWrite && !f->file->writable()) return c.ret(kStatusAccessDenied);
  uint64_t offset = kUseFilePointerPosition;
  if (uint32_t poff = c.arg(7)) offset = c.mem().read64(poff);
  if (offset == kWriteToEndOfFile && kind == IoState::IoKind::kWrite) {
    vfs::FileInfo info;
    f->file->info(&info);
    offset = info.size;
  } else if (offset == kUseFilePointerPosition) {
    // Only a synchronous file object has a file pointer.
    if (!f->synchronous) return c.ret(kStatusInvalidParameter);
    offset = f->position;
  } else if (offset >> 63) {
    return c.ret(kStatusInvalidParameter);
  }
  r.offset = offset;
  // The buffer is probed when the call is made, as the I/O manager does.
  if (r.length) {
    if (kind == IoState::IoKind::kReadScatter) {
      uint32_t segments = (r.length + 4095) / 4096;
      if (!c.mem().is_accessible(r.buffer, uint64_t{segments} * 4, GuestMemory::kProtRead)) {
        return c.ret(kStatusAccessViolation);
      }
    } else {
      uint8_t need = kind == IoState::IoKind::kWrite ? GuestMemory::kProtRead : GuestMemory::kProtWrite;
      if (!c.mem().is_accessible(r.buffer, r.length, need)) return c.ret(kStatusAccessViolation);
    }
  }
  c.ret(io.start(c.t, r));
}

void nt_read_file(ExportCall& c) { start_io(c, IoState::IoKind::kRead); }
void nt_read_file_scatter(ExportCall& c) { start_io(c, IoState::IoKind::kReadScatter); }
void nt_write_file(ExportCall& c) { start_io(c, IoState::IoKind::kWrite); }

// ---------------------------------------------------------------- information

void write_times(GuestMemory& mem, uint32_t at, const vfs::FileTimes& t) {
  mem.write64(at + 0x00, t.creation);
  mem.write64(at + 0x08, t.last_access);
  mem.write64(at + 0x10, t.last_write);
  mem.write64(at + 0x18, t.change);
}

// FILE_NETWORK_OPEN_INFORMATION (56 bytes).
void write_network_open(GuestMemory& mem, uint32_t at, const vfs::FileInfo& info) {
  write_times(mem, at, info.times);
  mem.write64(at + 0x20, info.allocation_size);
  mem.write64(at + 0x28, info.size);
  mem.write32(at + 0x30, info.attributes);
  mem.write32(at + 0x34, 0);
}

uint32_t query_info_min_length(uint32_t cls) {
  switch (cls) {
    case kFileInternalInformation:
    case kFilePositionInformation:
      return 8;
    case kFileNetworkOpenInformation:
      return 56;
    case kFileModeInformation:
    case kFileAlignmentInformation:
    case kFileSectorInformation:
      return 4;
    case kFileStandardInformation:
      return 24;
    case kFileBasicInformation:
      return 40;
    default:
      return 0;
  }
}

// The checks every (handle, piosb, info, length, class) query makes before
// it answers: a known class (`min` its size, 0 unknown), a buffer that large
// and writable (then zeroed), and a file handle. Null after setting the
// status when one fails.
IoState::FileObject* begin_file_query(ExportCall& c, uint32_t min) {
  uint32_t out = c.arg(2), length = c.arg(3);
  if (!min) return c.ret(kStatusInvalidInfoClass), nullptr;
  if (length < min) return c.ret(kStatusInfoLengthMismatch), nullptr;
  uint32_t obj;
  IoState::FileObject* f;
  NtStatus st = c.k.io().file_from_handle(c.t, c.arg(0), &obj, &f);
  if (st != kStatusSuccess) return c.ret(st), nullptr;
  if (!c.mem().is_accessible(out, length, GuestMemory::kProtWrite)) return c.ret(kStatusAccessViolation), nullptr;
  c.mem().fill(out, 0, length);
  return f;
}

// (handle, piosb, info, length, class)
void nt_query_information_file(ExportCall& c) {
  uint32_t iosb = c.arg(1), out = c.arg(2), cls = c.arg(4);
  uint32_t min = query_info_min_length(cls);
  IoState::FileObject* f = begin_file_query(c, min);
  if (!f) return;
  GuestMemory& mem = c.mem();
  NtStatus st;
  vfs::FileInfo info;
  if ((st = f->file->info(&info)) != kStatusSuccess) return c.ret(st);
  switch (cls) {
    case kFileBasicInformation:
      write_times(mem, out, info.times);
      mem.write32(out + 0x20, info.attributes);
      break;
    case kFileStandardInformation:
      mem.write64(out + 0x00, info.allocation_size);
      mem.write64(out + 0x08, info.size);
      mem.write32(out + 0x10, 1);  // links
      mem.write8(out + 0x14, 0);   // delete pending
      mem.write8(out + 0x15, info.directory ? 1 : 0);
      break;
    case kFileInternalInformation:
      // A stable per-file number: a hash of the canonical path.
      mem.write64(out, path_hash(f->file->canonical()));
      break;
    case kFilePositionInformation:
      mem.write64(out, f->position);
      break;
    case kFileModeInformation:
      mem.write32(out, f->synchronous ? kFileSynchronousIoNonalert : 0);
      break;
    case kFileAlignmentInformation:
      mem.write32(out, 0);  // FILE_BYTE_ALIGNMENT
      break;
    case kFileSectorInformation: {
      uint64_t h = path_hash(f->file->canonical());
      mem.write32(out, static_cast<uint32_t>(h ^ (h >> 32)));
      break;
    }
    case kFileNetworkOpenInformation:
      write_network_open(mem, out, info);
      break;
  }
  write_iosb(mem, iosb, kStatusSuccess, min);
  c.ret(kStatusSuccess);
}

uint32_t set_info_min_length(uint32_t cls) {
  switch (cls) {
    case kFileRenameInformation:
      return 16;
    case kFileDispositionInformation:
      return 1;
    case kFilePositionInformation:
    case kFileCompletionInformation:
    case kFileAllocationInformation:
    case kFileEndOfFileInformation:
      return 8;
    case kFileModeInformation:
    case kFileIoPriorityInformation:
      return 4;
    case kFileBasicInformation:
      return 40;
    default:
      return 0;
  }
}

// (handle, piosb, info, length, class)
void nt_set_information_file(ExportCall& c) {
  uint32_t iosb = c.arg(1), in = c.arg(2), length = c.arg(3), cls = c.arg(4);
  uint32_t min = set_info_min_length(cls);
  if (!min) return c.ret(kStatusInvalidInfoClass);
  if (length < min) return c.ret(kStatusInfoLengthMismatch);
  uint32_t obj;
  IoState::FileObject* f;
  NtStatus st = c.k.io().file_from_handle(c.t, c.arg(0), &obj, &f);
  if (st != kStatusSuccess) return c.ret(st);
  GuestMemory& mem = c.mem();
  uint32_t info_len = min;
  switch (cls) {
    case kFileBasicInformation: {
      vfs::FileTimes t;
      t.creation = mem.read64(in + 0x00);
      t.last_access = mem.read64(in + 0x08);
      t.last_write = mem.read64(in + 0x10);
      t.change = mem.read64(in + 0x18);
      st = f->file->set_times(t);
      break;
    }
    case kFileRenameInformation: {
      // {ReplaceIfExists (u32), HANDLE RootDirectory, ANSI_STRING}
      bool replace = mem.read32(in) != 0;
      uint32_t root = mem.read32(in + 4);
      std::string name = read_ansi(mem, in + 8);
      vfs::Resolved target;
      if (root && root != kDosDevicesRoot) {
        uint32_t dobj;
        IoState::FileObject* dir;
        st = c.k.io().file_from_handle(c.t, root, &dobj, &dir);
        if (st != kStatusSuccess) break;
        target = c.k.io().fs().names().resolve_relative(dir->file->where(), name);
      } else {
        target = c.k.io().fs().resolve(name, true);
      }
      st = target.ok() ? f->file->rename(target, replace) : target.status;
      break;
    }
    case kFileDispositionInformation:
      st = f->file->set_delete_on_close(mem.read8(in) != 0);
      info_len = 0;
      break;
    case kFilePositionInformation: {
      uint64_t pos = mem.read64(in);
      if (pos >> 63) st = kStatusInvalidParameter;
      else f->position = pos;
      break;
    }
    case kFileAllocationInformation:
      // Allocation is the host's business; the request is accepted.
      break;
    case kFileEndOfFileInformation:
      st = f->file->set_size(mem.read64(in), c.k.system_time());
      break;
    case kFileCompletionInformation: {
      uint32_t port = 0;
      st = c.k.io().port_from_handle(c.t, mem.read32(in), &port);
      if (st == kStatusSuccess) c.k.io().associate(*f, port, mem.read32(in + 4));
      else st = kStatusInvalidHandle;
      break;
    }
    case kFileModeInformation:
    case kFileIoPriorityInformation:
      break;
  }
  write_iosb(mem, iosb, st, st == kStatusSuccess ? info_len : 0);
  c.ret(st);
}

// (objattr, pinfo)
void nt_query_full_attributes_file(ExportCall& c) {
  vfs::Resolved where;
  NtStatus st = resolve_object_attributes(c, c.arg(0), &where);
  if (st != kStatusSuccess) return c.ret(st);
  vfs::FileInfo info;
  if ((st = c.k.io().fs().stat(where, &info)) != kStatusSuccess) return c.ret(st);
  uint32_t out = c.arg(1);
  if (!c.mem().is_accessible(out, 56, GuestMemory::kProtWrite)) return c.ret(kStatusAccessViolation);
  write_network_open(c.mem(), out, info);
  c.ret(kStatusSuccess);
}

uint32_t volume_info_min_length(uint32_t cls) {
  switch (cls) {
    case kFileFsVolumeInformation:
    case kFileFsSizeInformation:
      return 24;
    case kFileFsDeviceInformation:
      return 8;
    case kFileFsAttributeInformation:
      return 16;
    default:
      return 0;
  }
}

// (handle, piosb, info, length, class)
void nt_query_volume_information_file(ExportCall& c) {
  uint32_t iosb = c.arg(1), out = c.arg(2), length = c.arg(3), cls = c.arg(4);
  IoState::FileObject* f = begin_file_query(c, volume_info_min_length(cls));
  if (!f) return;
  GuestMemory& mem = c.mem();
  NtStatus st = kStatusSuccess;
  vfs::VolumeInfo v = c.k.io().fs().volume(f->file->device());
  bool disc = v.kind == vfs::VolumeKind::kDisc;
  uint32_t info_len = 0;
  switch (cls) {
    case kFileFsVolumeInformation:
      mem.write64(out + 0x00, vfs::kFixedFileTime);
      mem.write32(out + 0x08, v.serial_number);
      mem.write32(out + 0x0C, 0);  // no label
      mem.write8(out + 0x10, 0);   // supports objects
      info_len = 0x11;
      break;
    case kFileFsSizeInformation:
      mem.write64(out + 0x00, v.total_units);
      mem.write64(out + 0x08, v.free_units);
      mem.write32(out + 0x10, v.sectors_per_unit);
      mem.write32(out + 0x14, v.bytes_per_sector);
      info_len = 24;
      break;
    case kFileFsDeviceInformation:
      // FILE_DEVICE_CD_ROM with removable, read-only media / FILE_DEVICE_DISK.
      mem.write32(out + 0x00, disc ? 0x02 : 0x07);
      mem.write32(out + 0x04, disc ? 0x03 : 0x00);
      info_len = 8;
      break;
    case kFileFsAttributeInformation: {
      // FILE_CASE_PRESERVED_NAMES (+ FILE_READ_ONLY_VOLUME for the disc).
      mem.write32(out + 0x00, disc ? 0x00080002 : 0x00000002);
      mem.write32(out + 0x04, v.max_component_length);
      uint32_t name_len = static_cast<uint32_t>(std::char_traits<char>::length(v.fs_name));
      mem.write32(out + 0x08, name_len);
      if (length >= 12 + name_len) {
        mem.write_bytes(out + 12, v.fs_name, name_len);
        info_len = 12 + name_len;
      } else {
        st = kStatusBufferOverflow;
        info_len = 12;
      }
      break;
    }
  }
  write_iosb(mem, iosb, st, info_len);
  c.ret(st);
}

// (handle, event, apc, apc_context, piosb, info, length, pansi_pattern, restart_scan)
void nt_query_directory_file(ExportCall& c) {
  uint32_t iosb = c.arg(4), out = c.arg(5), length = c.arg(6), pattern_ptr = c.arg(7);
  bool restart = c.arg(8) != 0;
  if (length < kMinDirectoryQueryLength) return c.ret(kStatusInfoLengthMismatch);
  IoState& io = c.k.io();
  uint32_t obj;
  IoState::FileObject* f;
  NtStatus st = io.file_from_handle(c.t, c.arg(0), &obj, &f);
  if (st != kStatusSuccess) return c.ret(st);
  uint32_t event;
  if ((st = event_from_handle(c, c.arg(1), &event)) != kStatusSuccess) return c.ret(st);
  if ((c.arg(2) & ~1u) && !io.apcs_supported()) {
    return c.unsupported("I/O completion APC routines need the kernel's user APC queue");
  }
  if (!f->file->directory()) return c.ret(kStatusInvalidParameter);
  std::string pattern = read_ansi(c.mem(), pattern_ptr);
  if (!pattern.empty() && !vfs::valid_pattern(pattern)) return c.ret(kStatusObjectNameInvalid);
  GuestMemory& mem = c.mem();
  if (!mem.is_accessible(out, length, GuestMemory::kProtWrite)) return c.ret(kStatusAccessViolation);
  bool first = !f->scan_started || restart;
  if (first) {
    // The pattern of the first call (or of a restart) holds for the scan.
    if (!pattern.empty()) f->pattern = pattern;
    else if (!f->scan_started) f->pattern.assign(1, '*');
    std::vector<vfs::DirEntry> all;
    if ((st = f->file->list(&all)) != kStatusSuccess) return c.ret(st);
    f->entries.clear();
    for (vfs::DirEntry& e : all) {
      if (vfs::wildcard_match(f->pattern, e.name)) f->entries.push_back(std::move(e));
    }
    f->next_entry = 0;
    f->scan_started = true;
  }
  uint32_t info_len = 0;
  if (f->next_entry >= f->entries.size()) {
    st = first ? kStatusNoSuchFile : kStatusNoMoreFiles;
  } else {
    const vfs::DirEntry& e = f->entries[f->next_entry];
    uint32_t name_len = static_cast<uint32_t>(e.name.size());
    if (length < kDirectoryInfoHeader + name_len) {
      st = kStatusBufferOverflow;
    } else {
      mem.write32(out + 0x00, 0);  // next entry offset: one entry per call
      mem.write32(out + 0x04, static_cast<uint32_t>(f->next_entry));
      write_times(mem, out + 0x08, e.info.times);
      mem.write64(out + 0x28, e.info.size);
      mem.write64(out + 0x30, e.info.allocation_size);
      mem.write32(out + 0x38, e.info.attributes);
      mem.write32(out + 0x3C, name_len);
      mem.write_bytes(out + kDirectoryInfoHeader, e.name.data(), name_len);
      info_len = kDirectoryInfoHeader + name_len;
      ++f->next_entry;
    }
  }
  write_iosb(mem, iosb, st, info_len);
  complete_inline(c, obj, event);
  c.ret(st);
}

// (handle, piosb)
void nt_flush_buffers_file(ExportCall& c) {
  uint32_t obj;
  IoState::FileObject* f;
  NtStatus st = c.k.io().file_from_handle(c.t, c.arg(0), &obj, &f);
  if (st != kStatusSuccess) return c.ret(st);
  // Host durability is not guest-visible: nothing to wait for.
  write_iosb(c.mem(), c.arg(1), kStatusSuccess, 0);
  c.ret(kStatusSuccess);
}

// ---------------------------------------------------------------- completion ports

// (phandle, access, objattr, concurrency)
void nt_create_io_completion(ExportCall& c) {
  uint32_t handle = 0;
  NtStatus st = c.k.io().create_port(c.t, object_attributes_name(c.mem(), c.arg(2)), &handle);
  if (c.arg(0) && (st == kStatusSuccess || st == kStatusObjectNameExists)) c.mem().write32(c.arg(0), handle);
  c.ret(st);
}

// (handle, key_context, apc_context, status, information)
void nt_set_io_completion(ExportCall& c) {
  uint32_t port;
  NtStatus st = c.k.io().port_from_handle(c.t, c.arg(0), &port);
  if (st != kStatusSuccess) return c.ret(st);
  c.k.io().post(&c.t, port, {c.arg(1), c.arg(2), c.arg(3), c.arg(4)});
  c.ret(kStatusSuccess);
}

// (handle, pkey_context, papc_context, piosb, ptimeout)
void nt_remove_io_completion(ExportCall& c) {
  uint32_t port;
  NtStatus st = c.k.io().port_from_handle(c.t, c.arg(0), &port);
  if (st != kStatusSuccess) return c.ret(st);
  int64_t timeout = 0;
  bool has_timeout = read_timeout(c.mem(), c.arg(4), &timeout);
  c.ret_status(c.k.io().remove(c.t, port, c.arg(1), c.arg(2), c.arg(3), has_timeout ? &timeout : nullptr));
}

// ---------------------------------------------------------------- symbolic links

// (pansi_link, pansi_target)
void ob_create_symbolic_link(ExportCall& c) {
  std::string link = read_ansi(c.mem(), c.arg(0)), target = read_ansi(c.mem(), c.arg(1));
  c.ret(c.k.io().fs().names().add_link(link, target));
}

// (pansi_link)
void ob_delete_symbolic_link(ExportCall& c) { c.ret(c.k.io().fs().names().remove_link(read_ansi(c.mem(), c.arg(0)))); }

// (phandle, objattr)
void nt_open_symbolic_link_object(ExportCall& c) {
  uint32_t objattr = c.arg(1);
  if (!objattr) return c.ret(kStatusInvalidParameter);
  std::string name = read_ansi(c.mem(), c.mem().read32(objattr + 4));
  const vfs::Namespace::Link* link = c.k.io().fs().names().find_link(name);
  if (!link) return c.ret(kStatusObjectNameNotFound);
  uint32_t handle = 0;
  NtStatus st = c.k.io().open_link(c.t, link->target_text, &handle);
  if (c.arg(0)) c.mem().write32(c.arg(0), st == kStatusSuccess ? handle : 0);
  c.ret(st);
}

void resolve_open_link(ExportCall& c) {
  if (!c.arg(1)) return;
  std::string name = read_ansi(c.mem(), c.mem().read32(c.arg(1) + 4));
  vfs::Components comps;
  c.resolved_text = vfs::split_guest_path(name, true, &comps) == kStatusSuccess ? vfs::join_path(comps) : name;
  c.resolve("path", TraceValue::string(c.resolved_text.c_str()));
}

// (handle, pansi_target)
void nt_query_symbolic_link_object(ExportCall& c) {
  uint32_t obj;
  uint8_t type;
  NtStatus st = c.k.resolve_handle(c.t, c.arg(0), &obj, &type);
  if (st != kStatusSuccess) return c.ret(st);
  const std::string* target = type == kTypeSymbolicLink ? c.k.io().link_target(obj) : nullptr;
  if (!target) return c.ret(kStatusObjectTypeMismatch);
  uint32_t ansi = c.arg(1);
  uint16_t max = c.mem().read16(ansi + 2);
  uint32_t buf = c.mem().read32(ansi + 4);
  if (target->size() > max) return c.ret(kStatusBufferTooSmall);
  c.mem().write_bytes(buf, target->data(), target->size());
  c.mem().write16(ansi, static_cast<uint16_t>(target->size()));
  c.ret(kStatusSuccess);
}

const ExportInfo kExports[] = {
    {210, "NtCreateFile", 9, nt_create_file, resolve_objattr_path<2>},
    {211, "NtCreateIoCompletion", 4, nt_create_io_completion},
    {219, "NtFlushBuffersFile", 2, nt_flush_buffers_file, resolve_handle_path},
    {223, "NtOpenFile", 5, nt_open_file, resolve_objattr_path<2>},
    {224, "NtOpenSymbolicLinkObject", 2, nt_open_symbolic_link_object, resolve_open_link},
    {228, "NtQueryDirectoryFile", 9, nt_query_directory_file, resolve_directory_query},
    {231, "NtQueryFullAttributesFile", 2, nt_query_full_attributes_file, resolve_objattr_path<0>},
    {232, "NtQueryInformationFile", 5, nt_query_information_file, resolve_handle_path},
    {236, "NtQuerySymbolicLinkObject", 2, nt_query_symbolic_link_object},
    {239, "NtQueryVolumeInformationFile", 5, nt_query_volume_information_file, resolve_handle_path},
    {240, "NtReadFile", 8, nt_read_file, resolve_handle_path},
    {241, "NtReadFileScatter", 8, nt_read_file_scatter, resolve_handle_path},
    {244, "NtRemoveIoCompletion", 5, nt_remove_io_completion, resolve_port_handle},
    {247, "NtSetInformationFile", 5, nt_set_information_file, resolve_handle_path},
    {248, "NtSetIoCompletion", 5, nt_set_io_completion, resolve_port_handle},
    {255, "NtWriteFile", 8, nt_write_file, resolve_handle_path},
    {259, "ObCreateSymbolicLink", 2, ob_create_symbolic_link, resolve_link_create},
    {260, "ObDeleteSymbolicLink", 1, ob_delete_symbolic_link, resolve_link_name},
};

}  // namespace

ExportTable io_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
