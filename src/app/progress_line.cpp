#include "app/progress_line.h"

#include <unistd.h>

#include "kernel/thread.h"
#include "kernel/virtual_clock.h"

namespace xdet::app {

namespace {
constexpr auto kQuietFor = std::chrono::seconds(3);  // short runs print nothing
constexpr auto kRedrawEvery = std::chrono::milliseconds(500);
}  // namespace

ProgressLine::ProgressLine(FILE* out) : out_(out) {
  active_ = isatty(fileno(out)) != 0;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressLine::callback(void* self, const kernel::Kernel& kernel, uint64_t round, uint64_t instructions) {
  static_cast<ProgressLine*>(self)->update(kernel, round, instructions);
}

void ProgressLine::update(const kernel::Kernel& kernel, uint64_t round, uint64_t instructions) {
  auto now = std::chrono::steady_clock::now();
  if (now - start_ < kQuietFor || now - last_draw_ < kRedrawEvery) return;
  double secs = std::chrono::duration<double>(now - last_draw_).count();
  double mips = static_cast<double>(instructions - last_instructions_) / secs / 1e6;
  last_draw_ = now;
  last_instructions_ = instructions;
  int ready = 0, running = 0, waiting = 0, exited = 0;
  for (const kernel::ThreadReport& r : kernel.thread_reports()) {
    switch (r.thread->state) {
      case kernel::ThreadState::kReady: ++ready; break;
      case kernel::ThreadState::kRunning: ++running; break;
      case kernel::ThreadState::kWaiting: ++waiting; break;
      case kernel::ThreadState::kTerminated: ++exited; break;
    }
  }
  std::fprintf(out_, "\r\033[Kxdet run: guest %.3f s  round %llu  %.0f MIPS  threads: %d ready, %d waiting, %d exited",
               static_cast<double>(kernel::ns_from_units(kernel.now())) / 1e9, static_cast<unsigned long long>(round),
               mips, ready + running, waiting, exited);
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace xdet::app
