#pragma once
// Streaming reader of schema-v1 JSONL traces for the tools that look at a
// whole run (timeline, db). The file is read in large blocks; each line is
// parsed in place, in one pass, with simdjson's on-demand API, so memory stays bounded by
// the block size however long the trace is. Payloads are flattened into
// (key, value) fields; nested arrays/objects keep their raw JSON text.
//
// Unlike `xdet diff`, which must mirror the reference's Python semantics for
// any JSON, this reader accepts what engines write: integer tid and
// tid_event_idx, string kind, object payload. Anything else is an input
// error naming the file and line.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace xdet::trace {

struct PayloadField {
  enum class Type : uint8_t { kNull, kBool, kInt, kFloat, kString, kRaw };
  std::string_view key;
  Type type = Type::kNull;
  int64_t i = 0;         // kInt, kBool (0/1)
  double f = 0;          // kFloat
  std::string_view text; // kString: unescaped; kRaw: the JSON text of an array/object
};

struct TraceEvent {
  uint64_t line = 0;      // 1-based line number in the file
  uint64_t ordinal = 0;   // 0-based event number (header excluded)
  int64_t tid = 0;
  int64_t tid_event_idx = 0;
  int64_t host_ns = 0;    // 0 when absent
  std::string_view kind;
  std::string_view payload_json;  // raw payload text ("{}" when absent)
  std::vector<PayloadField> fields;

  const PayloadField* field(std::string_view key) const {
    for (const auto& f : fields)
      if (f.key == key) return &f;
    return nullptr;
  }
  // Typed look-ups; `fallback` when the key is absent or of another type.
  int64_t int_field(std::string_view key, int64_t fallback = 0) const;
  std::string_view str_field(std::string_view key, std::string_view fallback = {}) const;
  // "0x0001a018"-style hex strings and plain integers both read as numbers.
  uint64_t hex_field(std::string_view key, uint64_t fallback = 0) const;
  bool is_null(std::string_view key) const;
};

struct TraceFileHeader {
  std::string engine;
  std::string title_id;
  int64_t seed = 0;
  std::string json;  // the header line as written
};

// Reads `path`, calls `on_header` once, then `on_event` for every event in
// file order. The event (and every string_view in it) is valid only during
// the call. Throws InputError on I/O or format problems.
void read_trace(const std::string& path, const std::function<void(const TraceFileHeader&)>& on_header,
                const std::function<void(const TraceEvent&)>& on_event);

// Decodes a JSON array of strings or integers held as raw text (a kRaw
// field), e.g. handles_semantic_ids or waiter_tids.
std::vector<std::string> json_string_list(std::string_view raw);
std::vector<int64_t> json_int_list(std::string_view raw);

// What the tools use of exit-thread-state.json (src/trace/exit_state.cpp).
struct ExitWaitObject {
  std::string semantic_id;
  std::string handle;  // "" when the wait named the object by pointer
  std::string type_name;
  uint32_t address = 0;
};
struct ExitThread {
  int64_t tid = 0;
  std::string name;  // "" when unnamed
  std::string state;
  std::string pc;
  int64_t base_priority = 0, effective_priority = 0, affinity = 0, last_cpu = -1;
  int64_t last_run_round = 0, instructions = 0;
  std::string handle_semantic_id;
  std::string wait_kind;  // "", "objects", "delay"
  int64_t wait_since_round = 0;
  std::vector<ExitWaitObject> wait_objects;
};
struct ExitSummary {
  bool present = false;
  std::string stop_reason, message, policy;
  int64_t exit_code = 0, round = 0, guest_time_ns = 0, instructions = 0;
  std::vector<ExitThread> threads;
};

// Reads `path` if it exists (present=false otherwise); a file that exists
// but is not an exit state is an input error.
ExitSummary read_exit_summary(const std::string& path);

// Where `xdet run` put the exit state of `trace_path`: NAME.exit-thread-state.json
// beside NAME.jsonl (exit_state_path_for), or, for runs of earlier versions,
// the fixed "<dir of trace>/exit-thread-state.json" when only that exists.
std::string default_exit_state_path(const std::string& trace_path);

}  // namespace xdet::trace
