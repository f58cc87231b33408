#include "base/output_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "base/error.h"

namespace xdet {

void create_parent_dirs(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw OutputError(fmt::format("cannot create folder {} for {}: {}", parent.string(), path, ec.message()));
}

FILE* open_output_file(const std::string& path, const char* what) {
  create_parent_dirs(path);
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw OutputError(fmt::format("cannot open {} {}: {}", what, path, std::strerror(errno)));
  return f;
}

void write_output_file(const std::string& path, const void* data, size_t size, const char* what) {
  FILE* f = open_output_file(path, what);
  size_t n = std::fwrite(data, 1, size, f);
  int werr = n == size ? 0 : errno;
  if (std::fclose(f) != 0 && !werr) werr = errno ? errno : EIO;
  if (n != size || werr) throw OutputError(fmt::format("writing {} {} failed: {}", what, path, std::strerror(werr ? werr : EIO)));
}

}  // namespace xdet
