#include "diff/diff_tool.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
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

bool py_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f'); }

std::string_view py_strip(std::string_view s) {
  while (!s.empty() && py_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && py_space(s.back())) s.remove_suffix(1);
  return s;
}

void write_stderr(const std::string& s) {
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

void write_file(const std::string& path, const std::string& display, const std::string& data) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw DiffFailure{1, display + ": cannot write: " + std::strerror(errno)};
  if (wtf8_has_surrogate(data)) {
    std::fclose(f);
    throw DiffFailure{1, display + ": cannot write: text holds a lone surrogate (not encodable as UTF-8)"};
  }
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) throw DiffFailure{1, display + ": write error: " + std::strerror(errno)};
}

// sorted(...) over tid keys; Python raises TypeError on str vs number.
template <typename T, typename KeyOf>
void python_sort(std::vector<T>& v, KeyOf key_of, const char* what) {
  bool type_error = false;
  std::stable_sort(v.begin(), v.end(), [&](const T& a, const T& b) { return tid_less(key_of(a), key_of(b), &type_error); });
  if (type_error) throw DiffFailure{1, std::string("cannot order ") + what + ": tids mix strings and numbers"};
}

CountedKinds sema_counts(const TraceIndex& ix) {
  CountedKinds c;
  for (const TidStream& t : ix.tids())
    if (t.sema_release_count) c.emplace_back(t.tid, t.sema_release_count);
  python_sort(c, [](const auto& p) -> const TidKey& { return p.first; }, "sema.release counts");
  return c;
}

}  // namespace

bool parse_python_int_base0(std::string_view s, int64_t& out) {
  s = py_strip(s);
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
  unsigned __int128 v = 0;
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
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
    if (v > (static_cast<unsigned __int128>(1) << 64)) return false;
    prev_digit = true;
    ++digits;
  }
  if (!prev_digit || digits == 0) return false;
  // Base 0 rejects "012" (leading zero in a non-zero decimal).
  if (base == 10 && s[0] == '0' && !all_zero) return false;
  if (neg) {
    if (v > (static_cast<unsigned __int128>(1) << 63)) return false;
    out = static_cast<int64_t>(-static_cast<__int128>(v));
  } else {
    if (v > static_cast<unsigned __int128>(INT64_MAX)) return false;
    out = static_cast<int64_t>(v);
  }
  return true;
}

std::map<int64_t, int64_t> parse_tid_map(const std::string& s) {
  std::map<int64_t, int64_t> out;
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
    int64_t a, b;
    std::string_view as = token.substr(0, eq), bs = token.substr(eq + 1);
    if (!parse_python_int_base0(as, a))
      throw DiffFailure{1, "--tid-map: invalid canary tid '" + std::string(py_strip(as)) + "' (not an integer)"};
    if (!parse_python_int_base0(bs, b))
      throw DiffFailure{1, "--tid-map: invalid ours tid '" + std::string(py_strip(bs)) + "' (not an integer)"};
    out[a] = b;
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
    if (!py_strip(opts.disable_absorber).empty()) {
      size_t i = 0;
      const std::string& s = opts.disable_absorber;
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
        ours.load(opts.ours, python_path_str(opts.ours), lo, &done);
      } catch (const DiffFailure& f) {
        ours_failure = f;
      } catch (...) {
        ours_exception = std::current_exception();
      }
    });
    try {
      canary.load(opts.canary, python_path_str(opts.canary), lo, &done);
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
    for (const auto& [c, o] : parse_tid_map(*opts.tid_map)) tid_map.emplace_back(TidKey::integer(c), TidKey::integer(o));
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
      python_sort(c, self, "canary tids");
      python_sort(o, self, "ours tids");
      for (size_t k = 0; k < std::min(c.size(), o.size()); ++k) tid_map.emplace_back(c[k], o[k]);
    }
    python_sort(tid_map, [](const auto& p) -> const TidKey& { return p.first; }, "the tid mapping");
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
    write_file(*opts.emit_absorbed_events, display, absorbed);
    size_t n = static_cast<size_t>(std::count(absorbed.begin(), absorbed.end(), '\n'));
    write_stderr("emitted " + std::to_string(n) + " absorbed events to " + display + "\n");
  }

  for (const auto* crash : {&canary.count_crash(), &ours.count_crash()})
    if (*crash) throw DiffFailure{1, **crash};

  std::string report = render_report(results, sema_counts(canary), sema_counts(ours));
  if (opts.out) {
    std::string display = python_path_str(*opts.out);
    write_file(*opts.out, display, report);
    write_stderr("diff report written to " + display + "\n");
  } else {
    if (wtf8_has_surrogate(report)) throw DiffFailure{1, "cannot write report: text holds a lone surrogate"};
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
