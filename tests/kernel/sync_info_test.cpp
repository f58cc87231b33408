// NtQueryEvent/Semaphore/Mutant/Timer, KeQueryInterruptTime and
// KeSetEventBoostPriority read back what the objects and virtual time hold.
#include "export_call.h"
#include "kernel/objects.h"
#include "kernel/virtual_clock.h"
#include "kernel_fixture.h"

namespace xdet::test {
namespace {

using namespace kernel;
constexpr KernelModule kKrnl = KernelModule::kXboxkrnl;
constexpr uint16_t kQueryEvent = 0x0E6, kQueryMutant = 0x0EA, kQuerySemaphore = 0x0EB, kQueryTimer = 0x0ED,
                   kInterruptTime = 0x082, kSetEventBoost = 0x09E;

struct SyncInfo : KernelFixture {
  Thread* t = nullptr;
  uint32_t info = 0;
  void SetUp() override {
    t = spawn();
    run_as(t);
    info = data.allocate(16, 8);
  }
  uint32_t call(uint16_t ord, std::initializer_list<uint64_t> args) { return call_export(*k, *t, kKrnl, ord, args); }
  uint32_t object(uint32_t handle) {
    uint32_t obj = 0;
    uint8_t type = 0;
    EXPECT_EQ(k->resolve_handle(*t, handle, &obj, &type), kStatusSuccess);
    return obj;
  }
};

TEST_F(SyncInfo, EventTypeAndState) {
  uint32_t h = 0;
  ASSERT_EQ(k->create_event(*t, &h, kTypeEventSynchronization, true), kStatusSuccess);
  EXPECT_EQ(call(kQueryEvent, {h, info}), kStatusSuccess);
  EXPECT_EQ(mem.read32(info), 1u);
  EXPECT_EQ(mem.read32(info + 4), 1u);
  k->reset_event(object(h));
  EXPECT_EQ(call(kQueryEvent, {h, info}), kStatusSuccess);
  EXPECT_EQ(mem.read32(info + 4), 0u);
  // KeSetEventBoostPriority sets it again.
  call(kSetEventBoost, {object(h), 0});
  EXPECT_EQ(call(kQueryEvent, {h, info}), kStatusSuccess);
  EXPECT_EQ(mem.read32(info + 4), 1u);
  // Wrong type and bad handle.
  uint32_t s = 0;
  ASSERT_EQ(k->create_semaphore(*t, &s, 2, 5), kStatusSuccess);
  EXPECT_EQ(call(kQueryEvent, {s, info}), kStatusObjectTypeMismatch);
  EXPECT_EQ(call(kQueryEvent, {0x1234, info}), kStatusInvalidHandle);
}

TEST_F(SyncInfo, SemaphoreCountsAndMutantOwnership) {
  uint32_t s = 0, m = 0;
  ASSERT_EQ(k->create_semaphore(*t, &s, 2, 5), kStatusSuccess);
  EXPECT_EQ(call(kQuerySemaphore, {s, info}), kStatusSuccess);
  EXPECT_EQ(mem.read32(info), 2u);
  EXPECT_EQ(mem.read32(info + 4), 5u);
  ASSERT_EQ(k->create_mutant(*t, &m, true), kStatusSuccess);
  EXPECT_EQ(call(kQueryMutant, {m, info}), kStatusSuccess);
  EXPECT_EQ(static_cast<int32_t>(mem.read32(info)), 0);
  EXPECT_EQ(mem.read8(info + 4), 1);  // owned by the caller
  EXPECT_EQ(mem.read8(info + 5), 0);
  Thread* other = spawn();
  EXPECT_EQ(call_export(*k, *other, kKrnl, kQueryMutant, {m, info}), kStatusSuccess);
  EXPECT_EQ(mem.read8(info + 4), 0);
  int32_t prev = 0;
  ASSERT_EQ(k->release_mutant(t, object(m), false, &prev), kStatusSuccess);
  EXPECT_EQ(call(kQueryMutant, {m, info}), kStatusSuccess);
  EXPECT_EQ(mem.read32(info), 1u);
  EXPECT_EQ(mem.read8(info + 4), 0);
}

TEST_F(SyncInfo, TimerRemainingTimeFollowsVirtualTime) {
  uint32_t h = 0;
  ASSERT_EQ(k->create_timer(*t, &h, kTypeTimerNotification), kStatusSuccess);
  EXPECT_EQ(call(kQueryTimer, {h, info}), kStatusSuccess);
  EXPECT_EQ(mem.read64(info), 0u);  // not armed
  EXPECT_EQ(mem.read8(info + 8), 0);
  k->set_timer(t, object(h), -5'000'000, 0);  // 500 ms from now
  EXPECT_EQ(call(kQueryTimer, {h, info}), kStatusSuccess);
  EXPECT_EQ(mem.read64(info), 5'000'000u);
  k->cancel_timer(object(h));
  EXPECT_EQ(call(kQueryTimer, {h, info}), kStatusSuccess);
  EXPECT_EQ(mem.read64(info), 0u);
}

TEST_F(SyncInfo, InterruptTimeIsVirtual) {
  call(kInterruptTime, {});
  EXPECT_EQ(t->ctx.gpr[3], k->now() / kInstructionsPer100ns);
}

}  // namespace
}  // namespace xdet::test
