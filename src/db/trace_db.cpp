#include "db/trace_db.h"

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "kernel/objects.h"
#include "trace/trace_reader.h"

namespace xdet::db {
namespace {

const char kSchema[] = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value);
CREATE TABLE guest_events(id INTEGER PRIMARY KEY, line INTEGER, tid INTEGER, idx INTEGER, kind TEXT, ns INTEGER,
  payload TEXT);
CREATE TABLE threads(tid INTEGER PRIMARY KEY, name TEXT, handle_sid TEXT, parent_tid INTEGER, entry_pc TEXT,
  priority INTEGER, affinity INTEGER, stack_size INTEGER, created_ns INTEGER, first_ns INTEGER, last_ns INTEGER,
  event_count INTEGER, exit_ns INTEGER, exit_code TEXT, final_state TEXT, final_pc TEXT,
  final_effective_priority INTEGER, last_run_round INTEGER, instructions INTEGER);
CREATE TABLE objects(id INTEGER PRIMARY KEY, sid TEXT, object_type INTEGER, type_name TEXT, handle TEXT,
  create_tid INTEGER, create_event INTEGER, create_ns INTEGER, create_site_pc TEXT, destroy_event INTEGER,
  destroy_ns INTEGER, thread_tid INTEGER);
CREATE TABLE waits(id INTEGER PRIMARY KEY, tid INTEGER, begin_event INTEGER, end_event INTEGER, begin_ns INTEGER,
  end_ns INTEGER, duration_ns INTEGER, wait_type TEXT, timeout INTEGER, alertable INTEGER, object_count INTEGER,
  status TEXT, timed_out INTEGER, woken_by_sid TEXT);
CREATE TABLE wait_objects(wait_id INTEGER, position INTEGER, sid TEXT);
CREATE TABLE calls(id INTEGER PRIMARY KEY, tid INTEGER, name TEXT, ord INTEGER, call_event INTEGER,
  return_event INTEGER, call_ns INTEGER, return_ns INTEGER, args TEXT, args_resolved TEXT, return_value TEXT,
  status TEXT, failed INTEGER, call_line INTEGER, call_idx INTEGER, return_line INTEGER, return_idx INTEGER,
  import_event INTEGER, import_line INTEGER, import_idx INTEGER, import_ns INTEGER, module TEXT, thunk_pc TEXT);
CREATE TABLE signals(id INTEGER PRIMARY KEY, event_id INTEGER, tid INTEGER, ns INTEGER, target_sid TEXT,
  waiter_count INTEGER, woken_count INTEGER);
CREATE TABLE signal_wakes(signal_id INTEGER, woken_tid INTEGER);
CREATE TABLE slices(id INTEGER PRIMARY KEY, cpu INTEGER, tid INTEGER, round INTEGER, begin_ns INTEGER,
  end_ns INTEGER, instructions INTEGER, priority INTEGER, effective_priority INTEGER, budget INTEGER, reason TEXT,
  state TEXT, begin_pc TEXT, end_pc TEXT, begin_event INTEGER, begin_line INTEGER, begin_idx INTEGER,
  end_event INTEGER, end_line INTEGER, end_idx INTEGER);
CREATE TABLE readies(id INTEGER PRIMARY KEY, tid INTEGER, round INTEGER, ns INTEGER, cause TEXT, event INTEGER,
  line INTEGER, idx INTEGER);
-- Every event of the trace. The scheduler's own events (stream -1) are
-- stored once, as slices and readies, and the import.call / kernel.call /
-- kernel.return events of a call once, as its calls row (*_line set); they
-- are reassembled here (args as written: the trace's JSON text, which
-- SQLite's json() would reject when it holds NaN).
CREATE VIEW events(id, line, tid, idx, kind, ns, payload) AS
  SELECT id, line, tid, idx, kind, ns, payload FROM guest_events
  UNION ALL
  SELECT begin_event, begin_line, -1, begin_idx, 'sched.slice.begin', begin_ns,
    json_object('cpu', cpu, 'thread', tid, 'round', round, 'priority', priority,
                'effective_priority', effective_priority, 'budget', budget, 'pc', begin_pc)
  FROM slices
  UNION ALL
  SELECT end_event, end_line, -1, end_idx, 'sched.slice.end', end_ns,
    json_object('cpu', cpu, 'thread', tid, 'round', round, 'instructions', instructions, 'reason', reason,
                'state', state, 'pc', end_pc)
  FROM slices WHERE end_event IS NOT NULL
  UNION ALL
  SELECT event, line, -1, idx, 'sched.ready', ns, json_object('thread', tid, 'round', round, 'cause', cause)
  FROM readies
  UNION ALL
  SELECT import_event, import_line, tid, import_idx, 'import.call', import_ns,
    '{"name":' || json_quote(name) || ',"ord":' || ord || ',"module":' || json_quote(module) || ',"thunk_pc":' ||
    json_quote(thunk_pc) || '}'
  FROM calls WHERE import_line IS NOT NULL
  UNION ALL
  SELECT call_event, call_line, tid, call_idx, 'kernel.call', call_ns,
    '{"name":' || json_quote(name) || ',"ord":' || ord || ',"args":' || args || ',"args_resolved":' || args_resolved || '}'
  FROM calls WHERE call_line IS NOT NULL
  UNION ALL
  SELECT return_event, return_line, tid, return_idx, 'kernel.return', return_ns,
    '{"name":' || json_quote(name) || ',"return_value":' || json_quote(return_value) || ',"status":' ||
    json_quote(status) || '}'
  FROM calls WHERE return_line IS NOT NULL;
CREATE TABLE runnable(tid INTEGER, since_round INTEGER, since_ns INTEGER, ran_round INTEGER, ran_ns INTEGER,
  ran_cpu INTEGER, rounds INTEGER);
)SQL";

// Indexes whose keys arrive nearly in order (per thread, per CPU, by round
// or time) exist before the load: each row then lands at the end of one of
// a few key ranges, whose pages stay cached, which cost less CPU than
// sorting afterwards (measured: a third less for the slices indexes) and
// is done by the writer thread, in parallel with parsing.
const char kLoadIndexes[] = R"SQL(
CREATE INDEX guest_events_tid ON guest_events(tid, idx);
CREATE INDEX guest_events_ns ON guest_events(ns);
CREATE INDEX waits_tid ON waits(tid, begin_ns);
CREATE INDEX wait_objects_wait ON wait_objects(wait_id);
CREATE INDEX calls_tid ON calls(tid, call_ns);
CREATE INDEX signal_wakes_signal ON signal_wakes(signal_id);
CREATE INDEX slices_tid ON slices(tid, round);
CREATE INDEX slices_cpu ON slices(cpu, begin_ns);
CREATE INDEX slices_round ON slices(round);
CREATE INDEX readies_tid ON readies(tid, round);
)SQL";

