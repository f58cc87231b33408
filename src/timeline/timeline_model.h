#pragma once
// What a timeline shows of one run, built by streaming a schema-v1 trace
// (plus its exit-thread-state.json when present): CPU slices from the
// engine-local sched.* events, per-thread waits with the objects named,
// kernel calls with arguments and results, signal -> wake arrows and the
// stop point. Both the HTML and the Perfetto writers draw from this model.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "trace/trace_reader.h"

namespace xdet::timeline {

// Strings are interned once; every record refers to them by index.
class StringTable {
 public:
  uint32_t intern(std::string_view s);
  const std::string& at(uint32_t i) const { return strings_[i]; }
  const std::vector<std::string>& all() const { return strings_; }

 private:
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> index_;
};

struct ThreadLane {
  int64_t tid = 0;
  std::string name;      // from the exit state; "" if unknown
  std::string label;     // what the lane shows, e.g. "tid 2 consumer"
  int64_t priority = 0;
  std::string entry_pc;
  int64_t first_ns = -1;
  std::string final_state;  // from the exit state
};

struct Slice {
  int32_t cpu;
  int64_t tid;
  int64_t begin_ns;
  int64_t instructions;  // end = begin + instructions * 10 ns
  int64_t round;
  uint32_t reason;       // string index ("quantum", "wait", ...)
  int64_t end_ns() const { return begin_ns + instructions * 10; }
};

struct Wait {
  int64_t tid;
  int64_t begin_ns;
  int64_t end_ns;        // -1: still waiting when the trace ends
  uint32_t objects;      // string index: the objects named
  uint32_t status;       // string index ("0x00000000", "0x00000102" or "pending")
  uint32_t detail;       // string index: wait type, timeout, alertable
};

struct Call {
  int64_t tid;
  int64_t ns;
  uint32_t name;    // string index
  uint32_t detail;  // string index: args, args_resolved, result
};

struct Arrow {
  int64_t from_tid;
  int64_t to_tid;
  int64_t ns;
  uint32_t object;  // string index: the signalled object
};

struct Wedge {
  bool present = false;
  int64_t ns = 0;
  std::string reason;   // stop_reason of the exit state
  std::string message;
  int64_t exit_code = 0;
};

struct Model {
  std::string trace_path;
  std::string title_id;
  uint64_t event_count = 0;
  int cpu_count = 0;  // 0 without --trace-sched events
  bool has_sched = false;
  int64_t end_ns = 0;
  std::vector<ThreadLane> threads;  // sorted by tid
  std::vector<Slice> slices;        // sorted by (cpu, begin)
  std::vector<Wait> waits;          // sorted by (tid, begin)
  std::vector<Call> calls;          // sorted by (tid, ns)
  std::vector<Arrow> arrows;        // in trace order
  Wedge wedge;
  StringTable strings;
};

// Streams `trace_path`; `exit_state_path` may name a missing file.
Model build_model(const std::string& trace_path, const std::string& exit_state_path);

}  // namespace xdet::timeline
