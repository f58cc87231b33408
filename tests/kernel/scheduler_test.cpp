// The ready queue's pick rule, and the round scheduler driving scripted
// threads: starvation (strict wedges, aging completes), deadlock, limits.
#include "kernel/scheduler/scheduler.h"

#include <cstdio>
#include <cstdlib>

#include "kernel_fixture.h"
#include "scripted_runner.h"

namespace xdet::test {
namespace {

using namespace kernel;

Thread make_thread(uint32_t tid, uint8_t prio, uint32_t mask, uint64_t last_run) {
  Thread t;
  t.tid = tid;
  t.base_priority = prio;
  t.affinity_mask = mask;
  t.last_run_round = last_run;
  return t;
}

TEST(ReadyQueue, StrictPicksHighestPriorityThenLongestWaitingThenLowestTid) {
  ReadyQueue q;
  Thread a = make_thread(1, 5, 0x3F, 10), b = make_thread(2, 9, 0x3F, 12), c = make_thread(3, 9, 0x3F, 11),
         d = make_thread(4, 9, 0x3F, 11);
  for (Thread* t : {&a, &b, &c, &d}) q.insert(t);
  EXPECT_EQ(q.pick_runnable(0, 20, SchedPolicy::kStrict), &c);  // prio 9, oldest, lower tid than d
  q.remove(&c);
  EXPECT_EQ(q.pick_runnable(0, 20, SchedPolicy::kStrict), &d);
  q.remove(&d);
  EXPECT_EQ(q.pick_runnable(0, 20, SchedPolicy::kStrict), &b);
  q.remove(&b);
  EXPECT_EQ(q.pick_runnable(0, 20, SchedPolicy::kStrict), &a);
  EXPECT_EQ(q.size(), 1u);
}

TEST(ReadyQueue, AgingAddsOneLevelPerRoundNotRunCappedAt31) {
  Thread spinner = make_thread(1, 15, 0x20, 99);  // ran last round
  Thread starved = make_thread(2, 0, 0x20, 84);
  EXPECT_EQ(effective_priority(spinner, 100, SchedPolicy::kAging), 16u);
  EXPECT_EQ(effective_priority(starved, 100, SchedPolicy::kAging), 16u);
  EXPECT_EQ(effective_priority(starved, 100, SchedPolicy::kStrict), 0u);
  EXPECT_EQ(effective_priority(starved, 1000, SchedPolicy::kAging), 31u);
  Thread old = make_thread(3, 10, 0x20, 0);
  EXPECT_EQ(effective_priority(old, 1000, SchedPolicy::kAging), 41u);  // base + capped bonus
  ReadyQueue q;
  q.insert(&spinner);
  q.insert(&starved);
  // Equal effective priority (16): the one that waited longer wins.
  EXPECT_EQ(q.pick_runnable(5, 100, SchedPolicy::kAging), &starved);
  EXPECT_EQ(q.pick_runnable(5, 100, SchedPolicy::kStrict), &spinner);
  // One round earlier (spinner last ran in 98): spinner 16 beats starved 15.
  ReadyQueue q2;
  Thread spinner2 = make_thread(1, 15, 0x20, 98);
  q2.insert(&spinner2);
  q2.insert(&starved);
  EXPECT_EQ(q2.pick_runnable(5, 99, SchedPolicy::kAging), &spinner2);
}

TEST(ReadyQueue, RespectsAffinityAndOneSlicePerRound) {
  ReadyQueue q;
  Thread a = make_thread(1, 3, 0x01, 4), b = make_thread(2, 1, 0x06, 4), c = make_thread(3, 7, 0x04, 5);
  for (Thread* t : {&a, &b, &c}) q.insert(t);
  EXPECT_EQ(q.pick_runnable(0, 5, SchedPolicy::kStrict), &a);
  EXPECT_EQ(q.pick_runnable(1, 5, SchedPolicy::kStrict), &b);
  // c already ran in round 5: CPU 2 gets b this round, c next round.
  EXPECT_EQ(q.pick_runnable(2, 5, SchedPolicy::kStrict), &b);
  EXPECT_EQ(q.pick_runnable(2, 6, SchedPolicy::kStrict), &c);
  EXPECT_EQ(q.pick_runnable(3, 6, SchedPolicy::kStrict), nullptr);
  q.remove(&b);
  b.affinity_mask = 0x08;
  q.insert(&b);
  EXPECT_EQ(q.pick_runnable(3, 6, SchedPolicy::kStrict), &b);
  EXPECT_EQ(q.pick_runnable(1, 6, SchedPolicy::kStrict), nullptr);
}

// The seed's scenario: on CPU 5 a priority-15 mixer spin-waits for `done`,
// which the consumer (priority 8) sets after taking kItems items from a
// semaphore that only the priority-0 producer releases. Main (CPU 0)
// starts the consumer, sleeps 1 ms, starts producer and mixer, and waits
// for all three.
struct StarvationScenario {
  static constexpr int kItems = 6;
  KernelFixture& f;
  ScriptedRunner runner;
  uint32_t done = 0;     // guest word the mixer spins on
  uint32_t items = 0;    // semaphore (guest object)
  uint32_t thread_objs[3] = {};

