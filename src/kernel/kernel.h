#pragma once
// The HLE kernel state: threads, dispatcher objects living in guest memory,
// the handle table, waits, critical sections, TLS and virtual time.
//
// Every operation is called on behalf of a guest thread (the "current"
// thread, set by the scheduler before a slice). Operations that block put
// the thread into kWaiting and return kStatusPending; the status the guest
// eventually sees is written into the thread's r3 (and KTHREAD+0xA0) when
// the wait is satisfied or times out. The thread runner must stop running a
// thread as soon as `slice_must_end(t)` is true after a kernel call.
//
// Dispatcher semantics follow NT (kernel-objects.md §6-7): an auto-reset
// event or synchronization timer releases exactly one waiter; WaitAny
// returns WAIT_0 + lowest signalled index and consumes only that object;
// WaitAll consumes all objects atomically once all are signalled; mutants
// are owned and recursive and become abandoned when the owner exits;
// semaphore releases beyond the limit fail without changing the count.
// Waiters are released in arrival (FIFO) order.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/devices/devices.h"
#include "kernel/guest_heap.h"
#include "kernel/handle_table.h"
#include "kernel/objects.h"
#include "kernel/scheduler/perturbation.h"
#include "kernel/scheduler/ready_queue.h"
#include "kernel/status.h"
#include "kernel/thread.h"
#include "kernel/trace_sink.h"
#include "kernel/virtual_clock.h"
#include "memory/guest_memory.h"
#include "memory/memory_map.h"

namespace xdet::kernel {

class TitleState;
class IoState;

struct ThreadParams {
  uint32_t entry_pc = 0;
  uint32_t start_context = 0;
  uint32_t xapi_startup = 0;       // if set: startup(r3 = entry, r4 = context)
  uint32_t stack_size = 0;         // 0 = default
  uint32_t creation_flags = 0;     // bit 0 suspended; bits 24-31 one-hot CPU mask
  int8_t priority = 0;             // signed increment (see kPriorityBaseLevel)
  std::string name;
  uint32_t create_site_pc = 0;     // caller PC, for the semantic id
};

inline constexpr uint32_t kCreateSuspended = 0x1;
inline constexpr uint32_t kReturnSentinelLr = 0xBCBCBCBCu;
// LR of guest routines the kernel calls (APCs, DPCs): reaching it ends the call.
inline constexpr uint32_t kCallbackReturnLr = 0xBCBCBCB0u;
inline constexpr uint8_t kPassiveLevel = 0;
inline constexpr uint8_t kApcLevel = 1;
inline constexpr uint8_t kDispatchLevel = 2;
inline constexpr uint32_t kInitialStackAdjust = 176;

class ImportStubs;

struct KernelConfig {
  uint32_t default_stack_size = 256 * 1024;
  uint32_t tls_slot_count = 1024;  // dynamic TLS slots per thread block
  uint32_t tls_data_size = 0;      // static TLS (from the XEX TLS_INFO)
  uint32_t tls_raw_address = 0;
  uint32_t tls_raw_size = 0;
  // contention.observed: emit for these critical sections (guest addresses);
  // `contention_all` emits for every contended section.
  std::set<uint32_t> contention_watch;
  bool contention_all = false;
  // Emit the engine-local sched.* events (slices, ready transitions) on the
  // scheduler stream; off by default so traces stay as they were.
  bool trace_sched = false;
  // Files (src/vfs): the title's folder behind game:\ and d:\ (empty = the
  // XEX's directory) and whether the per-run scratch directory survives the
  // run. Used by the process when it mounts the devices.
  std::string game_dir;
  bool keep_scratch = false;
  // --stub / --stub-all-missing (owned by the caller; null = none).
  ImportStubs* stubs = nullptr;
  // Where XAM content packages live ("" = <scratch>/Content, fresh per run).
  std::string content_dir;
  // Video mode, GPU strictness, frame limit and outputs (kernel/devices).
  DeviceOptions devices;
};

// A dispatcher object the kernel knows about (kernel-allocated or first
// touched through a pointer). Waiter lists live here, state in guest memory.
struct ObjectRecord {
  uint32_t address = 0;
  uint8_t type = 0;
  uint64_t sid = 0;
  uint32_t alloc = 0;           // kernel allocation to free, 0 = guest-owned
  uint32_t handle_count = 0;
  uint32_t ref_count = 0;       // ObReferenceObjectByHandle references
  uint32_t creator_tid = 0;
  std::string name;
  std::vector<Thread*> waiters; // arrival order
  uint32_t last_signaler_tid = 0;
};

// One thread's state for wedge reports and exit-thread-state.json.
struct ThreadReport {
  struct WaitObject {
    uint32_t address;
    uint8_t type;
    uint64_t sid;
    uint32_t handle;  // a handle that names it (lowest), 0 if none
    std::vector<uint32_t> possible_signalers;  // tids (known owner / last signaler)
  };
  const Thread* thread;
  int32_t effective_priority;  // on the increment scale: effective level - kPriorityBaseLevel
  std::vector<WaitObject> wait_objects;
};

class Kernel {
 public:
  Kernel(GuestMemory& mem, GuestAllocator& pool, StackAllocator& stacks, KernelConfig config = {});
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  GuestMemory& memory() { return mem_; }
  // The console memory map behind the Nt*/Mm* memory exports (set by the
  // process at boot; null in unit tests that use a plain allocator).
  void set_memory_map(MemoryMap* map) { map_ = map; }
  MemoryMap* memory_map() const { return map_; }
  GuestAllocator& pool() { return pool_; }
  const KernelConfig& config() const { return config_; }
  void set_trace_sink(TraceSink* sink) { sink_ = sink; }
  TraceSink* trace_sink() const { return sink_; }

