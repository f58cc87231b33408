// Signed priorities, preemption on readying, freeing exited threads, and the
// APC / DPC / IRQL / read-write lock exports, driven at the kernel level the
// way the CPU runner drives them (guest routines are "returned from" by
// calling callback_returned, as the runner does when pc reaches
// kCallbackReturnLr).
#include "export_call.h"
#include "kernel_fixture.h"

namespace xdet::test {
namespace {

using namespace kernel;
constexpr auto kKrnl = KernelModule::kXboxkrnl;

enum : uint16_t {
  kExAcquireReadWriteLockExclusive = 7,
  kExAcquireReadWriteLockShared = 8,
  kExInitializeReadWriteLock = 17,
  kExReleaseReadWriteLock = 22,
  kKeDelayExecutionThread = 90,
  kKeEnterCriticalRegion = 95,
  kKeInitializeApc = 109,
  kKeInitializeDpc = 111,
  kKeInsertQueueApc = 122,
  kKeInsertQueueDpc = 123,
  kKeLeaveCriticalRegion = 125,
  kKeQueryBasePriorityThread = 129,
  kKeRaiseIrqlToDpcLevel = 133,
  kKeRemoveQueueDpc = 142,
  kKeSetBasePriorityThread = 153,
  kKeSetCurrentStackPointers = 155,
  kKeSetEvent = 157,
  kKeWaitForSingleObject = 176,
  kKfRaiseIrql = 178,
  kKfLowerIrql = 179,
  kNtClose = 207,
  kNtQueueApcThread = 227,
  kNtResumeThread = 245,
  kKeRemoveQueueApc = 752,
  kExTryToAcquireReadWriteLockShared = 734,
};

struct Apcs : KernelFixture {
  Thread* main = nullptr;
  void SetUp() override {
    main = spawn(nullptr, 0, 0x01);
    main->started = true;  // already past its first instruction
    start(main, 0);
  }
  // Puts `t` on `cpu` as the scheduler does before a slice.
  void start(Thread* t, int cpu) {
    k->ready_queue().remove(t);
    t->state = ThreadState::kRunning;
    t->last_cpu = cpu;
    k->set_current(t);
  }
  uint32_t delay_interval(int64_t v) {
    uint32_t p = data.allocate(8, 8);
    mem.write64(p, static_cast<uint64_t>(v));
    return p;
  }
};

TEST_F(Apcs, PriorityIncrementsAreSignedAndRoundTrip) {
  Thread* t = spawn(main, 0, 0x02);
  struct { int32_t set, prev; } steps[] = {{-2, 0}, {-1, -2}, {-15, -1}, {2, -15}, {15, 2}, {1, 15}, {0, 1}, {-40, 0}};
  for (auto s : steps) {
    EXPECT_EQ(static_cast<int32_t>(call_export(*k, *main, kKrnl, kKeSetBasePriorityThread,
                                               {t->kthread, static_cast<uint32_t>(s.set)})), s.prev);
    int32_t want = std::max(s.set, kMinPriorityIncrement);
    EXPECT_EQ(static_cast<int32_t>(call_export(*k, *main, kKrnl, kKeQueryBasePriorityThread, {t->kthread})), want);
    EXPECT_EQ(t->priority_increment, want);
    EXPECT_EQ(t->base_priority, kPriorityBaseLevel + want);
  }
}

TEST_F(Apcs, NegativeIncrementsOrderThreadsBelowNormal) {
  Thread* lowest = spawn(main, -2, 0x04);
  Thread* idle = spawn(main, -15, 0x04);
  Thread* normal = spawn(main, 0, 0x04);
  Thread* below = spawn(main, -1, 0x04);
  (void)lowest, (void)idle, (void)below;
  EXPECT_EQ(k->ready_queue().pick_runnable(2, k->round(), SchedPolicy::kStrict), normal);
  k->ready_queue().remove(normal);
  EXPECT_EQ(k->ready_queue().pick_runnable(2, k->round(), SchedPolicy::kStrict), below);
  k->ready_queue().remove(below);
  EXPECT_EQ(k->ready_queue().pick_runnable(2, k->round(), SchedPolicy::kStrict), lowest);
}

TEST_F(Apcs, ReadyingAHigherThreadOnTheCallersCpuPreemptsTheCaller) {
  for (SchedPolicy policy : {SchedPolicy::kAging, SchedPolicy::kStrict}) {
    k->set_policy(policy);
    uint32_t ev = data.allocate(0x10, 16);
    k->initialize_event(ev, 0, false);
    Thread* other_cpu = spawn(main, 5, 0x02);
    start(other_cpu, 1);
    EXPECT_EQ(k->wait(*other_cpu, &ev, 1, WaitType::kAny, false, nullptr), kStatusPending);
    Thread* same_cpu_low = spawn(main, -1, 0x01);
    start(same_cpu_low, 0);
    EXPECT_EQ(k->wait(*same_cpu_low, &ev, 1, WaitType::kAny, false, nullptr), kStatusPending);
    start(main, 0);
    call_export(*k, *main, kKrnl, kKeSetEvent, {ev, 0, 0});
    // Neither a higher thread on another CPU nor a lower one on this CPU preempts.
    EXPECT_FALSE(main->yield_requested);
    k->reset_event(ev);
    Thread* same_cpu_high = spawn(main, 2, 0x01);
    start(same_cpu_high, 0);
    EXPECT_EQ(k->wait(*same_cpu_high, &ev, 1, WaitType::kAny, false, nullptr), kStatusPending);
    start(main, 0);
    call_export(*k, *main, kKrnl, kKeSetEvent, {ev, 0, 0});
    EXPECT_TRUE(main->yield_requested) << sched_policy_name(policy);
    EXPECT_TRUE(k->slice_must_end(*main));
    main->yield_requested = false;
  }
}

TEST_F(Apcs, ResumingAHigherThreadPreemptsButNotAtDispatchLevel) {
  Thread* t = spawn(main, 3, 0x01, kCreateSuspended);
  k->set_irql(*main, kDispatchLevel);
  uint32_t prev = 0;
  k->resume_thread(*t, &prev);
  EXPECT_FALSE(main->yield_requested);
  EXPECT_TRUE(main->deferred_preempt);
  call_export(*k, *main, kKrnl, kKfLowerIrql, {0});
  EXPECT_TRUE(main->yield_requested);
}

TEST_F(Apcs, ExitedThreadResourcesAreFreedWithTheLastReference) {
  uint64_t before = pool.used();
  uint32_t handle = 0;
  ThreadParams p;
  p.entry_pc = 0x82001000;
  Thread* t = k->create_thread(main, p, &handle);
  ASSERT_NE(t, nullptr);
  EXPECT_GT(pool.used(), before);
  uint32_t kthread = t->kthread;
  k->exit_thread(*t, 7);
  EXPECT_FALSE(t->resources_freed);  // the creator's handle still names it
  EXPECT_EQ(mem.read32(kthread + layout::kThreadExitStatus), 7u);
  call_export(*k, *main, kKrnl, kNtClose, {handle});
  EXPECT_TRUE(t->resources_freed);
  EXPECT_EQ(pool.used(), before);
  EXPECT_EQ(k->thread_by_kthread(kthread), nullptr);
  // The stack range is reusable: a thousand create/exit/close cycles fit.
  for (int i = 0; i < 1000; ++i) {
    Thread* n = k->create_thread(main, p, &handle);
    ASSERT_NE(n, nullptr) << i;
    k->exit_thread(*n, 0);
    k->close_handle(main, handle);
  }
  EXPECT_EQ(pool.used(), before);
}

TEST_F(Apcs, UserApcsRunFifoOnlyInAlertableWaits) {
  call_export(*k, *main, kKrnl, kNtQueueApcThread, {0xFFFFFFFE, 0x82005000, 1, 2, 3});
  call_export(*k, *main, kKrnl, kNtQueueApcThread, {0xFFFFFFFE, 0x82005100, 4, 5, 6});
  EXPECT_FALSE(k->start_pending_callback(*main));  // not alerted: nothing runs
  // A non-alertable delay sleeps.
  EXPECT_EQ(k->delay(*main, -10, false), kStatusPending);
  k->set_now(k->now() + 1000);
  k->expire_deadlines();
  start(main, 0);
  main->ctx.pc = 0x82009000;
  main->ctx.gpr[14] = 0x1414;
  // An alertable one returns USER_APC at once and the APCs run in order.
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeDelayExecutionThread, {1, 1, delay_interval(-10000)}), kStatusUserApc);
  cpu::PpcContext before = main->ctx;
  ASSERT_TRUE(k->start_pending_callback(*main));
  EXPECT_EQ(main->ctx.pc, 0x82005000u);
  EXPECT_EQ(main->ctx.lr, kCallbackReturnLr);
  EXPECT_EQ(main->ctx.gpr[3], 1u);
  EXPECT_EQ(main->ctx.gpr[4], 2u);
  EXPECT_EQ(main->ctx.gpr[5], 3u);
  EXPECT_LT(main->ctx.gpr[1], before.gpr[1]);
  EXPECT_EQ(mem.read32(static_cast<uint32_t>(main->ctx.gpr[1])), before.gpr[1]);  // back chain
  main->ctx.gpr[14] = 0xdead;
  k->callback_returned(*main);  // starts the second one
  EXPECT_EQ(main->ctx.pc, 0x82005100u);
  EXPECT_EQ(main->ctx.gpr[3], 4u);
  k->callback_returned(*main);
  EXPECT_EQ(main->ctx.pc, before.pc);
  EXPECT_EQ(main->ctx.gpr[1], before.gpr[1]);
  EXPECT_EQ(main->ctx.gpr[3], kStatusUserApc);
  EXPECT_EQ(main->ctx.gpr[14], 0x1414u);
  EXPECT_TRUE(main->callbacks.empty());
  EXPECT_FALSE(k->start_pending_callback(*main));
}

