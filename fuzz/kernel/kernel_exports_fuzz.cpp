// Random HLE export calls (xboxkrnl.exe and xam.xex) with random arguments (small integers, pointers
// into a guest data page, handle-shaped values, raw words) from a few guest
// threads, with virtual time advancing in between. The kernel must answer
// every call with a status - never crash, never throw past dispatch, never
// trip a sanitizer - whatever the guest passes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kernel/exports/exports.h"
#include "kernel/guest_heap.h"
#include "kernel/kernel.h"

using namespace xdet;
using namespace xdet::kernel;

namespace {

constexpr uint32_t kData = 0x82000000;
constexpr uint32_t kDataSize = 0x10000;

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() { return n ? (--n, *p++) : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static GuestMemory* mem = new GuestMemory();
  // Both modules' implemented exports.
  static const std::vector<std::pair<KernelModule, const ExportInfo*>> exports = [] {
    std::vector<std::pair<KernelModule, const ExportInfo*>> v;
    for (KernelModule m : {KernelModule::kXboxkrnl, KernelModule::kXam}) {
      for (const ExportInfo* e : implemented_exports(m)) v.emplace_back(m, e);
    }
    return v;
  }();
  mem->set_protection(kData, kDataSize, GuestMemory::kProtRW);
  mem->fill(kData, 0, kDataSize);
  RangeHeap pool(*mem, 0x00100000, 0x00F00000);
  RangeStackAllocator stacks(*mem, 0x70000000, 0x02000000);
  Kernel k(*mem, pool, stacks);
  k.set_debug_output([](std::string_view) {});
  std::vector<Thread*> threads;
  for (int i = 0; i < 3; ++i) {
    ThreadParams p;
    p.entry_pc = 0x82001000;
    p.creation_flags = (1u << i) << 24;
    threads.push_back(k.create_thread(i ? threads[0] : nullptr, p, nullptr));
  }
  Reader r{data, size};
  uint64_t now = 0;
  for (int step = 0; step < 64 && r.n >= 2; ++step) {
    uint8_t op = r.u8();
    if (op >= 0xF0) {  // let virtual time pass: timeouts and timers fire
      now += static_cast<uint64_t>(r.u8()) * 10'000;
      k.set_now(now);
      k.expire_deadlines();
      continue;
    }
    Thread* t = k.thread_by_tid(1 + op % k.threads().size());
    if (!t || !t->runnable()) continue;
    uint32_t pick = static_cast<uint32_t>(r.u8()) << 8 | r.u8();
    const auto& [module, e] = exports[pick % exports.size()];
    for (int a = 0; a < 8; ++a) {
      uint8_t sel = r.u8();
      uint32_t v = r.u32();
      switch (sel & 3) {
        case 0: v &= 0xFF; break;                                      // small integer
        case 1: v = kData + (v % (kDataSize - 8) & ~3u); break;        // valid pointer
        case 2: v = kHandleBase + 4 * (v % 24); break;                 // handle-shaped
        default: break;                                                // raw word
      }
      t->ctx.gpr[3 + a] = v;
    }
    t->ctx.gpr[1] = t->stack_base - 176;
    k.ready_queue().remove(t);
    t->state = ThreadState::kRunning;
    k.set_current(t);
    dispatch_export(k, *t, module, e->ordinal, 0x82008000);
    k.set_current(nullptr);
    if (t->state == ThreadState::kRunning) {
      t->state = ThreadState::kReady;
      if (t->suspend_count == 0) k.ready_queue().insert(t);
    }
    t->yield_requested = false;
  }
  // Every wait eventually resolves or stays consistently blocked.
  k.set_now(now + units_from_ms(100'000));
  k.expire_deadlines();
  (void)k.thread_reports();
  return 0;
}