  explicit StarvationScenario(KernelFixture& fx) : f(fx) {
    done = f.data.allocate(4, 4);
    items = f.data.allocate(0x14, 16);
    f.k->initialize_semaphore(items, 0, 100);
    Thread* main = f.spawn(nullptr, 8, 0x01);
    main->name = "main";
    auto create = [this](Kernel& k, Thread& t, const char* name, int8_t prio, int slot) {
      ThreadParams p;
      p.entry_pc = 0x82002000 + 0x100 * slot;
      p.priority = prio;
      p.creation_flags = 0x20u << 24;  // CPU 5
      p.name = name;
      p.create_site_pc = 0x82000200 + 4 * slot;
      uint32_t h;
      Thread* c = k.create_thread(&t, p, &h);
      thread_objs[slot] = c->kthread;
      return true;
    };
    runner.set_script(1, {
        {10, [=](Kernel& k, Thread& t) { return create(k, t, "consumer", 8, 0); }},
        {10, [](Kernel& k, Thread& t) { store_status(t, k.delay(t, -10'000, false)); return true; }},
        {10, [=](Kernel& k, Thread& t) { return create(k, t, "producer", 0, 1); }},
        {10, [=](Kernel& k, Thread& t) { return create(k, t, "mixer", 15, 2); }},
        {10, [this](Kernel& k, Thread& t) {
           store_status(t, k.wait(t, thread_objs, 3, WaitType::kAll, false, nullptr));
           return true;
         }},
    });
    std::vector<Step> consumer;
    for (int i = 0; i < kItems; ++i) {
      consumer.push_back({10, [this](Kernel& k, Thread& t) {
                            store_status(t, k.wait(t, &items, 1, WaitType::kAny, false, nullptr));
                            return true;
                          }});
      consumer.push_back({200, [](Kernel&, Thread&) { return true; }});
    }
    consumer.push_back({10, [this](Kernel& k, Thread&) {
                          k.memory().write32(done, 1);
                          return true;
                        }});
    runner.set_script(2, consumer);
    std::vector<Step> producer;
    for (int i = 0; i < kItems; ++i) {
      producer.push_back({500, [](Kernel&, Thread&) { return true; }});
      producer.push_back({10, [this](Kernel& k, Thread& t) {
                            int32_t prev;
                            k.release_semaphore(&t, items, 1, &prev);
                            return true;
                          }});
      producer.push_back({10, [](Kernel& k, Thread& t) { k.yield(t); return true; }});
    }
    runner.set_script(3, producer);
    runner.set_script(4, {{50, [this](Kernel& k, Thread&) { return k.memory().read32(done) == 1; }}});
  }

  RunOutcome run(SchedPolicy policy, uint64_t livelock_rounds = 300) {
    SchedulerConfig cfg;
    cfg.policy = policy;
    cfg.quantum = 2000;
    cfg.livelock_rounds = livelock_rounds;
    Scheduler s(*f.k, runner, cfg);
    return s.run();
  }
};

TEST_F(KernelFixture, StarvationWedgesUnderStrictPriority) {
  StarvationScenario sc(*this);
  RunOutcome o = sc.run(SchedPolicy::kStrict);
  EXPECT_EQ(o.reason, StopReason::kLivelock) << o.message;
  if (std::getenv("XDET_TEST_VERBOSE")) std::printf("%s\n%s", o.message.c_str(), o.report.c_str());
  EXPECT_EQ(exit_code_for(o.reason), ExitCode::kWedge);
  Thread* consumer = k->thread_by_tid(2);
  Thread* producer = k->thread_by_tid(3);
  Thread* mixer = k->thread_by_tid(4);
  EXPECT_EQ(consumer->state, ThreadState::kWaiting);
  EXPECT_FALSE(producer->ever_ran);
  EXPECT_EQ(producer->state, ThreadState::kReady);
  EXPECT_EQ(mixer->state, ThreadState::kReady);
  EXPECT_EQ(mem.read32(sc.done), 0u);
  EXPECT_NE(o.report.find("tid 4 mixer"), std::string::npos) << o.report;
  EXPECT_NE(o.report.find("spinning at pc=00001000"), std::string::npos) << o.report;
  EXPECT_NE(o.report.find("tid 3 producer"), std::string::npos);
  EXPECT_NE(o.report.find("ready but starved"), std::string::npos) << o.report;
  EXPECT_NE(o.report.find("blocked since round"), std::string::npos);
  EXPECT_NE(o.report.find("[semaphore"), std::string::npos) << o.report;
}

TEST_F(KernelFixture, StarvationCompletesUnderAging) {
  StarvationScenario sc(*this);
  RunOutcome o = sc.run(SchedPolicy::kAging);
  EXPECT_EQ(o.reason, StopReason::kProcessExit) << o.message << "\n" << o.report;
  EXPECT_EQ(mem.read32(sc.done), 1u);
  for (uint32_t tid = 1; tid <= 4; ++tid) EXPECT_EQ(k->thread_by_tid(tid)->state, ThreadState::kTerminated);
  EXPECT_GT(k->thread_by_tid(3)->retired, 0u);
}

TEST_F(KernelFixture, DeadlockIsDetectedAndReportsBothWaiters) {
  ScriptedRunner runner;
  uint32_t e1 = data.allocate(16, 16), e2 = data.allocate(16, 16);
  k->initialize_event(e1, 1, false);
  k->initialize_event(e2, 1, false);
  spawn(nullptr, 0, 0x01);
  spawn(k->thread_by_tid(1), 0, 0x02);
  runner.set_script(1, {{10, [=](Kernel& k, Thread& t) { return k.wait(t, &e1, 1, WaitType::kAny, false, nullptr), true; }},
                        {10, [=](Kernel& k, Thread& t) { return k.set_event(&t, e2), true; }}});
  runner.set_script(2, {{10, [=](Kernel& k, Thread& t) { return k.wait(t, &e2, 1, WaitType::kAny, false, nullptr), true; }},
                        {10, [=](Kernel& k, Thread& t) { return k.set_event(&t, e1), true; }}});
  Scheduler s(*k, runner, SchedulerConfig{});
  RunOutcome o = s.run();
  EXPECT_EQ(o.reason, StopReason::kDeadlock);
  EXPECT_NE(o.report.find("tid 1"), std::string::npos);
  EXPECT_NE(o.report.find("tid 2"), std::string::npos);
  EXPECT_NE(o.report.find("event_synchronization"), std::string::npos) << o.report;
  EXPECT_NE(o.report.find("(no timeout)"), std::string::npos);
}

TEST_F(KernelFixture, IdleTimeJumpsToTheNextDeadline) {
  ScriptedRunner runner;
  spawn(nullptr, 0, 0x01);
  runner.set_script(1, {{10, [](Kernel& k, Thread& t) { return store_status(t, k.delay(t, -10'000'000, false)), true; }}});
  SchedulerConfig cfg;
  cfg.quantum = 1000;
  Scheduler s(*k, runner, cfg);
  RunOutcome o = s.run();
  EXPECT_EQ(o.reason, StopReason::kProcessExit);
  EXPECT_GE(o.guest_units, units_from_ms(1000));  // slept one guest second
  EXPECT_LT(o.rounds, 10u);                        // without running a million rounds
}

// A round lasts as long as its busiest CPU and idle time jumps exactly to
// the next deadline: with no slice cut by the quantum, the quantum changes
// nothing the guest can observe (nor any timestamp).
TEST(SchedulerTime, QuantumThatCutsNoSliceChangesNoTime) {
  struct Fixture : KernelFixture {
    void TestBody() override {}
  };
  auto run = [](uint32_t quantum, std::vector<uint64_t>* seen) {
    Fixture f;
    ScriptedRunner runner;
    uint32_t ev = f.data.allocate(16, 16);
    f.k->initialize_event(ev, 1, false);
    f.spawn(nullptr, 0, 0x02);                        // tid 1 on CPU 1
    f.spawn(f.k->thread_by_tid(1), 0, 0x01);          // tid 2 on CPU 0
    runner.set_script(1, {{300, [=](Kernel& k, Thread& t) { return k.set_event(&t, ev), true; }},
                          {10, [](Kernel& k, Thread& t) { return store_status(t, k.delay(t, -10'000, false)), true; }},
                          {10, [=](Kernel& k, Thread&) { return seen->push_back(k.now()), true; }}});
    runner.set_script(2, {{10, [=](Kernel& k, Thread& t) {
                             return store_status(t, k.wait(t, &ev, 1, WaitType::kAny, false, nullptr)), true;
                           }},
                          {10, [=](Kernel& k, Thread&) { return seen->push_back(k.now()), true; }}});
    SchedulerConfig cfg;
    cfg.quantum = quantum;
    RunOutcome o = Scheduler(*f.k, runner, cfg).run();
    EXPECT_EQ(o.reason, StopReason::kProcessExit) << o.message;
    seen->push_back(o.guest_units);
  };
  std::vector<uint64_t> a, b;
  run(1000, &a);
  run(50'000, &b);
  EXPECT_EQ(a, b);
  // Thread 2 (CPU 0) waits at 10; thread 1 (CPU 1) sets the event at 300
  // and sleeps 1 ms from 310. The next round starts when CPU 1's 310 units
  // end (not at the quantum): thread 2 records 320; thread 1 wakes exactly
  // at 310 + 1 ms.
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0], 320u);
  EXPECT_EQ(a[1], 310u + 100'000u + 10u);
}

TEST_F(KernelFixture, LimitsAndInterruptStopTheRun) {
  ScriptedRunner runner;
  spawn(nullptr, 0, 0x01);
  runner.set_script(1, {{100, [](Kernel&, Thread&) { return false; }}});  // spins forever
  {
    SchedulerConfig cfg;
    cfg.max_instructions = 50'000;
    cfg.livelock_rounds = 1'000'000;
    RunOutcome o = Scheduler(*k, runner, cfg).run();
    EXPECT_EQ(o.reason, StopReason::kInstructionLimit);
    EXPECT_EQ(o.instructions, 50'000u);
    EXPECT_EQ(exit_code_for(o.reason), ExitCode::kLimitReached);
  }
  {
    SchedulerConfig cfg;
    cfg.max_guest_units = units_from_ms(5);
    cfg.livelock_rounds = 1'000'000;
    RunOutcome o = Scheduler(*k, runner, cfg).run();
    EXPECT_EQ(o.reason, StopReason::kGuestTimeLimit);
  }
  {
    volatile std::sig_atomic_t flag = 1;
    SchedulerConfig cfg;
    cfg.stop_flag = &flag;
    RunOutcome o = Scheduler(*k, runner, cfg).run();
    EXPECT_EQ(o.reason, StopReason::kInterrupted);
    EXPECT_EQ(exit_code_for(o.reason), ExitCode::kInterrupted);
  }
}

TEST_F(KernelFixture, EqualPriorityThreadsShareACpuRoundRobin) {
  ScriptedRunner runner;
  Thread* a = spawn(nullptr, 4, 0x01);
  Thread* b = spawn(a, 4, 0x01);
  runner.set_script(1, {{100, [](Kernel&, Thread&) { return false; }}});
  runner.set_script(2, {{100, [](Kernel&, Thread&) { return false; }}});
  SchedulerConfig cfg;
  cfg.quantum = 1000;
  cfg.max_instructions = 20'000;
  Scheduler(*k, runner, cfg).run();
  EXPECT_EQ(a->retired, 10'000u);
  EXPECT_EQ(b->retired, 10'000u);
}

}  // namespace
}  // namespace xdet::test