TEST_F(Apcs, QueueingAUserApcAlertsABlockedAlertableWait) {
  Thread* w = spawn(main, 0, 0x02);
  start(w, 1);
  uint32_t ev = data.allocate(0x10, 16);
  k->initialize_event(ev, 0, false);
  w->started = true;
  EXPECT_EQ(call_export(*k, *w, kKrnl, kKeWaitForSingleObject, {ev, 0, 1, 1, 0}), ev);  // blocked: r3 untouched
  EXPECT_EQ(w->state, ThreadState::kWaiting);
  start(main, 0);
  call_export(*k, *main, kKrnl, kNtQueueApcThread, {w->handle, 0x82005000, 9, 0, 0});
  EXPECT_EQ(w->state, ThreadState::kReady);
  EXPECT_EQ(static_cast<uint32_t>(w->ctx.gpr[3]), kStatusUserApc);
  EXPECT_EQ(mem.read32(ev + 4), 0u);  // nothing consumed
  start(w, 1);
  ASSERT_TRUE(k->start_pending_callback(*w));
  EXPECT_EQ(w->ctx.pc, 0x82005000u);
  EXPECT_EQ(w->ctx.gpr[3], 9u);
  // A non-alertable waiter is not alerted.
  k->callback_returned(*w);
  EXPECT_EQ(call_export(*k, *w, kKrnl, kKeWaitForSingleObject, {ev, 0, 1, 0, 0}), ev);
  start(main, 0);
  Thread* plain = spawn(main, 0, 0x04);
  start(plain, 2);
  EXPECT_EQ(k->wait(*plain, &ev, 1, WaitType::kAny, false, nullptr), kStatusPending);
  start(main, 0);
  call_export(*k, *main, kKrnl, kNtQueueApcThread, {0xFFFFFFFE, 0, 0, 0, 0}, nullptr);
  EXPECT_EQ(static_cast<uint32_t>(main->ctx.gpr[3]), kStatusInvalidParameter);
  ASSERT_TRUE(k->queue_user_apc(main, *plain, 0x82005000, 0, 0, 0));
  EXPECT_EQ(plain->state, ThreadState::kWaiting);
}