// Indexes on keys in no useful order (names, SIDs, durations): sorted once
// after the load.
const char kIndexes[] = R"SQL(
CREATE INDEX guest_events_kind ON guest_events(kind);
CREATE INDEX objects_sid ON objects(sid);
CREATE INDEX waits_duration ON waits(duration_ns);
CREATE INDEX wait_objects_sid ON wait_objects(sid, wait_id);
CREATE INDEX calls_name ON calls(name);
CREATE INDEX signals_target ON signals(target_sid);
CREATE INDEX signal_wakes_tid ON signal_wakes(woken_tid);
CREATE INDEX runnable_rounds ON runnable(rounds);
)SQL";

class Db {
 public:
  explicit Db(const std::string& path) : path_(path) {
    // One connection, used by one thread at a time: no per-connection
    // mutexes, no memory accounting (both show up per row otherwise).
    // (Single-thread mode measured no cheaper.)
    static const bool configured = [] {
      sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
      sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
      return true;
    }();
    (void)configured;
    std::remove(path.c_str());
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(ExitCode::kUsage, fmt::format("cannot create {}: {}", path, msg));
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw Error(ExitCode::kInternal, fmt::format("{}: SQLite: {}", path_, msg));
    }
  }
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Rows on their way into SQLite. `values` holds rows x columns cells;
// texts point into `arena`.
struct Cell {
  int64_t v;     // kInt: the value; kText: offset in the arena; kStatic: address of the text
  uint32_t len;  // kText, kStatic
  enum Type : uint8_t { kNull, kInt, kText, kStatic } type;
};
static_assert(sizeof(Cell) == 16, "a cell per value: 16 bytes keep rows in few cache lines");
struct Batch {
  sqlite3_stmt* stmt = nullptr;
  int columns = 0;
  bool one_row_per_step = false;  // the statement takes one row (a batch's leftovers)
  size_t count = 0;  // cells used of `values`
  std::vector<Cell> values;
  std::string arena;
};

// Steps the INSERT statements on a thread of its own, so parsing and
// pairing (the loading thread) overlap with SQLite's work. Batches are
// applied in submission order; the queue is bounded. Only this thread
// touches the connection between start() and drain(): SQLite runs in
// multi-thread mode, which allows a connection to change threads as long
// as two never use it at once.
class BatchWriter {
 public:
  explicit BatchWriter(Db& db) : db_(db) {}
  ~BatchWriter() { stop(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  void start() {
    thread_ = std::thread([this] {
      loop();
      cpu_seconds_ = thread_cpu_seconds();
    });
  }
  // CPU time the writer thread used (valid after drain()).
  double cpu_seconds() const { return cpu_seconds_; }
  void submit(Batch&& b) {
    if (!thread_.joinable()) {  // not started or drained: write here
      if (!write(b)) throw Error(ExitCode::kInternal, fmt::format("{}: SQLite: {}", db_.path(), sqlite3_errmsg(db_.handle())));
      return;
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      // Full: wait until half of it is written rather than for one slot,
      // so the two threads do not wake each other once per batch.
      producer_waiting_ = true;
      space_.wait(lock, [&] { return queue_.size() <= kMaxQueued / 2 || !error_.empty(); });
      producer_waiting_ = false;
    }
    if (!error_.empty()) throw Error(ExitCode::kInternal, error_);
    queue_.push_back(std::move(b));
    if (writer_waiting_ && queue_.size() >= kWakeWriterAt) work_.notify_one();
  }
  // An empty batch whose buffers a written batch left behind: rows are
  // buffered in the same few blocks over and over instead of fresh
  // allocations (which cost page faults and malloc work per batch).
  Batch recycled() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) return Batch{};
    Batch b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  // Waits until every submitted batch is written; the connection is the
  // caller's again afterwards.
  void drain() {
    stop();
    if (!error_.empty()) throw Error(ExitCode::kInternal, error_);
  }

 private:
  static constexpr size_t kMaxQueued = 64;
  static constexpr size_t kWakeWriterAt = 8;  // an idle writer waits for this many batches

  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      work_.notify_one();
    }
    thread_.join();
  }
  void loop() {
    for (;;) {
      Batch b;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (queue_.empty()) {
          writer_waiting_ = true;
          work_.wait(lock, [&] { return queue_.size() >= kWakeWriterAt || done_; });
          writer_waiting_ = false;
        }
        if (queue_.empty()) return;
        b = std::move(queue_.front());
        queue_.pop_front();
        if (producer_waiting_ && queue_.size() <= kMaxQueued / 2) space_.notify_one();
      }
      bool ok = failed_ || write(b);
      b.count = 0;
      b.arena.clear();
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() < 2 * kMaxQueued) free_.push_back(std::move(b));
      if (!ok) {
        error_ = fmt::format("{}: SQLite: {}", db_.path(), sqlite3_errmsg(db_.handle()));
        failed_ = true;
        space_.notify_all();
      }
    }
  }
  bool write(const Batch& b) {
    size_t per_step = b.one_row_per_step ? static_cast<size_t>(b.columns) : b.count;
    for (size_t at = 0; at < b.count; at += per_step) {
      int p = 0;
      for (size_t k = at; k < at + per_step; ++k) {
        const Cell& c = b.values[k];
        ++p;
        if (c.type == Cell::kInt) sqlite3_bind_int64(b.stmt, p, c.v);
        else if (c.type == Cell::kText) sqlite3_bind_text(b.stmt, p, b.arena.data() + c.v, static_cast<int>(c.len), SQLITE_STATIC);
        else if (c.type == Cell::kStatic)
          sqlite3_bind_text(b.stmt, p, reinterpret_cast<const char*>(static_cast<uintptr_t>(c.v)), static_cast<int>(c.len),
                            SQLITE_STATIC);
        else sqlite3_bind_null(b.stmt, p);
      }
      int rc = sqlite3_step(b.stmt);
      sqlite3_reset(b.stmt);
      if (rc != SQLITE_DONE) return false;
    }
    return true;
  }

  Db& db_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable work_, space_;
  std::deque<Batch> queue_;
  std::vector<Batch> free_;  // written batches, buffers kept
  double cpu_seconds_ = 0;
  bool done_ = false;
  bool producer_waiting_ = false, writer_waiting_ = false;
  bool failed_ = false;  // writer thread only
  std::string error_;
};

