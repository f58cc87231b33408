#pragma once
// The host side of the virtual file system: devices backed by host
// directories, lookups that can never leave them, open files, directory
// listings in a fixed order, and file times that never come from the host.
//
// Security (every path is checked, no exceptions):
//   * a guest path is first canonicalised (vfs/path.h): it names a device
//     and device-relative components without '.', '..', separators or ':'
//     (so "..\..\etc", "/etc/passwd" and "C:\x" never reach the host);
//   * the host is then walked from the device root one component at a time
//     with openat(O_PATH | O_NOFOLLOW) relative to the previous directory's
//     descriptor; a host symlink is followed only if its resolved real path
//     (realpath) is inside the device root, otherwise the path is refused
//     with ACCESS_DENIED; sockets, FIFOs and device nodes are refused too;
//   * writes, creation, deletion and renames are refused on read-only
//     devices (the title's folder) with ACCESS_DENIED.
// Listings skip what a guest could not open (escaping or dangling symlinks,
// special files, names the console does not accept).
//
// Lookup is case-insensitive: a component matches every host name equal to
// it ignoring ASCII case; when several do, the one spelled exactly like the
// guest's wins, else the first in listing order (compare_nocase).
//
// Determinism: listings are sorted with compare_nocase; file times are a
// fixed epoch (kFixedFileTime, the virtual clock's start) unless the guest
// created or wrote the file during this run, in which case they are the
// virtual times passed in by the caller. Volume sizes and serial numbers
// are fixed per device kind. Sizes and contents are the host file's.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/ntstatus.h"
#include "vfs/path.h"

namespace xdet::vfs {

// 2020-01-01T00:00:00Z as a FILETIME (the virtual clock's epoch).
inline constexpr uint64_t kFixedFileTime = 132223104000000000ull;

// FILE_ATTRIBUTE_*
inline constexpr uint32_t kAttrReadOnly = 0x01;
inline constexpr uint32_t kAttrDirectory = 0x10;
inline constexpr uint32_t kAttrNormal = 0x80;

enum class VolumeKind : uint8_t {
  kDisc,  // the title's folder: GDFX, 2048-byte sectors, read-only
  kDisk,  // hard-disk partitions and scratch mounts: FATX, 16 KB clusters
};

// NT create dispositions.
enum class Disposition : uint32_t {
  kSupersede = 0,
  kOpen = 1,
  kCreate = 2,
  kOpenIf = 3,
  kOverwrite = 4,
  kOverwriteIf = 5,
};
// IO_STATUS_BLOCK.Information after a create.
enum class CreateAction : uint32_t {
  kSuperseded = 0,
  kOpened = 1,
  kCreated = 2,
  kOverwritten = 3,
  kExists = 4,
  kDoesNotExist = 5,
};

struct FileTimes {
  uint64_t creation = kFixedFileTime;
  uint64_t last_access = kFixedFileTime;
  uint64_t last_write = kFixedFileTime;
  uint64_t change = kFixedFileTime;
};

struct FileInfo {
  bool directory = false;
  uint64_t size = 0;
  uint64_t allocation_size = 0;
  uint32_t attributes = 0;
  FileTimes times;
};

struct DirEntry {
  std::string name;  // host spelling
  FileInfo info;
};

struct VolumeInfo {
  VolumeKind kind;
  bool read_only;
  uint32_t serial_number;
  uint64_t total_units, free_units;
  uint32_t sectors_per_unit, bytes_per_sector;
  const char* fs_name;  // "GDFX" / "FATX"
  uint32_t max_component_length;
};

class FileSystem;

// An owned host file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// An open file or directory. Owned by the caller; valid while the
// FileSystem lives. Offsets are absolute (the caller keeps positions).
class OpenFile {
 public:
  ~OpenFile();
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;

  bool directory() const { return directory_; }
  bool writable() const { return writable_; }
  int device() const { return where_.device; }
  const Resolved& where() const { return where_; }
  const std::string& canonical() const { return where_.canonical; }

  // Reads up to `n` bytes at `offset`; *got = bytes read (0 at or past the
  // end: END_OF_FILE). INVALID_DEVICE_REQUEST on a directory.
  NtStatus read(uint64_t offset, void* buf, uint32_t n, uint32_t* got);
  // Writes at `offset` (the file grows as needed). ACCESS_DENIED without
  // write access; `now` (FILETIME) becomes the write time.
  NtStatus write(uint64_t offset, const void* buf, uint32_t n, uint32_t* done, uint64_t now);
  NtStatus set_size(uint64_t size, uint64_t now);
  NtStatus info(FileInfo* out) const;
  // Sets creation/access/write/change times (0 = leave unchanged).
  NtStatus set_times(const FileTimes& t);
  // The directory's entries, sorted (compare_nocase).
  NtStatus list(std::vector<DirEntry>* out) const;
  // Delete when closed (FILE_DELETE_ON_CLOSE / FileDispositionInformation).
  NtStatus set_delete_on_close(bool on);
  // Renames within the same device (FileRenameInformation).
  NtStatus rename(const Resolved& target, bool replace);

