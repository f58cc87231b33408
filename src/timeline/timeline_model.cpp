#include "timeline/timeline_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "kernel/objects.h"

namespace xdet::timeline {

uint32_t StringTable::intern(std::string_view s) {
  auto it = index_.find(std::string(s));
  if (it != index_.end()) return it->second;
  uint32_t i = static_cast<uint32_t>(strings_.size());
  strings_.emplace_back(s);
  index_.emplace(strings_.back(), i);
  return i;
}

namespace {

struct Builder {
  Model& m;
  trace::ExitSummary exit;
  std::unordered_map<std::string, std::string> object_names;  // sid -> "semaphore f8000008"
  std::map<int64_t, size_t> thread_index;                      // tid -> threads[]
  std::unordered_map<int64_t, size_t> open_wait;               // tid -> waits[]
  std::unordered_map<int64_t, size_t> open_call;               // tid -> calls[]
  std::unordered_map<int64_t, std::string> open_call_text;     // tid -> "Name(args)" until it returns
  std::unordered_map<int, size_t> open_slice;                  // cpu -> slices[]
  std::unordered_map<std::string, int64_t> thread_by_sid;      // thread object sid -> tid
  int64_t thread_creates = 0;
  int max_cpu = -1;

  ThreadLane& lane(int64_t tid, int64_t ns) {
    auto it = thread_index.find(tid);
    if (it == thread_index.end()) {
      it = thread_index.emplace(tid, m.threads.size()).first;
      ThreadLane t;
      t.tid = tid;
      t.first_ns = ns;
      m.threads.push_back(t);
    }
    return m.threads[it->second];
  }

  std::string object_name(const std::string& sid) const {
    auto it = object_names.find(sid);
    if (it != object_names.end()) return it->second;
    return "object " + sid.substr(0, 8);
  }

  void note_time(int64_t ns) { m.end_ns = std::max(m.end_ns, ns); }

