#include "explore/summary.h"

#include <algorithm>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/error.h"
#include "trace/jsonl_writer.h"

namespace xdet::explore {

namespace {

void add_failure(std::vector<FailureGroup>& groups, FailureGroup g) {
  for (FailureGroup& e : groups) {
    if (e.kind != g.kind || e.signature != g.signature) continue;
    e.count += g.count;
    if (g.seed < e.seed) {
      e.seed = g.seed;
      e.command = std::move(g.command);
      e.exit_code = g.exit_code;
      e.detail = std::move(g.detail);
    }
    return;
  }
  groups.push_back(std::move(g));
}

void add_range(std::vector<std::pair<uint64_t, uint64_t>>& ranges, uint64_t a, uint64_t b) {
  ranges.emplace_back(a, b);
  std::sort(ranges.begin(), ranges.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (auto r : ranges) {
    if (!merged.empty() && merged.back().second != UINT64_MAX && r.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

// Length of the valid UTF-8 sequence at s[i] (0 if there is none).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  return n;
}

// A host text (paths, commands, messages) as a JSON string. Unlike guest
// strings in traces, these are UTF-8: kept as they are so that
// parse_summary reads back the same text (a path with "é" must replay as
// itself after --merge). Bytes that are not UTF-8 are escaped one by one.
void append_host_text(fmt::memory_buffer& b, std::string_view s) {
  auto out = std::back_inserter(b);
  b.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_sequence(s, i);
    if (n > 1) {
      b.append(s.data() + i, s.data() + i + n);
      i += n;
      continue;
    }
    if (c == '"' || c == '\\') {
      b.push_back('\\');
      b.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7F) {
      fmt::format_to(out, "\\u{:04x}", c);
    } else {
      b.push_back(static_cast<char>(c));
    }
    ++i;
  }
  b.push_back('"');
}

}  // namespace

void Summary::add(const RunSpec& spec, const ScheduleOutcome& o) {
  ++schedules;
  add_range(seed_ranges, o.seed, o.seed);
  if (o.kind == FailureKind::kNone) {
    ++clean;
    return;
  }
  add_failure(failures, FailureGroup{o.kind, o.signature, o.seed, 1, o.exit_code,
                                     replay_command(spec, o.seed, o.kind), o.detail});
}

void Summary::finish() {
  std::sort(failures.begin(), failures.end(), [](const FailureGroup& a, const FailureGroup& b) {
    if (a.seed != b.seed) return a.seed < b.seed;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.signature < b.signature;
  });
}

std::string Summary::to_json() const {
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  fmt::format_to(out, "{{\n  \"xex\": ");
  append_host_text(b, xex);
  fmt::format_to(out, ",\n  \"options\": ");
  append_host_text(b, options);
  fmt::format_to(out, ",\n  \"seed_ranges\": [");
  for (size_t i = 0; i < seed_ranges.size(); ++i) {
    fmt::format_to(out, "{}[{}, {}]", i ? ", " : "", seed_ranges[i].first, seed_ranges[i].second);
  }
  fmt::format_to(out, "],\n  \"schedules\": {},\n  \"clean\": {},\n  \"failures\": [", schedules, clean);
  for (size_t i = 0; i < failures.size(); ++i) {
    const FailureGroup& f = failures[i];
    fmt::format_to(out, "{}\n    {{\"kind\": \"{}\", \"seed\": {}, \"count\": {}, \"exit_code\": {}, \"signature\": ",
                   i ? "," : "", failure_kind_name(f.kind), f.seed, f.count, f.exit_code);
    append_host_text(b, f.signature);
    fmt::format_to(out, ", \"command\": ");
    append_host_text(b, f.command);
    fmt::format_to(out, ", \"detail\": ");
    append_host_text(b, f.detail);
    fmt::format_to(out, "}}");
  }
  fmt::format_to(out, "{}]\n}}\n", failures.empty() ? "" : "\n  ");
  return fmt::to_string(b);
}

std::string Summary::to_text() const {
  std::string s = fmt::format("{} schedules of {}: {} clean, {} distinct failure{}\n", schedules, xex, clean,
                              failures.size(), failures.size() == 1 ? "" : "s");
  for (const FailureGroup& f : failures) {
    s += fmt::format("\n{} (exit {}): {} of {} schedules, smallest seed {}\n  signature: {}\n  detail:    {}\n  replay:    {}\n",
                     failure_kind_name(f.kind), f.exit_code, f.count, schedules, f.seed, f.signature, f.detail,
                     f.command);
  }
  return s;
}

Summary parse_summary(const std::string& text, const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) throw InputError(path + ": not a JSON document");
  auto fail = [&path](const char* what) -> InputError {
    return InputError(fmt::format("{}: not an explore summary ({})", path, what));
  };
  Summary s;
  std::string_view sv;
  uint64_t u = 0;
  int64_t i64 = 0;
  if (root["xex"].get(sv) != simdjson::SUCCESS) throw fail("no \"xex\"");
  s.xex = std::string(sv);
  if (root["options"].get(sv) != simdjson::SUCCESS) throw fail("no \"options\"");
  s.options = std::string(sv);
  if (root["schedules"].get(s.schedules) != simdjson::SUCCESS) throw fail("no \"schedules\"");
  if (root["clean"].get(s.clean) != simdjson::SUCCESS) throw fail("no \"clean\"");
  simdjson::dom::array ranges, failures;
  if (root["seed_ranges"].get(ranges) != simdjson::SUCCESS) throw fail("no \"seed_ranges\"");
  for (simdjson::dom::element r : ranges) {
    simdjson::dom::array pair;
    uint64_t a = 0, b = 0;
    if (r.get(pair) != simdjson::SUCCESS || pair.size() != 2 || pair.at(0).get(a) != simdjson::SUCCESS ||
        pair.at(1).get(b) != simdjson::SUCCESS || a > b) {
      throw fail("bad seed range");
    }
    s.seed_ranges.emplace_back(a, b);
  }
  if (root["failures"].get(failures) != simdjson::SUCCESS) throw fail("no \"failures\"");
  for (simdjson::dom::element f : failures) {
    FailureGroup g;
    if (f["kind"].get(sv) != simdjson::SUCCESS || !parse_failure_kind(sv, &g.kind) || g.kind == FailureKind::kNone) {
      throw fail("bad failure kind");
    }
    if (f["seed"].get(g.seed) != simdjson::SUCCESS) throw fail("failure without seed");
    if (f["count"].get(g.count) != simdjson::SUCCESS) throw fail("failure without count");
    if (f["exit_code"].get(i64) != simdjson::SUCCESS) throw fail("failure without exit_code");
    g.exit_code = static_cast<int>(i64);
    if (f["signature"].get(sv) != simdjson::SUCCESS) throw fail("failure without signature");
    g.signature = std::string(sv);
    if (f["command"].get(sv) != simdjson::SUCCESS) throw fail("failure without command");
    g.command = std::string(sv);
    if (f["detail"].get(sv) == simdjson::SUCCESS) g.detail = std::string(sv);
    s.failures.push_back(std::move(g));
  }
  (void)u;
  return s;
}

Summary merge_summaries(const std::vector<Summary>& parts) {
  Summary m;
  if (parts.empty()) return m;
  m.xex = parts[0].xex;
  m.options = parts[0].options;
  uint64_t covered = 0;
  for (const Summary& p : parts) {
    if (p.options != m.options) {
      throw Error(ExitCode::kUsage, fmt::format("cannot merge summaries of different runs:\n  {}\n  {}", m.options,
                                                p.options));
    }
    for (auto [a, b] : p.seed_ranges) {
      for (auto [c, d] : m.seed_ranges) {
        if (a <= d && c <= b) throw Error(ExitCode::kUsage, fmt::format("seed ranges overlap: {}:{} and {}:{}", a, b, c, d));
      }
      covered += b - a + 1;
      add_range(m.seed_ranges, a, b);
    }
    m.schedules += p.schedules;
    m.clean += p.clean;
    for (const FailureGroup& f : p.failures) add_failure(m.failures, f);
  }
  (void)covered;
  m.finish();
  return m;
}

}  // namespace xdet::explore