// A prepared INSERT of `rows` rows at once (rows x columns parameters).
// Values are buffered (texts copied into one arena, since the trace text
// they come from is gone by the time a batch is written); a full batch goes
// to the writer thread, which binds and steps it once, so the per-statement
// cost is paid per batch. finish() sends the rest for a one-row statement.
class Insert {
 public:
  Insert(Db& db, BatchWriter& writer, const char* table, int columns, int rows = 1)
      : db_(db), writer_(writer), columns_(columns), rows_(rows) {
    full_ = prepare(table, rows);
    single_ = rows > 1 ? prepare(table, 1) : full_;
    values_.resize(static_cast<size_t>(columns) * rows);
  }
  ~Insert() {
    if (single_ != full_) sqlite3_finalize(single_);
    sqlite3_finalize(full_);
  }
  Insert(const Insert&) = delete;
  Insert& operator=(const Insert&) = delete;

  Insert& i(int64_t v) { return put(v, 0, Cell::kInt); }
  Insert& i(std::optional<int64_t> v) { return v ? i(*v) : null(); }
  Insert& t(std::string_view v) {
    put(static_cast<int64_t>(arena_.size()), static_cast<uint32_t>(v.size()), Cell::kText);
    arena_.append(v);
    return *this;
  }
  Insert& t_or_null(std::string_view v) { return v.empty() ? null() : t(v); }
  // A text that outlives the load (an interned string): bound in place.
  Insert& t_static(std::string_view v) {
    return put(static_cast<int64_t>(reinterpret_cast<uintptr_t>(v.data())), static_cast<uint32_t>(v.size()), Cell::kStatic);
  }
  Insert& null() { return put(0, 0, Cell::kNull); }
  void run() {
    if (count_ % columns_) throw Error(ExitCode::kInternal, "db: wrong number of values bound");
    if (count_ == values_.size()) send(full_, false);
  }
  void finish() {
    if (count_) send(single_, true);
  }

 private:
  sqlite3_stmt* prepare(const char* table, int rows) {
    std::string sql = fmt::format("INSERT INTO {} VALUES", table);
    std::string one = "(";
    for (int c = 0; c < columns_; ++c) one += c ? ",?" : "?";
    one += ")";
    for (int r = 0; r < rows; ++r) sql += (r ? "," : "") + one;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_.handle(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
      throw Error(ExitCode::kInternal, fmt::format("{}: SQLite: {}", db_.path(), sqlite3_errmsg(db_.handle())));
    }
    return st;
  }
  void send(sqlite3_stmt* st, bool one_row_per_step) {
    Batch b;
    b.stmt = st;
    b.columns = columns_;
    b.one_row_per_step = one_row_per_step;
    b.values = std::move(values_);
    b.count = count_;
    count_ = 0;
    b.arena = std::move(arena_);
    Batch next = writer_.recycled();
    values_ = std::move(next.values);
    arena_ = std::move(next.arena);
    values_.resize(static_cast<size_t>(columns_) * rows_);
    writer_.submit(std::move(b));
  }

  Db& db_;
  BatchWriter& writer_;
  int columns_, rows_;
  sqlite3_stmt* full_ = nullptr;
  sqlite3_stmt* single_ = nullptr;
  // Written in place, field by field (a Cell built on the stack and copied
  // in costs a failed store-to-load forwarding per value).
  Insert& put(int64_t v, uint32_t len, Cell::Type type) {
    if (count_ == values_.size()) throw Error(ExitCode::kInternal, "db: more values bound than a batch holds");
    Cell& c = values_[count_++];
    c.v = v;
    c.len = len;
    c.type = type;
    return *this;
  }

