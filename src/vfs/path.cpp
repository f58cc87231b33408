#include "vfs/path.h"

#include <algorithm>

namespace xdet::vfs {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters no guest name may hold (the separators are handled by the
// splitter, ':' only inside device-relative names).
bool forbidden_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7F) return true;
  switch (c) {
    case '"': case '+': case ',': case '<': case '>': case '|': case '*': case '?':
      return true;
    default:
      return false;
  }
}

bool components_prefix(const Components& whole, const Components& prefix) {
  if (prefix.size() > whole.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (!equal_nocase(whole[i], prefix[i])) return false;
  }
  return true;
}

}  // namespace

bool equal_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

int compare_nocase(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto ca = static_cast<unsigned char>(lower(a[i])), cb = static_cast<unsigned char>(lower(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int raw = a.compare(b);
  return raw < 0 ? -1 : raw > 0 ? 1 : 0;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool valid_file_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxComponentLength || name == "." || name == "..") return false;
  for (char c : name) {
    if (forbidden_char(c) || c == ':' || c == '\\' || c == '/') return false;
  }
  return true;
}

bool valid_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.size() > kMaxComponentLength) return false;
  for (char c : pattern) {
    if (c == '*' || c == '?') continue;
    if (forbidden_char(c) || c == ':' || c == '\\' || c == '/') return false;
  }
  return true;
}

bool wildcard_match(std::string_view pattern, std::string_view name) {
  if (pattern == "*.*" || pattern == "*") return true;
  // Greedy match with one backtrack point per '*' (linear in practice).
  size_t p = 0, n = 0, star = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(name[n]))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

NtStatus split_guest_path(std::string_view raw, bool dos_relative, Components* out) {
  out->clear();
  if (raw.empty() || raw.size() > kMaxPathLength) return kStatusObjectNameInvalid;
  bool absolute = raw[0] == '\\' || raw[0] == '/';
  if (!absolute) {
    if (!dos_relative) return kStatusObjectNameInvalid;
    out->push_back("??");
  }
  std::string cur;
  auto flush = [&]() {
    if (!cur.empty()) out->push_back(std::move(cur));
    cur.clear();
  };
  for (char c : raw) {
    if (c == '\\' || c == '/') {
      flush();
      continue;
    }
    if (c != ':' && c != '?' && c != '*' && forbidden_char(c)) return kStatusObjectNameInvalid;
    cur.push_back(c);
    if (cur.size() > kMaxComponentLength) return kStatusObjectNameInvalid;
  }
  flush();
  // Wildcards name nothing; "??" (the DOS-device directory) may only lead.
  for (size_t i = 0; i < out->size(); ++i) {
    const std::string& comp = (*out)[i];
    if (comp.find_first_of("*?") != std::string::npos && !(i == 0 && comp == "??")) return kStatusObjectNameInvalid;
  }
  // "d:file" is "\??\d:\file": a DOS device name ends at its colon.
  if (out->size() >= 2 && (*out)[0] == "??") {
    std::string& dev = (*out)[1];
    size_t colon = dev.find(':');
    if (colon != std::string::npos && colon + 1 < dev.size()) {
      std::string rest = dev.substr(colon + 1);
      dev.resize(colon + 1);
      out->insert(out->begin() + 2, std::move(rest));
    }
  }
  if (out->empty()) return kStatusObjectNameInvalid;
  return kStatusSuccess;
}

std::string join_path(const Components& c, size_t from) {
  std::string s;
  for (size_t i = from; i < c.size(); ++i) {
    s.push_back('\\');
    s += c[i];
  }
  if (s.empty()) s.assign(1, '\\');
  return s;
}

int Namespace::add_device(std::string_view name) {
  Components comps;
  if (split_guest_path(name, false, &comps) != kStatusSuccess) return -1;
  for (const std::string& c : comps) {
    if (c == "." || c == "..") return -1;
  }
  if (find_device(name) >= 0) return -1;
  devices_.push_back({comps, join_path(comps), true});
  return static_cast<int>(devices_.size() - 1);
}

bool Namespace::remove_device(int index) {
  if (index < 0 || static_cast<size_t>(index) >= devices_.size() || !devices_[index].present) return false;
  devices_[index].present = false;
  return true;
}

int Namespace::find_device(std::string_view name) const {
  Components comps;
  if (split_guest_path(name, false, &comps) != kStatusSuccess) return -1;
  for (size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    if (d.present && d.name.size() == comps.size() && components_prefix(comps, d.name)) return static_cast<int>(i);
  }
  return -1;
}

