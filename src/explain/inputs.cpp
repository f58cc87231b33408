#include "explain/inputs.h"

#include <cstdlib>
#include <fstream>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/error.h"

namespace xdet::explain {

namespace {

uint64_t parse_hex(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  return std::strtoull(std::string(s).c_str(), nullptr, 16);
}

uint64_t hex_field(simdjson::dom::element e, const char* key) {
  std::string_view sv;
  if (e[key].get(sv) == simdjson::SUCCESS) return parse_hex(sv);
  return 0;
}

uint64_t uint_field(simdjson::dom::element e, const char* key) {
  uint64_t u = 0;
  int64_t i = 0;
  if (e[key].get(u) == simdjson::SUCCESS) return u;
  if (e[key].get(i) == simdjson::SUCCESS) return static_cast<uint64_t>(i);
  return 0;
}

std::string string_field(simdjson::dom::element e, const char* key) {
  std::string_view sv;
  if (e[key].get(sv) == simdjson::SUCCESS) return std::string(sv);
  return {};
}

}  // namespace

std::string ThreadStop::label() const {
  return name.empty() ? fmt::format("tid {}", tid) : fmt::format("tid {} {}", tid, name);
}

const ThreadStop* ExitStateFile::thread(uint32_t tid) const {
  for (const ThreadStop& t : threads) {
    if (t.tid == tid) return &t;
  }
  return nullptr;
}

ExitStateFile read_exit_state(const std::string& path) {
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path).get(text) != simdjson::SUCCESS) {
    throw InputError(fmt::format("{}: cannot read the exit state", path));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) throw InputError(fmt::format("{}: not a JSON document", path));
  ExitStateFile s;
  s.stop_reason = string_field(root, "stop_reason");
  simdjson::dom::array threads;
  if (s.stop_reason.empty() || root["threads"].get(threads) != simdjson::SUCCESS) {
    throw InputError(fmt::format("{}: not an exit-thread-state.json (no stop_reason/threads)", path));
  }
  s.exit_code = static_cast<int>(uint_field(root, "exit_code"));
  s.message = string_field(root, "message");
  s.policy = string_field(root, "policy");
  s.round = uint_field(root, "round");
  s.guest_time_ns = uint_field(root, "guest_time_ns");
  for (simdjson::dom::element e : threads) {
    ThreadStop t;
    t.tid = static_cast<uint32_t>(uint_field(e, "tid"));
    t.name = string_field(e, "name");
    t.state = string_field(e, "state");
    t.pc = static_cast<uint32_t>(hex_field(e, "pc"));
    t.lr = static_cast<uint32_t>(hex_field(e, "lr"));
    t.base_priority = static_cast<uint32_t>(uint_field(e, "base_priority"));
    t.effective_priority = static_cast<uint32_t>(uint_field(e, "effective_priority"));
    t.affinity = static_cast<uint32_t>(uint_field(e, "affinity"));
    int64_t cpu = -1;
    if (e["last_cpu"].get(cpu) == simdjson::SUCCESS) t.last_cpu = static_cast<int>(cpu);
    t.last_run_round = uint_field(e, "last_run_round");
    t.instructions = uint_field(e, "instructions");
    t.sid = hex_field(e, "handle_semantic_id");
    simdjson::dom::element w;
    if (e["wait"].get(w) == simdjson::SUCCESS && !w.is_null()) {
      t.waiting = true;
      t.wait_kind = string_field(w, "kind");
      t.wait_type = string_field(w, "wait_type");
      int64_t timeout = 0;
      if (w["timeout"].get(timeout) == simdjson::SUCCESS) {
        t.has_timeout = true;
        t.timeout_100ns = timeout;
      }
      t.since_round = uint_field(w, "since_round");
      simdjson::dom::array objects;
      if (w["objects"].get(objects) == simdjson::SUCCESS) {
        for (simdjson::dom::element o : objects) {
          WaitObjectState ws;
          ws.address = static_cast<uint32_t>(hex_field(o, "address"));
          ws.handle = static_cast<uint32_t>(hex_field(o, "handle"));
          ws.sid = hex_field(o, "semantic_id");
          ws.type = static_cast<uint32_t>(uint_field(o, "object_type"));
          ws.type_name = string_field(o, "type_name");
          simdjson::dom::array sig;
          if (o["signalers"].get(sig) == simdjson::SUCCESS) {
            for (simdjson::dom::element x : sig) {
              uint64_t tid = 0;
              if (x.get(tid) == simdjson::SUCCESS) ws.signalers.push_back(static_cast<uint32_t>(tid));
            }
          }
          t.objects.push_back(std::move(ws));
        }
      }
    }
    s.threads.push_back(std::move(t));
  }
  return s;
}