  std::vector<Cell> values_;  // sized for a full batch
  size_t count_ = 0;          // cells bound so far
  std::string arena_;
};

struct PendingWait {
  int64_t id, begin_event, begin_ns, timeout;
  bool has_timeout, alertable;
  std::string_view wait_type;  // interned
  std::vector<std::string> sids;
};
// An import.call waiting for the kernel.call it leads to.
struct PendingImport {
  int64_t event = 0, line = 0, idx = 0, ns = 0, ord = 0;
  std::string_view name, module;  // interned
  std::string thunk_pc;
  std::string payload;  // written as a guest_events row if no call follows
};
struct PendingCall {
  int64_t id = 0, ord = 0, call_event = 0, call_ns = 0;
  std::optional<int64_t> call_line, call_idx;  // set: the kernel.call event is stored only in this row
  std::string_view name;  // interned
  std::string args, args_resolved;
  bool has_import = false;  // the import.call before it is folded into this row
  int64_t import_event = 0, import_line = 0, import_idx = 0, import_ns = 0;
  std::string_view module;  // interned
  std::string thunk_pc;
};
struct ThreadRow;
// What is open on one thread. Kept for the whole load (one per tid, found
// through a one-entry cache), so the strings keep their buffers from call to
// call instead of being allocated per call.
struct ThreadCalls {
  ThreadRow* row = nullptr;  // tid >= 0
  bool call_open = false;
  PendingCall call;
  bool import_open = false;
  PendingImport import;
};
struct PendingSlice {
  int64_t id, tid, round, begin_ns, priority, effective_priority, budget;
  std::string begin_pc;
  int64_t begin_event, begin_line, begin_idx;
};
struct ObjectRow {
  std::string sid, type_name, handle, create_site_pc;
  int64_t object_type = -1;
  std::optional<int64_t> create_tid, create_event, create_ns, destroy_event, destroy_ns, thread_tid;
};
struct ThreadRow {
  int64_t tid = 0;
  std::string name, handle_sid, entry_pc, exit_code, final_state, final_pc;
  std::optional<int64_t> parent_tid, priority, affinity, stack_size, created_ns, first_ns, last_ns, exit_ns;
  std::optional<int64_t> final_effective_priority, last_run_round, instructions;
  int64_t event_count = 0;
};
struct Runnable {
  int64_t since_round, since_ns;
};

// Kinds, call names, wait types, reasons: a few dozen texts repeated on
// every event. Each is stored once and bound in place (no copy per row).
class TextInterner {
 public:
  std::string_view intern(std::string_view s) {
    // Consecutive events mostly share their kind/name with a recent one.
    for (std::string_view r : recent_)
      if (r.data() && r.size() == s.size() && (s.empty() || std::memcmp(r.data(), s.data(), s.size()) == 0)) return r;
    std::string_view out;
    auto it = index_.find(s);
    if (it != index_.end()) {
      out = it->second;
    } else {
      texts_.push_back(std::make_unique<std::string>(s));
      out = *texts_.back();
      index_.emplace(out, out);
    }
    recent_[next_++ % kRecent] = out;
    return out;
  }

 private:
  static constexpr size_t kRecent = 4;
  std::string_view recent_[kRecent];
  size_t next_ = 0;
  std::vector<std::unique_ptr<std::string>> texts_;
  std::unordered_map<std::string_view, std::string_view> index_;
};

std::string type_name_of(int64_t type) {
  return type >= 0 && type < 256 ? kernel::dispatcher_type_name(static_cast<uint8_t>(type)) : "unknown";
}

uint64_t parse_hex(std::string_view s) {
  std::string t(s);
  return std::strtoull(t.c_str(), nullptr, 0);
}

// True when the payload has exactly these keys, in this order, with these
// types: the events view can then rebuild it from a calls row.
bool payload_is(const trace::TraceEvent& e,
                std::initializer_list<std::pair<std::string_view, trace::PayloadField::Type>> shape) {
  if (e.fields.size() != shape.size()) return false;
  size_t n = 0;
  for (const auto& [key, type] : shape) {
    const trace::PayloadField& f = e.fields[n++];
    if (f.key != key || f.type != type) return false;
    if (type == trace::PayloadField::Type::kRaw && (f.text.empty() || f.text.front() != '{')) return false;
  }
  return true;
}

}  // namespace

