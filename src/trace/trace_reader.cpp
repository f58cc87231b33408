#include "trace/trace_reader.h"

#include "trace/exit_state.h"

#include <simdjson.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/error.h"

namespace xdet::trace {
namespace {

namespace od = simdjson::ondemand;

constexpr size_t kBlockSize = 8u << 20;

// A growable buffer that always has simdjson's padding after its capacity.
struct PaddedBuffer {
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  void reserve(size_t n) {
    if (n <= capacity) return;
    std::unique_ptr<char[]> grown(new char[n + simdjson::SIMDJSON_PADDING]);
    if (data) std::memcpy(grown.get(), data.get(), capacity);
    std::memset(grown.get() + n, 0, simdjson::SIMDJSON_PADDING);
    data = std::move(grown);
    capacity = n;
  }
};

struct LineParser {
  const std::string& path;
  od::parser doc_parser;
  TraceEvent ev;
  bool header_seen = false;
  uint64_t ordinal = 0;
  const std::function<void(const TraceFileHeader&)>& on_header;
  const std::function<void(const TraceEvent&)>& on_event;

  [[noreturn]] void fail(uint64_t line, const std::string& what) {
    throw_input_error("{}:{}: {}", path, line, what);
  }

  // Flattens the payload object into ev.fields as the line is parsed (one
  // pass over the line; the payload's text is taken from where the object
  // starts and ends).
  void flatten_payload(od::object& obj, uint64_t line) {
    for (auto field : obj) {
      PayloadField pf;
      std::string_view key;
      if (field.unescaped_key().get(key)) fail(line, "bad payload key");
      pf.key = key;
      od::value v = field.value();
      od::json_type t;
      if (v.type().get(t)) fail(line, "bad payload value");
      switch (t) {
        case od::json_type::null:
          pf.type = PayloadField::Type::kNull;
          break;
        case od::json_type::boolean: {
          bool b = false;
          if (v.get_bool().get(b)) fail(line, "bad payload boolean");
          pf.type = PayloadField::Type::kBool;
          pf.i = b;
          break;
        }
        case od::json_type::number: {
          int64_t i;
          if (!v.get_int64().get(i)) {
            pf.type = PayloadField::Type::kInt;
            pf.i = i;
          } else {
            double d;
            if (v.get_double().get(d)) fail(line, "bad payload number");
            pf.type = PayloadField::Type::kFloat;
            pf.f = d;
          }
          break;
        }
        case od::json_type::string: {
          std::string_view s;
          if (v.get_string().get(s)) fail(line, "bad payload string");
          pf.type = PayloadField::Type::kString;
          pf.text = s;
          break;
        }
        case od::json_type::array: {
          std::string_view s;
          od::array a;
          if (v.get_array().get(a) || a.raw_json().get(s)) fail(line, "bad payload array");
          pf.type = PayloadField::Type::kRaw;
          pf.text = s;
          break;
        }
        default: {
          std::string_view s;
          od::object o;
          if (v.get_object().get(o) || o.raw_json().get(s)) fail(line, "bad payload object");
          pf.type = PayloadField::Type::kRaw;
          pf.text = s;
          break;
        }
      }
      ev.fields.push_back(pf);
    }
  }

