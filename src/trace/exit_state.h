#pragma once
// exit-thread-state.json: always written at the end of a run (as
// NAME.exit-thread-state.json beside the trace NAME.jsonl, or to
// --exit-state PATH). One record per thread: tid, name, state,
// PC, LR, base and effective priority, affinity, last CPU, last run round,
// and for blocked threads the wait (objects with SIDs and types, wait type,
// timeout, since which round, who could signal it when known). Contains
// only virtual-time data, so two runs of the same input give the same bytes.
// Every thread carries a structured "diagnosis" (docs/exit-state.md; JSON
// Schema: docs/exit-state.schema.json).
#include <string>
#include <string_view>

#include "kernel/exports/import_stubs.h"
#include "kernel/kernel.h"
#include "kernel/scheduler/scheduler.h"
#include "loader/symbols.h"

namespace xdet::trace {

// What the file records beyond the kernel's state.
struct ExitStateContext {
  std::string trace;  // file name of the run's trace ("" = none): `"trace"`
  // With symbols: "pc_symbol" for every thread, symbols on spin loops; with
  // memory: a back-chain "backtrace" for blocked and spinning threads and the
  // thread that stopped the run.
  const loader::SymbolTable* symbols = nullptr;
  const GuestMemory* memory = nullptr;
  // --stub: "stubbed_calls" lists the stubbed exports that were called.
  const kernel::ImportStubs* stubs = nullptr;
};

// The exit state `xdet run --trace TRACE` writes: NAME.exit-thread-state.json
// beside NAME.jsonl or NAME.jsonl.zst (any other name: TRACE + that suffix).
// Each trace has its own, so runs sharing a folder never overwrite each other's.
std::string exit_state_path_for(const std::string& trace_path);
// NAME<suffix> beside NAME.jsonl or NAME.jsonl.zst (other outputs of a run).
std::string trace_sibling_path(const std::string& trace_path, std::string_view suffix);

std::string render_exit_state(const kernel::Kernel& kernel, const kernel::RunOutcome& outcome,
                              const ExitStateContext& context = {});
// Throws OutputError if the file cannot be written.
void write_exit_state(const std::string& path, const kernel::Kernel& kernel, const kernel::RunOutcome& outcome,
                      const ExitStateContext& context = {});

}  // namespace xdet::trace
