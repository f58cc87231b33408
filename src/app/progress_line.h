#pragma once
// A one-line progress display on a terminal for runs that last more than a
// few seconds: guest time, rounds, instructions per second, threads by
// state. Host time decides only when to draw; nothing reaches the guest.
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "kernel/kernel.h"

namespace xdet::app {

class ProgressLine {
 public:
  // Active only when `out` is a terminal.
  explicit ProgressLine(FILE* out);
  ~ProgressLine() { finish(); }
  bool active() const { return active_; }
  // SchedulerConfig::on_progress.
  static void callback(void* self, const kernel::Kernel& kernel, uint64_t round, uint64_t instructions);
  // Clears the line (before the run's own messages).
  void finish();

 private:
  void update(const kernel::Kernel& kernel, uint64_t round, uint64_t instructions);

  FILE* out_;
  bool active_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
  uint64_t last_instructions_ = 0;
};

}  // namespace xdet::app
