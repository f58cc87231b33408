// Fuzzes `xdet explore --merge`'s reader of --json summaries and the merge.
// Properties beyond "no crash/UB/leak": a bad file is an InputError and a
// bad merge an Error(kUsage), nothing else; a summary that parses writes
// back JSON that parses to the same summary; merging it with itself either
// fails (overlapping seeds) or, for an empty one, is a no-op.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "explore/summary.h"

using xdet::explore::Summary;

namespace {

[[noreturn]] void die(const char* what, const std::string& text) {
  std::fprintf(stderr, "%s\n%s\n", what, text.c_str());
  std::abort();
}

bool same(const Summary& a, const Summary& b) {
  if (a.xex != b.xex || a.options != b.options || a.seed_ranges != b.seed_ranges || a.schedules != b.schedules ||
      a.clean != b.clean || a.failures.size() != b.failures.size())
    return false;
  for (size_t i = 0; i < a.failures.size(); ++i) {
    const auto& x = a.failures[i];
    const auto& y = b.failures[i];
    if (x.kind != y.kind || x.signature != y.signature || x.seed != y.seed || x.count != y.count ||
        x.exit_code != y.exit_code || x.command != y.command || x.detail != y.detail)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Summary s;
  try {
    s = xdet::explore::parse_summary(text, "fuzz.json");
  } catch (const xdet::InputError&) {
    return 0;
  }
  std::string json = s.to_json();
  Summary again;
  try {
    again = xdet::explore::parse_summary(json, "fuzz.json");
  } catch (const xdet::InputError& e) {
    die(e.what(), json);
  }
  if (!same(s, again)) die("to_json does not read back as the same summary", json);
  (void)s.to_text();
  try {
    Summary m = xdet::explore::merge_summaries({s});
    (void)m.to_json();
    Summary twice = xdet::explore::merge_summaries({s, s});
    if (!s.seed_ranges.empty()) die("merging a summary with itself did not report overlapping seeds", json);
    (void)twice.to_json();
  } catch (const xdet::Error& e) {
    if (e.code() != xdet::ExitCode::kUsage) die(e.what(), json);
  }
  return 0;
}