 private:
  friend class FileSystem;
  OpenFile(FileSystem& fs, Resolved where, UniqueFd fd, bool directory, bool writable);
  FileSystem& fs_;
  Resolved where_;
  UniqueFd fd_;
  bool directory_ = false;
  bool writable_ = false;
  bool delete_on_close_ = false;
};

class FileSystem {
 public:
  FileSystem();
  ~FileSystem();
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  // Mounts host directory `host_dir` as device `device_name`. Returns false
  // and sets *error when the directory cannot be opened or the name is bad.
  bool mount(std::string_view device_name, const std::string& host_dir, bool read_only, VolumeKind kind,
             std::string* error);
  // The per-run scratch directory writable mounts live in (vfs/scratch.h).
  void set_scratch_root(const std::string& dir) { scratch_root_ = dir; }
  const std::string& scratch_root() const { return scratch_root_; }
  // Mounts <scratch>/<subdir> (created, with parents, if missing; '/'
  // separated, no '.'/'..') as a writable device; `link`, if non-empty,
  // becomes a symbolic link to it (e.g. "save:"). For XAM content and save
  // data. OBJECT_NAME_COLLISION if the device or link exists,
  // OBJECT_NAME_INVALID for a bad name, UNSUCCESSFUL without a scratch root.
  NtStatus mount_scratch(std::string_view device_name, std::string_view subdir, std::string_view link = {});
  // Removes a device (open files keep working until closed).
  NtStatus unmount(std::string_view device_name);

  Namespace& names() { return names_; }
  const Namespace& names() const { return names_; }
  Resolved resolve(std::string_view raw, bool dos_relative = true) const { return names_.resolve(raw, dos_relative); }

  struct OpenRequest {
    Disposition disposition = Disposition::kOpen;
    bool want_write = false;       // FILE_WRITE_DATA / APPEND / GENERIC_WRITE / ...
    bool directory_file = false;   // FILE_DIRECTORY_FILE
    bool non_directory_file = false;  // FILE_NON_DIRECTORY_FILE
    bool delete_on_close = false;  // FILE_DELETE_ON_CLOSE
    uint64_t now = kFixedFileTime; // FILETIME for created/overwritten files
  };
  // NtCreateFile: opens/creates per the disposition. *action is the
  // IO_STATUS_BLOCK information. On a read-only device an existing file
  // opened with write access is opened read-only (titles do this; xenia
  // does the same) while creating/overwriting is ACCESS_DENIED.
  NtStatus open(const Resolved& where, const OpenRequest& req, std::unique_ptr<OpenFile>* out,
                CreateAction* action);
  // NtQueryFullAttributesFile.
  NtStatus stat(const Resolved& where, FileInfo* out) const;
  VolumeInfo volume(int device) const;
  bool read_only(int device) const;

 private:
  friend class OpenFile;
  struct Mount {
    std::string host_root;   // as given
    std::string real_root;   // realpath of the root
    UniqueFd root_fd;        // O_PATH | O_DIRECTORY
    bool read_only = false;
    VolumeKind kind = VolumeKind::kDisk;
  };
  // Host node reached by a walk.
  struct Node {
    UniqueFd fd;  // O_PATH descriptor
    bool directory = false;
  };
  // Walks `where` from its device root. On success *leaf is the node of the
  // last component (or the root). NAME_NOT_FOUND (last component missing,
  // *parent then holds the parent directory), PATH_NOT_FOUND (an
  // intermediate one missing or not a directory), ACCESS_DENIED (escaping
  // symlink or special file).
  NtStatus walk(const Resolved& where, Node* parent, Node* leaf, std::string* leaf_host_name) const;
  // Finds `name` in directory `dir_fd` (case-insensitive); returns the host
  // spelling or "" if absent.
  std::string match_name(int dir_fd, std::string_view name) const;
  // Opens host entry `host_name` in directory `dir_fd` as an O_PATH node,
  // following a symlink only if it stays inside mount `m`.
  NtStatus open_node(const Mount& m, int dir_fd, const std::string& host_name, Node* out) const;
  NtStatus info_of(int device, const std::string& key, int fd, FileInfo* out) const;
  // Lists directory `dir_fd` of mount `device` whose canonical path is `canonical`.
  NtStatus list_dir(int device, int dir_fd, const std::string& canonical, std::vector<DirEntry>* out) const;
  std::string times_key(const Resolved& where) const;
  void touch_written(const Resolved& where, uint64_t now, bool created);

  Namespace names_;
  std::vector<Mount> mounts_;  // by device index
  std::string scratch_root_;
  std::map<std::string, FileTimes> times_;  // canonical lower-case path -> times set this run
};

}  // namespace xdet::vfs
