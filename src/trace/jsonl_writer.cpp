#include "trace/jsonl_writer.h"

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/output_file.h"

namespace xdet::trace {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

template <class B>
void append_literal(B& out, std::string_view s) { out.append(s.data(), s.data() + s.size()); }

template <class B>
void append_hex(B& out, uint64_t v, int digits) {
  char tmp[16];
  for (int i = digits - 1; i >= 0; --i) {
    tmp[i] = kHexDigits[v & 0xF];
    v >>= 4;
  }
  out.append(tmp, tmp + digits);
}

template <class B>
void append_uint(B& out, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[19 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  out.append(tmp + 20 - n, tmp + 20);
}

template <class B>
void append_int(B& out, int64_t v) {
  if (v < 0) {
    out.push_back('-');
    append_uint(out, ~static_cast<uint64_t>(v) + 1);
  } else {
    append_uint(out, static_cast<uint64_t>(v));
  }
}

template <class B>
void json_string(B& out, std::string_view s);
template <class B>
void fields(B& out, const kernel::TraceField* f, uint32_t count);

template <class B>
void append_value(B& out, const kernel::TraceValue& v) {
  using T = kernel::TraceValue::Type;
  switch (v.type) {
    case T::kHex32:
      append_literal(out, "\"0x");
      append_hex(out, v.u & 0xFFFFFFFFu, 8);
      out.push_back('"');
      break;
    case T::kSid:
      out.push_back('"');
      append_hex(out, v.u, 16);
      out.push_back('"');
      break;
    case T::kInt: append_int(out, v.i); break;
    case T::kUint: append_uint(out, v.u); break;
    case T::kBool: append_literal(out, v.u ? "true" : "false"); break;
    case T::kNull: append_literal(out, "null"); break;
    case T::kString: json_string(out, v.str ? v.str : ""); break;
    case T::kObject: fields(out, v.fields, v.count); break;
    case T::kSidList:
      out.push_back('[');
      for (uint32_t i = 0; i < v.count; ++i) {
        if (i) out.push_back(',');
        out.push_back('"');
        append_hex(out, v.sids[i], 16);
        out.push_back('"');
      }
      out.push_back(']');
      break;
    case T::kUintList:
      out.push_back('[');
      for (uint32_t i = 0; i < v.count; ++i) {
        if (i) out.push_back(',');
        append_uint(out, v.uints[i]);
      }
      out.push_back(']');
      break;
  }
}

template <class B>
void json_string(B& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') continue;
    out.append(s.data() + run, s.data() + i);
    run = i + 1;
    switch (c) {
      case '"': append_literal(out, "\\\""); break;
      case '\\': append_literal(out, "\\\\"); break;
      case '\n': append_literal(out, "\\n"); break;
      case '\r': append_literal(out, "\\r"); break;
      case '\t': append_literal(out, "\\t"); break;
      default:
        // Guest strings are bytes, not UTF-8: escape everything outside
        // printable ASCII so the line is always valid JSON.
        append_literal(out, "\\u00");
        append_hex(out, c, 2);
    }
  }
  out.append(s.data() + run, s.data() + s.size());
  out.push_back('"');
}

template <class B>
void fields(B& out, const kernel::TraceField* f, uint32_t count) {
  out.push_back('{');
  for (uint32_t i = 0; i < count; ++i) {
    if (i) out.push_back(',');
    json_string(out, f[i].key);
    out.push_back(':');
    append_value(out, f[i].value);
  }
  out.push_back('}');
}

}  // namespace

void append_json_string(fmt::memory_buffer& out, std::string_view s) { json_string(out, s); }

void append_fields(fmt::memory_buffer& out, const kernel::TraceField* f, uint32_t count) { fields(out, f, count); }

