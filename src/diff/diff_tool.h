#pragma once
// `xdet diff` end to end: the reference's main() after argument parsing.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace xdet::diff {

struct DiffOptions {
  std::string canary;
  std::string ours;
  std::optional<std::string> out;
  std::optional<std::string> tid_map;
  bool validate_identical = false;
  bool no_canonicalize_allocators = false;
  bool no_canonicalize_host_heap_fields = false;
  std::string disable_absorber;
  std::optional<std::string> emit_absorbed_events;
};

// Runs the diff; writes the report and messages exactly where the reference
// does. Returns the exit code (0, 1 or 2).
int run_diff(const DiffOptions& opts);

// Python int(s, 0); false where Python raises ValueError (or beyond int64).
bool parse_python_int_base0(std::string_view s, int64_t& out);
// parse_tid_map_arg; throws DiffFailure like the reference.
std::map<int64_t, int64_t> parse_tid_map(const std::string& s);

}  // namespace xdet::diff
