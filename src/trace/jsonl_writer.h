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
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <zstd.h>
#include <vector>

#include "kernel/trace_sink.h"

namespace xdet::trace {

struct TraceHeader {
  uint32_t title_id = 0;
  uint64_t seed = 0;
};

// A growable byte buffer with inlined appends (the per-event hot path;
// fmt::memory_buffer's out-of-line append dominated the profile).
class TraceBuffer {
 public:
  void reserve(size_t n) {
    if (n > cap_) grow_to(n);
  }
  void push_back(char c) {
    if (size_ == cap_) grow_to(cap_ * 2 + 64);
    data_[size_++] = c;
  }
  void append(const char* b, const char* e) {
    size_t n = static_cast<size_t>(e - b);
    if (size_ + n > cap_) grow_to((size_ + n) * 2);
    std::memcpy(data_.get() + size_, b, n);
    size_ += n;
  }
  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }

 private:
  void grow_to(size_t n) {
    std::unique_ptr<char[]> d(new char[n]);
    if (size_) std::memcpy(d.get(), data_.get(), size_);
    data_ = std::move(d);
    cap_ = n;
  }
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

class JsonlTraceWriter final : public kernel::TraceSink {
 public:
  // Opens (truncates) `path`, creating its folder; throws OutputError on
  // failure. A path ending in ".zst" gets a zstd-compressed trace.
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
  void write_bytes(const char* data, size_t size);
  void compress_out(bool end_frame);

  std::string path_;
  FILE* file_ = nullptr;
  ZSTD_CCtx* zstd_ = nullptr;  // set when the path ends in ".zst"
  std::vector<char> zbuf_;
  bool frame_open_ = false;    // compressed bytes since the last frame end
  TraceBuffer buf_;
  size_t threshold_;
  uint64_t events_ = 0;
};

// True for "NAME.zst": the trace is written zstd-compressed.
bool is_zstd_path(const std::string& path);

// Appends the JSON encoding of a payload field list ("{...}") to `out`.
void append_fields(fmt::memory_buffer& out, const kernel::TraceField* fields, uint32_t count);
// Appends `s` as a JSON string literal (with quotes, escaped).
void append_json_string(fmt::memory_buffer& out, std::string_view s);

}  // namespace xdet::trace
