#pragma once
// Deterministic stops and what they show: a trace sink that requests a stop
// when a given (tid, tid_event_idx) event is emitted, and the state dump
// written at the stop (every thread's registers, back-chain backtrace,
// disassembly around its PC, and the handle table).
#include <string>

#include "kernel/kernel.h"
#include "kernel/scheduler/scheduler.h"

namespace xdet::trace {

// Forwards every event to `inner` (may be null: no trace) and sets
// `fired()` once event `tid:idx` has been emitted; the thread that emitted it
// then ends its slice after the kernel call in progress.
class StopAtEventSink final : public kernel::TraceSink {
 public:
  StopAtEventSink(kernel::Kernel& k, kernel::TraceSink* inner, uint32_t tid, uint64_t idx)
      : kernel_(k), inner_(inner), tid_(tid), idx_(idx) {}
  void emit(const kernel::TraceEvent& ev) override;
  void flush() override {
    if (inner_) inner_->flush();
  }
  const bool* fired_flag() const { return &fired_; }
  // The stopping event's kind ("" until fired).
  const std::string& fired_kind() const { return kind_; }

 private:
  kernel::Kernel& kernel_;
  kernel::TraceSink* inner_;
  uint32_t tid_;
  uint64_t idx_;
  bool fired_ = false;
  std::string kind_;
};

// The text of the state dump. `where` says what the stop was.
std::string render_state_dump(kernel::Kernel& k, const kernel::RunOutcome& o, const std::string& where);

}  // namespace xdet::trace
