// `xdet diff`: compare two schema-v1 traces, report the first divergence per
// guest thread. The command line reproduces the reference tool's Python 3.11
// argparse parser exactly: same flags, abbreviations, `--opt=value`, `-hh`
// chaining, `--` handling, usage/help layout (HelpFormatter + textwrap at
// the terminal width) and error texts under the reference's program name
// "diff_events.py" (argparse's prog is the script's basename), exit code 2.
#include <algorithm>
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

constexpr const char* kProg = "diff_events.py";
constexpr const char* kDescription = "Phase A event-log diff tool";

struct OptionSpec {
  const char* name;
  const char* metavar;  // nullptr: a flag (store_true)
  bool required;
  const char* help;  // nullptr: no help string
};

// The reference's add_argument calls, in order (help strings verbatim).
constexpr OptionSpec kOptions[] = {
    {"--canary", "CANARY", true, nullptr},
    {"--ours", "OURS", true, nullptr},
    {"--out", "OUT", false, "Write markdown report here (else stdout)"},
    {"--tid-map", "TID_MAP", false, "Manual tid mapping like '6=1,7=2'. Overrides auto-mapping."},
    {"--validate-identical", nullptr, false,
     "Exit non-zero if any mapped tid pair has any divergence. "
     "Used by gate-4 negative-test and by self-diff smoke tests."},
    {"--no-canonicalize-allocators", nullptr, false,
     "Disable per-tid ordinal canonicalization of allocator return "
     "values (default: enabled). See ALLOCATOR_RETURN_FNS for the "
     "covered set. Disabling reproduces the raw-VA comparison."},
    {"--no-canonicalize-host-heap-fields", nullptr, false,
     "Disable per-tid ordinal canonicalization of host-heap-derived "
     "guest VA payload fields (default: enabled). See "
     "HOST_HEAP_PAYLOAD_FIELDS_BY_KIND for the covered set (Phase C+22 "
     "v1.7: `thread.create.ctx_ptr`). Disabling reproduces the raw-VA "
     "comparison and re-surfaces the AUDIT-043 \xce\xb5 allocator-drift class."},
    {"--disable-absorber", "DISABLE_ABSORBER", false,
     "Phase absorber-review (investigation-only): comma-separated "
     "list of absorbers to disable. Valid names: "
     "shared-global (C+18 handle.create), wait-begin (C+21 wait.begin), "
     "nested-cs (D-extension RtlEnter/Leave fold). Empty default keeps "
     "all absorbers ON (production behavior). Use to isolate which "
     "absorber suppresses which divergence."},
    {"--emit-absorbed-events", "EMIT_ABSORBED_EVENTS", false,
     "Phase absorber-review (investigation-only): write every "
     "absorbed event to a JSONL file at this path. Each line is a "
     "JSON object with keys: absorber, side, canary_tid, ours_tid, "
     "matched_at, event (verbatim), and for nested-cs also "
     "pairs_consumed and window_offset."},
};
constexpr int kHelp = -2;
constexpr const char* kHelpHelp = "show this help message and exit";

// ---- text as code points (Python's len() counts code points) ----

std::u32string to_u32(std::string_view utf8) {
  std::u32string out;
  for (size_t i = 0; i < utf8.size();) out.push_back(diff::wtf8_next(utf8, i));
  return out;
}

std::string to_utf8(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) diff::wtf8_append(c, out);
  return out;
}

bool py_int_from_env(const char* s, long long& out) {
  // int(os.environ["COLUMNS"]): surrounding whitespace, a sign, digits with
  // single underscores between them.
  std::string_view v = s;
  auto ws = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); };
  while (!v.empty() && ws(v.front())) v.remove_prefix(1);
  while (!v.empty() && ws(v.back())) v.remove_suffix(1);
  bool neg = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    neg = v[0] == '-';
    v.remove_prefix(1);
  }
  if (v.empty()) return false;
  long long r = 0;
  bool prev_digit = false;
  for (char c : v) {
    if (c == '_') {
      if (!prev_digit) return false;
      prev_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return false;
    r = std::min<long long>(r * 10 + (c - '0'), 1000000000);  // wider than any text: same layout
    prev_digit = true;
  }
  if (!prev_digit) return false;
  out = neg ? -r : r;
  return true;
}

