#include "diff/diff_tool.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <clocale>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "diff/diff_engine.h"
#include "diff/report.h"
#include "diff/trace_index.h"

namespace xdet::diff {

namespace {

// PyLong_FromString's whitespace (after py_int_ascii).
bool ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

void write_stderr(const std::string& text) {
  std::string s = stderr_text(text);
  std::fwrite(s.data(), 1, s.size(), stderr);
  std::fflush(stderr);
}

// Shows "reading traces NN%" on a terminal while big inputs load.
class Progress {
 public:
  Progress(uint64_t total, const std::atomic<uint64_t>& done) : total_(total), done_(done) {
    if (total_ < (100u << 20) || !isatty(STDERR_FILENO)) return;
    thread_ = std::thread([this] { loop(); });
  }
  ~Progress() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> g(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> g(m_);
    while (!cv_.wait_for(g, std::chrono::milliseconds(250), [this] { return stop_; })) {
      double d = static_cast<double>(done_.load(std::memory_order_relaxed));
      std::fprintf(stderr, "\rxdet diff: reading traces %3.0f%% (%.0f / %.0f MB)", 100.0 * d / static_cast<double>(total_),
                   d / 1e6, static_cast<double>(total_) / 1e6);
      std::fflush(stderr);
    }
  }
  uint64_t total_;
  const std::atomic<uint64_t>& done_;
  std::thread thread_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
};

// `unencodable_at`: the event whose text cannot be written as UTF-8 (the
// reference opens the file, then fails to encode).
void write_file(const std::string& path, const std::string& display, const std::string& data,
                const std::string& unencodable_at = {}) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw DiffFailure{1, display + ": cannot write: " + std::strerror(errno)};
  if (!unencodable_at.empty() || wtf8_has_surrogate(data)) {
    std::fclose(f);
    throw DiffFailure{1, (unencodable_at.empty() ? std::string() : unencodable_at + ": ") +
                             "text holds a lone surrogate, not encodable as UTF-8 (cannot write " + display + ")"};
  }
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) throw DiffFailure{1, display + ": write error: " + std::strerror(errno)};
}

// sys.stdout's error handler in the reference: PYTHONIOENCODING's ":errors",
// else surrogateescape in UTF-8 mode and in the C, POSIX and C.UTF-8 locales
// (Python's locale-coercion targets), else strict.
SurrogatePolicy stdout_policy() {
  if (const char* e = std::getenv("PYTHONIOENCODING")) {
    if (const char* colon = std::strchr(e, ':'); colon && colon[1])
      return std::strcmp(colon + 1, "surrogateescape") == 0 ? SurrogatePolicy::kSurrogateEscape : SurrogatePolicy::kStrict;
  }
  if (const char* u = std::getenv("PYTHONUTF8"); u && std::strcmp(u, "1") == 0) return SurrogatePolicy::kSurrogateEscape;
  std::string loc;
  if (const char* l = std::setlocale(LC_CTYPE, "")) loc = l;
  else loc = "C";
  std::setlocale(LC_CTYPE, "C");
  if (loc == "C" || loc == "POSIX" || loc == "C.UTF-8" || loc == "C.utf8" || loc == "UTF-8")
    return SurrogatePolicy::kSurrogateEscape;
  return SurrogatePolicy::kStrict;
}

// sorted(...) over tid keys of trace `ix`; Python raises TypeError on str
// vs number. The error names the first event of the first string tid.
template <typename T, typename KeyOf>
void python_sort(std::vector<T>& v, KeyOf key_of, const char* what, const TraceIndex& ix) {
  bool type_error = false;
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) { return tid_less(key_of(a), key_of(b), &type_error); });
  if (!type_error) return;
  std::string where = ix.display_path();
  for (const T& x : v) {
    const TidKey& k = key_of(x);
    if (k.is_number()) continue;
    std::string repr;
    py_repr_str(k.s, repr);
    const TidStream* t = ix.find_tid(k);
    if (t && t->events.size()) where = ix.where(t->events[0]);
    where += ": tid " + repr;
    break;
  }
  throw DiffFailure{1, where + " is a string, other tids are numbers: cannot order " + what + " (Python TypeError)"};
}

CountedKinds sema_counts(const TraceIndex& ix) {
  CountedKinds c;
  for (const TidStream& t : ix.tids())
    if (t.sema_release_count) c.emplace_back(t.tid, t.sema_release_count);
  python_sort(c, [](const auto& p) -> const TidKey& { return p.first; }, "sema.release counts", ix);
  return c;
}

}  // namespace

