#include "timeline/timeline_writers.h"

#include <fmt/format.h>

#include <cstring>
#include <string_view>

namespace xdet::timeline {
namespace {

const char kPage[] =
#include "timeline/timeline_page.inc"
    ;

// A JSON string literal that is also safe inside an HTML <script> element:
// '<', '>' and '&' are escaped too, so no "</script>" can end it early.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default:
        if (c < 0x20) fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  out += '"';
}

template <typename T, typename F>
void append_column(std::string& out, const char* name, const std::vector<T>& rows, F value, bool delta) {
  fmt::format_to(std::back_inserter(out), "\"{}\":[", name);
  int64_t prev = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    int64_t v = value(rows[i]);
    fmt::format_to(std::back_inserter(out), "{}{}", i ? "," : "", delta ? v - prev : v);
    prev = v;
  }
  out += ']';
}

}  // namespace

std::string page_data_json(const Model& m) {
  std::string o;
  o.reserve(64 + m.slices.size() * 24 + m.waits.size() * 24 + m.calls.size() * 16);
  o += "{\"version\":1,\"trace\":";
  append_json_string(o, m.trace_path);
  fmt::format_to(std::back_inserter(o), ",\"title_id\":\"{}\",\"events\":{},\"cpus\":{},\"end\":{}", m.title_id,
                 m.event_count, m.cpu_count, m.end_ns);
  o += ",\"strings\":[";
  for (size_t i = 0; i < m.strings.all().size(); ++i) {
    if (i) o += ',';
    append_json_string(o, m.strings.all()[i]);
  }
  o += "],\"threads\":[";
  for (size_t i = 0; i < m.threads.size(); ++i) {
    const ThreadLane& t = m.threads[i];
    fmt::format_to(std::back_inserter(o), "{}[{},", i ? "," : "", t.tid);
    append_json_string(o, t.label);
    fmt::format_to(std::back_inserter(o), ",{},", t.priority);
    append_json_string(o, t.final_state);
    o += ']';
  }
  o += "],\"slices\":{";
  append_column(o, "cpu", m.slices, [](const Slice& s) { return s.cpu; }, false);
  o += ',';
  append_column(o, "tid", m.slices, [](const Slice& s) { return s.tid; }, false);
  o += ',';
  append_column(o, "t", m.slices, [](const Slice& s) { return s.begin_ns; }, true);
  o += ',';
  append_column(o, "ins", m.slices, [](const Slice& s) { return s.instructions; }, false);
  o += ',';
  append_column(o, "round", m.slices, [](const Slice& s) { return s.round; }, true);
  o += ',';
  append_column(o, "reason", m.slices, [](const Slice& s) { return s.reason; }, false);
  o += "},\"waits\":{";
  append_column(o, "tid", m.waits, [](const Wait& w) { return w.tid; }, false);
  o += ',';
  append_column(o, "t", m.waits, [](const Wait& w) { return w.begin_ns; }, true);
  o += ',';
  append_column(o, "dur", m.waits, [](const Wait& w) { return w.end_ns < 0 ? -1 : w.end_ns - w.begin_ns; }, false);
  o += ',';
  append_column(o, "obj", m.waits, [](const Wait& w) { return w.objects; }, false);
  o += ',';
  append_column(o, "status", m.waits, [](const Wait& w) { return w.status; }, false);
  o += ',';
  append_column(o, "detail", m.waits, [](const Wait& w) { return w.detail; }, false);
  o += "},\"calls\":{";
  append_column(o, "tid", m.calls, [](const Call& c) { return c.tid; }, false);
  o += ',';
  append_column(o, "t", m.calls, [](const Call& c) { return c.ns; }, true);
  o += ',';
  append_column(o, "name", m.calls, [](const Call& c) { return c.name; }, false);
  o += ',';
  append_column(o, "detail", m.calls, [](const Call& c) { return c.detail; }, false);
  o += "},\"arrows\":{";
  append_column(o, "from", m.arrows, [](const Arrow& a) { return a.from_tid; }, false);
  o += ',';
  append_column(o, "to", m.arrows, [](const Arrow& a) { return a.to_tid; }, false);
  o += ',';
  append_column(o, "t", m.arrows, [](const Arrow& a) { return a.ns; }, true);
  o += ',';
  append_column(o, "obj", m.arrows, [](const Arrow& a) { return a.object; }, false);
  o += "},\"stop\":";
  if (m.wedge.present) {
    fmt::format_to(std::back_inserter(o), "{{\"t\":{},\"code\":{},\"reason\":", m.wedge.ns, m.wedge.exit_code);
    append_json_string(o, m.wedge.reason);
    o += ",\"message\":";
    append_json_string(o, m.wedge.message);
    o += '}';
  } else {
    o += "null";
  }
  o += '}';
  return o;
}

void write_html(const Model& m, std::FILE* out) {
  std::string_view page(kPage);
  const std::string_view marker = "@XDET_DATA@";
  size_t at = page.find(marker);
  std::string data = page_data_json(m);
  std::fwrite(page.data(), 1, at, out);
  std::fwrite(data.data(), 1, data.size(), out);
  std::string_view rest = page.substr(at + marker.size());
  std::fwrite(rest.data(), 1, rest.size(), out);
}

namespace {

// Trace-event timestamps are microseconds; guest time is whole nanoseconds.
std::string us(int64_t ns) { return fmt::format("{}.{:03}", ns / 1000, ns % 1000); }

constexpr int kCpuPid = 1;
constexpr int kThreadPid = 2;

}  // namespace