NtStatus Namespace::add_link(std::string_view name, std::string_view target) {
  Link l;
  if (split_guest_path(name, true, &l.name) != kStatusSuccess) return kStatusObjectNameInvalid;
  if (split_guest_path(target, true, &l.target) != kStatusSuccess) return kStatusObjectNameInvalid;
  for (const Components* c : {&l.name, &l.target}) {
    for (const std::string& s : *c) {
      if (s == "." || s == "..") return kStatusObjectNameInvalid;
    }
  }
  if (find_link(name)) return kStatusObjectNameCollision;
  l.name_text = join_path(l.name);
  l.target_text = join_path(l.target);
  links_.push_back(std::move(l));
  return kStatusSuccess;
}

const Namespace::Link* Namespace::find_link(std::string_view name) const {
  Components comps;
  if (split_guest_path(name, true, &comps) != kStatusSuccess) return nullptr;
  for (const Link& l : links_) {
    if (l.name.size() == comps.size() && components_prefix(comps, l.name)) return &l;
  }
  return nullptr;
}

NtStatus Namespace::remove_link(std::string_view name) {
  const Link* l = find_link(name);
  if (!l) return kStatusObjectNameNotFound;
  links_.erase(links_.begin() + (l - links_.data()));
  return kStatusSuccess;
}

Resolved Namespace::resolve(std::string_view raw, bool dos_relative) const {
  Components comps;
  NtStatus st = split_guest_path(raw, dos_relative, &comps);
  if (st != kStatusSuccess) {
    Resolved r;
    r.status = st;
    return r;
  }
  return resolve_components(std::move(comps));
}

Resolved Namespace::resolve_relative(const Resolved& base, std::string_view relative) const {
  Resolved r;
  if (!base.ok() || base.device < 0) {
    r.status = kStatusInvalidHandle;
    return r;
  }
  Components comps = devices_[base.device].name;
  comps.insert(comps.end(), base.rel.begin(), base.rel.end());
  if (!relative.empty()) {
    // Relative to a directory: a leading separator does not make it absolute.
    std::string rel(relative);
    if (rel[0] != '\\' && rel[0] != '/') rel.insert(rel.begin(), '\\');
    Components extra;
    NtStatus st = split_guest_path(rel, false, &extra);
    if (st != kStatusSuccess) {
      r.status = st;
      return r;
    }
    comps.insert(comps.end(), extra.begin(), extra.end());
  }
  return resolve_components(std::move(comps));
}

Resolved Namespace::resolve_components(Components comps) const {
  Resolved r;
  // Symbolic links: longest prefix first, repeatedly.
  for (int depth = 0;; ++depth) {
    const Link* best = nullptr;
    for (const Link& l : links_) {
      if (components_prefix(comps, l.name) && (!best || l.name.size() > best->name.size())) best = &l;
    }
    if (!best) break;
    if (depth == kMaxLinkDepth) {
      r.status = kStatusObjectPathNotFound;
      return r;
    }
    Components next = best->target;
    next.insert(next.end(), comps.begin() + static_cast<std::ptrdiff_t>(best->name.size()), comps.end());
    comps = std::move(next);
  }
  int dev = -1;
  for (size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    if (d.present && components_prefix(comps, d.name) &&
        (dev < 0 || d.name.size() > devices_[dev].name.size())) {
      dev = static_cast<int>(i);
    }
  }
  if (dev < 0) {
    r.status = kStatusObjectPathNotFound;
    return r;
  }
  for (size_t i = devices_[dev].name.size(); i < comps.size(); ++i) {
    std::string& c = comps[i];
    if (c == ".") continue;
    if (c == "..") {
      if (r.rel.empty()) {
        r.status = kStatusObjectNameInvalid;  // above the device root
        r.rel.clear();
        return r;
      }
      r.rel.pop_back();
      continue;
    }
    if (!valid_file_name(c)) {
      r.status = kStatusObjectNameInvalid;
      r.rel.clear();
      return r;
    }
    r.rel.push_back(std::move(c));
  }
  // After '..', the path may now lie under a longer (nested) device name:
  // it belongs to that device, so the canonical form resolves the same way.
  Components full = devices_[dev].name;
  full.insert(full.end(), r.rel.begin(), r.rel.end());
  for (size_t i = 0; i < devices_.size(); ++i) {
    const Device& d = devices_[i];
    if (d.present && d.name.size() > devices_[dev].name.size() && components_prefix(full, d.name)) {
      dev = static_cast<int>(i);
    }
  }
  r.rel.assign(full.begin() + static_cast<std::ptrdiff_t>(devices_[dev].name.size()), full.end());
  r.device = dev;
  r.canonical = devices_[dev].name_text;
  for (const std::string& c : r.rel) {
    r.canonical.push_back('\\');
    r.canonical += c;
  }
  r.status = kStatusSuccess;
  return r;
}

}  // namespace xdet::vfs
