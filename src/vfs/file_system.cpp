#include "vfs/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

namespace xdet::vfs {

namespace {

std::string proc_path(int fd, std::string_view name = {}) {
  std::string p = "/proc/self/fd/" + std::to_string(fd);
  if (!name.empty()) {
    p.push_back('/');
    p.append(name);
  }
  return p;
}

bool real_path(const std::string& path, std::string* out) {
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return false;
  *out = buf;
  return true;
}

bool inside(const std::string& real, const std::string& root) {
  if (real == root) return true;
  if (root == "/") return true;
  return real.size() > root.size() && real.compare(0, root.size(), root) == 0 && real[root.size()] == '/';
}

uint64_t round_up(uint64_t v, uint64_t unit) { return (v + unit - 1) / unit * unit; }

uint32_t fnv1a32(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

NtStatus errno_status(int e) {
  switch (e) {
    case ENOENT: return kStatusObjectNameNotFound;
    case EEXIST: return kStatusObjectNameCollision;
    case ENOTEMPTY: return kStatusDirectoryNotEmpty;
    case ENOSPC: case EDQUOT: return kStatusDiskFull;
    case EISDIR: return kStatusFileIsADirectory;
    case ENOTDIR: return kStatusNotADirectory;
    case ENAMETOOLONG: return kStatusObjectNameInvalid;
    default: return kStatusAccessDenied;
  }
}

// Reopens an O_PATH descriptor for real I/O.
int reopen(int path_fd, int flags) { return ::open(proc_path(path_fd).c_str(), flags | O_CLOEXEC); }

}  // namespace

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

// ---------------------------------------------------------------- FileSystem

FileSystem::FileSystem() = default;
FileSystem::~FileSystem() = default;

bool FileSystem::mount(std::string_view device_name, const std::string& host_dir, bool read_only, VolumeKind kind,
                       std::string* error) {
  UniqueFd fd(::open(host_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    *error = "cannot open directory " + host_dir;
    return false;
  }
  std::string real;
  if (!real_path(host_dir, &real)) {
    *error = "cannot resolve directory " + host_dir;
    return false;
  }
  int index = names_.add_device(device_name);
  if (index < 0) {
    *error = "bad or duplicate device name " + std::string(device_name);
    return false;
  }
  if (mounts_.size() <= static_cast<size_t>(index)) mounts_.resize(index + 1);
  Mount& m = mounts_[index];
  m.host_root = host_dir;
  m.real_root = real;
  m.root_fd = std::move(fd);
  m.read_only = read_only;
  m.kind = kind;
  return true;
}

NtStatus FileSystem::mount_scratch(std::string_view device_name, std::string_view subdir, std::string_view link) {
  if (scratch_root_.empty()) return kStatusUnsuccessful;
  if (names_.find_device(device_name) >= 0) return kStatusObjectNameCollision;
  if (!link.empty() && names_.find_link(link)) return kStatusObjectNameCollision;
  // The subdirectory: '/'-separated names, created one level at a time.
  std::string host = scratch_root_;
  size_t pos = 0;
  bool any = false;
  while (pos <= subdir.size()) {
    size_t end = subdir.find('/', pos);
    if (end == std::string_view::npos) end = subdir.size();
    std::string_view part = subdir.substr(pos, end - pos);
    if (!valid_file_name(part)) return kStatusObjectNameInvalid;
    host += "/";
    host += part;
    if (::mkdir(host.c_str(), 0755) != 0 && errno != EEXIST) return errno_status(errno);
    any = true;
    pos = end + 1;
  }
  if (!any) return kStatusObjectNameInvalid;
  std::string error;
  if (!mount(device_name, host, false, VolumeKind::kDisk, &error)) return kStatusObjectNameInvalid;
  if (!link.empty()) {
    NtStatus st = names_.add_link(link, device_name);
    if (st != kStatusSuccess) {
      unmount(device_name);
      return st;
    }
  }
  return kStatusSuccess;
}

NtStatus FileSystem::unmount(std::string_view device_name) {
  int index = names_.find_device(device_name);
  if (index < 0) return kStatusObjectNameNotFound;
  names_.remove_device(index);
  mounts_[index].root_fd.reset();
  return kStatusSuccess;
}

bool FileSystem::read_only(int device) const {
  return device < 0 || static_cast<size_t>(device) >= mounts_.size() || mounts_[device].read_only;
}

VolumeInfo FileSystem::volume(int device) const {
  VolumeInfo v{};
  const Mount& m = mounts_.at(device);
  v.kind = m.kind;
  v.read_only = m.read_only;
  v.serial_number = fnv1a32(to_lower(names_.devices().at(device).name_text));
  if (m.kind == VolumeKind::kDisc) {
    // A dual-layer game disc: 2048-byte sectors, nothing free.
    v.bytes_per_sector = 2048;
    v.sectors_per_unit = 1;
    v.total_units = 3697696;
    v.free_units = 0;
    v.fs_name = "GDFX";
    v.max_component_length = 255;
  } else {
    // A 20 GB hard-disk partition with 16 GB free, 16 KB FATX clusters.
    v.bytes_per_sector = 512;
    v.sectors_per_unit = 32;
    v.total_units = (20ull << 30) / (16 * 1024);
    v.free_units = (16ull << 30) / (16 * 1024);
    v.fs_name = "FATX";
    v.max_component_length = 42;
  }
  return v;
}

std::string FileSystem::match_name(int dir_fd, std::string_view name) const {
  UniqueFd rfd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!rfd.valid()) return {};
  DIR* d = ::fdopendir(rfd.get());
  if (!d) return {};
  rfd.release();
  std::string best;
  bool exact = false;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == ".." || !equal_nocase(n, name)) continue;
    if (n == name) {
      best = n;
      exact = true;
      break;
    }
    if (!exact && (best.empty() || compare_nocase(n, best) < 0)) best = n;
  }
  ::closedir(d);
  return best;
}

