#include "explore/schedule_run.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "explore/seeded_perturber.h"
#include "kernel/runtime/process.h"

namespace xdet::explore {

using namespace kernel;

const char* failure_kind_name(FailureKind k) {
  switch (k) {
    case FailureKind::kNone: return "none";
    case FailureKind::kDeadlock: return "deadlock";
    case FailureKind::kLivelock: return "livelock";
    case FailureKind::kFault: return "fault";
    case FailureKind::kTrap: return "trap";
    case FailureKind::kExitCode: return "exit-code";
    case FailureKind::kOutputMismatch: return "output-mismatch";
    case FailureKind::kLimit: return "limit";
  }
  return "?";
}

bool parse_failure_kind(std::string_view name, FailureKind* out) {
  for (FailureKind k : {FailureKind::kNone, FailureKind::kDeadlock, FailureKind::kLivelock, FailureKind::kFault,
                        FailureKind::kTrap, FailureKind::kExitCode, FailureKind::kOutputMismatch,
                        FailureKind::kLimit}) {
    if (name == failure_kind_name(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

SchedulerConfig RunSpec::scheduler_config() const {
  SchedulerConfig c;
  c.policy = policy;
  c.quantum = quantum;
  c.max_instructions = max_instructions;
  c.max_guest_units = units_from_ms(max_guest_ms);
  c.livelock_rounds = livelock_rounds;
  return c;
}

bool title_exit_code(const Kernel& k, uint32_t* code) {
  const Thread* main = k.thread_by_tid(k.main_tid());
  if (!main || main->state != ThreadState::kTerminated) return false;
  *code = main->exit_code;
  return true;
}

size_t first_difference_line(std::string_view expected, std::string_view actual) {
  if (expected == actual) return 0;
  size_t line = 1;
  size_t n = std::min(expected.size(), actual.size());
  for (size_t i = 0; i < n; ++i) {
    if (expected[i] != actual[i]) return line;
    if (expected[i] == '\n') ++line;
  }
  return line;
}

Verdict judge_run(const Kernel& k, const RunOutcome& o, bool check_exit_code, const std::string* expected_output,
                  std::string_view output) {
  Verdict v;
  v.exit_code = to_int(exit_code_for(o.reason));
  v.detail = o.message;
  switch (o.reason) {
    case StopReason::kDeadlock: v.kind = FailureKind::kDeadlock; return v;
    case StopReason::kLivelock: v.kind = FailureKind::kLivelock; return v;
    case StopReason::kGuestFault:
    case StopReason::kUnimplemented: v.kind = FailureKind::kFault; return v;
    case StopReason::kGuestTrap: v.kind = FailureKind::kTrap; return v;
    case StopReason::kInstructionLimit:
    case StopReason::kGuestTimeLimit: v.kind = FailureKind::kLimit; return v;
    case StopReason::kInterrupted: return v;
    case StopReason::kFrameLimit:  // a clean stop the run asked for: judged like an exit
    case StopReason::kProcessExit: break;
  }
  uint32_t code = 0;
  if (check_exit_code && title_exit_code(k, &code) && code != 0) {
    v.kind = FailureKind::kExitCode;
    v.exit_code = to_int(ExitCode::kTitleExitCode);
    v.detail = fmt::format("the title exited with code {} (0x{:08x})", static_cast<int32_t>(code), code);
    return v;
  }
  if (expected_output) {
    if (size_t line = first_difference_line(*expected_output, output)) {
      v.kind = FailureKind::kOutputMismatch;
      v.exit_code = to_int(ExitCode::kOutputMismatch);
      v.detail = fmt::format("output differs from the expected output at line {}", line);
    }
  }
  return v;
}

namespace {

std::string thread_label(const Thread& t) {
  if (!t.name.empty()) return t.name;
  return fmt::format("thread@{:08x}", t.entry_pc);
}

std::string object_label(const Kernel& k, const ThreadReport::WaitObject& w) {
  if (w.type == kTypeThread) {
    if (const Thread* o = k.thread_by_kthread(w.address)) return "thread " + thread_label(*o);
  }
  const ObjectRecord* rec = k.find_object(w.address);
  if (rec && !rec->name.empty()) return fmt::format("{} \"{}\"", dispatcher_type_name(w.type), rec->name);
  return fmt::format("{} {:016x}", dispatcher_type_name(w.type), w.sid);
}

}  // namespace

std::string failure_signature(const Kernel& k, const RunOutcome& o, const Verdict& v, uint64_t starved_rounds) {
  std::string head = failure_kind_name(v.kind);
  const Thread* culprit = o.tid ? k.thread_by_tid(o.tid) : nullptr;
  switch (v.kind) {
    case FailureKind::kNone: return {};
    case FailureKind::kFault:
    case FailureKind::kTrap:
      // The stopping thread and where: a fault is a code location.
      return fmt::format("{}: {} at pc {:08x}{}", head, culprit ? thread_label(*culprit) : "?",
                         culprit ? culprit->ctx.pc : 0,
                         o.reason == StopReason::kUnimplemented ? " (unimplemented)" : "");
    case FailureKind::kExitCode:
    case FailureKind::kOutputMismatch: return fmt::format("{}: {}", head, v.detail);
    default: break;
  }
  // Wedges and limits: who is stuck where.
  std::vector<std::string> parts;
  uint64_t round = k.round();
  for (const ThreadReport& r : k.thread_reports()) {
    const Thread& t = *r.thread;
    if (t.state == ThreadState::kTerminated) continue;
    std::string s = thread_label(t) + " ";
    if (t.state == ThreadState::kWaiting && t.wait.is_delay) {
      s += "sleeping";
    } else if (t.state == ThreadState::kWaiting) {
      std::vector<std::string> objs;
      for (const auto& w : r.wait_objects) objs.push_back(object_label(k, w));
      s += fmt::format("blocked wait-{} [{}]{}", t.wait.type == WaitType::kAll ? "all" : "any",
                       fmt::join(objs, ", "), t.wait.has_timeout ? " with timeout" : "");
    } else if (t.suspend_count > 0) {
      s += "suspended";
    } else if (t.ever_ran && round - t.last_run_round <= 1) {
      s += "spinning";
    } else if (round - t.last_run_round >= starved_rounds) {
      s += "starved";
    } else {
      s += "ready";
    }
    parts.push_back(std::move(s));
  }
  std::sort(parts.begin(), parts.end());
  return fmt::format("{}: {}", head, fmt::join(parts, "; "));
}

ScheduleOutcome run_schedule(const RunSpec& spec, uint64_t seed) {
  ScheduleOutcome out;
  out.seed = seed;
  KernelConfig kcfg;
  kcfg.game_dir = spec.game_dir;
  Process process(spec.xex, kcfg, TitleOptions{});
  std::string output;
  process.kernel().set_debug_output([&output](std::string_view s) { output.append(s); });
  std::unique_ptr<SeededPerturber> perturber;
  if (seed != 0) {
    perturber = std::make_unique<SeededPerturber>(seed, spec.quantum);
    process.kernel().set_perturber(perturber.get());
  }
  SchedulerConfig cfg = spec.scheduler_config();
  process.boot();
  RunOutcome o = process.run(cfg);
  Verdict v = judge_run(process.kernel(), o, true, spec.expect_output_path.empty() ? nullptr : &spec.expected_output,
                        output);
  out.kind = v.kind;
  out.exit_code = v.exit_code;
  out.detail = v.detail;
  std::replace(out.detail.begin(), out.detail.end(), '\n', ' ');
  out.signature = failure_signature(process.kernel(), o, v, cfg.starved_rounds);
  process.kernel().set_perturber(nullptr);
  return out;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos) {
    return s;
  }
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  return q + "'";
}

std::string replay_command(const RunSpec& spec, uint64_t seed, FailureKind kind) {
  RunSpec d;
  std::string c = fmt::format("xdet run --schedule-seed {}", seed);
  if (spec.policy != d.policy) c += fmt::format(" --sched-policy {}", sched_policy_name(spec.policy));
  if (spec.quantum != d.quantum) c += fmt::format(" --quantum {}", spec.quantum);
  if (spec.max_instructions != d.max_instructions) c += fmt::format(" --max-instructions {}", spec.max_instructions);
  if (spec.max_guest_ms != d.max_guest_ms) c += fmt::format(" --max-guest-ms {}", spec.max_guest_ms);
  if (spec.livelock_rounds != d.livelock_rounds) c += fmt::format(" --livelock-rounds {}", spec.livelock_rounds);
  if (!spec.game_dir.empty()) c += " --game-dir " + shell_quote(spec.game_dir);
  if (kind == FailureKind::kExitCode) c += " --check-exit-code";
  if (kind == FailureKind::kOutputMismatch) c += " --expect-output " + shell_quote(spec.expect_output_path);
  return c + " " + shell_quote(spec.xex);
}

}  // namespace xdet::explore
