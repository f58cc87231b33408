#include "vfs/scratch.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace xdet::vfs {

std::unique_ptr<ScratchDir> ScratchDir::create(const std::string& parent, std::string* error) {
  std::string base = parent;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = base + "/xdet-scratch-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    *error = "cannot create a scratch directory under " + base;
    return nullptr;
  }
  return std::unique_ptr<ScratchDir>(new ScratchDir(buf.data()));
}

ScratchDir::~ScratchDir() {
  if (keep_ || path_.empty()) return;
  // remove_all does not follow symlinks: only what is inside goes.
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace xdet::vfs
