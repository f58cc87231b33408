#pragma once
// Where each thread stood when a run stopped, as data: the same diagnosis the
// wedge report prints ("blocked", "spinning", "starved", ...) with the same
// round numbers, so exit-thread-state.json can carry it as fields.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel/thread.h"

namespace xdet::kernel {

class Kernel;
}  // namespace xdet::kernel
namespace xdet {
class GuestMemory;
}
namespace xdet::loader {
class SymbolTable;
}
namespace xdet::kernel {

enum class DiagnosisKind : uint8_t {
  kExited,     // terminated
  kIdleDevice, // a device callback context with no callback pending
  kBlocked,    // waiting on objects
  kSleeping,   // KeDelayExecutionThread / a wait on no object
  kSuspended,  // suspend count > 0
  kSpinning,   // ran through the last rounds of a livelock: a loop without kernel progress
  kStarved,    // ready but not run for at least `starved_rounds` rounds
  kRunning,    // ran in the last round (a stop that is not a livelock)
  kReady,      // ready, recently run
};
const char* diagnosis_kind_name(DiagnosisKind k);

struct ThreadDiagnosis {
  uint32_t tid = 0;
  DiagnosisKind kind = DiagnosisKind::kReady;
  uint64_t since_round = 0;    // blocked/sleeping: the round the wait began
  uint64_t rounds_ready = 0;   // starved: rounds since it last ran (or became ready)
  bool never_ran = false;      // starved: it never ran at all
  uint32_t loop_start = 0;     // spinning: the innermost loop around the PC,
  uint32_t loop_end = 0;       //   [loop_start, loop_end] (the backward branch)
  // starved: for each CPU its affinity allows (ascending), the thread that
  // ran there last (0 if none ran there).
  std::vector<std::pair<int, uint32_t>> cpu_holders;
};

// The CPU each thread last ran on, per CPU: filled by the scheduler.
using CpuHolders = std::array<uint32_t, kCpuCount>;

// Diagnoses every thread of `kernel` at round `round`. `livelock` enables the
// "spinning" diagnosis (with the loop found statically around the PC).
std::vector<ThreadDiagnosis> diagnose_threads(const Kernel& kernel, const GuestMemory& mem, uint64_t round, uint64_t starved_rounds,
                                              bool livelock, const CpuHolders& holders);

// The innermost loop containing `pc`: the nearest backward branch (b or bc,
// not linking) at or after `pc` whose target is at or before it. Returns
// false when guest memory holds none within a short scan.
bool find_enclosing_loop(const GuestMemory& mem, uint32_t pc, uint32_t* start, uint32_t* end);

// One line of the text report for `d` ("blocked since round 12 in ...").
// With `symbols`, PCs read "82001058 (mixer+0x1c)" and blocked or spinning
// threads get a back-chain backtrace line.
std::string describe_diagnosis(const ThreadDiagnosis& d, const Kernel& kernel, const GuestMemory& mem,
                               const loader::SymbolTable* symbols);

// "82001058 (mixer+0x1c) <- 82001100 (main+0x40)": a thread's back-chain
// backtrace (loader::walk_back_chain) with symbols where known.
std::string format_backtrace(const GuestMemory& mem, const Thread& t, const loader::SymbolTable* symbols);

// Frames of a blocked or spinning thread's backtrace (the first is its PC).
std::vector<uint32_t> thread_backtrace(const GuestMemory& mem, const Thread& t, const loader::SymbolTable* symbols);

}  // namespace xdet::kernel
