#pragma once
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "kernel/guest_heap.h"
#include "kernel/kernel.h"

namespace xdet::test {

// Fresh guest memory, a kernel pool and a stack region, and a kernel.
struct KernelFixture : ::testing::Test {
  GuestMemory mem;
  kernel::RangeHeap pool{mem, 0x00100000, 0x00F00000};
  kernel::RangeStackAllocator stacks{mem, 0x70000000, 0x0F000000};
  // Guest-owned data (where Ke* objects live, like .data).
  kernel::RangeHeap data{mem, 0x82000000, 0x00100000};
  std::unique_ptr<kernel::Kernel> k = std::make_unique<kernel::Kernel>(mem, pool, stacks);

  kernel::Thread* spawn(kernel::Thread* parent = nullptr, int8_t prio = 0, uint32_t cpu_mask = 0,
                        uint32_t flags = 0) {
    kernel::ThreadParams p;
    p.entry_pc = 0x82001000;
    p.priority = prio;
    p.creation_flags = flags | (cpu_mask << 24);
    p.create_site_pc = 0x82000100;
    uint32_t h = 0;
    return k->create_thread(parent, p, &h);
  }
  // Make `t` the running thread, as the scheduler would.
  void run_as(kernel::Thread* t) {
    k->ready_queue().remove(t);
    t->state = kernel::ThreadState::kRunning;
    k->set_current(t);
  }
  // After a kernel call: what the scheduler does at the end of a slice.
  void end_slice(kernel::Thread* t) {
    if (t->state == kernel::ThreadState::kRunning) {
      t->state = kernel::ThreadState::kReady;
      if (t->suspend_count == 0) k->ready_queue().insert(t);
    }
    t->yield_requested = false;
    k->set_current(nullptr);
  }
  uint32_t r3(const kernel::Thread* t) const { return static_cast<uint32_t>(t->ctx.gpr[3]); }
};

// Records events for assertions (kind, tid, idx, and a rendering).
class CaptureSink final : public kernel::TraceSink {
 public:
  struct Rec {
    kernel::TraceKind kind;
    uint32_t tid;
    uint64_t idx;
  };
  std::vector<Rec> events;
  void emit(const kernel::TraceEvent& ev) override { events.push_back({ev.kind, ev.tid, ev.tid_event_idx}); }
  void flush() override {}
  size_t count(kernel::TraceKind kind) const {
    size_t n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
};

}  // namespace xdet::test
