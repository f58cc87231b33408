// `xdet diff`: compare two schema-v1 traces, report the first divergence per
// guest thread. The command line follows the reference tool's argparse
// interface exactly (flags, abbreviations, `--opt=value`, error texts and
// exit code 2), with "xdet diff" as the program name.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/ioctl.h>
#include <unistd.h>

#include "app/commands.h"
#include "diff/diff_tool.h"
#include "diff/py_value.h"
#include "diff/trace_index.h"

namespace xdet::app {
namespace {

constexpr const char* kProg = "xdet diff";

struct OptionSpec {
  const char* name;
  const char* metavar;  // nullptr: a flag (store_true)
  bool required;
};

constexpr OptionSpec kOptions[] = {
    {"--canary", "CANARY", true},
    {"--ours", "OURS", true},
    {"--out", "OUT", false},
    {"--tid-map", "TID_MAP", false},
    {"--validate-identical", nullptr, false},
    {"--no-canonicalize-allocators", nullptr, false},
    {"--no-canonicalize-host-heap-fields", nullptr, false},
    {"--disable-absorber", "DISABLE_ABSORBER", false},
    {"--emit-absorbed-events", "EMIT_ABSORBED_EVENTS", false},
};
constexpr int kHelp = -2;

int terminal_width() {
  // argparse: shutil.get_terminal_size() (COLUMNS, else stdout's size, else 80) - 2.
  if (const char* c = std::getenv("COLUMNS")) {
    int v = std::atoi(c);
    if (v > 0) return v - 2;
  }
  struct winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col - 2;
  return 78;
}

std::string usage_text() {
  std::vector<std::string> parts = {"[-h]"};
  for (const OptionSpec& o : kOptions) {
    std::string p = o.name;
    if (o.metavar) p += std::string(" ") + o.metavar;
    parts.push_back(o.required ? p : "[" + p + "]");
  }
  const std::string prefix = "usage: ";
  std::string prog = kProg;
  std::string full = prog;
  for (const auto& p : parts) full += " " + p;
  int width = terminal_width();
  if (static_cast<int>(prefix.size() + full.size()) <= width) return prefix + full + "\n";
  // HelpFormatter._format_usage wrapping (prog fits in 3/4 of the width).
  std::string indent(prefix.size() + prog.size() + 1, ' ');
  std::vector<std::string> lines;
  std::vector<std::string> line;
  int line_len = static_cast<int>(prefix.size()) - 1;
  std::vector<std::string> all = {prog};
  all.insert(all.end(), parts.begin(), parts.end());
  auto flush = [&] {
    std::string s = indent;
    for (size_t i = 0; i < line.size(); ++i) s += (i ? " " : "") + line[i];
    lines.push_back(s);
    line.clear();
  };
  for (const auto& part : all) {
    if (line_len + 1 + static_cast<int>(part.size()) > width && !line.empty()) {
      flush();
      line_len = static_cast<int>(indent.size()) - 1;
    }
    line.push_back(part);
    line_len += static_cast<int>(part.size()) + 1;
  }
  if (!line.empty()) flush();
  lines[0] = lines[0].substr(indent.size());
  std::string out = prefix;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out + "\n";
}

[[noreturn]] void usage_error(const std::string& msg) {
  std::string s = usage_text() + kProg + ": error: " + msg + "\n";
  std::fputs(s.c_str(), stderr);
  std::exit(2);
}

void print_help() {
  std::string s = usage_text();
  s +=
      "\nCompare two schema-v1 JSONL traces (canary vs ours) and report the first\n"
      "behavioural divergence per guest thread (byte-compatible with diff_events.py).\n"
      "\noptions:\n"
      "  -h, --help            show this help message and exit\n"
      "  --canary CANARY       trace of the reference engine\n"
      "  --ours OURS           trace of our engine\n"
      "  --out OUT             write the markdown report here (else stdout)\n"
      "  --tid-map TID_MAP     manual tid mapping like '6=1,7=2' (overrides auto-mapping\n"
      "                        by first kernel.call name)\n"
      "  --validate-identical  exit 1 if any mapped tid pair diverges\n"
      "  --no-canonicalize-allocators\n"
      "                        compare raw allocator return values (no per-tid ordinals)\n"
      "  --no-canonicalize-host-heap-fields\n"
      "                        compare raw thread.create ctx_ptr values\n"
      "  --disable-absorber DISABLE_ABSORBER\n"
      "                        comma-separated absorbers to turn off: shared-global,\n"
      "                        wait-begin, nested-cs\n"
      "  --emit-absorbed-events EMIT_ABSORBED_EVENTS\n"
      "                        write every absorbed event as JSONL to this path\n";
  std::fputs(s.c_str(), stdout);
}

bool looks_negative_number(std::string_view a) {
  // argparse's '^-\d+$|^-\d*\.\d+$'
  if (a.size() < 2 || a[0] != '-') return false;
  std::string_view r = a.substr(1);
  size_t dot = r.find('.');
  auto digits = [](std::string_view s) {
    for (char c : s)
      if (c < '0' || c > '9') return false;
    return true;
  };
  if (dot == std::string_view::npos) return !r.empty() && digits(r);
  return digits(r.substr(0, dot)) && dot + 1 < r.size() && digits(r.substr(dot + 1));
}

struct Classified {
  bool is_option = false;
  int option = -1;  // index into kOptions, kHelp, or -1 (unknown optional)
  std::optional<std::string> explicit_arg;
};

Classified classify(const std::string& a) {
  Classified c;
  if (a.empty() || a[0] != '-') return c;
  auto exact = [](std::string_view s) -> int {
    if (s == "-h" || s == "--help") return kHelp;
    for (int i = 0; i < static_cast<int>(std::size(kOptions)); ++i)
      if (s == kOptions[i].name) return i;
    return -1;
  };
  if (int e = exact(a); e != -1) {
    c.is_option = true;
    c.option = e;
    return c;
  }
  if (a.size() == 1) return c;
  std::string_view name = a;
  std::optional<std::string> explicit_arg;
  if (size_t eq = a.find('='); eq != std::string::npos) {
    name = std::string_view(a).substr(0, eq);
    explicit_arg = a.substr(eq + 1);
    if (int e = exact(name); e != -1) {
      c.is_option = true;
      c.option = e;
      c.explicit_arg = explicit_arg;
      return c;
    }
  }
  // Abbreviations of long options.
  if (a.size() >= 2 && a[1] == '-') {
    std::vector<int> matches;
    std::vector<std::string> names;
    if (std::string_view("--help").substr(0, name.size()) == name) {
      matches.push_back(kHelp);
      names.push_back("--help");
    }
    for (int i = 0; i < static_cast<int>(std::size(kOptions)); ++i) {
      std::string_view n = kOptions[i].name;
      if (n.substr(0, name.size()) == name) {
        matches.push_back(i);
        names.push_back(kOptions[i].name);
      }
    }
    if (matches.size() > 1) {
      std::string list;
      for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
      usage_error("ambiguous option: " + a + " could match " + list);
    }
    if (matches.size() == 1) {
      c.is_option = true;
      c.option = matches[0];
      c.explicit_arg = explicit_arg;
      return c;
    }
  } else if (a.size() >= 2 && a[1] == 'h') {
    // "-hX": -h with an attached (ignored-explicit) argument.
    c.is_option = true;
    c.option = kHelp;
    c.explicit_arg = a.substr(2);
    return c;
  }
  if (looks_negative_number(a)) return c;
  if (a.find(' ') != std::string::npos) return c;
  c.is_option = true;  // unknown optional
  return c;
}

}  // namespace

int run_diff(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<Classified> kinds;
  size_t dashdash = args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {
      dashdash = i;
      break;
    }
    kinds.push_back(classify(args[i]));
  }
  std::optional<std::string> values[std::size(kOptions)];
  bool flags[std::size(kOptions)] = {};
  std::vector<std::string> extras;
  for (size_t i = 0; i < kinds.size(); ++i) {
    const Classified& c = kinds[i];
    if (!c.is_option) {
      extras.push_back(args[i]);
      continue;
    }
    if (c.option == -1) {
      extras.push_back(args[i]);
      continue;
    }
    std::string display = c.option == kHelp ? "-h/--help" : kOptions[c.option].name;
    bool is_flag = c.option == kHelp || kOptions[c.option].metavar == nullptr;
    if (is_flag) {
      if (c.explicit_arg) usage_error("argument " + display + ": ignored explicit argument '" + *c.explicit_arg + "'");
      if (c.option == kHelp) {
        print_help();
        return 0;
      }
      flags[c.option] = true;
      continue;
    }
    if (c.explicit_arg) {
      values[c.option] = *c.explicit_arg;
      continue;
    }
    if (i + 1 < kinds.size() && !kinds[i + 1].is_option) {
      values[c.option] = args[i + 1];
      ++i;
      continue;
    }
    usage_error("argument " + display + ": expected one argument");
  }
  // argparse 3.11 reports a "--" and everything after it as unrecognized.
  for (size_t i = dashdash; i < args.size(); ++i) extras.push_back(args[i]);
  std::string missing;
  for (size_t i = 0; i < std::size(kOptions); ++i) {
    if (kOptions[i].required && !values[i]) missing += (missing.empty() ? "" : ", ") + std::string(kOptions[i].name);
  }
  if (!missing.empty()) usage_error("the following arguments are required: " + missing);
  if (!extras.empty()) {
    std::string list;
    for (size_t i = 0; i < extras.size(); ++i) list += (i ? " " : "") + extras[i];
    usage_error("unrecognized arguments: " + list);
  }

  diff::DiffOptions o;
  o.canary = *values[0];
  o.ours = *values[1];
  o.out = values[2];
  o.tid_map = values[3];
  o.validate_identical = flags[4];
  o.no_canonicalize_allocators = flags[5];
  o.no_canonicalize_host_heap_fields = flags[6];
  o.disable_absorber = values[7].value_or("");
  o.emit_absorbed_events = values[8];
  try {
    return diff::run_diff(o);
  } catch (const diff::DiffFailure& f) {
    std::string s = f.message + "\n";
    std::fputs(s.c_str(), stderr);
    return f.exit_code;
  }
}

}  // namespace xdet::app