void write_perfetto(const Model& m, std::FILE* out) {
  std::string o;
  bool first = true;
  auto begin_event = [&]() {
    o += first ? "\n" : ",\n";
    first = false;
  };
  auto flush = [&]() {
    if (o.size() > (1u << 20)) {
      std::fwrite(o.data(), 1, o.size(), out);
      o.clear();
    }
  };
  o += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"xdet timeline\",\"trace\":";
  append_json_string(o, m.trace_path);
  o += "},\"traceEvents\":[";
  auto meta = [&](int pid, int64_t tid, const char* what, std::string_view name) {
    begin_event();
    fmt::format_to(std::back_inserter(o), "{{\"ph\":\"M\",\"pid\":{},\"tid\":{},\"name\":\"{}\",\"args\":{{\"name\":", pid,
                   tid, what);
    append_json_string(o, name);
    o += "}}";
  };
  if (m.cpu_count) {
    meta(kCpuPid, 0, "process_name", "CPUs");
    for (int c = 0; c < m.cpu_count; ++c) meta(kCpuPid, c, "thread_name", fmt::format("CPU {}", c));
  }
  meta(kThreadPid, 0, "process_name", "guest threads");
  for (const ThreadLane& t : m.threads) meta(kThreadPid, t.tid, "thread_name", t.label);
  for (const Slice& s : m.slices) {
    std::string_view reason = m.strings.at(s.reason);
    begin_event();
    fmt::format_to(std::back_inserter(o),
                   "{{\"ph\":\"X\",\"cat\":\"sched\",\"name\":\"tid {}\",\"pid\":{},\"tid\":{},\"ts\":{},\"dur\":{},"
                   "\"args\":{{\"round\":{},\"instructions\":{},\"ended\":\"{}\"}}}}",
                   s.tid, kCpuPid, s.cpu, us(s.begin_ns), us(s.instructions * 10), s.round, s.instructions, reason);
    begin_event();
    fmt::format_to(std::back_inserter(o),
                   "{{\"ph\":\"X\",\"cat\":\"run\",\"name\":\"running\",\"pid\":{},\"tid\":{},\"ts\":{},\"dur\":{},"
                   "\"args\":{{\"cpu\":{},\"round\":{},\"ended\":\"{}\"}}}}",
                   kThreadPid, s.tid, us(s.begin_ns), us(s.instructions * 10), s.cpu, s.round, reason);
    flush();
  }
  for (const Wait& w : m.waits) {
    int64_t end = w.end_ns < 0 ? m.end_ns : w.end_ns;
    begin_event();
    fmt::format_to(std::back_inserter(o), "{{\"ph\":\"X\",\"cat\":\"wait\",\"name\":");
    append_json_string(o, "wait " + m.strings.at(w.objects));
    fmt::format_to(std::back_inserter(o), ",\"pid\":{},\"tid\":{},\"ts\":{},\"dur\":{},\"args\":{{\"objects\":", kThreadPid,
                   w.tid, us(w.begin_ns), us(end - w.begin_ns));
    append_json_string(o, m.strings.at(w.objects));
    o += ",\"status\":";
    append_json_string(o, w.end_ns < 0 ? std::string("never ended") : m.strings.at(w.status));
    o += ",\"wait\":";
    append_json_string(o, m.strings.at(w.detail));
    o += "}}";
    flush();
  }
  for (const Call& c : m.calls) {
    begin_event();
    o += "{\"ph\":\"i\",\"s\":\"t\",\"cat\":\"kernel\",\"name\":";
    append_json_string(o, m.strings.at(c.name));
    fmt::format_to(std::back_inserter(o), ",\"pid\":{},\"tid\":{},\"ts\":{},\"args\":{{\"call\":", kThreadPid, c.tid,
                   us(c.ns));
    append_json_string(o, m.strings.at(c.detail));
    o += "}}";
    flush();
  }
  uint64_t flow = 0;
  for (const Arrow& a : m.arrows) {
    ++flow;
    begin_event();
    o += "{\"ph\":\"s\",\"cat\":\"signal\",\"name\":";
    append_json_string(o, "signal " + m.strings.at(a.object));
    fmt::format_to(std::back_inserter(o), ",\"id\":{},\"pid\":{},\"tid\":{},\"ts\":{}}}", flow, kThreadPid, a.from_tid,
                   us(a.ns));
    begin_event();
    o += "{\"ph\":\"f\",\"bp\":\"e\",\"cat\":\"signal\",\"name\":";
    append_json_string(o, "signal " + m.strings.at(a.object));
    fmt::format_to(std::back_inserter(o), ",\"id\":{},\"pid\":{},\"tid\":{},\"ts\":{}}}", flow, kThreadPid, a.to_tid,
                   us(a.ns));
    flush();
  }
  if (m.wedge.present) {
    begin_event();
    o += "{\"ph\":\"i\",\"s\":\"g\",\"cat\":\"stop\",\"name\":";
    append_json_string(o, fmt::format("stop: {} (exit {})", m.wedge.reason, m.wedge.exit_code));
    fmt::format_to(std::back_inserter(o), ",\"pid\":{},\"tid\":0,\"ts\":{},\"args\":{{\"message\":", kThreadPid,
                   us(m.wedge.ns));
    append_json_string(o, m.wedge.message);
    o += "}}";
  }
  o += "\n]}\n";
  std::fwrite(o.data(), 1, o.size(), out);
}

}  // namespace xdet::timeline
