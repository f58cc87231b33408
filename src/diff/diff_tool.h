#pragma once
// `xdet diff` end to end: the reference's main() after argument parsing.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diff/trace_index.h"

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

// Python int(s, 0) on ASCII text (see py_int_ascii); false where Python
// raises ValueError. `decimal` gets the value's decimal digits (any size).
bool parse_python_int_base0(std::string_view s, std::string& decimal);
// The same, false also beyond int64.
bool parse_python_int_base0(std::string_view s, int64_t& out);
// parse_tid_map_arg: {canary: ours} in insertion order (a repeated canary
// tid keeps its place and takes the last value); throws DiffFailure like the
// reference.
std::vector<std::pair<TidKey, TidKey>> parse_tid_map(const std::string& s);

}  // namespace xdet::diff