JsonlTraceWriter::JsonlTraceWriter(const std::string& path, const TraceHeader& header, size_t buffer_bytes)
    : path_(path), threshold_(buffer_bytes) {
  file_ = open_output_file(path, "trace file");
  if (is_zstd_path(path)) {
    zstd_ = ZSTD_createCCtx();
    if (!zstd_) throw Error(ExitCode::kInternal, "cannot create a zstd compression context");
    ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(zstd_, ZSTD_c_checksumFlag, 1);
    zbuf_.resize(ZSTD_CStreamOutSize());
  }
  buf_.reserve(buffer_bytes + 4096);
  append_literal(buf_, "{\"kind\":\"schema_version\",\"schema_version\":1,\"engine\":\"xdet\",\"emitter\":\"xdet\",\"title_id\":\"0x");
  append_hex(buf_, header.title_id, 8);
  append_literal(buf_, "\",\"seed\":");
  append_uint(buf_, header.seed);
  append_literal(buf_, "}\n");
}

JsonlTraceWriter::~JsonlTraceWriter() {
  try {
    flush();
  } catch (const Error&) {
    // Already reported by an explicit flush() on the stop path, if any.
  }
  if (zstd_) ZSTD_freeCCtx(zstd_);
  if (file_) std::fclose(file_);
}

void JsonlTraceWriter::emit(const kernel::TraceEvent& ev) {
  append_literal(buf_, "{\"tid\":");
  if (ev.tid == kernel::kSchedStreamTid) {
    append_literal(buf_, "-1");
  } else {
    append_uint(buf_, ev.tid);
  }
  append_literal(buf_, ",\"tid_event_idx\":");
  append_uint(buf_, ev.tid_event_idx);
  append_literal(buf_, ",\"kind\":\"");
  append_literal(buf_, kernel::trace_kind_name(ev.kind));
  append_literal(buf_, "\",\"engine\":\"xdet\",\"host_ns\":");
  append_uint(buf_, ev.guest_ns);
  append_literal(buf_, ",\"guest_cycle\":");
  append_uint(buf_, ev.guest_cycle);
  append_literal(buf_, ",\"deterministic\":true,\"payload\":");
  fields(buf_, ev.fields, ev.field_count);
  append_literal(buf_, "}\n");
  ++events_;
  if (buf_.size() >= threshold_) write_out();
}

bool is_zstd_path(const std::string& path) {
  return path.size() > 4 && path.compare(path.size() - 4, 4, ".zst") == 0;
}

void JsonlTraceWriter::write_bytes(const char* data, size_t size) {
  if (size && std::fwrite(data, 1, size, file_) != size) {
    throw OutputError(fmt::format("writing trace file {} failed: {}", path_, std::strerror(errno)));
  }
}

// Compresses the buffered lines. `end_frame` closes the zstd frame so the
// file on disk is a complete, readable stream (later data starts a new
// frame; zstd readers decode concatenated frames as one stream).
void JsonlTraceWriter::compress_out(bool end_frame) {
  ZSTD_inBuffer in{buf_.data(), buf_.size(), 0};
  ZSTD_EndDirective mode = end_frame ? ZSTD_e_end : ZSTD_e_continue;
  frame_open_ = !end_frame;
  for (;;) {
    ZSTD_outBuffer out{zbuf_.data(), zbuf_.size(), 0};
    size_t left = ZSTD_compressStream2(zstd_, &out, &in, mode);
    if (ZSTD_isError(left)) {
      throw Error(ExitCode::kInternal, fmt::format("zstd compression of {} failed: {}", path_, ZSTD_getErrorName(left)));
    }
    write_bytes(zbuf_.data(), out.pos);
    if (end_frame ? left == 0 : in.pos == in.size) break;
  }
}

void JsonlTraceWriter::write_out() {
  if (!file_ || buf_.size() == 0) return;
  try {
    if (zstd_) {
      compress_out(false);
    } else {
      write_bytes(buf_.data(), buf_.size());
    }
  } catch (...) {
    buf_.clear();
    throw;
  }
  buf_.clear();
}

void JsonlTraceWriter::flush() {
  if (zstd_ && file_) {
    if (buf_.size() || frame_open_) {
      try {
        compress_out(true);
      } catch (...) {
        buf_.clear();
        throw;
      }
      buf_.clear();
    }
    frame_open_ = false;
  } else {
    write_out();
  }
  if (file_) std::fflush(file_);
}

}  // namespace xdet::trace
