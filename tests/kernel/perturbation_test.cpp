// The scheduler's SchedulePerturber hooks: each changes the schedule the way
// perturbation.h promises (and only that), and a requested stop at a guest
// time stops every CPU exactly there.
#include "kernel/scheduler/perturbation.h"

#include <vector>

#include "kernel/scheduler/scheduler.h"
#include "kernel_fixture.h"
#include "scripted_runner.h"

namespace xdet::test {
namespace {

using namespace kernel;

// A perturber with fixed answers, recording what it was asked.
struct FixedPerturber final : SchedulePerturber {
  bool reverse = false;
  uint64_t cut_to = 0;         // 0: no cut
  uint32_t defer_tid = 0;      // loses its turn in defer_round
  uint64_t defer_round = 0;
  uint64_t jitter = 0;
  void cpu_order(uint64_t, int order[kCpuCount]) override {
    if (reverse) std::reverse(order, order + kCpuCount);
  }
  bool defer(const Thread& t, int, uint64_t round) override { return t.tid == defer_tid && round == defer_round; }
  uint64_t slice_budget(const Thread&, int, uint64_t remaining) override {
    return cut_to ? std::min(cut_to, remaining) : remaining;
  }
  // Called by the CPU-backed runner only (tests/explore covers it).
  bool preempt_after_call(const Thread&) override { return false; }
  uint64_t deadline_jitter(uint64_t) override { return jitter; }
};

struct Recorder {
  std::vector<std::pair<uint64_t, uint32_t>> runs;  // (round, tid) per step
  Step spin(uint32_t cost = 100) {
    return {cost, [this](Kernel& k, Thread& t) {
              if (runs.empty() || runs.back() != std::make_pair(k.round(), t.tid)) runs.emplace_back(k.round(), t.tid);
              return false;
            }};
  }
  std::vector<uint32_t> order_in(uint64_t round) const {
    std::vector<uint32_t> v;
    for (auto [r, tid] : runs) {
      if (r == round) v.push_back(tid);
    }
    return v;
  }
};

RunOutcome run_rounds(Kernel& k, ScriptedRunner& runner, uint32_t quantum, uint64_t rounds,
                      SchedPolicy policy = SchedPolicy::kStrict) {
  SchedulerConfig cfg;
  cfg.policy = policy;
  cfg.quantum = quantum;
  cfg.max_guest_units = quantum * rounds;
  cfg.livelock_rounds = 1'000'000;
  return Scheduler(k, runner, cfg).run();
}

TEST_F(KernelFixture, WithoutPerturberCpusRunInOrderAndReversedWithOne) {
  ScriptedRunner runner;
  Recorder rec;
  spawn(nullptr, 0, 0x01);
  spawn(nullptr, 0, 0x20);
  runner.set_script(1, {rec.spin()});
  runner.set_script(2, {rec.spin()});
  run_rounds(*k, runner, 1000, 3);
  EXPECT_EQ(rec.order_in(2), (std::vector<uint32_t>{1, 2}));
  FixedPerturber p;
  p.reverse = true;
  k->set_perturber(&p);
  rec.runs.clear();
  run_rounds(*k, runner, 1000, 6);
  EXPECT_EQ(rec.order_in(5), (std::vector<uint32_t>{2, 1}));
}

TEST_F(KernelFixture, CutSliceIsPreemptedWithoutRunningALowerPriorityThread) {
  ScriptedRunner runner;
  Recorder rec;
  Thread* high = spawn(nullptr, 10, 0x01);
  Thread* low = spawn(nullptr, 1, 0x01);
  runner.set_script(1, {rec.spin(10)});
  runner.set_script(2, {rec.spin(10)});
  FixedPerturber p;
  p.cut_to = 50;
  k->set_perturber(&p);
  RunOutcome o = run_rounds(*k, runner, 1000, 5);
  EXPECT_EQ(o.reason, StopReason::kGuestTimeLimit);
  EXPECT_EQ(low->retired, 0u);                 // strict priority still holds
  EXPECT_EQ(high->retired, 5u * 50u);          // 50 instructions per round, the rest idle
}

TEST_F(KernelFixture, DeferredThreadLosesItsTurnForOneRound) {
  ScriptedRunner runner;
  Recorder rec;
  spawn(nullptr, 10, 0x01);
  spawn(nullptr, 1, 0x01);
  runner.set_script(1, {rec.spin()});
  runner.set_script(2, {rec.spin()});
  FixedPerturber p;
  p.defer_tid = 1;
  p.defer_round = 3;
  k->set_perturber(&p);
  run_rounds(*k, runner, 1000, 5);
  EXPECT_EQ(rec.order_in(2), (std::vector<uint32_t>{1}));
  EXPECT_EQ(rec.order_in(3), (std::vector<uint32_t>{2}));  // the change point: low runs instead
  EXPECT_EQ(rec.order_in(4), (std::vector<uint32_t>{1}));
}

TEST_F(KernelFixture, TimeoutsAreLateByTheJitter) {
  ScriptedRunner runner;
  Thread* t = spawn(nullptr, 0, 0x01);
  uint64_t woke_at = 0;
  runner.set_script(1, {
      {10, [](Kernel& k, Thread& th) { return store_status(th, k.delay(th, -100, false)), true; }},  // 10 us
      {10, [&woke_at](Kernel& k, Thread&) { return woke_at = k.now(), true; }},
  });
  FixedPerturber p;
  p.jitter = 3000;
  k->set_perturber(&p);
  SchedulerConfig cfg;
  cfg.quantum = 1000;
  RunOutcome o = Scheduler(*k, runner, cfg).run();
  EXPECT_EQ(o.reason, StopReason::kProcessExit);
  EXPECT_GE(woke_at, 10u + 1000u + 3000u);  // due 10 us (1000 units) after the call, 3000 units late
  EXPECT_EQ(t->state, ThreadState::kTerminated);
}

TEST_F(KernelFixture, StopAtGuestTimeStopsEveryCpuThere) {
  ScriptedRunner runner;
  Thread* a = spawn(nullptr, 0, 0x01);
  Thread* b = spawn(nullptr, 0, 0x02);
  runner.set_script(1, {{1, [](Kernel&, Thread&) { return false; }}});
  runner.set_script(2, {{1, [](Kernel&, Thread&) { return false; }}});
  SchedulerConfig cfg;
  cfg.quantum = 1000;
  cfg.stop_at_units = 2500;
  cfg.livelock_rounds = 1'000'000;
  RunOutcome o = Scheduler(*k, runner, cfg).run();
  EXPECT_EQ(o.reason, StopReason::kStopAt);
  EXPECT_EQ(o.guest_units, 2500u);
  EXPECT_EQ(a->retired, 2500u);
  EXPECT_EQ(b->retired, 2500u);
  EXPECT_EQ(exit_code_for(o.reason), ExitCode::kOk);
}

}  // namespace
}  // namespace xdet::test
