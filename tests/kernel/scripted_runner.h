#pragma once
// A fake guest for kernel/scheduler tests: each thread runs a script of
// steps behind the same ThreadRunner interface the CPU-backed runner uses.
// A step costs some "instructions" and performs kernel calls; returning
// false repeats the step (a spin), true advances. After the last step the
// thread exits with code 0. The thread's pc is set to 0x1000 + 4*step so
// wedge reports show where a thread spins.
#include <functional>
#include <map>
#include <vector>

#include "kernel/kernel.h"
#include "kernel/scheduler/scheduler.h"

namespace xdet::test {

struct Step {
  uint32_t cost = 10;
  std::function<bool(kernel::Kernel&, kernel::Thread&)> action;
};

class ScriptedRunner final : public kernel::ThreadRunner {
 public:
  void set_script(uint32_t tid, std::vector<Step> steps) { scripts_[tid] = Script{std::move(steps), 0}; }
  size_t position(uint32_t tid) const { return scripts_.at(tid).pos; }
  // Called from inside an action: continue at step `pos` of the running
  // thread's script (a loop or branch).
  void jump(size_t pos) { pending_jump_ = static_cast<long>(pos); }

  kernel::SliceResult run_slice(kernel::Kernel& k, kernel::Thread& t, uint64_t budget) override {
    kernel::SliceResult r;
    auto it = scripts_.find(t.tid);
    if (it == scripts_.end()) {
      r.stop = kernel::SliceStop::kFault;
      r.message = "no script for tid " + std::to_string(t.tid);
      return r;
    }
    Script& s = it->second;
    while (r.retired < budget) {
      if (s.pos >= s.steps.size()) {
        k.exit_thread(t, 0);
        r.stop = kernel::SliceStop::kKernel;
        return r;
      }
      Step& step = s.steps[s.pos];
      t.ctx.pc = 0x1000 + 4 * static_cast<uint32_t>(s.pos);
      r.retired += step.cost;
      k.set_now(k.now() + step.cost);
      pending_jump_ = -1;
      if (step.action(k, t)) ++s.pos;
      if (pending_jump_ >= 0) s.pos = static_cast<size_t>(pending_jump_);
      if (k.slice_must_end(t)) {
        r.stop = kernel::SliceStop::kKernel;
        return r;
      }
    }
    return r;
  }

 private:
  struct Script {
    std::vector<Step> steps;
    size_t pos;
  };
  std::map<uint32_t, Script> scripts_;
  long pending_jump_ = -1;
};

// Step helpers: store a completed status into r3 like the export layer does.
inline void store_status(kernel::Thread& t, NtStatus st) {
  if (st != kStatusPending) t.ctx.gpr[3] = st;
}

}  // namespace xdet::test