LoadStats load_trace_db(const std::string& trace_path, const std::string& exit_state_path, const std::string& db_path) {
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  std::clock_t c0 = std::clock();
  double reader_cpu0 = thread_cpu_seconds();
  LoadStats st;
  trace::ExitSummary exit = trace::read_exit_summary(exit_state_path);
  Db db(db_path);
  // A fresh file written in one go: nothing to protect against a crash
  // halfway (the file would be discarded), so no journal and no syncs. A
  // small page cache: full pages are written as the load goes (src/db/README.md).
  db.exec("PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
          "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-4096;");
  db.exec(kSchema);
  db.exec(kLoadIndexes);
  db.exec("BEGIN");
  TextInterner texts;  // bound in place by the writer thread: outlives it
  BatchWriter writer(db);
  Insert ins_event(db, writer, "guest_events", 7, 64);
  Insert ins_wait(db, writer, "waits", 14, 64);
  Insert ins_wait_obj(db, writer, "wait_objects", 3, 64);
  Insert ins_call(db, writer, "calls", 23, 64);
  Insert ins_signal(db, writer, "signals", 7, 64);
  Insert ins_wake(db, writer, "signal_wakes", 2, 64);
  Insert ins_slice(db, writer, "slices", 20, 64);
  Insert ins_ready(db, writer, "readies", 8, 64);
  Insert ins_runnable(db, writer, "runnable", 7, 64);
  // Joins the writer before the statements are finalized, also when the
  // trace turns out to be bad halfway.
  struct JoinWriter {
    BatchWriter& w;
    ~JoinWriter() {
      try {
        w.drain();
      } catch (...) {
      }
    }
  } join_writer{writer};
  writer.start();

  std::map<int64_t, PendingWait> open_waits;  // ordered: leftovers are written in tid order
  std::map<int64_t, ThreadCalls> calls_by_tid;  // ordered: leftovers are written in tid order
  int64_t cached_tid = 0;
  ThreadCalls* cached_calls = nullptr;
  std::map<int64_t, PendingSlice> open_slices;            // by cpu
  std::map<int64_t, Runnable> ready_since;                // by tid
  std::vector<ObjectRow> objects;
  std::unordered_map<std::string, size_t> object_by_sid;  // latest row of a sid
  std::map<int64_t, ThreadRow> threads;
  std::unordered_map<std::string, int64_t> tid_by_thread_sid;
  for (const trace::ExitThread& t : exit.threads)
    if (!t.handle_semantic_id.empty()) tid_by_thread_sid[t.handle_semantic_id] = t.tid;
  int64_t thread_creates = 0, last_round = 0;
  std::string header_engine, header_title;
  int64_t header_seed = 0;

  auto thread = [&](int64_t tid) -> ThreadRow& {
    ThreadRow& r = threads[tid];
    r.tid = tid;
    return r;
  };
  auto flush_wait = [&](PendingWait& w, int64_t tid, std::optional<int64_t> end_event, std::optional<int64_t> end_ns,
                        std::string_view status, std::string_view woken_by) {
    ins_wait.i(w.id).i(tid).i(w.begin_event).i(end_event).i(w.begin_ns).i(end_ns);
    if (end_ns) ins_wait.i(*end_ns - w.begin_ns); else ins_wait.null();
    ins_wait.t_static(w.wait_type);
    if (w.has_timeout) ins_wait.i(w.timeout); else ins_wait.null();
    ins_wait.i(w.alertable ? 1 : 0).i(static_cast<int64_t>(w.sids.size())).t_or_null(status);
    if (end_ns) ins_wait.i(status == "0x00000102" ? 1 : 0); else ins_wait.null();
    ins_wait.t_or_null(woken_by).run();
    for (size_t p = 0; p < w.sids.size(); ++p) ins_wait_obj.i(w.id).i(static_cast<int64_t>(p)).t(w.sids[p]).run();
    ++st.waits;
  };
  auto flush_call = [&](PendingCall& c, int64_t tid, std::optional<int64_t> ret_event, std::optional<int64_t> ret_ns,
                        std::string_view rv, std::string_view status, std::optional<int64_t> ret_line = std::nullopt,
                        std::optional<int64_t> ret_idx = std::nullopt) {
    ins_call.i(c.id).i(tid).t_static(c.name).i(c.ord).i(c.call_event).i(ret_event).i(c.call_ns).i(ret_ns).t(c.args)
        .t(c.args_resolved).t_or_null(rv).t_or_null(status);
    // NTSTATUS error range; calls that return something else (a pointer, a
    // count) carry it in both fields and are not judged.
    if (status.empty()) ins_call.null(); else ins_call.i(parse_hex(status) >= 0xC0000000u ? 1 : 0);
    ins_call.i(c.call_line).i(c.call_idx).i(ret_line).i(ret_idx);
    if (c.has_import) {
      ins_call.i(c.import_event).i(c.import_line).i(c.import_idx).i(c.import_ns).t_static(c.module).t(c.thunk_pc);
    } else {
      ins_call.null().null().null().null().null().null();
    }
    ins_call.run();
    ++st.calls;
  };

  auto flush_slice = [&](PendingSlice& s, int64_t cpu, const trace::TraceEvent* end, int64_t end_id) {
    ins_slice.i(s.id).i(cpu).i(s.tid).i(s.round).i(s.begin_ns);
    if (end) ins_slice.i(end->host_ns).i(end->int_field("instructions")); else ins_slice.null().null();
    ins_slice.i(s.priority).i(s.effective_priority).i(s.budget);
    if (end) ins_slice.t_static(texts.intern(end->str_field("reason"))).t_static(texts.intern(end->str_field("state"))); else ins_slice.null().null();
    ins_slice.t(s.begin_pc);
    if (end) ins_slice.t(end->str_field("pc")); else ins_slice.null();
    ins_slice.i(s.begin_event).i(s.begin_line).i(s.begin_idx);
    if (end) ins_slice.i(end_id).i(static_cast<int64_t>(end->line)).i(end->tid_event_idx); else ins_slice.null().null().null();
    ins_slice.run();
    ++st.slices;
  };
  int64_t next_wait = 1, next_call = 1, next_signal = 1, next_slice = 1, next_ready = 1;
  trace::read_trace(
      trace_path,
      [&](const trace::TraceFileHeader& h) {
        header_engine = h.engine;
        header_title = h.title_id;
        header_seed = h.seed;
      },
      [&](const trace::TraceEvent& e) {
        int64_t id = static_cast<int64_t>(e.ordinal) + 1;
        ++st.events;
        std::string_view k = e.kind;
        auto store_event = [&] {
          ins_event.i(id).i(static_cast<int64_t>(e.line)).i(e.tid).i(e.tid_event_idx).t_static(texts.intern(e.kind)).i(e.host_ns)
              .t(e.payload_json).run();
        };
        using FT = trace::PayloadField::Type;
        if (e.tid == -1 && k.rfind("sched.", 0) == 0) {
          // Stored once, in slices / readies (the events view rebuilds them).
          if (k == "sched.slice.begin") {
            int64_t cpu = e.int_field("cpu", -1), tid = e.int_field("thread");
            last_round = std::max(last_round, e.int_field("round"));
            auto old = open_slices.find(cpu);
            if (old != open_slices.end()) flush_slice(old->second, cpu, nullptr, 0);
            open_slices[cpu] = PendingSlice{next_slice++, tid, e.int_field("round"), e.host_ns,
                                            e.int_field("priority"), e.int_field("effective_priority"),
                                            e.int_field("budget"), std::string(e.str_field("pc")), id,
                                            static_cast<int64_t>(e.line), e.tid_event_idx};
            auto r = ready_since.find(tid);
            // Only periods in which the thread missed at least one round
            // are kept: a thread that runs again in the next round was not
            // held back, and those periods would outnumber the slices.
            if (r != ready_since.end() && e.int_field("round") > r->second.since_round + 1) {
              ins_runnable.i(tid).i(r->second.since_round).i(r->second.since_ns).i(e.int_field("round")).i(e.host_ns)
                  .i(cpu).i(e.int_field("round") - r->second.since_round).run();
            }
            if (r != ready_since.end()) ready_since.erase(r);
          } else if (k == "sched.slice.end") {
            int64_t cpu = e.int_field("cpu", -1);
            auto it = open_slices.find(cpu);
            if (it == open_slices.end()) {
              store_event();  // an end without its begin keeps its own row
              return;
            }
            flush_slice(it->second, cpu, &e, id);
            if (e.str_field("state") == "ready") ready_since[it->second.tid] = Runnable{it->second.round, e.host_ns};
            open_slices.erase(it);
          } else if (k == "sched.ready") {
            int64_t tid = e.int_field("thread"), round = e.int_field("round");
            ins_ready.i(next_ready++).i(tid).i(round).i(e.host_ns).t_static(texts.intern(e.str_field("cause"))).i(id)
                .i(static_cast<int64_t>(e.line)).i(e.tid_event_idx).run();
            ++st.readies;
            if (!ready_since.count(tid)) ready_since[tid] = Runnable{round, e.host_ns};
          } else {
            store_event();
          }
          return;
        }
        ThreadCalls* tc = cached_calls;
        if (!tc || cached_tid != e.tid) {
          tc = cached_calls = &calls_by_tid[e.tid];
          cached_tid = e.tid;
          if (!tc->row && e.tid >= 0) tc->row = &thread(e.tid);
        }
        if (e.tid >= 0) {
          ThreadRow& t = *tc->row;
          if (!t.first_ns) t.first_ns = e.host_ns;
          t.last_ns = e.host_ns;
          ++t.event_count;
        }
        // An import.call is folded into the calls row of the kernel.call
        // that follows it on its thread; anything else after it leaves it
        // a row of its own.
        bool import_folds = false;
        if (tc->import_open) {
          tc->import_open = false;
          const PendingImport& im = tc->import;
          import_folds = k == "kernel.call" && e.str_field("name") == im.name && e.int_field("ord", -1) == im.ord;
          if (!import_folds) {
            ins_event.i(im.event).i(im.line).i(e.tid).i(im.idx).t_static(texts.intern("import.call")).i(im.ns)
                .t(im.payload).run();
          }
        }
        if (k == "import.call") {
          if (!payload_is(e, {{"name", FT::kString}, {"ord", FT::kInt}, {"module", FT::kString}, {"thunk_pc", FT::kString}})) {
            store_event();
            return;
          }
          PendingImport& im = tc->import;
          im.event = id;
          im.line = static_cast<int64_t>(e.line);
          im.idx = e.tid_event_idx;
          im.ns = e.host_ns;
          im.ord = e.int_field("ord");
          im.name = texts.intern(e.str_field("name"));
          im.module = texts.intern(e.str_field("module"));
          im.thunk_pc.assign(e.str_field("thunk_pc"));
          im.payload.assign(e.payload_json);
          tc->import_open = true;
          return;
        }
        bool folded_call = k == "kernel.call" &&
                           payload_is(e, {{"name", FT::kString}, {"ord", FT::kInt}, {"args", FT::kRaw}, {"args_resolved", FT::kRaw}});
        if (k == "kernel.return") {
          PendingCall& c = tc->call;
          bool folded_return = tc->call_open && c.call_line &&
                               payload_is(e, {{"name", FT::kString}, {"return_value", FT::kString}, {"status", FT::kString}}) &&
                               e.str_field("name") == c.name &&
                               // stored with NULL for "": rebuilt, that would read null
                               !e.str_field("return_value").empty() && !e.str_field("status").empty();
          if (!folded_return) store_event();
          if (!tc->call_open) return;
          std::optional<int64_t> line, idx;
          if (folded_return) {
            line = static_cast<int64_t>(e.line);
            idx = e.tid_event_idx;
          }
          flush_call(c, e.tid, id, e.host_ns, e.str_field("return_value"), e.str_field("status"), line, idx);
          tc->call_open = false;
          return;
        }
        if (!folded_call) store_event();
        if (k == "kernel.call" && import_folds && !folded_call) {
          // The call keeps its own row, and so does the import before it.
          const PendingImport& im = tc->import;
          ins_event.i(im.event).i(im.line).i(e.tid).i(im.idx).t_static(texts.intern("import.call")).i(im.ns)
              .t(im.payload).run();
          import_folds = false;
        }
        if (k == "wait.begin") {
          PendingWait w{next_wait++, id, e.host_ns, e.int_field("timeout"), !e.is_null("timeout"),
                        e.int_field("alertable") != 0, texts.intern(e.str_field("wait_type")), {}};
          const trace::PayloadField* hs = e.field("handles_semantic_ids");
          if (hs && hs->type == trace::PayloadField::Type::kRaw) w.sids = trace::json_string_list(hs->text);
          auto old = open_waits.find(e.tid);
          if (old != open_waits.end()) flush_wait(old->second, e.tid, std::nullopt, std::nullopt, {}, {});
          open_waits[e.tid] = std::move(w);
        } else if (k == "wait.end") {
          auto it = open_waits.find(e.tid);
          if (it == open_waits.end()) return;
          flush_wait(it->second, e.tid, id, e.host_ns, e.str_field("status"), e.str_field("woken_by_semantic_id"));
          open_waits.erase(it);
        } else if (k == "kernel.call") {
          const trace::PayloadField* a = e.field("args");
          const trace::PayloadField* r = e.field("args_resolved");
          if (tc->call_open) flush_call(tc->call, e.tid, std::nullopt, std::nullopt, {}, {});
          PendingCall& c = tc->call;
          c.id = next_call++;
          c.ord = e.int_field("ord");
          c.call_event = id;
          c.call_ns = e.host_ns;
          c.call_line = c.call_idx = std::nullopt;
          if (folded_call) {
            c.call_line = static_cast<int64_t>(e.line);
            c.call_idx = e.tid_event_idx;
          }
          c.name = texts.intern(e.str_field("name"));
          c.args.assign(a && a->type == trace::PayloadField::Type::kRaw ? a->text : std::string_view("{}"));
          c.args_resolved.assign(r && r->type == trace::PayloadField::Type::kRaw ? r->text : std::string_view("{}"));
          c.has_import = import_folds;
          if (import_folds) {
            const PendingImport& im = tc->import;
            c.import_event = im.event;
            c.import_line = im.line;
            c.import_idx = im.idx;
            c.import_ns = im.ns;
            c.module = im.module;
            c.thunk_pc.assign(im.thunk_pc);
          }
          tc->call_open = true;
        } else if (k == "signal.match") {
          int64_t sid_id = next_signal++;
          std::vector<int64_t> woken;
          const trace::PayloadField* w = e.field("waiter_tids");
          if (w && w->type == trace::PayloadField::Type::kRaw) woken = trace::json_int_list(w->text);
          ins_signal.i(sid_id).i(id).i(e.tid).i(e.host_ns).t(e.str_field("target_handle"))
              .i(e.int_field("waiter_count")).i(static_cast<int64_t>(woken.size())).run();
          for (int64_t tid : woken) ins_wake.i(sid_id).i(tid).run();
          ++st.signals;
        } else if (k == "handle.create") {
          ObjectRow o;
          o.sid = e.str_field("handle_semantic_id");
          o.object_type = e.int_field("object_type", -1);
          o.type_name = type_name_of(o.object_type);
          o.handle = e.str_field("raw_handle_id");
          o.create_site_pc = e.str_field("create_site_pc");
          o.create_tid = e.tid;
          o.create_event = id;
          o.create_ns = e.host_ns;
          auto th = tid_by_thread_sid.find(o.sid);
          if (th != tid_by_thread_sid.end()) o.thread_tid = th->second;
          object_by_sid[o.sid] = objects.size();
          objects.push_back(std::move(o));
        } else if (k == "handle.destroy") {
          auto it = object_by_sid.find(std::string(e.str_field("handle_semantic_id")));
          if (it != object_by_sid.end() && !objects[it->second].destroy_event) {
            objects[it->second].destroy_event = id;
            objects[it->second].destroy_ns = e.host_ns;
          }
        } else if (k == "thread.create") {
          ++thread_creates;
          std::string sid(e.str_field("handle_semantic_id"));
          auto th = tid_by_thread_sid.find(sid);
          // Without the exit state, tids are taken as dense in creation order.
          int64_t tid = th != tid_by_thread_sid.end() ? th->second : (exit.present ? -1 : thread_creates + 1);
          if (tid < 0) return;
          if (th == tid_by_thread_sid.end()) tid_by_thread_sid[sid] = tid;
          ThreadRow& t = thread(tid);
          t.handle_sid = sid;
          t.parent_tid = e.tid;
          t.entry_pc = e.str_field("entry_pc");
          t.priority = e.int_field("priority");
          t.affinity = e.int_field("affinity");
          t.stack_size = e.int_field("stack_size");
          t.created_ns = e.host_ns;
          auto o = object_by_sid.find(sid);
          if (o != object_by_sid.end()) objects[o->second].thread_tid = tid;
        } else if (k == "thread.exit") {
          ThreadRow& t = thread(e.tid);
          t.exit_ns = e.host_ns;
          t.exit_code = e.str_field("exit_code");
          if (t.exit_code.empty() && e.field("exit_code")) t.exit_code = std::to_string(e.int_field("exit_code"));
        }
      });
  // Whatever is still open when the trace ends stays open in the tables
  // (NULL end): a wait that never ended is the usual sign of a wedge.
  for (auto& [tid, w] : open_waits) flush_wait(w, tid, std::nullopt, std::nullopt, {}, {});
  for (auto& [tid, tc] : calls_by_tid)
    if (tc.call_open) flush_call(tc.call, tid, std::nullopt, std::nullopt, {}, {});
  for (auto& [tid, tc] : calls_by_tid) {
    if (!tc.import_open) continue;
    const PendingImport& im = tc.import;
    ins_event.i(im.event).i(im.line).i(tid).i(im.idx).t_static(texts.intern("import.call")).i(im.ns).t(im.payload).run();
  }
  for (auto& [cpu, sl] : open_slices) flush_slice(sl, cpu, nullptr, 0);
  int64_t final_round = exit.present ? exit.round : last_round;
  for (auto& [tid, r] : ready_since) {
    if (final_round <= r.since_round + 1) continue;
    ins_runnable.i(tid).i(r.since_round).i(r.since_ns).null().null().null().i(final_round - r.since_round).run();
  }
  for (const trace::ExitThread& et : exit.threads) {
    ThreadRow& t = thread(et.tid);
    t.name = et.name;
    t.final_state = et.state;
    t.final_pc = et.pc;
    t.final_effective_priority = et.effective_priority;
    t.last_run_round = et.last_run_round;
    t.instructions = et.instructions;
    t.priority = et.base_priority;  // the stop-time base priority wins over the creation one
    if (!t.affinity) t.affinity = et.affinity;
    if (t.handle_sid.empty()) t.handle_sid = et.handle_semantic_id;
    for (const trace::ExitWaitObject& o : et.wait_objects) {
      if (object_by_sid.count(o.semantic_id)) continue;
      ObjectRow row;
      row.sid = o.semantic_id;
      row.type_name = o.type_name;
      row.handle = o.handle.empty() ? fmt::format("@0x{:08x}", o.address) : o.handle;
      object_by_sid[row.sid] = objects.size();
      objects.push_back(std::move(row));
    }
  }
  for (Insert* ins : {&ins_event, &ins_wait, &ins_wait_obj, &ins_call, &ins_signal, &ins_wake, &ins_slice, &ins_ready,
                      &ins_runnable})
    ins->finish();
  writer.drain();  // the connection is this thread's again
  {
    Insert ins(db, writer, "threads", 19);
    for (auto& [tid, t] : threads) {
      ins.i(tid).t_or_null(t.name).t_or_null(t.handle_sid).i(t.parent_tid).t_or_null(t.entry_pc).i(t.priority)
          .i(t.affinity).i(t.stack_size).i(t.created_ns).i(t.first_ns).i(t.last_ns).i(t.event_count).i(t.exit_ns)
          .t_or_null(t.exit_code).t_or_null(t.final_state).t_or_null(t.final_pc).i(t.final_effective_priority)
          .i(t.last_run_round).i(t.instructions).run();
    }
    st.threads = threads.size();
  }
  {
    Insert ins(db, writer, "objects", 12);
    int64_t oid = 1;
    for (const ObjectRow& o : objects) {
      ins.i(oid++).t(o.sid);
      if (o.object_type >= 0) ins.i(o.object_type); else ins.null();
      ins.t(o.type_name).t_or_null(o.handle).i(o.create_tid).i(o.create_event).i(o.create_ns)
          .t_or_null(o.create_site_pc).i(o.destroy_event).i(o.destroy_ns).i(o.thread_tid).run();
    }
    st.objects = objects.size();
  }
  {
    Insert ins(db, writer, "meta", 2);
    auto put_s = [&](const char* k, std::string_view v) { ins.t(k).t(v).run(); };
    auto put_i = [&](const char* k, int64_t v) { ins.t(k).i(v).run(); };
    put_s("trace", trace_path);
    put_s("engine", header_engine);
    put_s("title_id", header_title);
    put_i("seed", header_seed);
    put_i("events", static_cast<int64_t>(st.events));
    put_i("has_sched", st.slices ? 1 : 0);
    put_i("exit_state", exit.present ? 1 : 0);
    if (exit.present) {
      put_s("stop_reason", exit.stop_reason);
      put_s("stop_message", exit.message);
      put_i("exit_code", exit.exit_code);
      put_s("policy", exit.policy);
      put_i("round", exit.round);
      put_i("guest_time_ns", exit.guest_time_ns);
      put_i("instructions", exit.instructions);
    }
  }
  db.exec("COMMIT");
  st.writer_cpu_seconds = writer.cpu_seconds();
  st.reader_cpu_seconds = thread_cpu_seconds() - reader_cpu0;
  auto t1 = clock::now();
  std::clock_t c1 = std::clock();
  // Index builds sort on this thread alone with a 4 MiB cache: the sorter
  // then merges small sorted runs (cache-sized) from a temporary file.
  // Measured on the 1M-event traces: SQLite's worker threads (PRAGMA
  // threads) cost twice the CPU for the same indexes and were slower in
  // wall time too, and larger caches (bigger in-memory runs, more fresh
  // pages touched) cost more than the merge they save. Planner statistics
  // from a sample of each index (analysis_limit): a full ANALYZE reads
  // every index again.
  db.exec("PRAGMA temp_store=FILE; PRAGMA cache_size=-4096; BEGIN;");
  db.exec(kIndexes);
  db.exec("COMMIT; PRAGMA analysis_limit=1000; ANALYZE;");
  auto t2 = clock::now();
  std::clock_t c2 = std::clock();
  st.load_cpu_seconds = static_cast<double>(c1 - c0) / CLOCKS_PER_SEC;
  st.index_cpu_seconds = static_cast<double>(c2 - c1) / CLOCKS_PER_SEC;
  st.load_seconds = std::chrono::duration<double>(t1 - t0).count();
  st.index_seconds = std::chrono::duration<double>(t2 - t1).count();
  return st;
}

}  // namespace xdet::db