bool parse_python_int_base0(std::string_view s, std::string& decimal) {
  while (!s.empty() && ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && ascii_space(s.back())) s.remove_suffix(1);
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  bool prefixed = false;
  if (s.size() >= 2 && s[0] == '0') {
    char p = static_cast<char>(s[1] | 0x20);
    if (p == 'x') base = 16;
    else if (p == 'o') base = 8;
    else if (p == 'b') base = 2;
    if (base != 10) {
      s.remove_prefix(2);
      prefixed = true;
    }
  }
  if (s.empty()) return false;
  std::vector<uint32_t> limbs;  // little-endian, base 1e9: Python ints are unbounded
  bool prev_digit = prefixed;
  bool all_zero = true;
  size_t digits = 0;
  for (char c : s) {
    if (c == '_') {
      if (!prev_digit) return false;
      prev_digit = false;
      continue;
    }
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'z') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z') d = c - 'A' + 10;
    else return false;
    if (d >= base) return false;
    if (d != 0) all_zero = false;
    uint64_t carry = static_cast<uint64_t>(d);
    for (uint32_t& l : limbs) {
      uint64_t x = static_cast<uint64_t>(l) * static_cast<uint64_t>(base) + carry;
      l = static_cast<uint32_t>(x % 1000000000u);
      carry = x / 1000000000u;
    }
    if (carry) limbs.push_back(static_cast<uint32_t>(carry));
    prev_digit = true;
    ++digits;
  }
  if (!prev_digit || digits == 0) return false;
  // Base 0 rejects "012" (leading zero in a non-zero decimal).
  if (base == 10 && s[0] == '0' && !all_zero) return false;
  // Python 3.11 refuses decimal strings over 4300 digits (int_max_str_digits).
  if (base == 10 && digits > 4300) return false;
  if (limbs.empty()) {
    decimal = "0";
    return true;
  }
  decimal = neg ? "-" : "";
  decimal += std::to_string(limbs.back());
  for (size_t k = limbs.size() - 1; k-- > 0;) {
    std::string part = std::to_string(limbs[k]);
    decimal.append(9 - part.size(), '0');
    decimal += part;
  }
  return true;
}

bool parse_python_int_base0(std::string_view s, int64_t& out) {
  std::string d;
  if (!parse_python_int_base0(s, d)) return false;
  TidKey k = TidKey::from_decimal(d);
  if (k.type != TidKey::Type::kInt) return false;
  out = k.i;
  return true;
}

std::vector<std::pair<TidKey, TidKey>> parse_tid_map(const std::string& arg) {
  const std::string s = surrogateescape_decode(arg);
  std::vector<std::pair<TidKey, TidKey>> out;  // dict: a repeated key keeps its slot, takes the last value
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    std::string_view token = py_strip(std::string_view(s).substr(i, j - i));
    i = j + 1;
    if (token.empty()) continue;
    size_t eq = token.find('=');
    if (eq == std::string_view::npos) {
      std::string repr;
      py_repr_str(token, repr);
      throw DiffFailure{1, "--tid-map: bad token " + repr + " (expected canary=ours)"};
    }
    std::string a, b;
    std::string_view as = token.substr(0, eq), bs = token.substr(eq + 1);
    if (!parse_python_int_base0(py_int_ascii(py_strip(as)), a))
      throw DiffFailure{1, "--tid-map: invalid canary tid '" + std::string(py_strip(as)) + "' (not an integer)"};
    if (!parse_python_int_base0(py_int_ascii(py_strip(bs)), b))
      throw DiffFailure{1, "--tid-map: invalid ours tid '" + std::string(py_strip(bs)) + "' (not an integer)"};
    TidKey ka = TidKey::from_decimal(a), kb = TidKey::from_decimal(b);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first.bucket() == ka.bucket(); });
    if (it != out.end()) it->second = kb;
    else out.emplace_back(ka, kb);
  }
  return out;
}

namespace {
// XDET_DIFF_TIMING=1 prints phase timings to stderr (benchmark diagnostics).
struct PhaseTimer {
  bool on = [] {
    const char* e = std::getenv("XDET_DIFF_TIMING");
    return e && *e && *e != '0';
  }();
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  void mark(const char* phase) {
    if (!on) return;
    auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "[timing] %-8s %8.3f s\n", phase, std::chrono::duration<double>(now - last).count());
    last = now;
  }
};
}  // namespace

