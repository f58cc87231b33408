// Kernel/trace figures: events/s written by the JSONL writer, pick_runnable
// cost at 10/100/1000 ready threads (aging and strict), and the cost of
// tracing on a kernel-call-heavy scripted workload (trace on vs off).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "kernel/exports/exports.h"
#include "kernel/guest_heap.h"
#include "kernel/kernel.h"
#include "kernel/scheduler/ready_queue.h"
#include "kernel/runtime/process.h"
#include "kernel/scheduler/scheduler.h"
#include "trace/jsonl_writer.h"

namespace {

using namespace xdet;
using namespace xdet::kernel;

void BM_TraceEventsWritten(benchmark::State& state) {
  trace::JsonlTraceWriter w("/dev/null", {0x58444554, 0});
  TraceField args[] = {{"r3", TraceValue::hex32(0xF8000010)}, {"r4", TraceValue::hex32(1)},
                       {"r5", TraceValue::hex32(0)}, {"r6", TraceValue::hex32(0x70001F00)}};
  TraceField resolved[] = {{"timeout_100ns", TraceValue::integer(-20000)}};
  TraceField call[] = {{"name", TraceValue::string("NtWaitForSingleObjectEx")},
                       {"ord", TraceValue::uinteger(253)},
                       {"args", TraceValue::object(args, 4)},
                       {"args_resolved", TraceValue::object(resolved, 1)}};
  uint64_t idx = 0;
  for (auto _ : state) {
    w.emit(TraceEvent{TraceKind::kKernelCall, 3, idx, idx * 7, idx * 140, call, 4});
    ++idx;
  }
  w.flush();
  state.SetItemsProcessed(static_cast<int64_t>(idx));
}
BENCHMARK(BM_TraceEventsWritten);

// N ready threads, priorities and last-run rounds spread deterministically,
// affinities one-hot or all CPUs. Each iteration picks for one CPU, removes
// the winner and re-inserts it as having run this round: the scheduler's
// per-slice work.
void pick_bench(benchmark::State& state, SchedPolicy policy) {
  int n = static_cast<int>(state.range(0));
  std::vector<Thread> threads(n);
  ReadyQueue q;
  uint64_t seed = 12345;
  auto next = [&]() { return (seed = seed * 6364136223846793005ull + 1442695040888963407ull) >> 33; };
  for (int i = 0; i < n; ++i) {
    Thread& t = threads[i];
    t.tid = i + 1;
    t.base_priority = static_cast<uint8_t>(next() % 32);
    t.affinity_mask = (next() % 3 == 0) ? kAllCpusMask : (1u << (next() % kCpuCount));
    t.last_run_round = next() % 64;
    q.insert(&t);
  }
  uint64_t round = 100;
  int cpu = 0;
  for (auto _ : state) {
    Thread* t = q.pick_runnable(cpu, round, policy);
    if (t) {
      q.remove(t);
      t->last_run_round = round;
      q.insert(t);
    }
    benchmark::DoNotOptimize(t);
    if (++cpu == kCpuCount) {
      cpu = 0;
      ++round;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_PickRunnableAging(benchmark::State& s) { pick_bench(s, SchedPolicy::kAging); }
void BM_PickRunnableStrict(benchmark::State& s) { pick_bench(s, SchedPolicy::kStrict); }
BENCHMARK(BM_PickRunnableAging)->Arg(10)->Arg(100)->Arg(1000);
BENCHMARK(BM_PickRunnableStrict)->Arg(10)->Arg(100)->Arg(1000);

// Pick only (no requeue), to separate the pick from set maintenance.
void BM_PickOnlyAging(benchmark::State& state) {
  int n = static_cast<int>(state.range(0));
  std::vector<Thread> threads(n);
  ReadyQueue q;
  for (int i = 0; i < n; ++i) {
    threads[i].tid = i + 1;
    threads[i].base_priority = static_cast<uint8_t>((i * 7) % 32);
    threads[i].affinity_mask = kAllCpusMask;
    threads[i].last_run_round = static_cast<uint64_t>(i % 50);
    q.insert(&threads[i]);
  }
  for (auto _ : state) benchmark::DoNotOptimize(q.pick_runnable(3, 100, SchedPolicy::kAging));
}
BENCHMARK(BM_PickOnlyAging)->Arg(10)->Arg(100)->Arg(1000);

// Kernel-call-heavy workload: 4 threads on 4 CPUs ping-ponging an
// auto-reset event through NtSetEvent / NtWaitForSingleObjectEx exports,
// 200 instructions of "work" per call, with the trace written to /dev/null
// (arg 1) or no sink (arg 0). The ratio of the two is the trace overhead on
// the kernel side (without an interpreter, this is its worst case).
class PingPongRunner final : public ThreadRunner {
 public:
  uint32_t vars = 0;
  SliceResult run_slice(Kernel& k, Thread& t, uint64_t budget) override {
    SliceResult r;
    GuestMemory& mem = k.memory();
    while (r.retired < budget) {
      r.retired += 200;
      uint32_t& phase = phase_[t.tid];
      uint32_t mine = mem.read32(vars + 4 * ((t.tid - 1) % 4));
      uint32_t next = mem.read32(vars + 4 * (t.tid % 4));
      if (phase++ % 2 == 0) {
        t.ctx.gpr[3] = next;
        t.ctx.gpr[4] = 0;
        dispatch_export(k, t, 246, 0x82000F60);  // NtSetEvent
      } else {
        t.ctx.gpr[3] = mine;
        t.ctx.gpr[4] = 1;
        t.ctx.gpr[5] = 0;
        t.ctx.gpr[6] = 0;
        dispatch_export(k, t, 253, 0x82000FD0);  // NtWaitForSingleObjectEx
      }
      if (k.slice_must_end(t)) break;
    }
    return r;
  }

 private:
  uint32_t phase_[8] = {};
};

void BM_KernelCallsTraceOnOff(benchmark::State& state) {
  bool traced = state.range(0) != 0;
  uint64_t calls = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto mem = std::make_unique<GuestMemory>();
    RangeHeap pool(*mem, 0x00100000, 0x00F00000);
    RangeStackAllocator stacks(*mem, 0x70000000, 0x0F000000);
    Kernel k(*mem, pool, stacks);
    std::unique_ptr<trace::JsonlTraceWriter> w;
    if (traced) {
      w = std::make_unique<trace::JsonlTraceWriter>("/dev/null", trace::TraceHeader{});
      k.set_trace_sink(w.get());
    }
    PingPongRunner runner;
    runner.vars = pool.allocate(16, 16);
    Thread* first = nullptr;
    for (int i = 0; i < 4; ++i) {
      ThreadParams p;
      p.entry_pc = 0x82001000;
      p.creation_flags = (1u << i) << 24;
      Thread* t = k.create_thread(first, p, nullptr);
      if (!first) first = t;
    }
    for (int i = 0; i < 4; ++i) {
      uint32_t h;
      k.create_event(*first, &h, 1, i == 0);
      mem->write32(runner.vars + 4 * i, h);
    }
    SchedulerConfig cfg;
    cfg.quantum = 10'000;
    cfg.max_instructions = 20'000'000;
    cfg.end_on_main_exit = false;
    Scheduler s(k, runner, cfg);
    state.ResumeTiming();
    RunOutcome o = s.run();
    calls += o.instructions / 200;
    benchmark::DoNotOptimize(o);
  }
  state.SetItemsProcessed(static_cast<int64_t>(calls));
  state.counters["kernel_calls_per_s"] = benchmark::Counter(static_cast<double>(calls), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_KernelCallsTraceOnOff)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A real guest under the interpreter: the starvation sample (aging, runs to
// completion), traced to /dev/null (arg 1) or not (arg 0). The ratio is the
// end-to-end trace overhead (issue target: <= 1.2x).
void BM_SampleTraceOnOff(benchmark::State& state) {
  std::string xex = std::string(XDET_GUEST_SAMPLES_DIR) + "/" + "starvation.xex";
  if (FILE* f = std::fopen(xex.c_str(), "rb")) {
    std::fclose(f);
  } else {
    state.SkipWithError("guest samples not built");
    return;
  }
  bool traced = state.range(0) != 0;
  uint64_t insns = 0, events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto proc = std::make_unique<Process>(xex);
    proc->kernel().set_debug_output([](std::string_view) {});
    std::unique_ptr<trace::JsonlTraceWriter> w;
    if (traced) {
      w = std::make_unique<trace::JsonlTraceWriter>("/dev/null", trace::TraceHeader{});
      proc->kernel().set_trace_sink(w.get());
    }
    proc->boot();
    state.ResumeTiming();
    RunOutcome o = proc->run(SchedulerConfig{});
    if (w) w->flush();
    insns += o.instructions;
    if (w) events += w->events_written();
  }
  state.counters["guest_MIPS"] = benchmark::Counter(static_cast<double>(insns) / 1e6, benchmark::Counter::kIsRate);
  state.counters["events"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_SampleTraceOnOff)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
