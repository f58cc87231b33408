#include "trace/exit_state.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "base/error.h"
#include "base/output_file.h"
#include "trace/jsonl_writer.h"

namespace xdet::trace {

using namespace kernel;

namespace {

void append_symbol(fmt::memory_buffer& b, uint32_t pc, const loader::SymbolTable& symbols) {
  std::string sym = symbols.describe(pc);
  if (sym.empty()) {
    fmt::format_to(std::back_inserter(b), "null");
  } else {
    append_json_string(b, sym);
  }
}

void append_diagnosis(fmt::memory_buffer& b, const ThreadDiagnosis& d, const Thread& t,
                      const loader::SymbolTable* symbols) {
  auto out = std::back_inserter(b);
  fmt::format_to(out, "{{\"kind\": \"{}\"", diagnosis_kind_name(d.kind));
  switch (d.kind) {
    case DiagnosisKind::kBlocked:
    case DiagnosisKind::kSleeping: fmt::format_to(out, ", \"since_round\": {}", d.since_round); break;
    case DiagnosisKind::kSuspended: fmt::format_to(out, ", \"suspend_count\": {}", t.suspend_count); break;
    case DiagnosisKind::kSpinning:
      fmt::format_to(out, ", \"loop\": {{\"start\": \"0x{:08x}\", \"end\": \"0x{:08x}\"", d.loop_start, d.loop_end);
      if (symbols) {
        fmt::format_to(out, ", \"start_symbol\": ");
        append_symbol(b, d.loop_start, *symbols);
        fmt::format_to(out, ", \"end_symbol\": ");
        append_symbol(b, d.loop_end, *symbols);
      }
      fmt::format_to(out, "}}");
      break;
    case DiagnosisKind::kStarved:
      fmt::format_to(out, ", \"rounds_ready\": {}, \"never_ran\": {}, \"cpu_holders\": [", d.rounds_ready,
                     d.never_ran ? "true" : "false");
      for (size_t i = 0; i < d.cpu_holders.size(); ++i) {
        fmt::format_to(out, "{}{{\"cpu\": {}, \"tid\": ", i ? ", " : "", d.cpu_holders[i].first);
        if (d.cpu_holders[i].second) fmt::format_to(out, "{}}}", d.cpu_holders[i].second);
        else fmt::format_to(out, "null}}");
      }
      fmt::format_to(out, "]");
      break;
    case DiagnosisKind::kExited:
    case DiagnosisKind::kIdleDevice:
    case DiagnosisKind::kRunning:
    case DiagnosisKind::kReady: break;
  }
  fmt::format_to(out, "}}");
}

}  // namespace

std::string trace_sibling_path(const std::string& trace_path, std::string_view suffix) {
  std::string base = trace_path;
  for (std::string_view ext : {std::string_view(".zst"), std::string_view(".jsonl")}) {
    if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
      base.resize(base.size() - ext.size());
    }
  }
  return base.append(suffix);
}

std::string exit_state_path_for(const std::string& trace_path) {
  return trace_sibling_path(trace_path, ".exit-thread-state.json");
}

std::string render_exit_state(const Kernel& k, const RunOutcome& o, const ExitStateContext& ctx) {
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  fmt::format_to(out, "{{\n  \"engine\": \"xdet\",\n  \"stop_reason\": \"{}\",\n  \"exit_code\": {},\n  \"message\": ",
                 stop_reason_name(o.reason), to_int(exit_code_for(o.reason)));
  append_json_string(b, o.message);
  fmt::format_to(out, ",\n  \"trace\": ");
  if (ctx.trace.empty()) {
    fmt::format_to(out, "null");
  } else {
    append_json_string(b, ctx.trace);
  }
  fmt::format_to(out,
                 ",\n  \"policy\": \"{}\",\n  \"round\": {},\n  \"guest_time_ns\": {},\n  \"instructions\": {},\n"
                 "  \"frames\": {},\n  \"vblanks\": {},\n  \"gpu_interrupts\": {},\n  \"audio_callbacks\": {},\n"
                 "  \"threads\": [",
                 sched_policy_name(k.policy()), o.rounds, ns_from_units(o.guest_units), o.instructions,
                 k.devices().frames(), k.devices().vblanks(), k.devices().interrupts_delivered(),
                 k.devices().audio_callbacks());
  bool first = true;
  std::vector<ThreadReport> reports = k.thread_reports();
  for (size_t ti = 0; ti < reports.size(); ++ti) {
    const ThreadReport& r = reports[ti];
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
                   thread_state_name(t.state), t.ctx.pc, static_cast<uint32_t>(t.ctx.lr), t.priority_increment,
                   r.effective_priority, t.affinity_mask, t.last_cpu, t.last_run_round, t.suspend_count, t.retired,
                   t.sid);
    if (ctx.symbols) {
      fmt::format_to(out, ", \"pc_symbol\": ");
      append_symbol(b, t.ctx.pc, *ctx.symbols);
    }
    if (t.state == ThreadState::kTerminated) {
      fmt::format_to(out, ", \"exit_code\": \"0x{:08x}\"", t.exit_code);
    }
    fmt::format_to(out, ", \"diagnosis\": ");
    if (ti < o.threads.size() && o.threads[ti].tid == t.tid) {
      append_diagnosis(b, o.threads[ti], t, ctx.symbols);
    } else {
      fmt::format_to(out, "null");
    }
    bool stopped_run = o.tid == t.tid && t.state != ThreadState::kTerminated;
    bool wants_backtrace = stopped_run || (ti < o.threads.size() && (o.threads[ti].kind == DiagnosisKind::kBlocked ||
                                                                     o.threads[ti].kind == DiagnosisKind::kSpinning));
    if (ctx.memory && wants_backtrace) {
      fmt::format_to(out, ", \"backtrace\": [");
      std::vector<uint32_t> frames = thread_backtrace(*ctx.memory, t, ctx.symbols);
      for (size_t i = 0; i < frames.size(); ++i) {
        fmt::format_to(out, "{}{{\"pc\": \"0x{:08x}\", \"symbol\": ", i ? ", " : "", frames[i]);
        if (ctx.symbols) {
          append_symbol(b, frames[i], *ctx.symbols);
        } else {
          fmt::format_to(out, "null");
        }
        fmt::format_to(out, "}}");
      }
      fmt::format_to(out, "]");
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
  fmt::format_to(out, "\n  ],");
  if (ctx.stubs && !ctx.stubs->called().empty()) {
    fmt::format_to(out, "\n  \"stubbed_calls\": [");
    bool first_stub = true;
    for (const ImportStubs::Stubbed& st : ctx.stubs->called()) {
      fmt::format_to(out, "{}\n    {{\"module\": ", first_stub ? "" : ",");
      first_stub = false;
      append_json_string(b, st.module);
      fmt::format_to(out, ", \"name\": ");
      append_json_string(b, st.name);
      fmt::format_to(out, ", \"ordinal\": {}, \"status\": \"0x{:08x}\", \"calls\": {}}}", st.ordinal, st.status,
                     st.calls);
    }
    fmt::format_to(out, "\n  ],");
  }
  fmt::format_to(out, "\n  \"report\": ");
  append_json_string(b, o.report);
  fmt::format_to(out, "\n}}\n");
  return fmt::to_string(b);
}

void write_exit_state(const std::string& path, const Kernel& k, const RunOutcome& o, const ExitStateContext& ctx) {
  std::string text = render_exit_state(k, o, ctx);
  write_output_file(path, text.data(), text.size(), "exit-state file");
}

}  // namespace xdet::trace