TraceFacts read_trace_facts(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot read the trace", path));
  TraceFacts f;
  simdjson::dom::parser parser;
  std::string line;
  uint64_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    simdjson::dom::element e;
    if (parser.parse(line).get(e) != simdjson::SUCCESS) {
      throw InputError(fmt::format("{}:{}: not a JSON line", path, lineno));
    }
    std::string_view kind;
    if (e["kind"].get(kind) != simdjson::SUCCESS) throw InputError(fmt::format("{}:{}: event without kind", path, lineno));
    if (lineno == 1) {
      if (kind != "schema_version") throw InputError(fmt::format("{}:1: not a schema-v1 trace (no header)", path));
      continue;
    }
    ++f.events;
    uint32_t tid = static_cast<uint32_t>(uint_field(e, "tid"));
    uint64_t ns = uint_field(e, "host_ns");
    f.last_event_ns[tid] = ns;
    simdjson::dom::element p;
    if (e["payload"].get(p) != simdjson::SUCCESS) continue;
    if (kind == "handle.create") {
      uint64_t sid = hex_field(p, "handle_semantic_id");
      ObjectHistory& o = f.objects[sid];
      if (o.object_type < 0) {
        o.sid = sid;
        o.object_type = static_cast<int>(uint_field(p, "object_type"));
        o.creator_tid = tid;
        o.create_site_pc = static_cast<uint32_t>(hex_field(p, "create_site_pc"));
        o.raw_handle = static_cast<uint32_t>(hex_field(p, "raw_handle_id"));
      }
    } else if (kind == "sema.release") {
      uint64_t sid = hex_field(p, "handle_semantic_id");
      f.objects[sid].sid = sid;
      ++f.objects[sid].signals_by_tid[tid];
    } else if (kind == "signal.match") {
      uint64_t sid = hex_field(p, "target_handle");
      f.objects[sid].sid = sid;
      ++f.objects[sid].signals_by_tid[tid];
    } else if (kind == "wait.begin") {
      LastWait& w = f.last_wait[tid];
      uint64_t timeouts = w.timeouts;
      w = LastWait{};
      w.timeouts = timeouts;
      w.event_idx = uint_field(e, "tid_event_idx");
      w.host_ns = ns;
      simdjson::dom::array sids;
      if (p["handles_semantic_ids"].get(sids) == simdjson::SUCCESS) {
        for (simdjson::dom::element s : sids) {
          std::string_view sv;
          if (s.get(sv) == simdjson::SUCCESS) {
            uint64_t sid = parse_hex(sv);
            w.sids.push_back(sid);
            f.objects[sid].sid = sid;
            ++f.objects[sid].waits;
          }
        }
      }
    } else if (kind == "wait.end") {
      LastWait& w = f.last_wait[tid];
      w.ended = true;
      w.end_status = string_field(p, "status");
      if (w.end_status == "0x00000102") {
        ++w.timeouts;
        for (uint64_t sid : w.sids) ++f.objects[sid].timeouts;
      }
    }
  }
  if (lineno == 0) throw InputError(fmt::format("{}: empty trace", path));
  return f;
}

}  // namespace xdet::explain
