#include "kernel/scheduler/diagnosis.h"

#include <fmt/format.h>

#include "kernel/kernel.h"
#include "loader/symbols.h"
#include "memory/guest_memory.h"

namespace xdet::kernel {

const char* diagnosis_kind_name(DiagnosisKind k) {
  switch (k) {
    case DiagnosisKind::kExited: return "exited";
    case DiagnosisKind::kIdleDevice: return "idle-device";
    case DiagnosisKind::kBlocked: return "blocked";
    case DiagnosisKind::kSleeping: return "sleeping";
    case DiagnosisKind::kSuspended: return "suspended";
    case DiagnosisKind::kSpinning: return "spinning";
    case DiagnosisKind::kStarved: return "starved";
    case DiagnosisKind::kRunning: return "running";
    case DiagnosisKind::kReady: return "ready";
  }
  return "?";
}

bool find_enclosing_loop(const GuestMemory& mem, uint32_t pc, uint32_t* start, uint32_t* end) {
  // Spin loops are short; a few hundred instructions covers any that polls
  // a flag, and the scan stops at the first unreadable word.
  constexpr uint32_t kScan = 256;
  if (pc % 4) return false;
  for (uint32_t i = 0; i < kScan; ++i) {
    uint32_t a = pc + i * 4;
    if (a < pc || !mem.is_accessible(a, 4, GuestMemory::kProtRead)) return false;
    uint32_t w = mem.read32(a);
    uint32_t op = w >> 26;
    if (w & 1) continue;  // linking branches are calls, not loops
    int64_t disp;
    if (op == 18) {  // b / ba
      disp = static_cast<int32_t>((w & 0x03FFFFFC) << 6) >> 6;
    } else if (op == 16) {  // bc / bca
      disp = static_cast<int16_t>(w & 0xFFFC);
    } else {
      continue;
    }
    uint32_t target = (w & 2) ? static_cast<uint32_t>(disp) : a + static_cast<uint32_t>(disp);
    if (target <= pc && target <= a) {
      *start = target;
      *end = a;
      return true;
    }
    // An unconditional forward branch leaves the straight-line path: follow no further.
    if (op == 18) return false;
  }
  return false;
}

std::vector<ThreadDiagnosis> diagnose_threads(const Kernel& kernel, const GuestMemory& mem, uint64_t round,
                                              uint64_t starved_rounds, bool livelock, const CpuHolders& holders) {
  std::vector<ThreadDiagnosis> out;
  for (const ThreadReport& r : kernel.thread_reports()) {
    const Thread& t = *r.thread;
    ThreadDiagnosis d;
    d.tid = t.tid;
    if (t.state == ThreadState::kTerminated) {
      d.kind = DiagnosisKind::kExited;
    } else if (t.device_context && t.state == ThreadState::kWaiting && !t.wait.active) {
      d.kind = DiagnosisKind::kIdleDevice;
    } else if (t.state == ThreadState::kWaiting && t.wait.is_delay) {
      d.kind = DiagnosisKind::kSleeping;
      d.since_round = t.wait.since_round;
    } else if (t.state == ThreadState::kWaiting) {
      d.kind = DiagnosisKind::kBlocked;
      d.since_round = t.wait.since_round;
    } else if (t.suspend_count > 0) {
      d.kind = DiagnosisKind::kSuspended;
    } else if (t.ever_ran && round - t.last_run_round <= 1) {
      d.kind = livelock ? DiagnosisKind::kSpinning : DiagnosisKind::kRunning;
      if (livelock && !find_enclosing_loop(mem, t.ctx.pc, &d.loop_start, &d.loop_end)) {
        d.loop_start = d.loop_end = t.ctx.pc;
      }
    } else if (round - t.last_run_round >= starved_rounds) {
      d.kind = DiagnosisKind::kStarved;
      d.rounds_ready = round - t.last_run_round;
      d.never_ran = !t.ever_ran;
      for (int cpu = 0; cpu < kCpuCount; ++cpu) {
        if (t.affinity_mask & (1u << cpu)) d.cpu_holders.emplace_back(cpu, holders[cpu]);
      }
    } else {
      d.kind = DiagnosisKind::kReady;
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string describe_diagnosis_line(const ThreadDiagnosis& d, const Kernel& kernel, const loader::SymbolTable* symbols);

namespace {

std::string hex_pc(uint32_t pc, const loader::SymbolTable* symbols) {
  std::string sym = symbols ? symbols->describe(pc) : std::string();
  return sym.empty() ? fmt::format("{:08x}", pc) : fmt::format("{:08x} ({})", pc, sym);
}

}  // namespace

std::vector<uint32_t> thread_backtrace(const GuestMemory& mem, const Thread& t, const loader::SymbolTable* symbols) {
  return loader::walk_back_chain(mem, t.ctx.pc, static_cast<uint32_t>(t.ctx.lr), static_cast<uint32_t>(t.ctx.gpr[1]),
                                 symbols);
}

std::string format_backtrace(const GuestMemory& mem, const Thread& t, const loader::SymbolTable* symbols) {
  std::string s;
  for (uint32_t pc : thread_backtrace(mem, t, symbols)) s += (s.empty() ? "" : " <- ") + hex_pc(pc, symbols);
  return s;
}

std::string describe_diagnosis(const ThreadDiagnosis& d, const Kernel& kernel, const GuestMemory& mem,
                               const loader::SymbolTable* symbols) {
  std::string what = describe_diagnosis_line(d, kernel, symbols);
  const Thread* t = kernel.thread_by_tid(d.tid);
  if (t && (d.kind == DiagnosisKind::kBlocked || d.kind == DiagnosisKind::kSpinning)) {
    what += "\n      backtrace: " + format_backtrace(mem, *t, symbols);
  }
  return what;
}

std::string describe_diagnosis_line(const ThreadDiagnosis& d, const Kernel& kernel, const loader::SymbolTable* symbols) {
  const Thread* t = kernel.thread_by_tid(d.tid);
  switch (d.kind) {
    case DiagnosisKind::kExited: return "exited";
    case DiagnosisKind::kIdleDevice: return "idle device context (no callback pending)";
    case DiagnosisKind::kSleeping: return fmt::format("sleeping since round {}", d.since_round);
    case DiagnosisKind::kBlocked: {
      if (t && t->device_context && !t->wait.active) return "idle device context (no callback pending)";
      std::string what = fmt::format("blocked since round {} in wait-{} on", d.since_round,
                                     t && t->wait.type == WaitType::kAll ? "all" : "any");
      for (const ThreadReport& r : kernel.thread_reports()) {
        if (r.thread->tid != d.tid) continue;
        for (const auto& w : r.wait_objects) {
          what += fmt::format(" [{} {:08x} sid={:016x}", dispatcher_type_name(w.type), w.address, w.sid);
          if (w.handle) what += fmt::format(" handle={:08x}", w.handle);
          for (uint32_t tid : w.possible_signalers) what += fmt::format(" signaler=tid{}", tid);
          what += "]";
        }
      }
      if (t) what += t->wait.has_timeout ? fmt::format(" timeout={}", t->wait.timeout_100ns) : " (no timeout)";
      return what;
    }
    case DiagnosisKind::kSuspended: return fmt::format("suspended (count {})", t ? t->suspend_count : 0);
    case DiagnosisKind::kSpinning:
      return fmt::format("spinning at pc={} in loop {}-{:08x}", hex_pc(t ? t->ctx.pc : 0, symbols),
                         hex_pc(d.loop_start, symbols), d.loop_end);
    case DiagnosisKind::kStarved: {
      std::string what = d.never_ran ? fmt::format("ready but starved: never ran ({} rounds ready)", d.rounds_ready)
                                     : fmt::format("ready but starved: last ran round {} ({} rounds ago)",
                                                   t ? t->last_run_round : 0, d.rounds_ready);
      std::string held;
      for (const auto& [cpu, tid] : d.cpu_holders) {
        if (tid) held += fmt::format("{}cpu {} tid {}", held.empty() ? "" : ", ", cpu, tid);
      }
      if (!held.empty()) what += "; its CPUs last ran: " + held;
      return what;
    }
    case DiagnosisKind::kRunning: return fmt::format("running at pc={}", hex_pc(t ? t->ctx.pc : 0, symbols));
    case DiagnosisKind::kReady: return "ready";
  }
  return "?";
}

}  // namespace xdet::kernel