  void parse_line(const char* p, size_t len, uint64_t line, const char* buf_end) {
    size_t cap = static_cast<size_t>(buf_end - p);
    od::document doc;
    if (doc_parser.iterate(p, len, cap).get(doc)) fail(line, "invalid JSON");
    od::object obj;
    if (auto err = doc.get_object().get(obj)) {
      fail(line, err == simdjson::INCORRECT_TYPE ? std::string("not a JSON object")
                                                  : std::string("invalid JSON (") + simdjson::error_message(err) + ")");
    }
    if (!header_seen) {
      TraceFileHeader h;
      h.json.assign(p, len);
      bool is_header = false;
      for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) fail(line, "invalid JSON");
        od::value v = field.value();
        std::string_view s;
        int64_t i;
        if (key == "kind") {
          is_header = !v.get_string().get(s) && s == "schema_version";
        } else if (key == "schema_version") {
          if (v.get_int64().get(i) || i != 1) fail(line, "schema_version is not 1");
        } else if (key == "engine" && !v.get_string().get(s)) {
          h.engine = s;
        } else if (key == "title_id" && !v.get_string().get(s)) {
          h.title_id = s;
        } else if (key == "seed" && !v.get_int64().get(i)) {
          h.seed = i;
        }
      }
      if (!is_header) fail(line, "first line is not the schema_version header");
      header_seen = true;
      on_header(h);
      return;
    }
    bool has_tid = false, has_kind = false;
    ev.line = line;
    ev.fields.clear();
    ev.tid_event_idx = 0;
    ev.host_ns = 0;
    ev.payload_json = "{}";
    ev.kind = {};
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) fail(line, "invalid JSON");
      od::value v = field.value();
      if (key == "tid") {
        if (v.get_int64().get(ev.tid)) fail(line, "tid is not an integer");
        has_tid = true;
      } else if (key == "tid_event_idx") {
        if (v.get_int64().get(ev.tid_event_idx)) fail(line, "tid_event_idx is not an integer");
      } else if (key == "kind") {
        if (v.get_string().get(ev.kind)) fail(line, "kind is not a string");
        has_kind = true;
      } else if (key == "host_ns") {
        int64_t ns;
        if (!v.get_int64().get(ns)) ev.host_ns = ns;
      } else if (key == "payload") {
        ev.fields.clear();  // a repeated key: the last payload counts
        std::string_view start = v.raw_json_token();
        od::object po;
        if (v.get_object().get(po)) fail(line, "payload is not an object");
        flatten_payload(po, line);
        // The object's text ends at the last '}' before the token after it.
        const char* after = nullptr;
        if (doc.current_location().get(after)) fail(line, "invalid JSON");
        const char* close = after;
        while (close > start.data() && *(close - 1) != '}') --close;
        if (close <= start.data()) fail(line, "payload is not an object");
        ev.payload_json = std::string_view(start.data(), static_cast<size_t>(close - start.data()));
      }
    }
    if (!has_tid) fail(line, "missing tid");
    if (!has_kind) fail(line, "missing kind");
    ev.ordinal = ordinal++;
    on_event(ev);
  }
};

}  // namespace

int64_t TraceEvent::int_field(std::string_view key, int64_t fallback) const {
  const PayloadField* f = field(key);
  if (!f) return fallback;
  if (f->type == PayloadField::Type::kInt || f->type == PayloadField::Type::kBool) return f->i;
  if (f->type == PayloadField::Type::kFloat) return static_cast<int64_t>(f->f);
  return fallback;
}

std::string_view TraceEvent::str_field(std::string_view key, std::string_view fallback) const {
  const PayloadField* f = field(key);
  return f && f->type == PayloadField::Type::kString ? f->text : fallback;
}

uint64_t TraceEvent::hex_field(std::string_view key, uint64_t fallback) const {
  const PayloadField* f = field(key);
  if (!f) return fallback;
  if (f->type == PayloadField::Type::kInt) return static_cast<uint64_t>(f->i);
  if (f->type != PayloadField::Type::kString) return fallback;
  std::string s(f->text);
  char* end = nullptr;
  uint64_t v = std::strtoull(s.c_str(), &end, 0);
  return end && *end == 0 && !s.empty() ? v : fallback;
}

bool TraceEvent::is_null(std::string_view key) const {
  const PayloadField* f = field(key);
  return !f || f->type == PayloadField::Type::kNull;
}

void read_trace(const std::string& path, const std::function<void(const TraceFileHeader&)>& on_header,
                const std::function<void(const TraceEvent&)>& on_event) {
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) throw_input_error("{}: cannot open trace: {}", path, std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(fp, std::fclose);
  LineParser lp{path, od::parser{}, {}, false, 0, on_header, on_event};
  PaddedBuffer buf;
  // Small traces (samples, tests) get a buffer of their size, not a block.
  size_t first_block = kBlockSize;
  struct stat st{};
  if (::fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0)
    first_block = std::clamp<size_t>(static_cast<size_t>(st.st_size) + 1, 4096, kBlockSize);
  buf.reserve(first_block);
  size_t have = 0;  // bytes of unparsed text at the front of buf
  uint64_t line = 0;
  bool eof = false;
  while (!eof || have) {
    if (!eof) {
      if (have == buf.capacity) buf.reserve(buf.capacity * 2);  // one line longer than the block
      size_t n = std::fread(buf.data.get() + have, 1, buf.capacity - have, fp);
      if (n == 0) {
        if (std::ferror(fp)) throw_input_error("{}: read error", path);
        eof = true;
      }
      have += n;
    }
    const char* base = buf.data.get();
    const char* end = base + have;
    const char* buf_end = base + buf.capacity + simdjson::SIMDJSON_PADDING;
    const char* p = base;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (!nl && !eof) break;  // partial line: read more first
      const char* le = nl ? nl : end;
      ++line;
      size_t len = static_cast<size_t>(le - p);
      if (len && p[len - 1] == '\r') --len;
      if (len) lp.parse_line(p, len, line, buf_end);
      p = nl ? nl + 1 : end;
    }
    have = static_cast<size_t>(end - p);
    if (have) std::memmove(buf.data.get(), p, have);
    if (eof && have == 0) break;
  }
  if (!lp.header_seen) throw_input_error("{}: empty trace (no schema_version header)", path);
}

