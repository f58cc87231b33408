// Dispatcher objects, NT wait rules, handles, critical sections and TLS,
// driven directly through the kernel API (no scheduler).
#include "kernel_fixture.h"

namespace xdet::test {
namespace {

using namespace kernel;

constexpr int64_t kInfinite = 0;  // marker only; null pointer means infinite

TEST_F(KernelFixture, ThreadBlocksLiveInGuestMemoryInConsoleLayout) {
  Thread* t = spawn(nullptr, 3, 0x20);
  EXPECT_EQ(t->tid, 1u);
  EXPECT_EQ(t->handle, 0xF8000004u);
  EXPECT_EQ(t->ctx.gpr[13], t->kpcr);
  EXPECT_EQ(t->ctx.gpr[1], t->stack_base - 176);
  EXPECT_EQ(t->ctx.lr, kReturnSentinelLr);
  EXPECT_EQ(mem.read32(t->kpcr + 0x100), t->kthread);
  EXPECT_EQ(mem.read32(t->kpcr + 0x000), t->tls_block);
  EXPECT_EQ(mem.read32(t->kpcr + 0x030), t->kpcr);
  EXPECT_EQ(mem.read8(t->kpcr + 0x10C), 5);
  EXPECT_EQ(mem.read8(t->kthread + 0x00), kTypeThread);
  EXPECT_EQ(mem.read32(t->kthread + 0x14C), 1u);          // thread id
  EXPECT_EQ(mem.read32(t->kthread + 0x150), 0x82001000u);  // start address
  EXPECT_EQ(mem.read32(t->kthread + 0x05C), t->stack_base);
  EXPECT_EQ(mem.read32(t->kthread + 0x060), t->stack_limit);
  EXPECT_EQ(mem.read32(t->kthread + 0x084), k->process_block());
  EXPECT_EQ(mem.read8(k->process_block() + 0x2F), 1);  // title process
  EXPECT_EQ(mem.read8(t->stack_limit), 0xBE);
  // Guard pages below and above the stack fault.
  EXPECT_THROW(mem.read8(t->stack_limit - 1), GuestFault);
  EXPECT_THROW(mem.read8(t->stack_base), GuestFault);
  EXPECT_EQ(t->affinity_mask, 0x20u);
  EXPECT_EQ(t->priority_increment, 3);
  EXPECT_EQ(t->base_priority, kernel::kPriorityBaseLevel + 3);
}

TEST_F(KernelFixture, AutoResetEventReleasesExactlyOneWaiterInArrivalOrder) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  Thread* c = spawn(a);
  uint32_t ev = data.allocate(16, 16);
  k->initialize_event(ev, 1, false);
  for (Thread* t : {b, c}) {
    run_as(t);
    EXPECT_EQ(k->wait(*t, &ev, 1, WaitType::kAny, false, nullptr), kStatusPending);
    end_slice(t);
    EXPECT_EQ(t->state, ThreadState::kWaiting);
  }
  run_as(a);
  k->set_event(a, ev);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(r3(b), kStatusSuccess);
  EXPECT_EQ(c->state, ThreadState::kWaiting);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(ev + 4)), 0);  // consumed by the waiter
  k->set_event(a, ev);
  EXPECT_EQ(c->state, ThreadState::kReady);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(ev + 4)), 0);
  // No waiter: stays signalled until someone waits.
  k->set_event(a, ev);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(ev + 4)), 1);
  EXPECT_EQ(k->wait(*a, &ev, 1, WaitType::kAny, false, nullptr), kStatusSuccess);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(ev + 4)), 0);
}

TEST_F(KernelFixture, ManualResetEventReleasesAllAndStaysSignalled) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  Thread* c = spawn(a);
  uint32_t ev = data.allocate(16, 16);
  k->initialize_event(ev, 0, false);
  for (Thread* t : {b, c}) {
    run_as(t);
    k->wait(*t, &ev, 1, WaitType::kAny, false, nullptr);
    end_slice(t);
  }
  run_as(a);
  k->set_event(a, ev);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(c->state, ThreadState::kReady);
  EXPECT_EQ(mem.read32(ev + 4), 1u);
  EXPECT_EQ(k->reset_event(ev), 1);
  EXPECT_EQ(mem.read32(ev + 4), 0u);
}

TEST_F(KernelFixture, PulseReleasesCurrentWaitersThenResets) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  uint32_t ev = data.allocate(16, 16);
  k->initialize_event(ev, 0, false);
  run_as(b);
  k->wait(*b, &ev, 1, WaitType::kAny, false, nullptr);
  end_slice(b);
  run_as(a);
  k->pulse_event(a, ev);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(mem.read32(ev + 4), 0u);
}