  // ---- virtual time / scheduler interface ----
  uint64_t now() const { return now_; }
  void set_now(uint64_t units) { now_ = units; }
  uint64_t round() const { return round_; }
  void set_round(uint64_t r) { round_ = r; }
  SchedPolicy policy() const { return policy_; }
  void set_policy(SchedPolicy p) { policy_ = p; }
  Thread* current() const { return current_; }
  void set_current(Thread* t) { current_ = t; }
  ReadyQueue& ready_queue() { return ready_; }
  // Schedule exploration (kernel/scheduler/perturbation.h); null = the
  // default schedule. Not owned.
  void set_perturber(SchedulePerturber* p) { perturber_ = p; }
  SchedulePerturber* perturber() const { return perturber_; }
  // Bumped by every state-changing event (signal, wake, release, thread
  // start/exit, handle create/close); the livelock detector watches it.
  uint64_t progress_epoch() const { return progress_; }
  // Earliest timeout or timer due time, kNever if none.
  uint64_t next_deadline() const;
  // The same without the device cadences (vblank, audio ticks) that go on
  // for ever: kNever when only a device callback could still wake a thread.
  uint64_t next_wake_deadline() const;
  // Wakes timed-out waiters and fires due timers (deadline <= now()).
  void expire_deadlines();
  bool slice_must_end(const Thread& t) const {
    return t.state != ThreadState::kRunning || t.suspend_count > 0 || t.yield_requested;
  }

  // ---- threads ----
  // Creates a thread (KTHREAD, KPCR, TLS, stack, handle). `parent` may be
  // null for the boot thread. *out_handle gets the handle. Emits
  // handle.create and thread.create on the parent's stream. Returns null
  // (nothing created) when guest memory for the stack or blocks runs out.
  Thread* create_thread(Thread* parent, const ThreadParams& p, uint32_t* out_handle);
  void exit_thread(Thread& t, uint32_t exit_code);
  NtStatus suspend_thread(Thread& t, uint32_t* prev_count);
  NtStatus resume_thread(Thread& t, uint32_t* prev_count);
  // mask = one-hot or multi-bit CPU mask (bits 0-5); 0 -> INVALID_PARAMETER.
  NtStatus set_affinity(Thread& t, uint32_t mask, uint32_t* prev_mask);
  // Sets the signed base priority increment (clamped to
  // kMinPriorityIncrement..kMaxPriorityIncrement); returns the previous one.
  int32_t set_base_priority(Thread& t, int32_t increment);
  // Sets the absolute scheduler level (clamped to 0..31); returns the previous level.
  int32_t set_priority_level(Thread& t, int32_t level);
  // KeDelayExecutionThread: interval in 100 ns (< 0 relative, > 0 absolute
  // FILETIME, 0 = yield). Returns SUCCESS or kStatusPending.
  NtStatus delay(Thread& t, int64_t interval_100ns, bool alertable);
  void yield(Thread& t);
  Thread* thread_by_tid(uint32_t tid) const;
  Thread* thread_by_kthread(uint32_t kthread) const;
  const std::vector<std::unique_ptr<Thread>>& threads() const { return threads_; }
  size_t live_thread_count() const { return live_threads_; }
  uint32_t main_tid() const { return main_tid_; }

