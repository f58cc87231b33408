#pragma once
// SIGINT/SIGTERM handling for runs: the handler only sets a flag, which the
// scheduler polls once per round; the run then stops with
// ExitCode::kInterrupted and the trace and exit state are flushed normally.
#include <csignal>

namespace xdet::trace {

// Installs the handlers (idempotent) and returns the flag to poll.
const volatile std::sig_atomic_t* install_stop_signal_handlers();
// The flag itself (also settable by tests).
volatile std::sig_atomic_t& stop_flag();

}  // namespace xdet::trace