TEST_F(KernelFixture, WaitAnyReturnsLowestSignalledIndexAndConsumesOnlyIt) {
  Thread* a = spawn();
  uint32_t s1 = data.allocate(0x14, 16), s2 = data.allocate(0x14, 16), e0 = data.allocate(16, 16);
  k->initialize_event(e0, 1, false);
  k->initialize_semaphore(s1, 1, 5);
  k->initialize_semaphore(s2, 1, 5);
  uint32_t objs[] = {e0, s1, s2};
  run_as(a);
  EXPECT_EQ(k->wait(*a, objs, 3, WaitType::kAny, false, nullptr), kStatusWait0 + 1);
  EXPECT_EQ(mem.read32(s1 + 4), 0u);
  EXPECT_EQ(mem.read32(s2 + 4), 1u);
  EXPECT_EQ(k->wait(*a, objs, 3, WaitType::kAny, false, nullptr), kStatusWait0 + 2);
  int64_t poll = 0;
  EXPECT_EQ(k->wait(*a, objs, 3, WaitType::kAny, false, &poll), kStatusTimeout);
}

TEST_F(KernelFixture, WaitAllAcquiresAtomicallyOnlyWhenAllAreSignalled) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  Thread* c = spawn(a);
  uint32_t sem = data.allocate(0x14, 16), ev = data.allocate(16, 16);
  k->initialize_semaphore(sem, 0, 5);
  k->initialize_event(ev, 1, false);
  uint32_t objs[] = {sem, ev};
  run_as(b);
  EXPECT_EQ(k->wait(*b, objs, 2, WaitType::kAll, false, nullptr), kStatusPending);
  end_slice(b);
  run_as(a);
  int32_t prev = -1;
  EXPECT_EQ(k->release_semaphore(a, sem, 1, &prev), kStatusSuccess);
  EXPECT_EQ(prev, 0);
  // Only one of two is signalled: nothing is taken from the semaphore.
  EXPECT_EQ(b->state, ThreadState::kWaiting);
  EXPECT_EQ(mem.read32(sem + 4), 1u);
  end_slice(a);
  // Meanwhile another thread may take the semaphore.
  run_as(c);
  EXPECT_EQ(k->wait(*c, &sem, 1, WaitType::kAny, false, nullptr), kStatusSuccess);
  end_slice(c);
  run_as(a);
  k->set_event(a, ev);
  EXPECT_EQ(b->state, ThreadState::kWaiting);  // semaphore is empty again
  EXPECT_EQ(mem.read32(ev + 4), 1u);           // the event was not consumed either
  k->release_semaphore(a, sem, 1, &prev);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(r3(b), kStatusSuccess);
  EXPECT_EQ(mem.read32(sem + 4), 0u);
  EXPECT_EQ(mem.read32(ev + 4), 0u);
}

TEST_F(KernelFixture, RelativeTimeoutExpiresAtTheVirtualDeadline) {
  Thread* a = spawn();
  uint32_t ev = data.allocate(16, 16);
  k->initialize_event(ev, 0, false);
  run_as(a);
  int64_t timeout = -10'000;  // 1 ms
  EXPECT_EQ(k->wait(*a, &ev, 1, WaitType::kAny, false, &timeout), kStatusPending);
  end_slice(a);
  EXPECT_EQ(k->next_deadline(), units_from_ms(1));
  k->set_now(units_from_ms(1) - 1);
  k->expire_deadlines();
  EXPECT_EQ(a->state, ThreadState::kWaiting);
  k->set_now(units_from_ms(1));
  k->expire_deadlines();
  EXPECT_EQ(a->state, ThreadState::kReady);
  EXPECT_EQ(r3(a), kStatusTimeout);
  EXPECT_EQ(k->next_deadline(), kNever);
}

