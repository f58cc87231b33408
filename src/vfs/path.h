#pragma once
// Guest path canonicalisation: the object namespace the console's I/O
// manager walks before a file system sees a name.
//
// A guest names a file with an ANSI string such as "game:\Media\a.bin",
// "GAME:/media/A.BIN", "\??\d:\x" or "\Device\Cdrom0\x". Canonicalisation:
//   * '\' and '/' both separate components; empty components vanish;
//   * a name that does not start with a separator is relative to the
//     DOS-device directory \?? ("game:\a" = "\??\game:\a"; "d:a" = "\??\d:\a");
//   * symbolic links (ObCreateSymbolicLink; "\??\game:" -> "\Device\Cdrom0")
//     replace the longest matching prefix, repeatedly (at most kMaxLinkDepth);
//   * the longest matching device name ("\Device\Harddisk0\Partition1") ends
//     the namespace part; the rest is relative to the device root;
//   * in that rest '.' vanishes and '..' removes the previous component;
//     '..' at the device root is refused (OBJECT_NAME_INVALID): a guest path
//     can never leave its device;
//   * names, links and devices compare case-insensitively (ASCII).
// Characters the console refuses in names (controls, bytes >= 0x7F,
// '"' '*' '+' ',' '<' '>' '?' '|', and ':' inside a device-relative name)
// give OBJECT_NAME_INVALID. No host path is involved here: this layer is
// pure string work (fuzz/vfs/fuzz_vfs_path.cpp drives it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ntstatus.h"

namespace xdet::vfs {

using Components = std::vector<std::string>;

inline constexpr int kMaxLinkDepth = 16;
inline constexpr size_t kMaxComponentLength = 255;
inline constexpr size_t kMaxPathLength = 0xFFFF;  // an ANSI_STRING's Length

// ASCII case-insensitive equality.
bool equal_nocase(std::string_view a, std::string_view b);
// The listing order: case-insensitive byte order, ties broken by the raw
// bytes (so "A.txt" < "a.txt"): a total, host-independent order.
int compare_nocase(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

// A device-relative file name the console accepts.
bool valid_file_name(std::string_view name);
// A directory-search pattern: a file name that may also hold '*' and '?'.
bool valid_pattern(std::string_view pattern);
// DOS wildcard match ('*' any run, '?' one character; "*.*" matches every
// name, as on the console), case-insensitive.
bool wildcard_match(std::string_view pattern, std::string_view name);

// Splits a guest path into object-namespace components (see above).
// OBJECT_NAME_INVALID for an empty or malformed path.
NtStatus split_guest_path(std::string_view raw, bool dos_relative, Components* out);

// "\a\b" (empty components -> "\").
std::string join_path(const Components& c, size_t from = 0);

// Result of resolving a guest path.
struct Resolved {
  NtStatus status = kStatusObjectPathNotFound;
  int device = -1;       // index into the namespace's devices
  Components rel;        // device-relative components, guest spelling
  std::string canonical; // "\Device\...\rel" (device in its registered spelling)
  bool ok() const { return status == kStatusSuccess; }
};

// Devices and symbolic links of the guest object namespace.
class Namespace {
 public:
  struct Link {
    Components name;    // e.g. {"??", "game:"}
    Components target;  // e.g. {"Device", "Cdrom0"}
    std::string name_text, target_text;
  };
  struct Device {
    Components name;
    std::string name_text;
    bool present = false;  // false once unmounted (indices stay stable)
  };

  // Registers a device name ("\Device\Cdrom0"); returns its index, or -1 if
  // the name is malformed or already registered.
  int add_device(std::string_view name);
  bool remove_device(int index);
  const std::vector<Device>& devices() const { return devices_; }
  int find_device(std::string_view name) const;

  // ObCreateSymbolicLink: SUCCESS, OBJECT_NAME_INVALID (malformed name or a
  // '.'/'..' in the target) or OBJECT_NAME_COLLISION (the link exists).
  NtStatus add_link(std::string_view name, std::string_view target);
  // ObDeleteSymbolicLink: SUCCESS or OBJECT_NAME_NOT_FOUND.
  NtStatus remove_link(std::string_view name);
  // The link named exactly `name` (any spelling), or null.
  const Link* find_link(std::string_view name) const;
  const std::vector<Link>& links() const { return links_; }

  // Resolves a guest path (dos_relative: a name without a leading separator
  // is under \??, as with OBJECT_ATTRIBUTES.RootDirectory 0 or 0xFFFFFFFD).
  Resolved resolve(std::string_view raw, bool dos_relative = true) const;
  // Resolves `relative` against an already resolved directory (an
  // OBJECT_ATTRIBUTES.RootDirectory file handle).
  Resolved resolve_relative(const Resolved& base, std::string_view relative) const;
  // Resolves namespace components.
  Resolved resolve_components(Components comps) const;

 private:
  std::vector<Device> devices_;
  std::vector<Link> links_;
};

}  // namespace xdet::vfs