TEST_F(Apcs, KernelRoutineRunsBeforeTheNormalRoutineAndMayChangeIt) {
  uint32_t apc = data.allocate(0x28, 16);
  main->ctx.pc = 0x82009000;
  // A kernel-mode APC: delivered at PASSIVE_LEVEL as soon as the thread may be interrupted.
  call_export(*k, *main, kKrnl, kKeInitializeApc, {apc, main->kthread, 0x82006000, 0, 0x82007000, 0, 0x77});
  EXPECT_EQ(mem.read8(apc), 18);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeInsertQueueApc, {apc, 0x11, 0x22, 0}), 1u);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeInsertQueueApc, {apc, 0x11, 0x22, 0}), 0u);  // already queued
  EXPECT_EQ(mem.read8(apc + 3), 1);
  uint32_t resume_pc = static_cast<uint32_t>(main->ctx.pc);
  ASSERT_TRUE(k->start_pending_callback(*main));
  EXPECT_EQ(main->ctx.pc, 0x82006000u);
  EXPECT_EQ(k->irql(*main), kApcLevel);
  EXPECT_EQ(main->ctx.gpr[3], apc);
  uint32_t pnormal = static_cast<uint32_t>(main->ctx.gpr[4]), pcontext = static_cast<uint32_t>(main->ctx.gpr[5]);
  EXPECT_EQ(mem.read32(pnormal), 0x82007000u);
  EXPECT_EQ(mem.read32(pcontext), 0x77u);
  EXPECT_EQ(mem.read32(static_cast<uint32_t>(main->ctx.gpr[6])), 0x11u);
  EXPECT_EQ(mem.read32(static_cast<uint32_t>(main->ctx.gpr[7])), 0x22u);
  mem.write32(pcontext, 0x78);  // the kernel routine edits the normal context
  k->callback_returned(*main);
  EXPECT_EQ(main->ctx.pc, 0x82007000u);
  EXPECT_EQ(k->irql(*main), kPassiveLevel);
  EXPECT_EQ(main->ctx.gpr[3], 0x78u);
  EXPECT_EQ(main->ctx.gpr[4], 0x11u);
  k->callback_returned(*main);
  EXPECT_EQ(main->ctx.pc, resume_pc);
  EXPECT_EQ(mem.read8(apc + 3), 0);
  // Removing a queued APC.
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeInsertQueueApc, {apc, 0, 0, 0}), 1u);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeRemoveQueueApc, {apc}), 1u);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeRemoveQueueApc, {apc}), 0u);
  EXPECT_FALSE(k->start_pending_callback(*main));
}