// HelpFormatter's width: shutil.get_terminal_size().columns - 2, where the
// columns come from $COLUMNS if it is a positive int, else stdout's terminal
// size, else 80.
long long formatter_width() {
  long long cols = 0;
  if (const char* c = std::getenv("COLUMNS")) {
    if (!py_int_from_env(c, cols)) cols = 0;
  }
  if (cols <= 0) {
    struct winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) cols = ws.ws_col;
    if (cols <= 0) cols = 80;
  }
  return cols - 2;
}

// ---- textwrap.wrap(text, width) with TextWrapper's defaults ----

bool tw_space(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool tw_digit(char32_t c) { return c >= '0' && c <= '9'; }
// \w; non-ASCII code points count as word characters (the only one in the
// help strings, U+03B5, is a letter).
bool tw_word(char32_t c) {
  return c >= 0x80 || c == '_' || tw_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool tw_letter(char32_t c) { return tw_word(c) && !tw_digit(c); }
bool tw_word_punct(char32_t c) {
  return tw_word(c) || c == '!' || c == '"' || c == '\'' || c == '&' || c == '.' || c == ',' || c == '?';
}

// TextWrapper.wordsep_re.split(): whitespace runs, em-dashes, and words that
// may break after a hyphen between letters.
std::vector<std::u32string> tw_chunks(const std::u32string& t) {
  const size_t n = t.size();
  auto at = [&](size_t k) -> char32_t { return k < n ? t[k] : 0; };
  auto dashes_then_word = [&](size_t k) {  // -{2,}(?=\w) at k
    size_t e = k;
    while (e < n && t[e] == '-') ++e;
    return e - k >= 2 && e < n && tw_word(t[e]) ? e : size_t{0};
  };
  std::vector<std::u32string> out;
  size_t i = 0;
  while (i < n) {
    size_t end = 0;
    if (tw_space(t[i])) {
      end = i;
      while (end < n && tw_space(t[end])) ++end;
    } else if (i > 0 && tw_word_punct(t[i - 1]) && dashes_then_word(i)) {
      end = dashes_then_word(i);
    } else {
      for (size_t j = i + 1; j <= n; ++j) {
        if (tw_space(t[j - 1])) break;
        if (at(j) == '-') {
          bool behind = (j >= 2 && tw_letter(t[j - 2]) && tw_letter(t[j - 1])) ||
                        (j >= 3 && tw_letter(t[j - 3]) && t[j - 2] == '-' && tw_letter(t[j - 1]));
          bool ahead = tw_letter(at(j + 1)) && ((at(j + 2) == '-' && tw_letter(at(j + 3))) || tw_letter(at(j + 2)));
          if (behind && ahead) {
            end = j + 1;
            break;
          }
        }
        if (j == n || tw_space(t[j])) {
          end = j;
          break;
        }
        if (tw_word_punct(t[j - 1]) && dashes_then_word(j)) {
          end = j;
          break;
        }
      }
    }
    out.push_back(t.substr(i, end - i));
    i = end;
  }
  return out;
}

bool tw_blank(const std::u32string& s) {
  return std::all_of(s.begin(), s.end(), tw_space);
}

std::vector<std::u32string> tw_wrap(const std::u32string& text, long long width) {
  std::vector<std::u32string> chunks = tw_chunks(text);
  std::reverse(chunks.begin(), chunks.end());
  std::vector<std::u32string> lines;
  while (!chunks.empty()) {
    std::vector<std::u32string> cur;
    long long cur_len = 0;
    if (!lines.empty() && tw_blank(chunks.back())) chunks.pop_back();
    while (!chunks.empty()) {
      long long l = static_cast<long long>(chunks.back().size());
      if (cur_len + l > width) break;
      cur.push_back(std::move(chunks.back()));
      chunks.pop_back();
      cur_len += l;
    }
    if (!chunks.empty() && static_cast<long long>(chunks.back().size()) > width) {
      // _handle_long_word: split it, preferring just after a hyphen.
      long long space_left = width < 1 ? 1 : width - cur_len;
      std::u32string& chunk = chunks.back();
      size_t end = static_cast<size_t>(space_left);
      if (static_cast<long long>(chunk.size()) > space_left) {
        size_t hy = chunk.substr(0, static_cast<size_t>(space_left)).rfind(U'-');
        if (hy != std::u32string::npos && hy > 0 &&
            std::any_of(chunk.begin(), chunk.begin() + static_cast<long>(hy), [](char32_t c) { return c != '-'; }))
          end = hy + 1;
      }
      cur.push_back(chunk.substr(0, end));
      chunk = chunk.substr(std::min(end, chunk.size()));
    }
    if (!cur.empty() && tw_blank(cur.back())) cur.pop_back();
    if (!cur.empty()) {
      std::u32string line;
      for (const auto& c : cur) line += c;
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

// argparse collapses ASCII whitespace runs to one space and strips the text.
std::u32string collapse_ws(std::string_view utf8) {
  std::u32string in = to_u32(utf8), out;
  for (char32_t c : in) {
    if (tw_space(c)) {
      if (!out.empty() && out.back() != U' ') out.push_back(U' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == U' ') out.pop_back();
  return out;
}

// ---- HelpFormatter ----

// _format_usage(): "usage: " + the wrapped usage + "\n\n".
std::string format_usage(long long width) {
  const std::string prefix = "usage: ";
  const std::string prog = kProg;
  // Parts as _format_usage's part regexp splits the optionals' usage: a
  // bracketed optional stays whole, a required "--opt METAVAR" splits in two.
  std::vector<std::string> parts = {"[-h]"};
  for (const OptionSpec& o : kOptions) {
    std::string p = o.name;
    if (o.metavar) p += std::string(" ") + o.metavar;
    if (!o.required) {
      parts.push_back("[" + p + "]");
    } else {
      parts.push_back(o.name);
      if (o.metavar) parts.push_back(o.metavar);
    }
  }
  std::string usage = prog;
  for (const auto& p : parts) usage += " " + p;
  const long long text_width = width;
  auto len = [](const std::string& s) { return static_cast<long long>(s.size()); };
  if (len(prefix) + len(usage) <= text_width) return prefix + usage + "\n\n";

  auto get_lines = [&](const std::vector<std::string>& ps, const std::string& indent, bool with_prefix) {
    std::vector<std::string> lines, line;
    long long line_len = (with_prefix ? len(prefix) : len(indent)) - 1;
    auto flush = [&] {
      std::string s = indent;
      for (size_t i = 0; i < line.size(); ++i) s += (i ? " " : "") + line[i];
      lines.push_back(s);
      line.clear();
    };
    for (const auto& part : ps) {
      if (line_len + 1 + len(part) > text_width && !line.empty()) {
        flush();
        line_len = len(indent) - 1;
      }
      line.push_back(part);
      line_len += len(part) + 1;
    }
    if (!line.empty()) flush();
    if (with_prefix) lines[0] = lines[0].substr(indent.size());
    return lines;
  };
  std::vector<std::string> lines;
  if (static_cast<double>(len(prefix) + len(prog)) <= 0.75 * static_cast<double>(text_width)) {
    std::string indent(prefix.size() + prog.size() + 1, ' ');
    std::vector<std::string> all = {prog};
    all.insert(all.end(), parts.begin(), parts.end());
    lines = get_lines(all, indent, true);
  } else {
    std::string indent(prefix.size(), ' ');
    lines = get_lines(parts, indent, false);  // no positionals: same either way
    lines.insert(lines.begin(), prog);
  }
  std::string out = prefix;
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
  return out + "\n\n";
}

// HelpFormatter.format_help(): collapse 3+ newlines to 2, strip newlines,
// end with one.
std::string finish_help(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\n') {
      size_t j = i;
      while (j < s.size() && s[j] == '\n') ++j;
      out.append(j - i >= 3 ? 2 : j - i, '\n');
      i = j;
    } else {
      out += s[i++];
    }
  }
  size_t b = out.find_first_not_of('\n');
  if (b == std::string::npos) return "";
  size_t e = out.find_last_not_of('\n');
  return out.substr(b, e - b + 1) + "\n";
}

std::string usage_text() { return finish_help(format_usage(formatter_width())); }

std::string help_text() {
  const long long width = formatter_width();
  const long long max_help_position = std::min<long long>(24, std::max<long long>(width - 20, 4));
  std::string s = format_usage(width);
  for (const auto& line : tw_wrap(collapse_ws(kDescription), std::max<long long>(width, 11))) s += to_utf8(line) + "\n";
  s += "\n\n";

  struct Entry {
    std::string invocation;
    const char* help;
  };
  std::vector<Entry> entries = {{"-h, --help", kHelpHelp}};
  for (const OptionSpec& o : kOptions)
    entries.push_back({o.metavar ? std::string(o.name) + " " + o.metavar : std::string(o.name), o.help});
  const long long indent = 2;
  long long max_len = 0;
  for (const auto& e : entries) max_len = std::max(max_len, static_cast<long long>(e.invocation.size()) + indent);
  const long long help_position = std::min(max_len + 2, max_help_position);
  const long long help_width = std::max<long long>(width - help_position, 11);
  const long long action_width = help_position - indent - 2;
  std::string items;
  for (const auto& e : entries) {
    const long long inv_len = static_cast<long long>(e.invocation.size());
    long long indent_first = 0;
    std::string header = std::string(indent, ' ') + e.invocation;
    if (!e.help) {
      items += header + "\n";
      continue;
    }
    if (inv_len <= action_width) {
      header.append(static_cast<size_t>(action_width - inv_len), ' ');
      header += "  ";
    } else {
      header += "\n";
      indent_first = help_position;
    }
    items += header;
    std::vector<std::u32string> lines = tw_wrap(collapse_ws(e.help), help_width);
    for (size_t i = 0; i < lines.size(); ++i)
      items += std::string(static_cast<size_t>(i ? help_position : indent_first), ' ') + to_utf8(lines[i]) + "\n";
  }
  s += "\noptions:\n" + items + "\n";
  return finish_help(s);
}

// Command-line bytes as Python sees them (surrogateescape), then written to
// stderr with backslashreplace: undecodable bytes show as "\udcXX".
std::string argv_wtf8(std::string_view a) { return diff::surrogateescape_decode(a); }
std::string stderr_arg(const std::string& a) { return diff::stderr_text(argv_wtf8(a)); }

[[noreturn]] void usage_error(const std::string& msg) {
  std::string s = usage_text() + kProg + ": error: " + msg + "\n";
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::exit(2);
}

void print_help() {
  std::string s = help_text();
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
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
  bool short_help = false;  // matched as "-h" (single dash: flags chain, "-hh")
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
      c.short_help = name == "-h";
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
      usage_error("ambiguous option: " + stderr_arg(a) + " could match " + list);
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
    c.short_help = true;
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
      if (c.explicit_arg) {
        // argparse reads a single-dash flag's attached text as more single-dash
        // flags ("-hh" is "-h -h"); the first one that is not an option
        // fails with the rest of the text.
        std::string rest = *c.explicit_arg;
        if (c.short_help && !rest.empty()) {
          size_t k = 0;
          while (k < rest.size() && rest[k] == 'h') ++k;
          if (k == rest.size()) {
            print_help();
            return 0;
          }
          rest = rest.substr(k);
        }
        std::string repr;
        diff::py_repr_str(argv_wtf8(rest), repr);
        usage_error("argument " + display + ": ignored explicit argument " + diff::stderr_text(repr));
      }
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
    for (size_t i = 0; i < extras.size(); ++i) {
      if (i) list += ' ';
      list += stderr_arg(extras[i]);
    }
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
    std::string s = diff::stderr_text(f.message) + "\n";
    std::fwrite(s.data(), 1, s.size(), stderr);
    return f.exit_code;
  }
}

}  // namespace xdet::app
