#include "trace/exit_state.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "base/error.h"
#include "base/output_file.h"
#include "trace/jsonl_writer.h"

namespace xdet::trace {

using namespace kernel;

std::string render_exit_state(const Kernel& k, const RunOutcome& o) {
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  fmt::format_to(out, "{{\n  \"engine\": \"xdet\",\n  \"stop_reason\": \"{}\",\n  \"exit_code\": {},\n  \"message\": ",
                 stop_reason_name(o.reason), to_int(exit_code_for(o.reason)));
  append_json_string(b, o.message);
  fmt::format_to(out,
                 ",\n  \"policy\": \"{}\",\n  \"round\": {},\n  \"guest_time_ns\": {},\n  \"instructions\": {},\n"
                 "  \"frames\": {},\n  \"vblanks\": {},\n  \"gpu_interrupts\": {},\n  \"audio_callbacks\": {},\n"
                 "  \"threads\": [",
                 sched_policy_name(k.policy()), o.rounds, ns_from_units(o.guest_units), o.instructions,
                 k.devices().frames(), k.devices().vblanks(), k.devices().interrupts_delivered(),
                 k.devices().audio_callbacks());
  bool first = true;
  for (const ThreadReport& r : k.thread_reports()) {
    const Thread& t = *r.thread;
    fmt::format_to(out, "{}\n    {{\"tid\": {}, \"name\": ", first ? "" : ",", t.tid);
    first = false;
    if (t.name.empty()) {
      fmt::format_to(out, "null");
    } else {
      append_json_string(b, t.name);
    }
    fmt::format_to(out,
                   ", \"state\": \"{}\", \"pc\": \"0x{:08x}\", \"lr\": \"0x{:08x}\", \"base_priority\": {}, "
                   "\"effective_priority\": {}, \"affinity\": {}, \"last_cpu\": {}, \"last_run_round\": {}, "
                   "\"suspend_count\": {}, \"instructions\": {}, \"handle_semantic_id\": \"{:016x}\"",
                   thread_state_name(t.state), t.ctx.pc, static_cast<uint32_t>(t.ctx.lr), t.base_priority,
                   r.effective_priority, t.affinity_mask, t.last_cpu, t.last_run_round, t.suspend_count, t.retired,
                   t.sid);
    if (t.state == ThreadState::kTerminated) {
      fmt::format_to(out, ", \"exit_code\": \"0x{:08x}\"", t.exit_code);
    }
    if (!t.wait.active) {
      fmt::format_to(out, ", \"wait\": null}}");
      continue;
    }
    fmt::format_to(out, ", \"wait\": {{\"kind\": \"{}\", \"wait_type\": \"{}\", \"timeout\": ",
                   t.wait.is_delay ? "delay" : "objects", t.wait.type == WaitType::kAll ? "all" : "any");
    if (t.wait.has_timeout) {
      fmt::format_to(out, "{}", t.wait.timeout_100ns);
    } else {
      fmt::format_to(out, "null");
    }
    fmt::format_to(out, ", \"since_round\": {}, \"alertable\": {}, \"objects\": [", t.wait.since_round,
                   t.wait.alertable ? "true" : "false");
    for (size_t i = 0; i < r.wait_objects.size(); ++i) {
      const auto& w = r.wait_objects[i];
      fmt::format_to(out, "{}{{\"address\": \"0x{:08x}\", \"handle\": ", i ? ", " : "", w.address);
      if (w.handle) {
        fmt::format_to(out, "\"0x{:08x}\"", w.handle);
      } else {
        fmt::format_to(out, "null");
      }
      fmt::format_to(out, ", \"semantic_id\": \"{:016x}\", \"object_type\": {}, \"type_name\": \"{}\", \"signalers\": [",
                     w.sid, w.type, dispatcher_type_name(w.type));
      for (size_t j = 0; j < w.possible_signalers.size(); ++j) {
        fmt::format_to(out, "{}{}", j ? ", " : "", w.possible_signalers[j]);
      }
      fmt::format_to(out, "]}}");
    }
    fmt::format_to(out, "]}}}}");
  }
  fmt::format_to(out, "\n  ],\n  \"report\": ");
  append_json_string(b, o.report);
  fmt::format_to(out, "\n}}\n");
  return fmt::to_string(b);
}

void write_exit_state(const std::string& path, const Kernel& k, const RunOutcome& o) {
  std::string text = render_exit_state(k, o);
  write_output_file(path, text.data(), text.size(), "exit-state file");
}

}  // namespace xdet::trace