std::vector<std::string> json_string_list(std::string_view raw) {
  std::vector<std::string> out;
  simdjson::padded_string ps(raw);
  od::parser parser;
  od::document doc;
  if (parser.iterate(ps).get(doc)) return out;
  od::array arr;
  if (doc.get_array().get(arr)) return out;
  for (auto v : arr) {
    std::string_view s;
    int64_t i;
    if (!v.get_string().get(s)) out.emplace_back(s);
    else if (!v.get_int64().get(i)) out.push_back(std::to_string(i));
  }
  return out;
}

std::vector<int64_t> json_int_list(std::string_view raw) {
  std::vector<int64_t> out;
  simdjson::padded_string ps(raw);
  od::parser parser;
  od::document doc;
  if (parser.iterate(ps).get(doc)) return out;
  od::array arr;
  if (doc.get_array().get(arr)) return out;
  for (auto v : arr) {
    int64_t i;
    if (!v.get_int64().get(i)) out.push_back(i);
  }
  return out;
}

}  // namespace xdet::trace

namespace xdet::trace {

std::string default_exit_state_path(const std::string& trace_path) {
  std::string path = exit_state_path_for(trace_path);
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
    return path;
  }
  // Runs of earlier xdet versions wrote one fixed name beside the trace.
  size_t slash = trace_path.find_last_of('/');
  const char* name = "exit-thread-state.json";
  std::string legacy = slash == std::string::npos ? name : trace_path.substr(0, slash + 1) + name;
  if (std::FILE* f = std::fopen(legacy.c_str(), "rb")) {
    std::fclose(f);
    return legacy;
  }
  return path;
}

ExitSummary read_exit_summary(const std::string& path) {
  ExitSummary out;
  std::FILE* probe = std::fopen(path.c_str(), "rb");
  if (!probe) return out;
  std::fclose(probe);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(path).get(root) || !root.is_object()) throw_input_error("{}: not an exit-state JSON file", path);
  auto str = [](simdjson::dom::element e, std::string_view key) {
    std::string_view s;
    return e[key].get_string().get(s) ? std::string() : std::string(s);
  };
  auto num = [](simdjson::dom::element e, std::string_view key, int64_t fb) {
    int64_t v;
    return e[key].get_int64().get(v) ? fb : v;
  };
  out.present = true;
  out.stop_reason = str(root, "stop_reason");
  out.message = str(root, "message");
  out.policy = str(root, "policy");
  out.exit_code = num(root, "exit_code", 0);
  out.round = num(root, "round", 0);
  out.guest_time_ns = num(root, "guest_time_ns", 0);
  out.instructions = num(root, "instructions", 0);
  simdjson::dom::array threads;
  if (root["threads"].get_array().get(threads)) throw_input_error("{}: exit state has no threads array", path);
  for (simdjson::dom::element t : threads) {
    ExitThread et;
    et.tid = num(t, "tid", 0);
    et.name = str(t, "name");
    et.state = str(t, "state");
    et.pc = str(t, "pc");
    et.base_priority = num(t, "base_priority", 0);
    et.effective_priority = num(t, "effective_priority", 0);
    et.affinity = num(t, "affinity", 0);
    et.last_cpu = num(t, "last_cpu", -1);
    et.last_run_round = num(t, "last_run_round", 0);
    et.instructions = num(t, "instructions", 0);
    et.handle_semantic_id = str(t, "handle_semantic_id");
    simdjson::dom::element we;
    if (!t["wait"].get(we) && we.is_object()) {
      et.wait_kind = str(we, "kind");
      et.wait_since_round = num(we, "since_round", 0);
      simdjson::dom::array objs;
      if (!we["objects"].get_array().get(objs)) {
        for (simdjson::dom::element o : objs) {
          ExitWaitObject wo;
          wo.semantic_id = str(o, "semantic_id");
          wo.handle = str(o, "handle");
          wo.type_name = str(o, "type_name");
          wo.address = static_cast<uint32_t>(std::strtoul(str(o, "address").c_str(), nullptr, 0));
          et.wait_objects.push_back(std::move(wo));
        }
      }
    }
    out.threads.push_back(std::move(et));
  }
  return out;
}

}  // namespace xdet::trace
