#pragma once
// A loaded title ready to run: guest memory and the console memory map, the
// XEX mapped by the loader, the HLE kernel, the interpreter, and the
// CPU-backed thread runner the scheduler drives.
//
// Boot (threading-timing.md §2): the main thread gets the XEX default stack
// size, a TLS block per the XEX TLS_INFO, KTHREAD/KPCR at r13, r1 = stack
// top - 176, LR = 0xBCBCBCBC, r3 = 0, pc = entry point. A thread whose PC
// reaches the LR sentinel has returned: it exits with r3 as its exit code.
//
// Files: the title's folder (KernelConfig::game_dir, default the XEX's
// directory) is the read-only device \Device\Cdrom0 behind game: and d:;
// a fresh per-run scratch directory holds the writable devices
// \Device\Harddisk0\Partition1 and \Device\Harddisk0\Cache0 (cache:) and
// whatever XAM mounts (vfs::FileSystem::mount_scratch). It is removed when
// the process is destroyed unless KernelConfig::keep_scratch.
//
// Import thunks execute `sc 2`; the runner looks the thunk up in the loaded
// module (or among the thunks XexGetProcedureAddress handed out) and
// dispatches the export through the table of its module (xboxkrnl.exe or
// xam.xex). Imports of other libraries and unimplemented ordinals stop the
// run as unimplemented, with module, name, ordinal and calling PC.
#include <memory>
#include <string>

#include "cpu/cpu.h"
#include "kernel/guest_heap.h"
#include "kernel/kernel.h"
#include "kernel/scheduler/scheduler.h"
#include "kernel/title_state.h"
#include "loader/loader.h"
#include "memory/memory_map.h"
#include "vfs/scratch.h"

namespace xdet::kernel {

// Kernel-internal allocations from the memory map's system heap.
class SystemHeapAllocator final : public GuestAllocator {
 public:
  explicit SystemHeapAllocator(MemoryMap& map) : map_(map) {}
  uint32_t allocate(uint32_t size, uint32_t alignment) override { return map_.system_alloc(size, alignment); }
  void release(uint32_t address) override { map_.system_free(address); }

 private:
  MemoryMap& map_;
};

// Thread stacks from the memory map's stack range (0x70000000-0x7F000000).
class MapStackAllocator final : public StackAllocator {
 public:
  explicit MapStackAllocator(MemoryMap& map) : map_(map) {}
  StackRange allocate_stack(uint32_t size) override {
    ThreadStack s = map_.allocate_thread_stack(size);
    StackRange r;
    if (!s.valid()) return r;
    r.allocation = s.allocation_base;
    r.limit = s.limit;
    r.base = s.base;
    return r;
  }
  void release_stack(const StackRange& stack) override {
    ThreadStack s;
    s.allocation_base = stack.allocation;
    s.allocation_size = stack.base + 0x10000 - stack.allocation;
    s.limit = stack.limit;
    s.base = stack.base;
    map_.free_thread_stack(s);
  }

 private:
  MemoryMap& map_;
};

class CpuThreadRunner final : public ThreadRunner {
 public:
  CpuThreadRunner(cpu::Cpu& cpu, const loader::LoadedModule& module) : cpu_(cpu), module_(module) {}
  SliceResult run_slice(Kernel& kernel, Thread& t, uint64_t budget) override;

 private:
  static uint64_t timebase(void* user, const cpu::PpcContext& ctx, uint64_t retired);
  cpu::Cpu& cpu_;
  const loader::LoadedModule& module_;
  // Virtual time of the running slice: guest time at its start and the
  // thread's retired count then (mftb reads are exact within the slice).
  uint64_t slice_start_units_ = 0;
  uint64_t slice_start_retired_ = 0;
};

class Process {
 public:
  // Loads the XEX (throws InputError on a bad file).
  Process(const std::string& xex_path, KernelConfig config = {}, TitleOptions title = {});
  ~Process();

  // Creates the main thread (suspended threads are not involved).
  Thread* boot();
  RunOutcome run(const SchedulerConfig& config);

  Kernel& kernel() { return *kernel_; }
  // The per-run scratch directory (host path; never shown to the guest).
  const std::string& scratch_path() const { return scratch_->path(); }
  GuestMemory& memory() { return mem_; }
  // The CPU all guest threads run on (the embedder picks its engine).
  cpu::Cpu& cpu() { return cpu_; }
  const loader::LoadedModule& module() const { return module_; }
  uint32_t title_id() const;

 private:
  void mount_files(const std::string& xex_path);

  std::unique_ptr<vfs::ScratchDir> scratch_;  // outlives the kernel's open files
  GuestMemory mem_;
  MemoryMap map_{mem_};
  SystemHeapAllocator pool_{map_};
  MapStackAllocator stacks_{map_};
  loader::LoadedModule module_;
  cpu::Cpu cpu_{mem_};
  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<CpuThreadRunner> runner_;
};

}  // namespace xdet::kernel
