#pragma once
// exit-thread-state.json: always written at the end of a run (beside the
// trace, or to --exit-state PATH). One record per thread: tid, name, state,
// PC, LR, base and effective priority, affinity, last CPU, last run round,
// and for blocked threads the wait (objects with SIDs and types, wait type,
// timeout, since which round, who could signal it when known). Contains
// only virtual-time data, so two runs of the same input give the same bytes.
#include <string>

#include "kernel/kernel.h"
#include "kernel/scheduler/scheduler.h"

namespace xdet::trace {

std::string render_exit_state(const kernel::Kernel& kernel, const kernel::RunOutcome& outcome);
// Throws xdet::Error if the file cannot be written.
void write_exit_state(const std::string& path, const kernel::Kernel& kernel, const kernel::RunOutcome& outcome);

}  // namespace xdet::trace
