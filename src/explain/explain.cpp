#include "explain/explain.h"

#include <algorithm>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "kernel/objects.h"
#include "loader/disasm.h"
#include "trace/jsonl_writer.h"

namespace xdet::explain {

namespace {

constexpr uint32_t kBlr = 0x4E800020;

std::string tname(const ExitStateFile& s, uint32_t tid) {
  const ThreadStop* t = s.thread(tid);
  return t ? t->label() : fmt::format("tid {}", tid);
}

std::string object_text(const ExitStateFile& s, const WaitObjectState& o) {
  std::string text = fmt::format("{} {:08x}", o.type_name.empty() ? "object" : o.type_name, o.address);
  if (o.type_name == "thread") {
    for (const ThreadStop& t : s.threads) {
      if (t.sid == o.sid) text = "thread " + t.label();
    }
  }
  text += fmt::format(" sid {:016x}", o.sid);
  if (o.handle) text += fmt::format(" handle {:08x}", o.handle);
  return text;
}

bool is_spinning(const ExitStateFile& s, const ThreadStop& t) {
  return !t.waiting && t.state != "terminated" && t.instructions > 0 && s.round - t.last_run_round <= 1;
}

// The conditional or unconditional relative branch at `addr`, if any.
bool relative_branch(uint32_t word, uint32_t addr, uint32_t* target) {
  uint32_t op = word >> 26;
  if (op == 18) {
    bool links = false;
    return loader::branch_target(word, addr, target, &links) && !links;
  }
  if (op == 16 && !(word & 1)) {
    int32_t bd = static_cast<int16_t>(word & 0xFFFC);
    *target = (word & 2) ? static_cast<uint32_t>(bd) : addr + static_cast<uint32_t>(bd);
    return true;
  }
  return false;
}

void describe_spin(const CodeImage& code, Spinner* sp) {
  uint32_t w = 0;
  if (!code.read_word(sp->pc, &w)) return;
  // Innermost loop: the nearest branch at or after pc that jumps back to or before it.
  for (uint32_t a = sp->pc; a < sp->pc + 256 * 4; a += 4) {
    uint32_t target = 0;
    if (!code.read_word(a, &w)) break;
    if (w == kBlr) break;
    if (relative_branch(w, a, &target) && target <= sp->pc && sp->pc - target < 1024 * 4) {
      sp->loop_start = target;
      sp->loop_end = a;
      break;
    }
  }
  uint32_t from = sp->loop_end ? sp->loop_start : sp->pc;
  uint32_t start = from;
  for (uint32_t a = from; a >= 4 && from - a < 4096 * 4; a -= 4) {
    if (!code.read_word(a - 4, &w) || w == kBlr) break;
    start = a - 4;
  }
  while (code.read_word(start, &w) && w == 0 && start < from) start += 4;  // padding
  uint32_t end = sp->loop_end ? sp->loop_end : sp->pc;
  for (uint32_t a = end; a - end < 4096 * 4; a += 4) {
    if (!code.read_word(a, &w)) break;
    end = a;
    if (w == kBlr) break;
  }
  sp->have_code = true;
  sp->function_start = start;
  sp->function_end = end;
  loader::Disassembler dis;
  uint32_t lo = sp->loop_end ? sp->loop_start : (sp->pc >= start + 16 ? sp->pc - 16 : start);
  uint32_t hi = sp->loop_end ? sp->loop_end : std::min(end, sp->pc + 16);
  for (uint32_t a = lo; a <= hi; a += 4) {
    if (!code.read_word(a, &w)) break;
    sp->loop.emplace_back(a, dis.text(w, a));
  }
}

}  // namespace

Explanation explain(const ExitStateFile& state, const TraceFacts& facts, const CodeImage* code, uint64_t starved_rounds) {
  Explanation e;
  e.state = state;
  e.trace_events = facts.events;
  e.starved_rounds = starved_rounds;
  const bool livelock = state.stop_reason == "livelock";
  const bool strict = state.policy == "strict";

  // Wait-for edges.
  for (const ThreadStop& t : state.threads) {
    if (!t.waiting || t.wait_kind != "objects") continue;
    for (const WaitObjectState& o : t.objects) {
      WaitEdge edge;
      edge.tid = t.tid;
      edge.object = o;
      edge.signalers = o.signalers;
      auto it = facts.objects.find(o.sid);
      if (edge.signalers.empty() && it != facts.objects.end()) {
        for (const auto& [tid, n] : it->second.signals_by_tid) {
          if (tid && tid != t.tid) edge.signalers.push_back(tid);
        }
        edge.signalers_from_history = !edge.signalers.empty();
      }
      if (it != facts.objects.end() && it->second.object_type >= 0) {
        edge.has_creator = true;
        edge.creator_tid = it->second.creator_tid;
      }
      e.edges.push_back(std::move(edge));
    }
  }

  // Cycles in the thread -> signaller graph (each elementary cycle once,
  // starting at its smallest tid).
  std::map<uint32_t, std::set<uint32_t>> next;
  for (const WaitEdge& edge : e.edges) {
    for (uint32_t s : edge.signalers) next[edge.tid].insert(s);
  }
  std::vector<uint32_t> path;
  std::set<uint32_t> on_path;
  std::function<void(uint32_t, uint32_t)> dfs = [&](uint32_t start, uint32_t u) {
    if (e.cycles.size() >= 64) return;
    for (uint32_t v : next[u]) {
      if (v == start) {
        e.cycles.push_back(path);
      } else if (v > start && !on_path.count(v)) {
        path.push_back(v);
        on_path.insert(v);
        dfs(start, v);
        on_path.erase(v);
        path.pop_back();
      }
    }
  };
  for (const auto& [tid, succ] : next) {
    path = {tid};
    on_path = {tid};
    dfs(tid, tid);
  }

  // Starvation: ready threads that have not run for starved_rounds rounds,
  // and the higher-priority threads sharing a CPU with them that ran since.
  for (const ThreadStop& t : state.threads) {
    if (t.waiting || t.state == "terminated") continue;
    uint64_t idle = state.round - t.last_run_round;
    if (idle < starved_rounds) continue;
    Starvation s;
    s.tid = t.tid;
    s.rounds = idle;
    s.never_ran = t.instructions == 0;
    for (const ThreadStop& o : state.threads) {
      if (o.tid == t.tid || o.waiting || o.state == "terminated" || !(o.affinity & t.affinity)) continue;
      if (o.effective_priority > t.effective_priority && o.last_run_round > t.last_run_round) s.taken_by.push_back(o.tid);
    }
    e.starved.push_back(std::move(s));
  }

  // Spinners: live threads that ran in the last round without blocking.
  if (livelock) {
    for (const ThreadStop& t : state.threads) {
      if (!is_spinning(state, t)) continue;
      Spinner sp;
      sp.tid = t.tid;
      sp.pc = t.pc;
      if (code) describe_spin(*code, &sp);
      e.spinners.push_back(std::move(sp));
    }
  }

  // Threads that can never proceed: spinners and starved threads of a
  // livelock under strict priority, and waits without timeout whose every
  // possible signaller is itself stuck (to a fixed point). In a deadlock
  // every waiting thread is stuck.
  std::set<uint32_t> stuck;
  if (state.stop_reason == "deadlock") {
    for (const ThreadStop& t : state.threads) {
      if (t.waiting) stuck.insert(t.tid);
    }
  } else {
    if (livelock) {
      for (const Spinner& sp : e.spinners) stuck.insert(sp.tid);
      if (strict) {
        for (const Starvation& s : e.starved) {
          if (!s.taken_by.empty()) stuck.insert(s.tid);
        }
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const ThreadStop& t : state.threads) {
        if (!t.waiting || t.has_timeout || t.wait_kind != "objects" || stuck.count(t.tid)) continue;
        // wait-any: stuck when every object's signallers are stuck;
        // wait-all: stuck when some object's signallers all are.
        bool any_stuck = false, all_stuck = true;
        for (const WaitEdge& edge : e.edges) {
          if (edge.tid != t.tid) continue;
          bool obj_stuck = std::all_of(edge.signalers.begin(), edge.signalers.end(),
                                       [&](uint32_t s) { return stuck.count(s) > 0; });
          any_stuck |= obj_stuck;
          all_stuck &= obj_stuck;
        }
        if (t.wait_type == "all" ? any_stuck : all_stuck) {
          stuck.insert(t.tid);
          changed = true;
        }
      }
    }
  }
  for (const ThreadStop& t : state.threads) {
    if (t.waiting && stuck.count(t.tid)) e.blocked_forever.push_back(t.tid);
  }

  // Per-thread context from the trace: the last wait of ready threads.
  for (const ThreadStop& t : state.threads) {
    auto it = facts.last_wait.find(t.tid);
    if (it == facts.last_wait.end() || t.state == "terminated") continue;
    const LastWait& w = it->second;
    std::vector<std::string> objs;
    for (uint64_t sid : w.sids) {
      auto o = facts.objects.find(sid);
      std::string who;
      if (o != facts.objects.end() && !o->second.signals_by_tid.empty()) {
        std::vector<std::string> ts;
        for (const auto& [tid, n] : o->second.signals_by_tid) ts.push_back(fmt::format("{} ({}x)", tname(state, tid), n));
        who = fmt::format("signalled by {}", fmt::join(ts, ", "));
      } else {
        who = "never signalled in this run";
      }
      std::string what = fmt::format("sid {:016x}", sid);
      if (o != facts.objects.end() && o->second.object_type >= 0) {
        what = fmt::format("{} {}", kernel::dispatcher_type_name(static_cast<uint8_t>(o->second.object_type)), what);
        if (o->second.raw_handle) what += fmt::format(" handle {:08x}", o->second.raw_handle);
      }
      objs.push_back(fmt::format("{} ({})", what, who));
    }
    std::string end = !w.ended ? "still waiting"
                      : w.end_status == "0x00000102" ? "timed out"
                                                       : "ended with status " + w.end_status;
    e.notes.push_back(fmt::format("{}: last wait (event {}:{}, {} us) on {}: {}; {} of its waits timed out",
                                  t.label(), t.tid, w.event_idx, w.host_ns / 1000, fmt::join(objs, ", "), end,
                                  w.timeouts));
  }

  // Wait chains: from each thread nobody waits on, follow who it waits for,
  // who starves whom, down to spinners or threads that could move.
  std::set<uint32_t> waited_on;
  for (const WaitEdge& edge : e.edges) {
    for (uint32_t s : edge.signalers) waited_on.insert(s);
  }
  std::map<uint32_t, const Starvation*> starvation_of;
  for (const Starvation& s : e.starved) starvation_of[s.tid] = &s;
  std::set<uint32_t> spinning;
  for (const Spinner& sp : e.spinners) spinning.insert(sp.tid);
  auto last_wait_text = [&](uint32_t tid) -> std::string {
    auto it = facts.last_wait.find(tid);
    if (it == facts.last_wait.end() || !it->second.ended) return {};
    std::vector<std::string> objs;
    for (uint64_t sid : it->second.sids) {
      auto o = facts.objects.find(sid);
      std::string what = fmt::format("sid {:016x}", sid);
      if (o != facts.objects.end() && o->second.object_type >= 0) {
        what = fmt::format("{} {}", kernel::dispatcher_type_name(static_cast<uint8_t>(o->second.object_type)), what);
      }
      bool signalled = o != facts.objects.end() && !o->second.signals_by_tid.empty();
      objs.push_back(what + (signalled ? "" : " (never signalled)"));
    }
    return fmt::format("; its last wait on {} {}", fmt::join(objs, " + "),
                       it->second.end_status == "0x00000102" ? "timed out" : "ended " + it->second.end_status);
  };
  std::function<void(uint32_t, std::string, std::set<uint32_t>)> walk = [&](uint32_t tid, std::string chain,
                                                                            std::set<uint32_t> seen) {
    if (e.chains.size() >= 32) return;
    const ThreadStop* t = state.thread(tid);
    if (!t) return;
    if (seen.count(tid)) {
      e.chains.push_back(chain + " (cycle)");
      return;
    }
    seen.insert(tid);
    bool extended = false;
    if (t->waiting && t->wait_kind == "objects") {
      for (const WaitEdge& edge : e.edges) {
        if (edge.tid != tid) continue;
        std::string step = fmt::format("{} --waits on {}-->", chain, object_text(state, edge.object));
        if (edge.signalers.empty()) {
          e.chains.push_back(step + " (no thread has ever signalled it)");
          extended = true;
          continue;
        }
        for (uint32_t s : edge.signalers) {
          walk(s, fmt::format("{} {}", step, tname(state, s)), seen);
          extended = true;
        }
      }
    }
    if (auto it = starvation_of.find(tid); it != starvation_of.end() && !it->second->taken_by.empty()) {
      for (uint32_t h : it->second->taken_by) {
        walk(h, fmt::format("{} [ready, starved {} rounds{}] --starved by--> {}", chain, it->second->rounds,
                            last_wait_text(tid), tname(state, h)),
             seen);
      }
      extended = true;
    }
    if (!extended) {
      if (spinning.count(tid)) {
        e.chains.push_back(fmt::format("{} [spinning at pc {:08x} on CPU {}]", chain, t->pc, t->last_cpu));
      } else if (t->waiting) {
        e.chains.push_back(fmt::format("{} [{}]", chain, t->wait_kind == "delay" ? "sleeping" : "waiting"));
      } else if (chain.find("-->") != std::string::npos) {
        e.chains.push_back(fmt::format("{} [{}]", chain, t->state));
      }
    }
  };
  for (const ThreadStop& t : state.threads) {
    if (t.state == "terminated" || waited_on.count(t.tid)) continue;
    if (!t.waiting && !starvation_of.count(t.tid)) continue;
    walk(t.tid, t.label(), {});
  }
  return e;
}

std::string render_text(const Explanation& e) {
  const ExitStateFile& s = e.state;
  std::string o = fmt::format("stop: {} (exit {}) at round {}, guest time {:.3f} ms, policy {}; {} trace events\n  {}\n",
                              s.stop_reason, s.exit_code, s.round, s.guest_time_ns / 1e6, s.policy, e.trace_events,
                              s.message);
  o += "\nwait-for graph at the stop:\n";
  bool any = false;
  for (const ThreadStop& t : s.threads) {
    if (t.state == "terminated") continue;
    any = true;
    o += fmt::format("  {} prio {} (effective {}) affinity {:#04x} cpu {}: ", t.label(), t.base_priority,
                     t.effective_priority, t.affinity, t.last_cpu);
    if (!t.waiting) {
      o += fmt::format("{}, last ran round {}, pc {:08x}\n", t.state, t.last_run_round, t.pc);
      continue;
    }
    if (t.wait_kind == "delay") {
      o += "sleeping\n";
      continue;
    }
    o += fmt::format("blocked in wait-{} since round {}{}\n", t.wait_type, t.since_round,
                     t.has_timeout ? fmt::format(", timeout {} x 100 ns", t.timeout_100ns) : ", no timeout");
    for (const WaitEdge& edge : e.edges) {
      if (edge.tid != t.tid) continue;
      o += fmt::format("    -> {}", object_text(s, edge.object));
      if (edge.has_creator) o += fmt::format(", created by {}", edge.creator_tid ? tname(s, static_cast<uint32_t>(edge.creator_tid)) : "the kernel");
      if (edge.signalers.empty()) {
        o += "\n       possible signallers: none known (no owner, never signalled)\n";
      } else {
        std::vector<std::string> names;
        for (uint32_t x : edge.signalers) names.push_back(tname(s, x));
        o += fmt::format("\n       possible signallers{}: {}\n", edge.signalers_from_history ? " (signalled it before)" : "",
                         fmt::join(names, ", "));
      }
    }
  }
  if (!any) o += "  (every thread has exited)\n";
  o += "\ncycles (deadlock):\n";
  if (e.cycles.empty()) o += "  none\n";
  for (const auto& c : e.cycles) {
    std::vector<std::string> names;
    for (uint32_t t : c) names.push_back(tname(s, t));
    o += fmt::format("  {} -> {}\n", fmt::join(names, " -> "), names.front());
  }
  o += fmt::format("\nstarvation (ready, not run for >= {} rounds):\n", e.starved_rounds);
  if (e.starved.empty()) o += "  none\n";
  for (const Starvation& st : e.starved) {
    o += fmt::format("  {}: {} ({} rounds)", tname(s, st.tid), st.never_ran ? "never ran" : "not run", st.rounds);
    if (!st.taken_by.empty()) {
      std::vector<std::string> names;
      for (uint32_t t : st.taken_by) {
        const ThreadStop* h = s.thread(t);
        names.push_back(fmt::format("{} (prio {}, effective {}, cpu {})", tname(s, t), h->base_priority,
                                    h->effective_priority, h->last_cpu));
      }
      o += fmt::format("; its CPU went to {}", fmt::join(names, ", "));
    }
    o += "\n";
  }
  o += "\nblocked forever:\n";
  if (e.blocked_forever.empty()) o += "  none\n";
  for (uint32_t t : e.blocked_forever) o += fmt::format("  {}\n", tname(s, t));
  o += "\nlivelock spinners:\n";
  if (e.spinners.empty()) o += "  none\n";
  for (const Spinner& sp : e.spinners) {
    o += fmt::format("  {} spinning at pc {:08x}", tname(s, sp.tid), sp.pc);
    if (!sp.have_code) {
      o += " (give --xex for its code)\n";
      continue;
    }
    o += fmt::format(" in function {:08x}-{:08x}", sp.function_start, sp.function_end);
    if (sp.loop_end) o += fmt::format(", loop {:08x}-{:08x}", sp.loop_start, sp.loop_end);
    o += ":\n";
    for (const auto& [a, text] : sp.loop) o += fmt::format("    {}{:08x}  {}\n", a == sp.pc ? "> " : "  ", a, text);
  }
  o += "\nwait chains:\n";
  if (e.chains.empty()) o += "  none\n";
  for (const std::string& c : e.chains) o += "  " + c + "\n";
  if (!e.notes.empty()) {
    o += "\nfrom the trace:\n";
    for (const std::string& n : e.notes) o += "  " + n + "\n";
  }
  return o;
}

std::string render_json(const Explanation& e) {
  const ExitStateFile& s = e.state;
  fmt::memory_buffer b;
  auto out = std::back_inserter(b);
  auto str = [&b](const std::string& v) { trace::append_json_string(b, v); };
  fmt::format_to(out, "{{\"stop_reason\": ");
  str(s.stop_reason);
  fmt::format_to(out, ", \"exit_code\": {}, \"round\": {}, \"guest_time_ns\": {}, \"policy\": ", s.exit_code, s.round,
                 s.guest_time_ns);
  str(s.policy);
  fmt::format_to(out, ", \"trace_events\": {},\n \"threads\": [", e.trace_events);
  for (size_t i = 0; i < s.threads.size(); ++i) {
    const ThreadStop& t = s.threads[i];
    fmt::format_to(out, "{}\n  {{\"tid\": {}, \"name\": ", i ? "," : "", t.tid);
    str(t.name);
    fmt::format_to(out, ", \"state\": \"{}\", \"pc\": \"0x{:08x}\", \"base_priority\": {}, \"effective_priority\": {}, "
                        "\"affinity\": {}, \"last_cpu\": {}, \"last_run_round\": {}}}",
                   t.state, t.pc, t.base_priority, t.effective_priority, t.affinity, t.last_cpu, t.last_run_round);
  }
  fmt::format_to(out, "],\n \"wait_for\": [");
  for (size_t i = 0; i < e.edges.size(); ++i) {
    const WaitEdge& w = e.edges[i];
    fmt::format_to(out,
                   "{}\n  {{\"tid\": {}, \"object\": {{\"address\": \"0x{:08x}\", \"type\": \"{}\", \"semantic_id\": "
                   "\"{:016x}\", \"handle\": {}}}, \"signalers\": [{}], \"signalers_from_history\": {}}}",
                   i ? "," : "", w.tid, w.object.address, w.object.type_name, w.object.sid,
                   w.object.handle ? fmt::format("\"0x{:08x}\"", w.object.handle) : "null", fmt::join(w.signalers, ", "),
                   w.signalers_from_history ? "true" : "false");
  }
  fmt::format_to(out, "],\n \"cycles\": [");
  for (size_t i = 0; i < e.cycles.size(); ++i) fmt::format_to(out, "{}[{}]", i ? ", " : "", fmt::join(e.cycles[i], ", "));
  fmt::format_to(out, "],\n \"starved\": [");
  for (size_t i = 0; i < e.starved.size(); ++i) {
    const Starvation& st = e.starved[i];
    fmt::format_to(out, "{}\n  {{\"tid\": {}, \"rounds\": {}, \"never_ran\": {}, \"taken_by\": [{}]}}", i ? "," : "",
                   st.tid, st.rounds, st.never_ran ? "true" : "false", fmt::join(st.taken_by, ", "));
  }
  fmt::format_to(out, "],\n \"blocked_forever\": [{}],\n \"spinners\": [", fmt::join(e.blocked_forever, ", "));
  for (size_t i = 0; i < e.spinners.size(); ++i) {
    const Spinner& sp = e.spinners[i];
    fmt::format_to(out, "{}\n  {{\"tid\": {}, \"pc\": \"0x{:08x}\"", i ? "," : "", sp.tid, sp.pc);
    if (sp.have_code) {
      fmt::format_to(out, ", \"function\": [\"0x{:08x}\", \"0x{:08x}\"]", sp.function_start, sp.function_end);
      if (sp.loop_end) fmt::format_to(out, ", \"loop\": [\"0x{:08x}\", \"0x{:08x}\"]", sp.loop_start, sp.loop_end);
      fmt::format_to(out, ", \"disassembly\": [");
      for (size_t j = 0; j < sp.loop.size(); ++j) {
        fmt::format_to(out, "{}{{\"address\": \"0x{:08x}\", \"text\": ", j ? ", " : "", sp.loop[j].first);
        str(sp.loop[j].second);
        fmt::format_to(out, "}}");
      }
      fmt::format_to(out, "]");
    }
    fmt::format_to(out, "}}");
  }
  fmt::format_to(out, "],\n \"chains\": [");
  for (size_t i = 0; i < e.chains.size(); ++i) {
    fmt::format_to(out, "{}\n  ", i ? "," : "");
    str(e.chains[i]);
  }
  fmt::format_to(out, "]}}\n");
  return fmt::to_string(b);
}

std::string render_dot(const Explanation& e) {
  const ExitStateFile& s = e.state;
  std::string o = fmt::format("digraph wait_for {{\n  label=\"{} at round {} (policy {})\";\n  node [fontname=\"monospace\"];\n",
                              s.stop_reason, s.round, s.policy);
  std::set<uint32_t> stuck(e.blocked_forever.begin(), e.blocked_forever.end());
  std::set<uint32_t> spinning;
  for (const Spinner& sp : e.spinners) spinning.insert(sp.tid);
  std::set<uint32_t> starved;
  for (const Starvation& st : e.starved) starved.insert(st.tid);
  for (const ThreadStop& t : s.threads) {
    if (t.state == "terminated") continue;
    std::string extra = spinning.count(t.tid) ? fmt::format("\\nspinning at {:08x}", t.pc)
                        : starved.count(t.tid) ? "\\nready, starved"
                                               : "\\n" + t.state;
    const char* color = stuck.count(t.tid) || spinning.count(t.tid) ? "red" : starved.count(t.tid) ? "orange" : "black";
    o += fmt::format("  t{} [shape=box, color={}, label=\"{}\\nprio {} cpu {}{}\"];\n", t.tid, color, t.label(),
                     t.base_priority, t.last_cpu, extra);
  }
  std::set<uint64_t> objects;
  for (const WaitEdge& w : e.edges) {
    if (objects.insert(w.object.sid).second) {
      o += fmt::format("  o{:016x} [shape=ellipse, label=\"{} {:08x}\\nsid {:016x}{}\"];\n", w.object.sid,
                       w.object.type_name, w.object.address, w.object.sid,
                       w.object.handle ? fmt::format("\\nhandle {:08x}", w.object.handle) : "");
      for (uint32_t sg : w.signalers) {
        o += fmt::format("  o{:016x} -> t{} [label=\"signalled by\", style={}];\n", w.object.sid, sg,
                         w.signalers_from_history ? "dotted" : "solid");
      }
    }
    o += fmt::format("  t{} -> o{:016x} [label=\"waits\"];\n", w.tid, w.object.sid);
  }
  for (const Starvation& st : e.starved) {
    for (uint32_t h : st.taken_by) {
      o += fmt::format("  t{} -> t{} [label=\"starved by\", style=dashed, color=orange];\n", st.tid, h);
    }
  }
  o += "}\n";
  return o;
}

}  // namespace xdet::explain