int run_diff(const DiffOptions& opts) {
  PhaseTimer timer;
  AbsorberSwitches absorbers;
  {
    std::set<std::string> names, unknown;
    const std::string s = surrogateescape_decode(opts.disable_absorber);
    if (!py_strip(s).empty()) {
      size_t i = 0;
      while (i <= s.size()) {
        size_t j = s.find(',', i);
        if (j == std::string::npos) j = s.size();
        std::string_view tok = py_strip(std::string_view(s).substr(i, j - i));
        i = j + 1;
        if (tok.empty()) continue;
        names.emplace(tok);
      }
      for (const std::string& n : names)
        if (n != "shared-global" && n != "wait-begin" && n != "nested-cs") unknown.insert(n);
      if (!unknown.empty()) {
        std::string list = "[";
        bool first = true;
        for (const std::string& n : unknown) {  // std::set orders like sorted() on code points
          if (!first) list += ", ";
          first = false;
          py_repr_str(n, list);
        }
        list += "]";
        write_stderr("--disable-absorber: unknown name(s) " + list +
                     ". Valid: ['nested-cs', 'shared-global', 'wait-begin']\n");
        return 2;
      }
      absorbers.shared_global = !names.count("shared-global");
      absorbers.wait_begin = !names.count("wait-begin");
      absorbers.nested_cs = !names.count("nested-cs");
    }
  }

  LoadOptions lo;
  lo.canonicalize_allocators = !opts.no_canonicalize_allocators;
  lo.canonicalize_host_heap = !opts.no_canonicalize_host_heap_fields;

  TraceIndex canary, ours;
  {
    std::atomic<uint64_t> done{0};
    uint64_t total = 0;
    for (const std::string* p : {&opts.canary, &opts.ours}) {
      FILE* f = std::fopen(p->c_str(), "rb");
      if (f) {
        if (std::fseek(f, 0, SEEK_END) == 0) total += static_cast<uint64_t>(std::max(0L, std::ftell(f)));
        std::fclose(f);
      }
    }
    Progress progress(total, done);
    // Both traces load in parallel; the reference reads canary first, so a
    // canary failure wins over an ours failure.
    std::optional<DiffFailure> ours_failure;
    std::exception_ptr ours_exception;
    std::thread t([&] {
      try {
        ours.load(python_path_str(opts.ours), python_path_str(opts.ours), lo, &done);
      } catch (const DiffFailure& f) {
        ours_failure = f;
      } catch (...) {
        ours_exception = std::current_exception();
      }
    });
    try {
      canary.load(python_path_str(opts.canary), python_path_str(opts.canary), lo, &done);
    } catch (...) {
      t.join();
      progress.stop();
      throw;
    }
    t.join();
    progress.stop();
    if (ours_failure) throw *ours_failure;
    if (ours_exception) std::rethrow_exception(ours_exception);
  }

  timer.mark("load");
  for (const auto* crash : {&canary.canon_alloc_crash(), &ours.canon_alloc_crash()})
    if (lo.canonicalize_allocators && *crash) throw DiffFailure{1, **crash};
  for (const auto* crash : {&canary.canon_host_crash(), &ours.canon_host_crash()})
    if (lo.canonicalize_host_heap && *crash) throw DiffFailure{1, **crash};

  IdTranslation ids = IdTranslation::build(canary, ours);
  timer.mark("ids");
  std::vector<std::pair<TidKey, TidKey>> tid_map;
  if (opts.tid_map && !opts.tid_map->empty()) {
    tid_map = parse_tid_map(*opts.tid_map);
    python_sort(tid_map, [](const auto& p) -> const TidKey& { return p.first; }, "the tid mapping", canary);
  } else {
    for (const TraceIndex* ix : {&canary, &ours})
      for (const TidStream& t : ix->tids())
        if (t.first_call_crash) throw DiffFailure{1, *t.first_call_crash};
    // Group tids by first kernel.call name, in canary's first-seen order.
    std::unordered_map<uint32_t, std::vector<TidKey>> c_by, o_by;
    std::vector<uint32_t> c_order;
    for (const TidStream& t : canary.tids()) {
      if (t.first_call_name == kNameNone) continue;
      auto& v = c_by[t.first_call_name];
      if (v.empty()) c_order.push_back(t.first_call_name);
      v.push_back(t.tid);
    }
    for (const TidStream& t : ours.tids())
      if (t.first_call_name != kNameNone) o_by[ids.names[t.first_call_name]].push_back(t.tid);
    auto self = [](const TidKey& k) -> const TidKey& { return k; };
    for (uint32_t name : c_order) {
      auto& c = c_by[name];
      auto it = o_by.find(name);
      std::vector<TidKey> none;
      auto& o = it == o_by.end() ? none : it->second;
      python_sort(c, self, "canary tids", canary);
      python_sort(o, self, "ours tids", ours);
      for (size_t k = 0; k < std::min(c.size(), o.size()); ++k) tid_map.emplace_back(c[k], o[k]);
    }
    python_sort(tid_map, [](const auto& p) -> const TidKey& { return p.first; }, "the tid mapping", canary);
  }
  if (tid_map.empty()) {
    write_stderr("no tid mapping (auto-mapping found no shared first-kernel-call). Pass --tid-map manually.\n");
    return 2;
  }

  for (const auto* crash : {&canary.collect_crash(), &ours.collect_crash()})
    if (*crash) throw DiffFailure{1, **crash};
  FloatingSids floating = FloatingSids::build(canary, ours);
  timer.mark("floating");

  // Thread pairs are independent: walk them on two threads, then replay the
  // outcomes in mapping order so warnings, failures and absorbed events come
  // out exactly as the sequential reference produces them.
  struct Job {
    const TidKey* c;
    const TidKey* o;
    const TidStream* cs = nullptr;
    const TidStream* os = nullptr;
    std::string warning;
    std::optional<PairResult> result;
    std::optional<DiffFailure> failure;
    std::string absorbed;
  };
  std::vector<Job> jobs;
  for (const auto& [c_tid, o_tid] : tid_map) {
    Job j;
    j.c = &c_tid;
    j.o = &o_tid;
    j.cs = canary.find_tid(c_tid);
    if (!j.cs) j.warning = "warn: canary tid " + c_tid.str() + " not in stream; skipping\n";
    else if (!(j.os = ours.find_tid(o_tid))) j.warning = "warn: ours tid " + o_tid.str() + " not in stream; skipping\n";
    jobs.push_back(std::move(j));
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k; (k = next.fetch_add(1)) < jobs.size();) {
      Job& j = jobs[k];
      if (!j.cs || !j.os) continue;
      try {
        j.result = diff_pair(*j.c, *j.o, canary, *j.cs, ours, *j.os, ids, floating, absorbers,
                             opts.emit_absorbed_events ? &j.absorbed : nullptr);
      } catch (const DiffFailure& f) {
        j.failure = f;
      }
    }
  };
  {
    std::thread helper(worker);
    worker();
    helper.join();
  }
  std::string absorbed;
  std::vector<PairResult> results;
  for (Job& j : jobs) {
    if (!j.warning.empty()) write_stderr(j.warning);
    if (j.failure) throw *j.failure;
    if (j.result) {
      results.push_back(std::move(*j.result));
      absorbed += j.absorbed;
    }
  }

  timer.mark("walk");
  if (opts.emit_absorbed_events) {
    std::string display = python_path_str(*opts.emit_absorbed_events);
    write_file(display, display, absorbed);  // pathlib drops a trailing '/'
    size_t n = static_cast<size_t>(std::count(absorbed.begin(), absorbed.end(), '\n'));
    write_stderr("emitted " + std::to_string(n) + " absorbed events to " + display + "\n");
  }

  for (const auto* crash : {&canary.count_crash(), &ours.count_crash()})
    if (*crash) throw DiffFailure{1, **crash};

  const SurrogatePolicy policy = opts.out ? SurrogatePolicy::kStrict : stdout_policy();
  std::string unencodable_at;
  std::string report = render_report(results, sema_counts(canary), sema_counts(ours), policy, &unencodable_at);
  if (opts.out) {
    std::string display = python_path_str(*opts.out);
    write_file(display, display, report, unencodable_at);
    write_stderr("diff report written to " + display + "\n");
  } else {
    if (!unencodable_at.empty() || unencodable(report, policy))
      throw DiffFailure{1, (unencodable_at.empty() ? std::string() : unencodable_at + ": ") +
                               "text holds a lone surrogate that stdout cannot encode (cannot write the report)"};
    if (policy == SurrogatePolicy::kSurrogateEscape) report = surrogateescape_encode(report);
    std::fwrite(report.data(), 1, report.size(), stdout);
    std::fflush(stdout);
  }

  timer.mark("output");
  if (opts.validate_identical) {
    for (const PairResult& r : results) {
      if (r.diverged) {
        write_stderr("validate-identical: divergence in canary_tid=" + r.canary_tid.str() +
                     " at tid_event_idx=" + std::to_string(r.diverged_at) + " (" + r.diff_descr + ")\n");
        return 1;
      }
    }
  }
  return 0;
}

}  // namespace xdet::diff
