#pragma once
// Schema-v1 JSONL trace writer (the format `xdet diff` and the reference
// diff_events.py read).
//
// Line 1 is the header {"kind":"schema_version","schema_version":1,
// "engine":"xdet",...}; every further line is one event:
//   {"tid":N,"tid_event_idx":N,"kind":"...","engine":"xdet","host_ns":N,
//    "guest_cycle":N,"deterministic":true,"payload":{...}}
// xdet never reads a host clock: "host_ns" carries virtual nanoseconds so the
// file is byte-identical across runs (the diff tool ignores the field).
//
// Events are formatted into one reusable buffer (no allocation once it has
// grown) and written to the file in large chunks, always ending on a line
// boundary, so whatever is on disk is valid JSONL. flush() must be called on
// every stop path (exit, fault, wedge, limit, interrupt); the destructor
// flushes too.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "kernel/trace_sink.h"

namespace xdet::trace {

struct TraceHeader {
  uint32_t title_id = 0;
  uint64_t seed = 0;
};

class JsonlTraceWriter final : public kernel::TraceSink {
 public:
  // Opens (truncates) `path`; throws xdet::Error on failure.
  JsonlTraceWriter(const std::string& path, const TraceHeader& header, size_t buffer_bytes = 1 << 20);
  ~JsonlTraceWriter() override;
  JsonlTraceWriter(const JsonlTraceWriter&) = delete;
  JsonlTraceWriter& operator=(const JsonlTraceWriter&) = delete;

  void emit(const kernel::TraceEvent& ev) override;
  void flush() override;

  uint64_t events_written() const { return events_; }
  const std::string& path() const { return path_; }

 private:
  void write_out();

  std::string path_;
  FILE* file_ = nullptr;
  fmt::memory_buffer buf_;
  size_t threshold_;
  uint64_t events_ = 0;
};

// Appends the JSON encoding of a payload field list ("{...}") to `out`.
void append_fields(fmt::memory_buffer& out, const kernel::TraceField* fields, uint32_t count);
// Appends `s` as a JSON string literal (with quotes, escaped).
void append_json_string(fmt::memory_buffer& out, std::string_view s);

}  // namespace xdet::trace
