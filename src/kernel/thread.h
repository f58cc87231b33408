#pragma once
// A guest thread as the kernel and the scheduler see it.
#include <cstdint>
#include <string>
#include <vector>

#include "cpu/ppc_context.h"

namespace xdet::kernel {

inline constexpr int kCpuCount = 6;
inline constexpr uint32_t kAllCpusMask = (1u << kCpuCount) - 1;
inline constexpr int kMaxWaitObjects = 64;
inline constexpr int kMaxPriority = 31;

enum class ThreadState : uint8_t {
  kReady,       // runnable when suspend_count == 0
  kRunning,     // on a CPU in the current round
  kWaiting,     // blocked in a wait or delay
  kTerminated,
};
const char* thread_state_name(ThreadState s);

enum class WaitType : uint8_t { kAll = 0, kAny = 1 };

// What to do when a blocked wait is satisfied, beyond writing the status.
enum class WaitContinuation : uint8_t {
  kNone,
  kCriticalSectionAcquire,  // arg = RTL_CRITICAL_SECTION*: become owner
  kIoCompletionRemove,      // arg = completion port (KQUEUE*): take a packet
};

struct WaitState {
  bool active = false;
  WaitType type = WaitType::kAny;
  bool alertable = false;
  bool is_delay = false;           // KeDelayExecutionThread (no objects)
  uint8_t count = 0;
  uint8_t satisfied_by = 0;        // index of the object that satisfied it
  uint32_t objects[kMaxWaitObjects] = {};  // DISPATCHER_HEADER guest addresses
  uint64_t sids[kMaxWaitObjects] = {};
  uint64_t deadline = 0;           // instruction units, kNever = infinite
  bool has_timeout = false;
  int64_t timeout_100ns = 0;       // as passed by the guest
  uint64_t since_round = 0;
  uint64_t since_time = 0;
  WaitContinuation continuation = WaitContinuation::kNone;
  uint32_t continuation_arg = 0;
};

// An export call that blocked: its kernel.return is emitted when it resumes.
struct PendingReturn {
  const char* name = nullptr;
};

struct Thread {
  uint32_t tid = 0;
  std::string name;
  uint32_t handle = 0;            // the thread's own handle
  uint64_t sid = 0;               // semantic id of the thread object
  uint32_t kthread = 0;           // guest KTHREAD (also the dispatcher header)
  uint32_t kpcr = 0;
  uint32_t tls_block = 0;
  uint32_t tls_slots = 0;         // address of dynamic slot 0
  uint32_t stack_base = 0;        // high end
  uint32_t stack_limit = 0;       // low end
  uint32_t stack_alloc = 0;       // allocation (for release)
  uint32_t entry_pc = 0;
  uint32_t start_context = 0;
  uint32_t parent_tid = 0;

  ThreadState state = ThreadState::kReady;
  uint32_t suspend_count = 0;
  uint32_t exit_code = 0;
  uint8_t base_priority = 0;
  uint32_t affinity_mask = kAllCpusMask;
  int last_cpu = -1;
  uint64_t last_run_round = 0;    // aging reference point
  bool ever_ran = false;
  uint64_t retired = 0;           // instructions retired by this thread
  bool yield_requested = false;   // end the slice, stay ready
  // A kernel-owned context that runs device callbacks (kernel/devices):
  // never in the ready queue, the scheduler asks the devices for it first.
  bool device_context = false;

  uint64_t event_idx = 0;         // next tid_event_idx
  WaitState wait;
  PendingReturn pending_return;
  std::vector<uint32_t> owned_mutants;  // guest addresses, acquisition order

  // Ready-queue bookkeeping (owned by ReadyQueue).
  bool queued = false;
  uint64_t queued_key_round = 0;

  cpu::PpcContext ctx;
  void* runner_data = nullptr;    // the thread runner's per-thread state

  bool runnable() const { return state == ThreadState::kReady && suspend_count == 0; }
};

}  // namespace xdet::kernel
