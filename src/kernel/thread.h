#pragma once
// A guest thread as the kernel and the scheduler see it.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "cpu/ppc_context.h"
#include "kernel/exceptions/unwind.h"

namespace xdet::kernel {

inline constexpr int kCpuCount = 6;
inline constexpr uint32_t kAllCpusMask = (1u << kCpuCount) - 1;
inline constexpr int kMaxWaitObjects = 64;
inline constexpr int kMaxPriority = 31;
// Priorities are signed increments relative to the process base, as the
// console's KeSetBasePriorityThread takes them (THREAD_PRIORITY_LOWEST -2,
// IDLE -15, TIME_CRITICAL 15, ...). The scheduler orders threads by the
// level kPriorityBaseLevel + increment (0..31).
inline constexpr int kPriorityBaseLevel = 16;
inline constexpr int kMinPriorityIncrement = -kPriorityBaseLevel;
inline constexpr int kMaxPriorityIncrement = kMaxPriority - kPriorityBaseLevel;

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

// Guest code the kernel runs on a thread between two of its instructions
// (APC kernel and normal routines, DPC routines). The interrupted registers
// are saved here and restored when the routine returns to
// kCallbackReturnLr.
enum class CallbackKind : uint8_t {
  kApcKernelRoutine,  // kernel_routine(apc, &normal, &context, &arg1, &arg2) at APC_LEVEL
  kApcNormalRoutine,  // normal_routine(context, arg1, arg2)
  kDpc,               // routine(dpc, context, arg1, arg2) at DISPATCH_LEVEL
  // A frame's language handler(record, establisher, context, dispatcher
  // context), called by the exception dispatcher (kernel_exceptions.cpp);
  // `object` is the index of its dispatch in Thread::exceptions.
  kExceptionHandler,
  // An exiting thread's kernel APC rundown routine(apc); the exit completes
  // when it returns.
  kApcRundown,
};

struct CallbackFrame {
  cpu::PpcContext saved;
  CallbackKind kind = CallbackKind::kApcNormalRoutine;
  uint32_t object = 0;       // KAPC / KDPC
  uint32_t routine = 0;      // the guest routine running (named in exception reports)
  uint32_t scratch = 0;      // guest block holding the kernel routine's out-parameters
  uint8_t saved_irql = 0;
  bool free_object = false;  // a KAPC the kernel allocated (NtQueueApcThread, timers, I/O)
};

// One exception being dispatched on a thread (kernel_exceptions.cpp): the
// search for a handler (first pass) or an unwind to a target frame (second
// pass, RtlUnwind). The guest-visible records live in a block on the guest
// stack below the frame that raised; the walk's state stays here.
struct ExceptionDispatch {
  bool unwinding = false;       // second pass (RtlUnwind)
  bool continue_if_unhandled = false;  // the thread-name exception: no handler = go on
  bool from_fault = false;
  uint32_t block = 0;           // lowest address of the guest block
  uint32_t record = 0;          // EXCEPTION_RECORD handed to handlers
  uint32_t context = 0;         // CONTEXT: where execution continues (first pass)
  uint32_t unwind_context = 0;  // CONTEXT of the frame being unwound (second pass)
  uint32_t dispatcher = 0;      // DISPATCHER_CONTEXT
  UnwindRegs origin;            // registers where the exception was raised / RtlUnwind was called
  uint32_t origin_pc = 0;       // the first control PC
  UnwindRegs walk;              // the frame being examined
  UnwindRegs after;             // walk unwound to the caller of that frame
  uint32_t control_pc = 0;
  uint32_t next_pc = 0;
  RuntimeFunction function;     // of the frame whose handler runs
  uint32_t establisher = 0;
  uint32_t flags = 0;           // exception flags handed to the next handler
  uint32_t nested_frame = 0;
  uint32_t target_frame = 0;    // second pass: 0 = exit unwind
  uint32_t target_ip = 0;
  uint32_t return_value = 0;
  uint32_t callback_base = 0;   // Thread::callbacks.size() when the dispatch began
  uint32_t callback_cursor = 0; // callback frames not yet crossed by the walk
  uint32_t frames = 0;          // frames examined (bounded)
  bool handler_called = false;  // a handler ran (else continuing needs no context switch)
  uint32_t redispatches = 0;    // exceptions the dispatcher raised for this one (bounded)
  std::string unhandled_report; // the stop report when no handler takes it
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
  uint8_t base_priority = kPriorityBaseLevel;  // scheduler level: kPriorityBaseLevel + priority_increment
  int8_t priority_increment = 0;  // what KeSetBasePriorityThread set (signed)
  uint32_t affinity_mask = kAllCpusMask;
  int last_cpu = -1;
  uint64_t last_run_round = 0;    // aging reference point
  bool ever_ran = false;
  uint64_t retired = 0;           // instructions retired by this thread
  bool yield_requested = false;   // end the slice, stay ready
  // A kernel-owned context that runs device callbacks (kernel/devices):
  // never in the ready queue, the scheduler asks the devices for it first.
  bool device_context = false;
  bool resources_freed = false;   // exited and its stack, KTHREAD, KPCR, TLS went back to the pools

  uint64_t event_idx = 0;         // next tid_event_idx
  WaitState wait;
  PendingReturn pending_return;
  std::vector<uint32_t> owned_mutants;  // guest addresses, acquisition order

  // APCs queued to this thread (KAPC guest addresses, FIFO per mode) and the
  // guest routines running on it right now (innermost last).
  std::deque<uint32_t> kernel_apcs;
  std::deque<uint32_t> user_apcs;
  bool user_apc_delivery = false;   // an alertable wait returned USER_APC: run user APCs now
  bool deferred_preempt = false;
  bool started = false;             // reached its first delivery point
  // Its wait was set aside so it could run a DPC or kernel APC; the wait
  // resumes once the callbacks above this depth have returned.
  bool wait_interrupted = false;
  uint32_t wait_interrupted_depth = 0;    // preemption held back while IRQL >= DISPATCH_LEVEL
  std::vector<CallbackFrame> callbacks;
  // Exceptions being dispatched (innermost last) and, once one ends the
  // run (unhandled, bad function table), the report the runner stops with.
  std::vector<ExceptionDispatch> exceptions;
  std::string fatal_stop;
  // exit_thread is waiting for APC rundown routines (exit code kept here).
  bool exiting = false;
  uint32_t pending_exit_code = 0;

  // Ready-queue bookkeeping (owned by ReadyQueue).
  bool queued = false;
  uint64_t queued_key_round = 0;

  cpu::PpcContext ctx;
  void* runner_data = nullptr;    // the thread runner's per-thread state

  bool runnable() const { return state == ThreadState::kReady && suspend_count == 0; }
};

}  // namespace xdet::kernel