NtStatus FileSystem::open_node(const Mount& m, int dir_fd, const std::string& host_name, Node* out) const {
  struct stat st;
  if (::fstatat(dir_fd, host_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return kStatusObjectNameNotFound;
  UniqueFd fd;
  if (S_ISLNK(st.st_mode)) {
    // Follow a host symlink only if its real target is inside the device.
    std::string real;
    if (!real_path(proc_path(dir_fd, host_name), &real)) return kStatusObjectNameNotFound;
    if (!inside(real, m.real_root)) return kStatusAccessDenied;
    fd.reset(::open(real.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return kStatusObjectNameNotFound;
  } else {
    fd.reset(::openat(dir_fd, host_name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return kStatusObjectNameNotFound;
  }
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return kStatusAccessDenied;
  out->fd = std::move(fd);
  out->directory = S_ISDIR(st.st_mode);
  return kStatusSuccess;
}

NtStatus FileSystem::walk(const Resolved& where, Node* parent, Node* leaf, std::string* leaf_host_name) const {
  if (!where.ok()) return where.status;
  if (where.device < 0 || static_cast<size_t>(where.device) >= mounts_.size()) return kStatusObjectPathNotFound;
  const Mount& m = mounts_[where.device];
  if (!m.root_fd.valid()) return kStatusObjectPathNotFound;
  UniqueFd cur(::fcntl(m.root_fd.get(), F_DUPFD_CLOEXEC, 0));
  if (!cur.valid()) return kStatusInsufficientResources;
  if (where.rel.empty()) {
    leaf->fd = std::move(cur);
    leaf->directory = true;
    leaf_host_name->clear();
    return kStatusSuccess;
  }
  for (size_t i = 0; i < where.rel.size(); ++i) {
    bool last = i + 1 == where.rel.size();
    std::string host = match_name(cur.get(), where.rel[i]);
    Node node;
    NtStatus st = host.empty() ? kStatusObjectNameNotFound : open_node(m, cur.get(), host, &node);
    if (st == kStatusObjectNameNotFound) {
      if (!last) return kStatusObjectPathNotFound;
      parent->fd = std::move(cur);
      parent->directory = true;
      *leaf_host_name = where.rel[i];
      return kStatusObjectNameNotFound;
    }
    if (st != kStatusSuccess) return st;
    if (!last) {
      if (!node.directory) return kStatusObjectPathNotFound;
      cur = std::move(node.fd);
      continue;
    }
    parent->fd = std::move(cur);
    parent->directory = true;
    *leaf = std::move(node);
    *leaf_host_name = host;
    return kStatusSuccess;
  }
  return kStatusObjectPathNotFound;
}

std::string FileSystem::times_key(const Resolved& where) const { return to_lower(where.canonical); }

void FileSystem::touch_written(const Resolved& where, uint64_t now, bool created) {
  FileTimes& t = times_[times_key(where)];
  if (created) t.creation = now;
  t.last_write = now;
  t.change = now;
  t.last_access = now;
}

NtStatus FileSystem::info_of(int device, const std::string& key, int fd, FileInfo* out) const {
  struct stat st;
  if (::fstat(fd, &st) != 0) return kStatusObjectNameNotFound;
  const Mount& m = mounts_.at(device);
  VolumeInfo v = volume(device);
  FileInfo info;
  info.directory = S_ISDIR(st.st_mode);
  if (info.directory) {
    info.attributes = kAttrDirectory;
  } else {
    info.size = static_cast<uint64_t>(st.st_size);
    info.allocation_size = round_up(info.size, uint64_t{v.sectors_per_unit} * v.bytes_per_sector);
    info.attributes = m.read_only ? kAttrReadOnly : kAttrNormal;
  }
  if (auto it = times_.find(key); it != times_.end()) info.times = it->second;
  *out = info;
  return kStatusSuccess;
}

NtStatus FileSystem::list_dir(int device, int dir_fd, const std::string& canonical, std::vector<DirEntry>* out) const {
  out->clear();
  const Mount& m = mounts_.at(device);
  UniqueFd rfd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!rfd.valid()) return kStatusAccessDenied;
  DIR* d = ::fdopendir(rfd.get());
  if (!d) return kStatusAccessDenied;
  int dfd = rfd.release();
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == ".." || !valid_file_name(n)) continue;
    names.emplace_back(n);
  }
  std::string prefix = to_lower(canonical);
  if (prefix.empty() || prefix.back() != '\\') prefix.push_back('\\');
  for (const std::string& n : names) {
    Node node;
    if (open_node(m, dfd, n, &node) != kStatusSuccess) continue;  // escaping, dangling or special
    DirEntry e;
    e.name = n;
    if (info_of(device, prefix + to_lower(n), node.fd.get(), &e.info) != kStatusSuccess) continue;
    out->push_back(std::move(e));
  }
  ::closedir(d);
  std::sort(out->begin(), out->end(),
            [](const DirEntry& a, const DirEntry& b) { return compare_nocase(a.name, b.name) < 0; });
  return kStatusSuccess;
}

NtStatus FileSystem::stat(const Resolved& where, FileInfo* out) const {
  Node parent, leaf;
  std::string host;
  NtStatus st = walk(where, &parent, &leaf, &host);
  if (st != kStatusSuccess) return st;
  return info_of(where.device, times_key(where), leaf.fd.get(), out);
}

NtStatus FileSystem::open(const Resolved& where, const OpenRequest& req, std::unique_ptr<OpenFile>* out,
                          CreateAction* action) {
  *action = CreateAction::kDoesNotExist;
  Node parent, leaf;
  std::string host;
  NtStatus st = walk(where, &parent, &leaf, &host);
  if (st != kStatusSuccess && st != kStatusObjectNameNotFound) return st;
  bool exists = st == kStatusSuccess;
  bool ro = read_only(where.device);
  if (exists) {
    if (leaf.directory && req.non_directory_file) return kStatusFileIsADirectory;
    if (!leaf.directory && req.directory_file) return kStatusNotADirectory;
  }
  enum { kOpenExisting, kCreateNew, kTruncate } what = kOpenExisting;
  CreateAction act = CreateAction::kOpened;
  switch (req.disposition) {
    case Disposition::kOpen:
      if (!exists) return kStatusObjectNameNotFound;
      break;
    case Disposition::kCreate:
      if (exists) {
        *action = CreateAction::kExists;
        return kStatusObjectNameCollision;
      }
      what = kCreateNew;
      break;
    case Disposition::kOpenIf:
      if (!exists) what = kCreateNew;
      break;
    case Disposition::kOverwrite:
      if (!exists) return kStatusObjectNameNotFound;
      what = kTruncate;
      break;
    case Disposition::kOverwriteIf:
    case Disposition::kSupersede:
      what = exists ? kTruncate : kCreateNew;
      break;
    default:
      return kStatusInvalidParameter;
  }
  if (what == kCreateNew) act = CreateAction::kCreated;
  if (what == kTruncate) {
    act = req.disposition == Disposition::kSupersede ? CreateAction::kSuperseded : CreateAction::kOverwritten;
    if (leaf.directory) return kStatusFileIsADirectory;
  }
  if ((what != kOpenExisting || req.delete_on_close) && ro) return kStatusAccessDenied;
  bool writable = req.want_write && !ro;
  UniqueFd fd;
  bool directory = false;
  if (what == kCreateNew) {
    if (where.rel.empty()) return kStatusObjectNameCollision;
    if (req.directory_file) {
      if (::mkdirat(parent.fd.get(), host.c_str(), 0755) != 0) return errno_status(errno);
      fd.reset(::openat(parent.fd.get(), host.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      directory = true;
      writable = false;
    } else {
      fd.reset(::openat(parent.fd.get(), host.c_str(),
                        (writable ? O_RDWR : O_RDONLY) | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    }
    if (!fd.valid()) return errno_status(errno);
    touch_written(where, req.now, true);
  } else if (leaf.directory) {
    fd.reset(reopen(leaf.fd.get(), O_RDONLY | O_DIRECTORY));
    directory = true;
    writable = false;
    if (!fd.valid()) return errno_status(errno);
  } else {
    int flags = writable || what == kTruncate ? O_RDWR : O_RDONLY;
    if (what == kTruncate) flags |= O_TRUNC;
    fd.reset(reopen(leaf.fd.get(), flags));
    if (!fd.valid()) return errno_status(errno);
    if (what == kTruncate) touch_written(where, req.now, req.disposition == Disposition::kSupersede);
  }
  auto file = std::unique_ptr<OpenFile>(new OpenFile(*this, where, std::move(fd), directory, writable));
  if (req.delete_on_close) {
    NtStatus d = file->set_delete_on_close(true);
    if (d != kStatusSuccess) return d;
  }
  *out = std::move(file);
  *action = act;
  return kStatusSuccess;
}

// ---------------------------------------------------------------- OpenFile

OpenFile::OpenFile(FileSystem& fs, Resolved where, UniqueFd fd, bool directory, bool writable)
    : fs_(fs), where_(std::move(where)), fd_(std::move(fd)), directory_(directory), writable_(writable) {}

OpenFile::~OpenFile() {
  if (!delete_on_close_) return;
  // Find it again and remove it if it is still the same host object.
  FileSystem::Node parent, leaf;
  std::string host;
  if (fs_.walk(where_, &parent, &leaf, &host) != kStatusSuccess || host.empty()) return;
  struct stat a, b;
  if (::fstat(fd_.get(), &a) != 0 || ::fstat(leaf.fd.get(), &b) != 0) return;
  if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) return;
  fd_.reset();
  if (::unlinkat(parent.fd.get(), host.c_str(), directory_ ? AT_REMOVEDIR : 0) == 0) {
    fs_.times_.erase(fs_.times_key(where_));
  }
}

NtStatus OpenFile::read(uint64_t offset, void* buf, uint32_t n, uint32_t* got) {
  *got = 0;
  if (directory_) return kStatusInvalidDeviceRequest;
  if (n == 0) return kStatusSuccess;
  auto* p = static_cast<char*>(buf);
  uint32_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_.get(), p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return kStatusUnsuccessful;
    }
    if (r == 0) break;
    done += static_cast<uint32_t>(r);
  }
  *got = done;
  return done == 0 ? kStatusEndOfFile : kStatusSuccess;
}

NtStatus OpenFile::write(uint64_t offset, const void* buf, uint32_t n, uint32_t* done_out, uint64_t now) {
  *done_out = 0;
  if (directory_) return kStatusInvalidDeviceRequest;
  if (!writable_) return kStatusAccessDenied;
  const auto* p = static_cast<const char*>(buf);
  uint32_t done = 0;
  while (done < n) {
    ssize_t r = ::pwrite(fd_.get(), p + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      *done_out = done;
      return errno_status(errno);
    }
    done += static_cast<uint32_t>(r);
  }
  *done_out = done;
  fs_.touch_written(where_, now, false);
  return kStatusSuccess;
}

NtStatus OpenFile::set_size(uint64_t size, uint64_t now) {
  if (directory_) return kStatusInvalidParameter;
  if (!writable_) return kStatusAccessDenied;
  if (size > static_cast<uint64_t>(INT64_MAX) || ::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
    return errno == EFBIG || errno == EINVAL ? kStatusDiskFull : errno_status(errno);
  }
  fs_.touch_written(where_, now, false);
  return kStatusSuccess;
}

NtStatus OpenFile::info(FileInfo* out) const { return fs_.info_of(where_.device, fs_.times_key(where_), fd_.get(), out); }

NtStatus OpenFile::set_times(const FileTimes& t) {
  if (fs_.read_only(where_.device)) return kStatusAccessDenied;
  FileTimes& cur = fs_.times_[fs_.times_key(where_)];
  if (t.creation) cur.creation = t.creation;
  if (t.last_access) cur.last_access = t.last_access;
  if (t.last_write) cur.last_write = t.last_write;
  if (t.change) cur.change = t.change;
  return kStatusSuccess;
}

NtStatus OpenFile::list(std::vector<DirEntry>* out) const {
  if (!directory_) return kStatusInvalidParameter;
  return fs_.list_dir(where_.device, fd_.get(), where_.canonical, out);
}

NtStatus OpenFile::set_delete_on_close(bool on) {
  if (on) {
    if (fs_.read_only(where_.device)) return kStatusAccessDenied;
    if (where_.rel.empty()) return kStatusCannotDelete;
    if (directory_) {
      std::vector<DirEntry> entries;
      NtStatus st = list(&entries);
      if (st != kStatusSuccess) return st;
      if (!entries.empty()) return kStatusDirectoryNotEmpty;
    }
  }
  delete_on_close_ = on;
  return kStatusSuccess;
}

NtStatus OpenFile::rename(const Resolved& target, bool replace) {
  if (!target.ok()) return target.status;
  if (target.device != where_.device) return kStatusNotSameDevice;
  if (fs_.read_only(where_.device)) return kStatusAccessDenied;
  if (where_.rel.empty() || target.rel.empty()) return kStatusAccessDenied;
  FileSystem::Node sp, sl, tp, tl;
  std::string shost, thost;
  NtStatus st = fs_.walk(where_, &sp, &sl, &shost);
  if (st != kStatusSuccess) return st;
  st = fs_.walk(target, &tp, &tl, &thost);
  if (st == kStatusSuccess) {
    if (!replace) return kStatusObjectNameCollision;
    if (tl.directory) return kStatusAccessDenied;
  } else if (st != kStatusObjectNameNotFound) {
    return st;
  }
  if (::renameat(sp.fd.get(), shost.c_str(), tp.fd.get(), thost.c_str()) != 0) return errno_status(errno);
  auto it = fs_.times_.find(fs_.times_key(where_));
  FileTimes times = it != fs_.times_.end() ? it->second : FileTimes{};
  if (it != fs_.times_.end()) fs_.times_.erase(it);
  where_ = target;
  if (times.creation != kFixedFileTime || times.last_write != kFixedFileTime) fs_.times_[fs_.times_key(where_)] = times;
  return kStatusSuccess;
}

}  // namespace xdet::vfs
