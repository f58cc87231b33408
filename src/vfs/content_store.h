#pragma once
// The content store behind XAM's content packages (saved games, downloadable
// content, ...): one host directory per package, plus the package's
// XCONTENT_DATA header kept beside it so enumerations can report display
// names. Layout under the store's root:
//
//   Packages/<owner XUID, 16 hex>/<title id, 8 hex>/<content type, 8 hex>/<file name>/...
//   Headers/<owner XUID>/<title id>/<content type>/<file name>
//
// The root is `<scratch>/Content` (fresh per run) or a folder the user names
// (`xdet run --content-dir`, which persists between runs). Names come from the
// guest, so every component is checked with valid_file_name() before it
// reaches the host; a package's own files are then reached only through a
// FileSystem device mounted on its directory, with that layer's rules.
// Listings are sorted (compare_nocase), never in host order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ntstatus.h"

namespace xdet::vfs {

struct ContentKey {
  uint64_t owner = 0;  // the owning profile's XUID; 0 for content shared by all profiles
  uint32_t title_id = 0;
  uint32_t content_type = 0;
  std::string file_name;  // the package's name (XCONTENT_DATA.szFileName)
};

class ContentStore {
 public:
  // `root` is created (with parents) on first use.
  explicit ContentStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // A package name the store accepts: valid_file_name() and at most 42
  // characters (the size of XCONTENT_DATA.szFileName).
  static bool valid_name(std::string_view file_name);

  bool exists(const ContentKey& key) const;
  // Creates the package's (empty) directory and writes its header.
  // OBJECT_NAME_INVALID for a bad name, OBJECT_NAME_COLLISION if it exists.
  NtStatus create(const ContentKey& key, const std::vector<uint8_t>& header);
  // Removes the package's directory tree and header. OBJECT_NAME_NOT_FOUND
  // if absent.
  NtStatus remove(const ContentKey& key);
  // The host directory of an existing package (for mounting), or "".
  std::string package_dir(const ContentKey& key) const;
  // The stored header ("" if absent or unreadable).
  std::vector<uint8_t> header(const ContentKey& key) const;
  // The packages of (owner, title, type), sorted by name.
  std::vector<std::string> list(uint64_t owner, uint32_t title_id, uint32_t content_type) const;

 private:
  std::string type_dir(const char* area, uint64_t owner, uint32_t title_id, uint32_t content_type) const;
  std::string root_;
};

}  // namespace xdet::vfs