  void on_event(const trace::TraceEvent& e) {
    ++m.event_count;
    note_time(e.host_ns);
    std::string_view k = e.kind;
    if (k == "sched.slice.begin") {
      int cpu = static_cast<int>(e.int_field("cpu", -1));
      if (cpu < 0 || cpu > 63) return;
      m.has_sched = true;
      max_cpu = std::max(max_cpu, cpu);
      Slice s{cpu, e.int_field("thread"), e.host_ns, 0, e.int_field("round"), m.strings.intern("running")};
      open_slice[cpu] = m.slices.size();
      m.slices.push_back(s);
      lane(s.tid, e.host_ns);
      return;
    }
    if (k == "sched.slice.end") {
      int cpu = static_cast<int>(e.int_field("cpu", -1));
      auto it = open_slice.find(cpu);
      if (it == open_slice.end()) return;
      Slice& s = m.slices[it->second];
      s.instructions = e.int_field("instructions");
      s.reason = m.strings.intern(e.str_field("reason", "?"));
      note_time(s.end_ns());
      open_slice.erase(it);
      return;
    }
    if (k == "sched.ready") return;
    if (e.tid < 0) return;  // other engine-local streams carry no lane
    lane(e.tid, e.host_ns);
    if (k == "handle.create") {
      std::string sid(e.str_field("handle_semantic_id"));
      int64_t type = e.int_field("object_type", -1);
      std::string tname = type >= 0 && type < 256 ? kernel::dispatcher_type_name(static_cast<uint8_t>(type))
                                                  : std::string("object");
      std::string handle(e.str_field("raw_handle_id"));
      if (handle.rfind("0x", 0) == 0) handle = handle.substr(2);
      auto th = thread_by_sid.find(sid);
      if (th != thread_by_sid.end()) {
        object_names[sid] = fmt::format("thread {} {}", th->second, handle);
      } else if (!object_names.count(sid)) {
        object_names[sid] = fmt::format("{} {}", tname, handle);
      }
    } else if (k == "thread.create") {
      std::string sid(e.str_field("handle_semantic_id"));
      ++thread_creates;
      if (!exit.present && !sid.empty()) {
        // Without the exit state, tids are assumed dense in creation order
        // (tid 1 is the title's main thread).
        thread_by_sid[sid] = thread_creates + 1;
        auto it = object_names.find(sid);
        std::string handle = it != object_names.end() ? it->second.substr(it->second.rfind(' ') + 1) : "";
        object_names[sid] = fmt::format("thread {} {}", thread_creates + 1, handle);
      }
    } else if (k == "wait.begin") {
      std::string objects;
      const trace::PayloadField* hs = e.field("handles_semantic_ids");
      if (hs && hs->type == trace::PayloadField::Type::kRaw) {
        for (const std::string& sid : trace::json_string_list(hs->text)) {
          if (!objects.empty()) objects += ", ";
          objects += object_name(sid) + " (" + sid + ")";
        }
      }
      if (objects.empty()) objects = "delay";
      std::string timeout = e.is_null("timeout") ? "none" : std::to_string(e.int_field("timeout"));
      std::string detail = fmt::format("wait-{} timeout {} alertable {}", e.str_field("wait_type", "?"), timeout,
                                       e.int_field("alertable") ? "yes" : "no");
      open_wait[e.tid] = m.waits.size();
      m.waits.push_back(Wait{e.tid, e.host_ns, -1, m.strings.intern(objects), m.strings.intern("pending"),
                             m.strings.intern(detail)});
    } else if (k == "wait.end") {
      auto it = open_wait.find(e.tid);
      if (it == open_wait.end()) return;
      Wait& w = m.waits[it->second];
      w.end_ns = e.host_ns;
      std::string status(e.str_field("status", "?"));
      if (status == "0x00000102") status += " (timeout)";
      w.status = m.strings.intern(status);
      open_wait.erase(it);
    } else if (k == "kernel.call") {
      std::string detail = fmt::format("{}(", e.str_field("name", "?"));
      const trace::PayloadField* args = e.field("args");
      if (args && args->type == trace::PayloadField::Type::kRaw) detail += args->text;
      detail += ")";
      const trace::PayloadField* res = e.field("args_resolved");
      if (res && res->type == trace::PayloadField::Type::kRaw && res->text != "{}") {
        detail += " resolved ";
        detail += res->text;
      }
      open_call[e.tid] = m.calls.size();
      m.calls.push_back(Call{e.tid, e.host_ns, m.strings.intern(e.str_field("name", "?")), 0});
      open_call_text[e.tid] = std::move(detail);
    } else if (k == "kernel.return") {
      auto it = open_call.find(e.tid);
      if (it == open_call.end()) return;
      Call& c = m.calls[it->second];
      std::string& detail = open_call_text[e.tid];
      detail += fmt::format(" -> {} status {}", e.str_field("return_value", "?"), e.str_field("status", "?"));
      c.detail = m.strings.intern(detail);
      open_call.erase(it);
      open_call_text.erase(e.tid);
    } else if (k == "signal.match") {
      std::string sid(e.str_field("target_handle"));
      const trace::PayloadField* woken = e.field("waiter_tids");
      if (!woken || woken->type != trace::PayloadField::Type::kRaw) return;
      uint32_t obj = m.strings.intern(object_name(sid) + " (" + sid + ")");
      for (int64_t to : trace::json_int_list(woken->text)) m.arrows.push_back(Arrow{e.tid, to, e.host_ns, obj});
    }
  }
};

}  // namespace

Model build_model(const std::string& trace_path, const std::string& exit_state_path) {
  Model m;
  m.trace_path = trace_path;
  Builder b{m, trace::read_exit_summary(exit_state_path), {}, {}, {}, {}, {}, {}, {}, 0, -1};
  for (const trace::ExitThread& t : b.exit.threads) {
    if (!t.handle_semantic_id.empty()) b.thread_by_sid[t.handle_semantic_id] = t.tid;
    for (const trace::ExitWaitObject& o : t.wait_objects) {
      if (o.type_name == "thread") continue;  // named from the thread map below
      std::string handle = o.handle.empty() ? fmt::format("@{:08x}", o.address) : o.handle.substr(2);
      b.object_names[o.semantic_id] = fmt::format("{} {}", o.type_name, handle);
    }
  }
  for (const auto& [sid, tid] : b.thread_by_sid) b.object_names[sid] = fmt::format("thread {}", tid);
  trace::read_trace(
      trace_path, [&](const trace::TraceHeader& h) { m.title_id = h.title_id; },
      [&](const trace::TraceEvent& e) { b.on_event(e); });
  for (const auto& [tid, idx] : b.open_call) m.calls[idx].detail = m.strings.intern(b.open_call_text[tid] + " -> (no return)");
  if (m.has_sched) m.cpu_count = std::max(6, b.max_cpu + 1);
  for (const trace::ExitThread& t : b.exit.threads) {
    ThreadLane& l = b.lane(t.tid, -1);
    l.name = t.name;
    l.priority = t.base_priority;
    l.final_state = t.state;
  }
  std::sort(m.threads.begin(), m.threads.end(), [](const ThreadLane& a, const ThreadLane& c) { return a.tid < c.tid; });
  for (ThreadLane& t : m.threads) {
    t.label = t.tid == 0 ? std::string("kernel") : fmt::format("tid {}", t.tid);
    if (!t.name.empty()) t.label += " " + t.name;
  }
  std::stable_sort(m.slices.begin(), m.slices.end(), [](const Slice& a, const Slice& c) {
    return a.cpu != c.cpu ? a.cpu < c.cpu : a.begin_ns < c.begin_ns;
  });
  std::stable_sort(m.waits.begin(), m.waits.end(), [](const Wait& a, const Wait& c) {
    return a.tid != c.tid ? a.tid < c.tid : a.begin_ns < c.begin_ns;
  });
  std::stable_sort(m.calls.begin(), m.calls.end(), [](const Call& a, const Call& c) {
    return a.tid != c.tid ? a.tid < c.tid : a.ns < c.ns;
  });
  if (b.exit.present) {
    m.wedge.present = true;
    m.wedge.ns = b.exit.guest_time_ns;
    m.wedge.reason = b.exit.stop_reason;
    m.wedge.message = b.exit.message;
    m.wedge.exit_code = b.exit.exit_code;
    m.end_ns = std::max(m.end_ns, m.wedge.ns);
  }
  return m;
}

}  // namespace xdet::timeline
