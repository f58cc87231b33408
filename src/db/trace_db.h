#pragma once
// `xdet db`: loads a schema-v1 trace (and its exit-thread-state.json) into
// a SQLite database for ad-hoc questions. Tables: meta, events, threads,
// objects, waits + wait_objects, calls, signals + signal_wakes, and, for
// traces recorded with --trace-sched, slices, readies and runnable (ready
// periods with the rounds they lasted). Schema: src/db/README.md; ready
// queries: docs/analysis.md.
#include <cstdint>
#include <string>

namespace xdet::db {

struct LoadStats {
  uint64_t events = 0;
  uint64_t threads = 0, objects = 0, waits = 0, calls = 0, signals = 0, slices = 0, readies = 0;
  double load_seconds = 0;   // streaming + inserting
  double index_seconds = 0;  // building the indexes afterwards
  double load_cpu_seconds = 0;   // process CPU time of the load (the machine may be shared)
  double index_cpu_seconds = 0;
  double reader_cpu_seconds = 0;  // of the load: the thread parsing the trace (and committing)
  double writer_cpu_seconds = 0;  // of the load: the thread stepping the INSERTs
};

// Writes a fresh database at `db_path` (an existing file is replaced).
// `exit_state_path` may name a missing file. Throws InputError on a bad
// trace, Error on SQLite failures.
LoadStats load_trace_db(const std::string& trace_path, const std::string& exit_state_path, const std::string& db_path);

}  // namespace xdet::db