TEST_F(Apcs, CriticalRegionHoldsNormalKernelApcsBack) {
  uint32_t apc = data.allocate(0x28, 16);
  call_export(*k, *main, kKrnl, kKeInitializeApc, {apc, main->kthread, 0, 0, 0x82007000, 0, 5});
  call_export(*k, *main, kKrnl, kKeEnterCriticalRegion, {});
  call_export(*k, *main, kKrnl, kKeInsertQueueApc, {apc, 0, 0, 0});
  EXPECT_FALSE(k->start_pending_callback(*main));
  call_export(*k, *main, kKrnl, kKeLeaveCriticalRegion, {});
  ASSERT_TRUE(k->start_pending_callback(*main));
  EXPECT_EQ(main->ctx.pc, 0x82007000u);
}

TEST_F(Apcs, DpcsRunWhenIrqlDropsBelowDispatchLevel) {
  uint32_t dpc = data.allocate(0x1C, 16);
  main->ctx.pc = 0x82009000;
  call_export(*k, *main, kKrnl, kKeInitializeDpc, {dpc, 0x82004000, 0x55});
  EXPECT_EQ(mem.read16(dpc), 19);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeRaiseIrqlToDpcLevel, {}), 0u);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeInsertQueueDpc, {dpc, 1, 2}), 1u);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeInsertQueueDpc, {dpc, 1, 2}), 0u);
  EXPECT_FALSE(k->start_pending_callback(*main));
  call_export(*k, *main, kKrnl, kKfLowerIrql, {0});
  ASSERT_TRUE(k->start_pending_callback(*main));
  EXPECT_EQ(main->ctx.pc, 0x82004000u);
  EXPECT_EQ(main->ctx.gpr[3], dpc);
  EXPECT_EQ(main->ctx.gpr[4], 0x55u);
  EXPECT_EQ(main->ctx.gpr[5], 1u);
  EXPECT_EQ(main->ctx.gpr[6], 2u);
  EXPECT_EQ(k->irql(*main), kDispatchLevel);
  EXPECT_EQ(mem.read32(main->kpcr + layout::kPcrDpcActive), 1u);
  k->callback_returned(*main);
  EXPECT_EQ(k->irql(*main), kPassiveLevel);
  EXPECT_EQ(mem.read32(main->kpcr + layout::kPcrDpcActive), 0u);
  // Removed before it ran: never runs.
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKfRaiseIrql, {2}), 0u);
  call_export(*k, *main, kKrnl, kKeInsertQueueDpc, {dpc, 0, 0});
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeRemoveQueueDpc, {dpc}), 1u);
  call_export(*k, *main, kKrnl, kKfLowerIrql, {0});
  EXPECT_FALSE(k->start_pending_callback(*main));
}

