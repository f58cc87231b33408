#pragma once
// One command-line style for every subcommand but `diff` (which keeps the
// reference tool's argparse behaviour): CLI11, `--opt value` and
// `--opt=value`, defaults in --help, usage errors as exit 2 prefixed with
// `xdet <cmd>:` and a "did you mean" hint for a misspelled option.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace xdet::app {

// Rejects a leading '-' on options bound to unsigned numbers: CLI11 would
// otherwise wrap "-5" to a huge count.
inline const CLI::Validator kNonNegative = CLI::Validator(
    [](std::string& v) -> std::string {
      size_t i = v.find_first_not_of(" \t");
      if (i != std::string::npos && v[i] == '-') return "must not be negative: " + v;
      return {};
    },
    "", "NonNegative");

// A count that must be at least 1 (and not negative).
inline const CLI::Validator kPositive = kNonNegative & CLI::Validator(
    [](std::string& v) -> std::string {
      size_t used = 0;
      try {
        if (std::stoull(v, &used, 0) == 0) return "must be at least 1: " + v;
      } catch (const std::exception&) {
        return "not a number: " + v;
      }
      return {};
    },
    "", "Positive");

// Every subcommand's CLI11 app: defaults captured so --help shows them.
inline void configure_app(CLI::App& app) { app.option_defaults()->always_capture_default(); }

namespace detail {

inline size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "did you mean '--max-instructions'?" for the first unknown long option in
// argv, or "" when nothing is close.
inline std::string suggestion(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) continue;
    std::string name = a.substr(2, a.find('=') == std::string::npos ? std::string::npos : a.find('=') - 2);
    bool known = false;
    std::string best;
    size_t best_d = SIZE_MAX;
    for (const CLI::Option* o : app.get_options()) {
      for (const std::string& l : o->get_lnames()) {
        if (l == name) known = true;
        size_t d = edit_distance(name, l);
        if (l.rfind(name, 0) == 0 || name.rfind(l, 0) == 0) d = std::min<size_t>(d, 1);
        if (d < best_d) {
          best_d = d;
          best = l;
        }
      }
    }
    if (known) continue;
    if (!best.empty() && best_d <= std::max<size_t>(2, name.size() / 3)) return "did you mean '--" + best + "'?";
    return {};
  }
  return {};
}

}  // namespace detail

// Parses argv into `app`. Returns an exit code to return now (help printed:
// 0; usage error: 2, message on stderr), or nullopt to go on.
inline std::optional<int> parse_cli(CLI::App& app, const char* cmd, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string hint = detail::suggestion(app, argc, argv);
    std::fprintf(stderr, "xdet %s: error: %s%s%s\nRun 'xdet %s --help' for the options.\n", cmd, e.what(),
                 hint.empty() ? "" : "; ", hint.c_str(), cmd);
    return to_int(ExitCode::kUsage);
  }
  return std::nullopt;
}

}  // namespace xdet::app