  // ---- dispatcher objects by pointer (Ke*) ----
  void initialize_event(uint32_t ev, uint8_t type, bool signaled);
  // Returns the previous state. Wakes waiters.
  int32_t set_event(Thread* caller, uint32_t ev);
  int32_t reset_event(uint32_t ev);
  int32_t pulse_event(Thread* caller, uint32_t ev);
  void initialize_semaphore(uint32_t sem, int32_t count, int32_t limit);
  // *prev = previous count. Over the limit: SEMAPHORE_LIMIT_EXCEEDED, count unchanged.
  NtStatus release_semaphore(Thread* caller, uint32_t sem, int32_t adjustment, int32_t* prev);
  void initialize_mutant(Thread* caller, uint32_t mut, bool initial_owner);
  // *prev = previous signal state. Non-owner: MUTANT_NOT_OWNED.
  NtStatus release_mutant(Thread* caller, uint32_t mut, bool abandon, int32_t* prev);
  void initialize_timer(uint32_t timer, uint8_t type);
  // due_100ns < 0 relative, > 0 absolute FILETIME, 0 = now. Returns the
  // previous signal state (was it set).
  bool set_timer(Thread* caller, uint32_t timer, int64_t due_100ns, uint32_t period_ms);
  bool cancel_timer(uint32_t timer);
  bool timer_armed(uint32_t timer) const { return timer_state_.count(timer) != 0; }

  // ---- waits ----
  // `timeout` null = infinite; else 100 ns units (< 0 relative, > 0
  // absolute, 0 = poll). Returns the final status or kStatusPending.
  NtStatus wait(Thread& t, const uint32_t* objects, uint32_t count, WaitType type, bool alertable,
                const int64_t* timeout);
  // NtSignalAndWaitForSingleObjectEx: signal (event set / semaphore +1 /
  // mutant release) then wait, as one step.
  NtStatus signal_and_wait(Thread& t, uint32_t signal_object, uint32_t wait_object, bool alertable,
                           const int64_t* timeout);

  // ---- APCs, DPCs, IRQL (kernel_apc.cpp) ----
  // KAPC (0x28) and KDPC (0x1C) live in guest memory; the queues are kept
  // host-side in FIFO order. User APCs run only when the thread is alerted
  // (an alertable wait or delay, which then returns USER_APC) or before its
  // first instruction; kernel APCs run whenever the thread is at
  // PASSIVE_LEVEL (normal ones only outside a critical region); DPCs run on
  // the running thread whenever its IRQL is below DISPATCH_LEVEL.
  void initialize_apc(uint32_t apc, uint32_t kthread, uint32_t kernel_routine, uint32_t rundown_routine,
                      uint32_t normal_routine, uint8_t mode, uint32_t normal_context);
  // KeInsertQueueApc: false if already queued or the thread has exited.
  bool insert_queue_apc(Thread* caller, uint32_t apc, uint32_t arg1, uint32_t arg2);
  bool remove_queue_apc(uint32_t apc);
  // A user APC in a kernel-allocated KAPC: routine(context, arg1, arg2).
  // False when the thread has exited or guest memory ran out.
  bool queue_user_apc(Thread* caller, Thread& target, uint32_t routine, uint32_t context, uint32_t arg1,
                      uint32_t arg2);
  void initialize_dpc(uint32_t dpc, uint32_t routine, uint32_t context);
  bool insert_queue_dpc(uint32_t dpc, uint32_t arg1, uint32_t arg2);
  bool remove_queue_dpc(uint32_t dpc);
  size_t pending_dpc_count() const { return dpcs_.size(); }
  uint8_t irql(const Thread& t) const { return mem_.read8(t.kpcr + layout::kPcrIrql); }
  // Sets the thread's IRQL; dropping below DISPATCH_LEVEL applies a
  // preemption held back while it was raised.
  void set_irql(Thread& t, uint8_t level);
  // Thread runner interface: at a point where the running thread may be
  // interrupted (slice start, after an export returned), starts the next
  // deliverable DPC or APC routine on it. True if one was started.
  bool start_pending_callback(Thread& t);
  // The routine started by start_pending_callback returned (pc reached
  // kCallbackReturnLr): continue with the normal routine, or restore the
  // interrupted registers (and start the next deliverable one).
  void callback_returned(Thread& t);
  // A timer whose expiry also queues routine(context, time_lo, time_hi) as a
  // user APC to `target` (NtSetTimerEx); routine 0 removes it.
  void set_timer_apc(uint32_t timer, Thread* target, uint32_t routine, uint32_t context);

