#pragma once
// One command-line style for every subcommand but `diff` (which keeps the
// reference tool's argparse behaviour): CLI11, `--opt value` and
// `--opt=value`, defaults in --help, usage errors as exit 2 prefixed with
// `xdet <cmd>:`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

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
    std::fprintf(stderr, "xdet %s: error: %s\nRun 'xdet %s --help' for the options.\n", cmd, e.what(), cmd);
    return to_int(ExitCode::kUsage);
  }
  return std::nullopt;
}

}  // namespace xdet::app
