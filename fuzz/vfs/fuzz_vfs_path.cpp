// Guest path canonicalisation on arbitrary bytes: a random namespace (device
// names and symbolic links, possibly chained or looping) and random paths.
// Whatever the input, a resolved path names a registered device, its
// device-relative components are valid file names (no '.', '..', empty,
// separators, ':' or wildcards: nothing that could climb out of the device
// on the host), its canonical form is the device name plus those
// components, and resolving the canonical form again gives the same result.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vfs/path.h"

using namespace xdet;
using namespace xdet::vfs;

namespace {

// Splits the input on 0xFF bytes into fields.
struct Fields {
  std::string_view rest;
  bool next(std::string_view* out) {
    if (rest.empty()) return false;
    size_t end = rest.find('\xff');
    *out = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    return true;
  }
};

void check(bool cond) {
  if (!cond) std::abort();
}

void check_resolved(const Namespace& ns, const Resolved& r) {
  if (!r.ok()) {
    check(r.status == kStatusObjectNameInvalid || r.status == kStatusObjectPathNotFound ||
          r.status == kStatusInvalidHandle);
    return;
  }
  check(r.device >= 0 && static_cast<size_t>(r.device) < ns.devices().size());
  const Namespace::Device& d = ns.devices()[r.device];
  check(d.present);
  std::string expect = d.name_text;
  for (const std::string& c : r.rel) {
    check(valid_file_name(c));
    check(c.find_first_of("\\/:*?") == std::string::npos && c != "." && c != "..");
    expect += "\\" + c;
  }
  check(r.canonical == expect);
  // Unless a link's name shadows part of it, the canonical form is a fixed
  // point.
  Components comps;
  check(split_guest_path(r.canonical, false, &comps) == kStatusSuccess);
  for (const Namespace::Link& l : ns.links()) {
    if (l.name.size() > comps.size()) continue;
    bool prefix = true;
    for (size_t i = 0; i < l.name.size() && prefix; ++i) prefix = equal_nocase(l.name[i], comps[i]);
    if (prefix) return;
  }
  Resolved again = ns.resolve(r.canonical, false);
  check(again.ok() && again.device == r.device && again.canonical == r.canonical && again.rel == r.rel);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fields f{std::string_view(reinterpret_cast<const char*>(data), size)};
  Namespace ns;
  std::string_view field;
  // Header byte: how many devices and links to take from the input.
  if (!f.next(&field) || field.empty()) return 0;
  unsigned devices = static_cast<unsigned char>(field[0]) % 4, links = (static_cast<unsigned char>(field[0]) >> 2) % 6;
  ns.add_device("\\Device\\Cdrom0");
  for (unsigned i = 0; i < devices && f.next(&field); ++i) ns.add_device(field);
  for (unsigned i = 0; i < links; ++i) {
    std::string_view name, target;
    if (!f.next(&name) || !f.next(&target)) break;
    NtStatus st = ns.add_link(name, target);
    check(st == kStatusSuccess || st == kStatusObjectNameInvalid || st == kStatusObjectNameCollision);
  }
  ns.add_link("game:", "\\Device\\Cdrom0");
  while (f.next(&field)) {
    Resolved r = ns.resolve(field, true);
    check_resolved(ns, r);
    if (r.ok()) {
      // Relative lookups from a resolved directory stay on its device too.
      Resolved rel = ns.resolve_relative(r, "..\\x");
      check_resolved(ns, rel);
      if (rel.ok()) check(rel.device == r.device);
    }
    check_resolved(ns, ns.resolve(field, false));
    Components comps;
    if (split_guest_path(field, true, &comps) == kStatusSuccess) {
      for (const std::string& c : comps) check(!c.empty() && c.find_first_of("\\/") == std::string::npos);
    }
    // The listing order is a strict weak order consistent with equality.
    std::string_view other = field.substr(field.size() / 2);
    int ab = compare_nocase(field, other), ba = compare_nocase(other, field);
    check(ab == -ba);
    check((ab == 0) == (field == other));
    if (valid_pattern(field)) (void)wildcard_match(field, other);
  }
  return 0;
}
