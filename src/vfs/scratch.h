#pragma once
// The per-run scratch directory behind the writable devices (cache:, the
// hard-disk partition, XAM content and save data): created fresh for every
// run (mkdtemp under $TMPDIR or /tmp) and removed with everything in it when
// the run ends, unless kept (`xdet run --keep-scratch`).
#include <memory>
#include <string>

namespace xdet::vfs {

class ScratchDir {
 public:
  // A new empty directory "xdet-scratch-XXXXXX" under `parent` (empty =
  // $TMPDIR or /tmp). Null and *error set on failure.
  static std::unique_ptr<ScratchDir> create(const std::string& parent, std::string* error);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  void set_keep(bool keep) { keep_ = keep; }
  bool keep() const { return keep_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool keep_ = false;
};

}  // namespace xdet::vfs