TEST_F(Apcs, TimerDpcIsQueuedAtExpiry) {
  uint32_t timer = data.allocate(0x28, 16), dpc = data.allocate(0x1C, 16);
  k->initialize_timer(timer, 0);
  k->initialize_dpc(dpc, 0x82004000, 0);
  call_export(*k, *main, KernelModule::kXboxkrnl, 167, {timer, static_cast<uint64_t>(-1000), 0, dpc});  // KeSetTimerEx
  EXPECT_EQ(k->pending_dpc_count(), 0u);
  k->set_now(k->now() + 100000);
  k->expire_deadlines();
  EXPECT_EQ(k->pending_dpc_count(), 1u);
}

TEST_F(Apcs, ATimerDpcWithNoThreadReadyInterruptsABlockedThreadWhichThenWaitsAgain) {
  uint32_t timer = data.allocate(0x28, 16), dpc = data.allocate(0x1C, 16), ev = data.allocate(0x10, 16);
  k->initialize_timer(timer, 0);
  k->initialize_dpc(dpc, 0x82004000, 0);
  k->initialize_event(ev, 0, false);
  call_export(*k, *main, kKrnl, 167, {timer, static_cast<uint64_t>(-1000), 0, dpc});  // KeSetTimerEx
  uint32_t resume_pc = static_cast<uint32_t>(main->ctx.pc);
  EXPECT_EQ(call_export(*k, *main, kKrnl, kKeWaitForSingleObject, {ev, 0, 1, 0, 0}), ev);  // blocks
  EXPECT_EQ(main->state, ThreadState::kWaiting);
  k->set_current(nullptr);
  k->set_now(k->now() + 100000);
  k->expire_deadlines();
  EXPECT_EQ(main->state, ThreadState::kReady);
  EXPECT_TRUE(main->wait_interrupted);
  start(main, 0);
  ASSERT_TRUE(k->start_pending_callback(*main));
  EXPECT_EQ(main->ctx.pc, 0x82004000u);
  k->set_event(main, ev);  // the DPC routine signals the event its thread waits for
  k->callback_returned(*main);
  // The wait resumed and is satisfied at once: the thread continues after its call.
  EXPECT_FALSE(main->wait_interrupted);
  EXPECT_EQ(main->state, ThreadState::kRunning);
  EXPECT_EQ(static_cast<uint32_t>(main->ctx.gpr[3]), kStatusSuccess);
  EXPECT_EQ(main->ctx.pc, resume_pc);
  EXPECT_FALSE(main->wait.active);
}