  // ---- exceptions (kernel_exceptions.cpp) ----
  // Table-based SEH as the console dispatches it: the first pass walks the
  // frames from `control_pc` through the image's function table and calls
  // each language handler on the guest (a kExceptionHandler callback);
  // ContinueExecution resumes at the (possibly modified) CONTEXT,
  // ContinueSearch walks on, a handler may call RtlUnwind (unwind_to) for
  // the second pass. When nothing takes the exception the run stops with
  // `unhandled_report` (t.fatal_stop), or, with continue_if_unhandled (the
  // thread-name exception, which a debugger consumes), execution goes on.
  struct ExceptionStart {
    bool from_fault = false;
    uint32_t record = 0;        // guest EXCEPTION_RECORD to copy (a raise), or 0
    uint32_t code = 0;          // a fault's record: code, address, parameters
    uint32_t address = 0;
    uint32_t params[2] = {};
    uint32_t param_count = 0;
    uint32_t control_pc = 0;    // first frame: the raise's return address / the faulting PC
    bool continue_if_unhandled = false;
    std::string unhandled_report;
    std::string thread_name;    // the thread-name exception's name (traced)
  };
  void dispatch_exception(Thread& t, const ExceptionStart& start);
  // RtlUnwind(target_frame, target_ip, record, return_value) called by t.
  void unwind_to(Thread& t, uint32_t target_frame, uint32_t target_ip, uint32_t record, uint32_t return_value);
  // RtlCaptureContext: t's registers as its caller sees them (Iar = LR).
  void capture_context(const Thread& t, uint32_t context);
  // The image's function table (empty without a title or a directory).
  FunctionTable function_table() const;

  // ---- handles / named objects (Nt*) ----
  // Kernel-allocates the object (with its 0x18 object header), returns a
  // handle. Named objects (name non-empty) are shared case-insensitively:
  // an existing one of the same type yields OBJECT_NAME_EXISTS and a new
  // handle; another type yields OBJECT_TYPE_MISMATCH.
  NtStatus create_event(Thread& t, uint32_t* handle, uint8_t type, bool initial, const std::string& name = {});
  NtStatus create_semaphore(Thread& t, uint32_t* handle, int32_t count, int32_t limit, const std::string& name = {});
  NtStatus create_mutant(Thread& t, uint32_t* handle, bool initial_owner, const std::string& name = {});
  NtStatus create_timer(Thread& t, uint32_t* handle, uint8_t type, const std::string& name = {});
  NtStatus close_handle(Thread* t, uint32_t handle);
  NtStatus duplicate_handle(Thread& t, uint32_t handle, uint32_t* out);
  // Resolves a handle (including the current-thread pseudo handle) to its
  // dispatcher address and type.
  NtStatus resolve_handle(Thread& t, uint32_t handle, uint32_t* object, uint8_t* type) const;
  NtStatus reference_object(Thread& t, uint32_t handle, uint32_t expected_type_marker, uint32_t* object);
  void dereference_object(uint32_t object);
  HandleTable& handles() { return handles_; }
  // The object record for a dispatcher address (created on first touch,
  // emitting a shared-global handle.create on `toucher`'s stream).
  ObjectRecord& touch_object(Thread* toucher, uint32_t address);
  const ObjectRecord* find_object(uint32_t address) const;

  // ---- critical sections (RTL) ----
  void cs_initialize(uint32_t cs, uint32_t spin_count);
  // SUCCESS, or kStatusPending when the caller blocked (it owns the section
  // when it resumes).
  NtStatus cs_enter(Thread& t, uint32_t cs);
  bool cs_try_enter(Thread& t, uint32_t cs);
  void cs_leave(Thread& t, uint32_t cs);

