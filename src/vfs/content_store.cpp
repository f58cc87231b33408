#include "vfs/content_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "vfs/path.h"

namespace xdet::vfs {

namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxPackageName = 42;
constexpr size_t kMaxHeaderBytes = 4096;
}  // namespace

bool ContentStore::valid_name(std::string_view file_name) {
  return !file_name.empty() && file_name.size() <= kMaxPackageName && valid_file_name(file_name);
}

std::string ContentStore::type_dir(const char* area, uint64_t owner, uint32_t title_id, uint32_t content_type) const {
  return fmt::format("{}/{}/{:016X}/{:08X}/{:08X}", root_, area, owner, title_id, content_type);
}

std::string ContentStore::package_dir(const ContentKey& key) const {
  if (!valid_name(key.file_name)) return {};
  std::string dir = type_dir("Packages", key.owner, key.title_id, key.content_type) + "/" + key.file_name;
  std::error_code ec;
  // symlink_status: a package directory is never a symlink the store did not make.
  return fs::is_directory(fs::symlink_status(dir, ec)) ? dir : std::string();
}

bool ContentStore::exists(const ContentKey& key) const { return !package_dir(key).empty(); }

NtStatus ContentStore::create(const ContentKey& key, const std::vector<uint8_t>& header) {
  if (!valid_name(key.file_name)) return kStatusObjectNameInvalid;
  if (exists(key)) return kStatusObjectNameCollision;
  std::string dir = type_dir("Packages", key.owner, key.title_id, key.content_type) + "/" + key.file_name;
  std::string hdir = type_dir("Headers", key.owner, key.title_id, key.content_type);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return kStatusUnsuccessful;
  fs::create_directories(hdir, ec);
  if (ec) return kStatusUnsuccessful;
  std::ofstream out(hdir + "/" + key.file_name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(header.data()), static_cast<std::streamsize>(header.size()));
  return out ? kStatusSuccess : kStatusUnsuccessful;
}

NtStatus ContentStore::remove(const ContentKey& key) {
  std::string dir = package_dir(key);
  if (dir.empty()) return kStatusObjectNameNotFound;
  std::error_code ec;
  // remove_all deletes symlinks themselves, never what they point to.
  fs::remove_all(dir, ec);
  if (ec) return kStatusUnsuccessful;
  fs::remove(type_dir("Headers", key.owner, key.title_id, key.content_type) + "/" + key.file_name, ec);
  return kStatusSuccess;
}

std::vector<uint8_t> ContentStore::header(const ContentKey& key) const {
  if (!valid_name(key.file_name)) return {};
  std::ifstream in(type_dir("Headers", key.owner, key.title_id, key.content_type) + "/" + key.file_name,
                   std::ios::binary);
  std::vector<uint8_t> bytes(kMaxHeaderBytes);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

std::vector<std::string> ContentStore::list(uint64_t owner, uint32_t title_id, uint32_t content_type) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(type_dir("Packages", owner, title_id, content_type), ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (valid_name(name) && it->is_directory(ec) && !it->is_symlink(ec)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return compare_nocase(a, b) < 0; });
  return names;
}

}  // namespace xdet::vfs