TEST_F(Apcs, AKernelApcRunsInsideAWaitThatThenResumes) {
  Thread* w = spawn(main, 0, 0x02);
  w->started = true;
  start(w, 1);
  uint32_t ev = data.allocate(0x10, 16), apc = data.allocate(0x28, 16);
  k->initialize_event(ev, 0, false);
  EXPECT_EQ(call_export(*k, *w, kKrnl, kKeWaitForSingleObject, {ev, 0, 1, 0, 0}), ev);
  start(main, 0);
  call_export(*k, *main, kKrnl, kKeInitializeApc, {apc, w->kthread, 0, 0, 0x82007000, 0, 1});
  call_export(*k, *main, kKrnl, kKeInsertQueueApc, {apc, 0, 0, 0});
  EXPECT_EQ(w->state, ThreadState::kReady);
  start(w, 1);
  ASSERT_TRUE(k->start_pending_callback(*w));
  EXPECT_EQ(w->ctx.pc, 0x82007000u);
  k->callback_returned(*w);
  // Nothing signalled the event: the thread waits again, still for it.
  EXPECT_EQ(w->state, ThreadState::kWaiting);
  EXPECT_TRUE(w->wait.active);
  start(main, 0);
  k->set_event(main, ev);
  EXPECT_EQ(w->state, ThreadState::kReady);
  EXPECT_EQ(static_cast<uint32_t>(w->ctx.gpr[3]), kStatusSuccess);
}

TEST_F(Apcs, ReadWriteLockSharesReadersAndExcludesWriters) {
  uint32_t lock = data.allocate(0x38, 16);
  Thread* w = spawn(main, 0, 0x02);
  call_export(*k, *main, kKrnl, kExInitializeReadWriteLock, {lock});
  EXPECT_EQ(static_cast<int32_t>(mem.read32(lock)), -1);
  call_export(*k, *main, kKrnl, kExAcquireReadWriteLockShared, {lock});
  call_export(*k, *main, kKrnl, kExAcquireReadWriteLockShared, {lock});  // two shared holds
  EXPECT_EQ(mem.read32(lock + 0xC), 2u);
  start(w, 1);
  call_export(*k, *w, kKrnl, kExAcquireReadWriteLockExclusive, {lock});
  EXPECT_EQ(w->state, ThreadState::kWaiting);
  start(main, 0);
  // A writer waits: new readers wait too.
  EXPECT_EQ(call_export(*k, *main, kKrnl, kExTryToAcquireReadWriteLockShared, {lock}), 0u);
  call_export(*k, *main, kKrnl, kExReleaseReadWriteLock, {lock});
  EXPECT_EQ(w->state, ThreadState::kWaiting);
  call_export(*k, *main, kKrnl, kExReleaseReadWriteLock, {lock});
  EXPECT_EQ(w->state, ThreadState::kReady);  // the writer owns it now
  EXPECT_EQ(mem.read32(lock + 0xC), 0u);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(lock)), 0);
  call_export(*k, *main, kKrnl, kExAcquireReadWriteLockShared, {lock});
  EXPECT_EQ(main->state, ThreadState::kWaiting);
  start(w, 1);
  call_export(*k, *w, kKrnl, kExReleaseReadWriteLock, {lock});
  EXPECT_EQ(main->state, ThreadState::kReady);
  EXPECT_EQ(mem.read32(lock + 0xC), 1u);
  start(main, 0);
  call_export(*k, *main, kKrnl, kExReleaseReadWriteLock, {lock});
  EXPECT_EQ(static_cast<int32_t>(mem.read32(lock)), -1);
}

TEST_F(Apcs, SetCurrentStackPointersSwitchesTheStack) {
  call_export(*k, *main, kKrnl, kKeSetCurrentStackPointers, {0x82078000, main->kthread, 0x82070000, 0x82079000, 0x82071000});
  EXPECT_EQ(main->ctx.gpr[1], 0x82078000u);
  EXPECT_EQ(mem.read32(main->kthread + layout::kThreadStackBase), 0x82079000u);
  EXPECT_EQ(mem.read32(main->kthread + layout::kThreadStackLimit), 0x82071000u);
  EXPECT_EQ(mem.read32(main->kpcr + layout::kPcrStackBase), 0x82079000u);
  EXPECT_EQ(mem.read32(main->kthread + layout::kThreadStackAllocBase), 0x82070000u);
}

}  // namespace
}  // namespace xdet::test