  // ---- TLS ----
  uint32_t tls_alloc();
  bool tls_free(uint32_t slot);
  uint32_t tls_get(Thread& t, uint32_t slot);
  bool tls_set(Thread& t, uint32_t slot, uint32_t value);

  // ---- debug output (DbgPrint and the guest SDK's output path) ----
  // Default: written to stdout. Tests capture it.
  void set_debug_output(std::function<void(std::string_view)> out) { debug_output_ = std::move(out); }
  void debug_print(std::string_view text);

  // ---- kernel variables (data exports) ----
  // Guest address of an xboxkrnl variable export xdet provides (allocated
  // and initialised on first request), or 0 if it does not provide it.
  // KeTimeStampBundle is refreshed from virtual time at every slice start.
  uint32_t kernel_variable(uint16_t ordinal);

  // ---- the running title (XEX, configuration, XAM state) ----
  TitleState& title() { return *title_; }
  // ---- files, I/O completion ports, symbolic links (kernel/io) ----
  IoState& io() { return *io_; }
  // ---- GPU, vblank, interrupts, audio on virtual time (kernel/devices) ----
  DeviceState& devices() { return *devices_; }
  const DeviceState& devices() const { return *devices_; }

  // ---- time services ----
  uint64_t system_time() const { return filetime_from_units(now_); }
  uint64_t timebase() const { return timebase_from_units(now_); }

  // ---- tracing ----
  // Emits an event on `t`'s stream (t null = the kernel's tid 0 stream).
  // The per-thread event index advances even without a sink, so semantic
  // ids do not depend on whether tracing is on.
  void emit(Thread* t, TraceKind kind, std::initializer_list<TraceField> fields);
  void emit(Thread* t, TraceKind kind, const TraceField* fields, uint32_t count);
  // Emits kernel.return for an export that blocked and has now resumed.
  void emit_pending_return(Thread& t);
  // Scheduling events (config().trace_sched): on kSchedStreamTid with its
  // own event index, stamped at `at_units`; nothing happens when off.
  bool sched_tracing() const { return config_.trace_sched && sink_ != nullptr; }
  void emit_sched(TraceKind kind, uint64_t at_units, std::initializer_list<TraceField> fields);

  // ---- reports ----
  std::vector<ThreadReport> thread_reports() const;
  uint32_t process_block() const { return process_; }