TEST_F(KernelFixture, DelayReturnsSuccessAfterInterval) {
  Thread* a = spawn();
  run_as(a);
  EXPECT_EQ(k->delay(*a, -5'000, false), kStatusPending);
  end_slice(a);
  k->set_now(units_from_100ns(5'000));
  k->expire_deadlines();
  EXPECT_EQ(a->state, ThreadState::kReady);
  EXPECT_EQ(r3(a), kStatusSuccess);
  run_as(a);
  EXPECT_EQ(k->delay(*a, 0, false), kStatusSuccess);  // yield
  EXPECT_TRUE(a->yield_requested);
}

TEST_F(KernelFixture, SemaphoreLimitAndMultiWake) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  Thread* c = spawn(a);
  Thread* d = spawn(a);
  uint32_t sem = data.allocate(0x14, 16);
  k->initialize_semaphore(sem, 0, 2);
  for (Thread* t : {b, c, d}) {
    run_as(t);
    k->wait(*t, &sem, 1, WaitType::kAny, false, nullptr);
    end_slice(t);
  }
  run_as(a);
  int32_t prev = -1;
  EXPECT_EQ(k->release_semaphore(a, sem, 3, &prev), kStatusSemaphoreLimitExceeded);
  EXPECT_EQ(mem.read32(sem + 4), 0u);
  EXPECT_EQ(b->state, ThreadState::kWaiting);
  EXPECT_EQ(k->release_semaphore(a, sem, 2, &prev), kStatusSuccess);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(c->state, ThreadState::kReady);
  EXPECT_EQ(d->state, ThreadState::kWaiting);
  EXPECT_EQ(mem.read32(sem + 4), 0u);
}

TEST_F(KernelFixture, MutantOwnershipRecursionAndNotOwned) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  uint32_t h = 0;
  run_as(a);
  EXPECT_EQ(k->create_mutant(*a, &h, true), kStatusSuccess);
  uint32_t mut;
  uint8_t type;
  ASSERT_EQ(k->resolve_handle(*a, h, &mut, &type), kStatusSuccess);
  EXPECT_EQ(type, kTypeMutant);
  EXPECT_EQ(mem.read32(mut + 0x18), a->kthread);
  // Recursive acquire by the owner.
  EXPECT_EQ(k->wait(*a, &mut, 1, WaitType::kAny, false, nullptr), kStatusSuccess);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(mut + 4)), -1);
  end_slice(a);
  run_as(b);
  int32_t prev;
  EXPECT_EQ(k->release_mutant(b, mut, false, &prev), kStatusMutantNotOwned);
  EXPECT_EQ(k->wait(*b, &mut, 1, WaitType::kAny, false, nullptr), kStatusPending);
  end_slice(b);
  run_as(a);
  EXPECT_EQ(k->release_mutant(a, mut, false, &prev), kStatusSuccess);
  EXPECT_EQ(prev, -1);
  EXPECT_EQ(b->state, ThreadState::kWaiting);  // still held once
  EXPECT_EQ(k->release_mutant(a, mut, false, &prev), kStatusSuccess);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(r3(b), kStatusSuccess);
  EXPECT_EQ(mem.read32(mut + 0x18), b->kthread);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(mut + 4)), 0);
}

TEST_F(KernelFixture, MutantIsAbandonedWhenItsOwnerExits) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  uint32_t h = 0, ev = data.allocate(16, 16);
  k->initialize_event(ev, 0, false);
  run_as(a);
  k->create_mutant(*a, &h, true);
  uint32_t mut;
  uint8_t type;
  k->resolve_handle(*a, h, &mut, &type);
  end_slice(a);
  run_as(b);
  uint32_t objs[] = {ev, mut};
  EXPECT_EQ(k->wait(*b, objs, 2, WaitType::kAny, false, nullptr), kStatusPending);
  end_slice(b);
  k->exit_thread(*a, 7);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(r3(b), kStatusAbandonedWait0 + 1);
  EXPECT_EQ(mem.read32(mut + 0x18), b->kthread);
  EXPECT_EQ(mem.read8(mut + 0x1C), 0);  // abandonment reported once
  // The exited thread's object is signalled with its exit status.
  EXPECT_EQ(mem.read32(a->kthread + 4), 1u);
  EXPECT_EQ(mem.read32(a->kthread + 0x140), 7u);
}

TEST_F(KernelFixture, WaitingOnAThreadCompletesWhenItExits) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  run_as(a);
  uint32_t obj;
  uint8_t type;
  ASSERT_EQ(k->resolve_handle(*a, b->handle, &obj, &type), kStatusSuccess);
  EXPECT_EQ(k->wait(*a, &obj, 1, WaitType::kAll, false, nullptr), kStatusPending);
  end_slice(a);
  k->exit_thread(*b, 0);
  EXPECT_EQ(a->state, ThreadState::kReady);
}

