#pragma once
// What `xdet explain` reads: exit-thread-state.json (where every thread
// stood at the stop) and the schema-v1 trace (who created, signalled and
// waited on which object, and how the last waits ended).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace xdet::explain {

struct WaitObjectState {
  uint32_t address = 0;
  uint32_t handle = 0;           // 0 = none
  uint64_t sid = 0;
  uint32_t type = 0;
  std::string type_name;
  std::vector<uint32_t> signalers;  // tids the kernel named
};

struct ThreadStop {
  uint32_t tid = 0;
  std::string name;              // empty if unnamed
  std::string state;             // ready, running, waiting, terminated
  uint32_t pc = 0, lr = 0;
  uint32_t base_priority = 0, effective_priority = 0;
  uint32_t affinity = 0;
  int last_cpu = -1;
  uint64_t last_run_round = 0;
  uint64_t instructions = 0;
  uint64_t sid = 0;
  bool waiting = false;
  std::string wait_kind;         // objects, delay
  std::string wait_type;         // all, any
  bool has_timeout = false;
  int64_t timeout_100ns = 0;
  uint64_t since_round = 0;
  std::vector<WaitObjectState> objects;
  std::string label() const;     // "tid 3 producer"
};

struct ExitStateFile {
  std::string stop_reason;
  int exit_code = 0;
  std::string message;
  std::string policy;
  uint64_t round = 0;
  uint64_t guest_time_ns = 0;
  std::vector<ThreadStop> threads;
  const ThreadStop* thread(uint32_t tid) const;
};

// Throws InputError naming the file on anything that is not an exit state.
ExitStateFile read_exit_state(const std::string& path);

// Per object (by semantic id) and per thread, what the trace shows.
struct ObjectHistory {
  uint64_t sid = 0;
  int object_type = -1;
  uint32_t creator_tid = 0;      // tid of the handle.create (0: the kernel / shared global)
  uint32_t create_site_pc = 0;
  uint32_t raw_handle = 0;
  std::map<uint32_t, uint64_t> signals_by_tid;  // sema.release / signal.match per tid
  uint64_t waits = 0, timeouts = 0;
};

struct LastWait {
  uint64_t event_idx = 0;        // tid_event_idx of the wait.begin
  uint64_t host_ns = 0;
  std::vector<uint64_t> sids;
  bool ended = false;
  std::string end_status;        // "0x00000102" ...
  uint64_t timeouts = 0;         // waits of this thread that timed out
};

struct TraceFacts {
  uint64_t events = 0;
  std::map<uint64_t, ObjectHistory> objects;  // by sid
  std::map<uint32_t, LastWait> last_wait;     // by tid
  std::map<uint32_t, uint64_t> last_event_ns; // by tid
};

// Streams the trace (JSONL, header first). Throws InputError naming the
// file and line on malformed input.
TraceFacts read_trace_facts(const std::string& path);

}  // namespace xdet::explain