 private:
  friend class KernelTestAccess;
  friend class IoState;
  bool is_signaled(uint32_t obj, uint8_t type, const Thread& t) const;
  // Consumes one acquisition of `obj` by `t`; returns true if it was an
  // abandoned mutant.
  bool consume(uint32_t obj, uint8_t type, Thread& t);
  // Tries to satisfy `t`'s wait now; returns status or kStatusPending.
  NtStatus try_satisfy(Thread& t);
  // Releases satisfiable waiters of `obj` (signaler = caller or null).
  // Woken tids are appended to woken_ (if non-null).
  void wake_waiters(Thread* signaler, uint32_t obj, bool emit_signal_match);
  void complete_wait(Thread& t, NtStatus status, Thread* waker, bool timed_out, uint64_t woken_by_sid);
  NtStatus wait_internal(Thread& t, const uint32_t* objects, uint32_t count, WaitType type, bool alertable,
                         const int64_t* timeout, WaitContinuation cont, uint32_t cont_arg);
  void unlink_wait(Thread& t);
  // `cause` names the transition in sched.ready ("create", "wake",
  // "timeout", "delay", "resume").
  void make_ready(Thread& t, const char* cause);
  void emit_ready(const Thread& t, const char* cause);
  void preempt_for(const Thread& readied);
  // Alerts a thread blocked in an alertable wait or delay with user APCs queued.
  void alert_for_user_apc(Thread* caller, Thread& t);
  void start_apc(Thread& t, uint32_t apc, bool user);
  bool rundown_apcs(Thread& t);
  void finish_exit(Thread& t);
  void exception_handler_returned(Thread& t, CallbackFrame frame);
  void exception_search(Thread& t);
  void exception_unwind(Thread& t);
  // Ends the run with `report`; at_origin: the thread's registers go back
  // to where the dispatch on top was raised (the state the report describes).
  void exception_stop(Thread& t, std::string report, bool at_origin = true);
  void exception_call_handler(Thread& t, uint32_t establisher, uint32_t flags, uint32_t context_for_handler);
  bool exception_cross_callback(Thread& t);
  void exception_resume(Thread& t, const char* outcome);
  void exception_raise_from_dispatcher(Thread& t, uint32_t code);
  void emit_exception_event(Thread& t, TraceKind kind, std::initializer_list<TraceField> fields);
  void emit_exception_event(Thread& t, TraceKind kind, const TraceField* fields, uint32_t count);
  bool deliver_next(Thread& t);
  void interrupt_wait(Thread& t);
  void resume_interrupted_wait(Thread& t);
  void push_callback(Thread& t, CallbackKind kind, uint32_t object, uint32_t routine, uint8_t irql,
                     std::initializer_list<uint32_t> args);
  void expire_timer_extras(uint32_t timer);
  void free_thread_resources(Thread& t);
  uint8_t read_type(uint32_t obj) const { return mem_.read8(obj + layout::kHeaderType); }
  int32_t read_signal(uint32_t obj) const { return static_cast<int32_t>(mem_.read32(obj + layout::kHeaderSignalState)); }
  void write_signal(uint32_t obj, int32_t v) { mem_.write32(obj + layout::kHeaderSignalState, static_cast<uint32_t>(v)); }
  uint32_t alloc_object(uint32_t size);
  uint32_t new_handle_object(Thread& t, uint8_t type, uint32_t size, const std::string& name, uint32_t* handle,
                             bool* existed, NtStatus* status);
  void abandon_mutants(Thread& t);
  void maybe_free_object(uint32_t address);
  uint64_t wait_deadline(const int64_t* timeout) const;

  GuestMemory& mem_;
  GuestAllocator& pool_;
  StackAllocator& stacks_;
  KernelConfig config_;
  TraceSink* sink_ = nullptr;
  MemoryMap* map_ = nullptr;
  std::map<uint16_t, uint32_t> variables_;  // ordinal -> guest address
  uint32_t timestamp_bundle_ = 0;
  uint64_t now_ = 0;
  uint64_t round_ = 1;
  SchedPolicy policy_ = SchedPolicy::kAging;
  Thread* current_ = nullptr;
  SchedulePerturber* perturber_ = nullptr;
  uint64_t progress_ = 0;
  uint64_t kernel_event_idx_ = 0;
  uint64_t sched_event_idx_ = 0;

  std::vector<std::unique_ptr<Thread>> threads_;  // index = tid - 1
  size_t live_threads_ = 0;
  uint32_t main_tid_ = 0;
  uint32_t process_ = 0;
  ReadyQueue ready_;
  HandleTable handles_;
  std::map<uint32_t, ObjectRecord> objects_;     // by guest address
  std::map<std::string, uint32_t> names_;        // lower-case name -> object
  std::set<std::pair<uint64_t, uint32_t>> timed_waits_;  // (deadline, tid)
  std::set<std::pair<uint64_t, uint32_t>> armed_timers_; // (due, timer address)
  std::map<uint32_t, std::pair<uint64_t, uint32_t>> timer_state_;  // timer -> (due, period_ms)
  std::vector<bool> tls_used_ = std::vector<bool>(2048, false);
  struct Woken {
    Thread* thread;
    NtStatus status;
    uint64_t sid;
  };
  std::vector<Thread*> wake_scratch_;
  std::vector<Woken> woken_;
  std::function<void(std::string_view)> debug_output_;
  std::vector<uint32_t> woken_tids_;
  std::unique_ptr<TitleState> title_;
  std::unique_ptr<IoState> io_;
  std::unique_ptr<DeviceState> devices_;
  std::deque<uint32_t> dpcs_;                    // KDPC addresses, FIFO
  std::set<uint32_t> kernel_owned_apcs_;         // KAPCs to free after delivery
  struct TimerApc {
    uint32_t apc;       // kernel-allocated KAPC, re-queued at each expiry
    uint32_t tid;
  };
  std::map<uint32_t, TimerApc> timer_apcs_;      // timer -> its APC
};

}  // namespace xdet::kernel