TEST_F(KernelFixture, HandlesUseLowestFreeSlotAndRejectBadHandles) {
  Thread* a = spawn();  // its handle is 0xF8000004
  run_as(a);
  uint32_t h1, h2, h3;
  EXPECT_EQ(k->create_event(*a, &h1, 1, false), kStatusSuccess);
  EXPECT_EQ(k->create_event(*a, &h2, 0, true), kStatusSuccess);
  EXPECT_EQ(h1, 0xF8000008u);
  EXPECT_EQ(h2, 0xF800000Cu);
  EXPECT_EQ(k->close_handle(a, h1), kStatusSuccess);
  EXPECT_EQ(k->close_handle(a, h1), kStatusInvalidHandle);
  EXPECT_EQ(k->create_semaphore(*a, &h3, 0, 1), kStatusSuccess);
  EXPECT_EQ(h3, 0xF8000008u);  // slot reused
  uint32_t obj;
  uint8_t type;
  EXPECT_EQ(k->resolve_handle(*a, 0x1234, &obj, &type), kStatusInvalidHandle);
  EXPECT_EQ(k->resolve_handle(*a, h3 | 3, &obj, &type), kStatusSuccess);  // low bits ignored
  EXPECT_EQ(type, kTypeSemaphore);
  EXPECT_EQ(k->resolve_handle(*a, kCurrentThreadHandle, &obj, &type), kStatusSuccess);
  EXPECT_EQ(obj, a->kthread);
  EXPECT_EQ(k->create_semaphore(*a, &h3, 2, 1), kStatusInvalidParameter);
  uint32_t dup;
  EXPECT_EQ(k->duplicate_handle(*a, kCurrentThreadHandle, &dup), kStatusSuccess);
  EXPECT_EQ(k->reference_object(*a, dup, 0xD01BBEEF, &obj), kStatusSuccess);
  EXPECT_EQ(k->reference_object(*a, dup, 0xD00EBEEF, &obj), kStatusObjectTypeMismatch);
}

TEST_F(KernelFixture, NamedObjectsAreSharedCaseInsensitively) {
  Thread* a = spawn();
  run_as(a);
  uint32_t h1, h2, h3;
  EXPECT_EQ(k->create_event(*a, &h1, 1, false, "Frame"), kStatusSuccess);
  EXPECT_EQ(k->create_event(*a, &h2, 1, false, "FRAME"), kStatusObjectNameExists);
  uint32_t o1, o2;
  uint8_t t1, t2;
  k->resolve_handle(*a, h1, &o1, &t1);
  k->resolve_handle(*a, h2, &o2, &t2);
  EXPECT_NE(h1, h2);
  EXPECT_EQ(o1, o2);
  EXPECT_EQ(k->create_semaphore(*a, &h3, 0, 1, "frame"), kStatusObjectTypeMismatch);
  // The object survives until its last handle is closed.
  k->close_handle(a, h1);
  EXPECT_NE(k->find_object(o1), nullptr);
  k->close_handle(a, h2);
  EXPECT_EQ(k->find_object(o1), nullptr);
}

TEST_F(KernelFixture, CriticalSectionRecursionContentionAndHandOver) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  uint32_t cs = data.allocate(0x1C, 16);
  k->cs_initialize(cs, 1000);
  EXPECT_EQ(mem.read8(cs + 1), 4);  // ceil(1000/256)
  EXPECT_EQ(static_cast<int32_t>(mem.read32(cs + 0x10)), -1);
  run_as(a);
  EXPECT_EQ(k->cs_enter(*a, cs), kStatusSuccess);
  EXPECT_EQ(k->cs_enter(*a, cs), kStatusSuccess);
  EXPECT_EQ(mem.read32(cs + 0x14), 2u);
  EXPECT_EQ(mem.read32(cs + 0x18), a->kthread);
  end_slice(a);
  run_as(b);
  EXPECT_FALSE(k->cs_try_enter(*b, cs));
  EXPECT_EQ(k->cs_enter(*b, cs), kStatusPending);
  end_slice(b);
  run_as(a);
  k->cs_leave(*a, cs);
  EXPECT_EQ(b->state, ThreadState::kWaiting);
  k->cs_leave(*a, cs);
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(mem.read32(cs + 0x18), b->kthread);
  EXPECT_EQ(mem.read32(cs + 0x14), 1u);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(cs + 0x10)), 0);
  end_slice(a);
  run_as(b);
  k->cs_leave(*b, cs);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(cs + 0x10)), -1);
  EXPECT_EQ(mem.read32(cs + 0x18), 0u);
  EXPECT_TRUE(k->cs_try_enter(*b, cs));
}

