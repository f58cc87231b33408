#pragma once
// Fuzz inputs handed to readers that take a path: the bytes in an anonymous
// in-memory file, named through /proc/self/fd.
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <string_view>

namespace xdet::fuzz {

class MemFile {
 public:
  explicit MemFile(std::string_view bytes) {
    fd_ = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd_ < 0) return;
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~MemFile() {
    if (fd_ >= 0) close(fd_);
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Splits "A<sep>B" (B empty when `sep` is absent).
inline std::pair<std::string_view, std::string_view> split_input(std::string_view in, std::string_view sep) {
  size_t at = in.find(sep);
  if (at == std::string_view::npos) return {in, {}};
  return {in.substr(0, at), in.substr(at + sep.size())};
}

}  // namespace xdet::fuzz
