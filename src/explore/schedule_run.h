#pragma once
// One schedule of a title: boot it, run it under SeededPerturber(seed) (no
// perturber for seed 0), classify how it ended and build the failure's
// signature from the threads' and objects' state at the stop.
#include <cstdint>
#include <string>
#include <string_view>

#include "kernel/kernel.h"
#include "kernel/scheduler/scheduler.h"

namespace xdet::explore {

enum class FailureKind : uint8_t {
  kNone,
  kDeadlock,
  kLivelock,
  kFault,           // guest fault, or an import xdet does not implement
  kTrap,
  kExitCode,        // the title exited with a nonzero code
  kOutputMismatch,  // its output differs from --expect-output
  kLimit,           // instruction or guest-time limit
};
const char* failure_kind_name(FailureKind k);
// Parses a name written by failure_kind_name; false if unknown.
bool parse_failure_kind(std::string_view name, FailureKind* out);

// Everything that decides a run's behaviour; the same fields make the
// replay command.
struct RunSpec {
  std::string xex;
  std::string game_dir;                // empty: the XEX's directory
  kernel::SchedPolicy policy = kernel::SchedPolicy::kAging;
  uint32_t quantum = 10'000;
  uint64_t max_instructions = 0;
  uint64_t max_guest_ms = kernel::kDefaultMaxGuestMs;
  uint64_t livelock_rounds = 20'000;
  std::string expect_output_path;      // empty: output not checked
  std::string expected_output;         // that file's bytes
  kernel::SchedulerConfig scheduler_config() const;
};

struct ScheduleOutcome {
  uint64_t seed = 0;
  FailureKind kind = FailureKind::kNone;
  int exit_code = 0;       // what `xdet run --schedule-seed seed ...` exits with
  std::string signature;   // empty when kind == kNone
  std::string detail;      // the stop message (one line)
};

// How a finished run is judged (shared with `xdet run --check-exit-code
// --expect-output`): the scheduler's stop first, then a nonzero title exit
// code, then an output mismatch.
struct Verdict {
  FailureKind kind = FailureKind::kNone;
  int exit_code = 0;
  std::string detail;
};
Verdict judge_run(const kernel::Kernel& k, const kernel::RunOutcome& o, bool check_exit_code,
                  const std::string* expected_output, std::string_view output);

// The title's exit code: the main thread's, once it has exited.
bool title_exit_code(const kernel::Kernel& k, uint32_t* code);
// 1-based line of the first difference, 0 if equal.
size_t first_difference_line(std::string_view expected, std::string_view actual);

// The failure signature: kind, then each live thread (by name, or entry PC
// when unnamed) with its state and the objects it waits on (threads by
// name, other objects by type and semantic id), sorted, so the same wedge
// reached through different interleavings has one signature.
std::string failure_signature(const kernel::Kernel& k, const kernel::RunOutcome& o, const Verdict& v,
                              uint64_t starved_rounds);

ScheduleOutcome run_schedule(const RunSpec& spec, uint64_t seed);

// `xdet run --schedule-seed S [options that differ from the defaults] FILE`
// (with --check-exit-code / --expect-output when `kind` needs them to give
// the same exit code).
std::string replay_command(const RunSpec& spec, uint64_t seed, FailureKind kind);

// Shell quoting for a command line shown to users.
std::string shell_quote(const std::string& s);

}  // namespace xdet::explore