TEST_F(KernelFixture, TlsSlotsArePerThreadAndFreedEverywhere) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  run_as(a);
  uint32_t s0 = k->tls_alloc(), s1 = k->tls_alloc();
  EXPECT_EQ(s0, 0u);
  EXPECT_EQ(s1, 1u);
  k->tls_set(*a, s1, 0x1234);
  k->tls_set(*b, s1, 0x5678);
  EXPECT_EQ(k->tls_get(*a, s1), 0x1234u);
  EXPECT_EQ(k->tls_get(*b, s1), 0x5678u);
  EXPECT_EQ(mem.read32(a->tls_block + 4), 0x1234u);  // slot i at block + data_size + 4i
  EXPECT_TRUE(k->tls_free(s1));
  EXPECT_EQ(k->tls_get(*b, s1), 0u);
  EXPECT_FALSE(k->tls_free(s1));
  EXPECT_EQ(k->tls_alloc(), 1u);
}

TEST_F(KernelFixture, PeriodicSynchronizationTimerReleasesOneWaiterPerPeriod) {
  Thread* a = spawn();
  Thread* b = spawn(a);
  Thread* c = spawn(a);
  uint32_t h;
  run_as(a);
  k->create_timer(*a, &h, 1);
  uint32_t timer;
  uint8_t type;
  k->resolve_handle(*a, h, &timer, &type);
  EXPECT_EQ(type, kTypeTimerSynchronization);
  k->set_timer(a, timer, -10'000, 2);  // 1 ms, then every 2 ms
  end_slice(a);
  for (Thread* t : {b, c}) {
    run_as(t);
    k->wait(*t, &timer, 1, WaitType::kAny, false, nullptr);
    end_slice(t);
  }
  k->set_now(units_from_ms(1));
  k->expire_deadlines();
  EXPECT_EQ(b->state, ThreadState::kReady);
  EXPECT_EQ(c->state, ThreadState::kWaiting);
  k->set_now(units_from_ms(3) - 1);
  k->expire_deadlines();
  EXPECT_EQ(c->state, ThreadState::kWaiting);
  k->set_now(units_from_ms(3));
  k->expire_deadlines();
  EXPECT_EQ(c->state, ThreadState::kReady);
  EXPECT_TRUE(k->cancel_timer(timer));
  EXPECT_EQ(k->next_deadline(), kNever);
}

TEST_F(KernelFixture, SuspendAndResumeControlRunnability) {
  Thread* a = spawn(nullptr, 0, 0, kCreateSuspended);
  EXPECT_FALSE(a->queued);
  uint32_t prev = 9;
  EXPECT_EQ(k->resume_thread(*a, &prev), kStatusSuccess);
  EXPECT_EQ(prev, 1u);
  EXPECT_TRUE(a->queued);
  k->suspend_thread(*a, &prev);
  EXPECT_FALSE(a->queued);
  EXPECT_EQ(mem.read8(a->kthread + 0xBC), 1);
}

TEST_F(KernelFixture, WakePathEmitsSignalMatchWakeRequestedAndWaitEnd) {
  CaptureSink sink;
  k->set_trace_sink(&sink);
  Thread* a = spawn();
  Thread* b = spawn(a);
  uint32_t h;
  run_as(a);
  k->create_semaphore(*a, &h, 0, 4);
  uint32_t sem;
  uint8_t type;
  k->resolve_handle(*a, h, &sem, &type);
  end_slice(a);
  run_as(b);
  b->pending_return.name = "NtWaitForSingleObjectEx";
  EXPECT_EQ(k->wait(*b, &sem, 1, WaitType::kAny, false, nullptr), kStatusPending);
  end_slice(b);
  run_as(a);
  sink.events.clear();
  int32_t prev;
  k->release_semaphore(a, sem, 1, &prev);
  ASSERT_EQ(sink.events.size(), 5u);
  EXPECT_EQ(sink.events[0].kind, TraceKind::kSemaRelease);
  EXPECT_EQ(sink.events[1].kind, TraceKind::kSignalMatch);
  EXPECT_EQ(sink.events[2].kind, TraceKind::kWakeRequested);
  EXPECT_EQ(sink.events[2].tid, a->tid);
  EXPECT_EQ(sink.events[3].kind, TraceKind::kWaitEnd);
  EXPECT_EQ(sink.events[3].tid, b->tid);
  EXPECT_EQ(sink.events[4].kind, TraceKind::kKernelReturn);
  EXPECT_EQ(sink.events[4].tid, b->tid);
  EXPECT_EQ(sink.events[4].idx, sink.events[3].idx + 1);
  (void)kInfinite;
}

}  // namespace
}  // namespace xdet::test
