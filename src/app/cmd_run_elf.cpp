// xdet run-elf FILE: runs a static freestanding big-endian PowerPC ELF with a
// minimal Linux system-call shim (write to fd 1/2, exit, exit_group).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/cpu_engine.h"
#include "base/error.h"
#include "cpu/cpu.h"
#include "cpu/harness/elf_image.h"
#include "cpu/harness/elf_loader.h"

namespace xdet::app {
namespace {

constexpr uint64_t kSysExit = 1;
constexpr uint64_t kSysWrite = 4;
constexpr uint64_t kSysExitGroup = 234;

void write_all(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return;
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

int run_run_elf(int argc, char** argv) {
  std::string path;
  bool stats = false;
  uint64_t max_insns = 0;
  std::string engine = default_cpu_engine();
  CLI::App app{"Runs a static big-endian PowerPC ELF (32- or 64-bit). System calls: write (4)\n"
               "to fd 1/2, exit (1), exit_group (234). The exit status is the guest's.",
               "xdet run-elf"};
  configure_app(app);
  app.add_option("file", path, "the ELF to run")->required();
  app.add_flag("--stats", stats, "print retired instructions, wall and CPU time, MIPS (and JIT figures) to stderr");
  app.add_option("--max-instructions", max_insns, "stop after N retired instructions (exit 6; 0 = no limit)")
      ->check(kNonNegative);
  app.add_option("--cpu", engine, "execution engine (identical results; interp is the reference)")
      ->check(CLI::IsMember({"jit", "interp"}));
  if (auto rc = parse_cli(app, "run-elf", argc, argv)) return *rc;
  if (max_insns == 0) max_insns = UINT64_MAX;

  cpu::ElfImage elf = cpu::ElfImage::load_file(path);
  GuestMemory mem;
  cpu::LoadedProgram prog = cpu::load_elf_program(mem, elf);
  cpu::Cpu core(mem);
  install_cpu_engine(core, engine);
  cpu::PpcContext ctx;
  core.attach(ctx);
  cpu::init_context_for_program(ctx, prog);

  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = cpu_now();
  int exit_status = -1;
  uint64_t remaining = max_insns;
  auto print_stats = [&] {
    if (!stats) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double cpu_secs = cpu_now() - cpu0;
    std::fprintf(stderr, "instructions: %llu\nwall time: %.3f s\ncpu time: %.3f s\nMIPS: %.1f\nengine: %s\n",
                 static_cast<unsigned long long>(ctx.instructions_retired), secs, cpu_secs,
                 secs > 0 ? static_cast<double>(ctx.instructions_retired) / secs / 1e6 : 0.0, core.engine_name());
#ifdef XDET_HAVE_JIT
    if (auto* j = dynamic_cast<jit::JitEngine*>(core.engine())) {
      const auto& js = j->stats();
      std::fprintf(stderr,
                   "jit blocks: %llu (%llu guest instructions, %llu native, %llu call-outs)\n"
                   "jit compile time: %.3f ms\njit code cache: %llu bytes\njit links: %llu\n",
                   static_cast<unsigned long long>(js.blocks_compiled),
                   static_cast<unsigned long long>(js.guest_insns_compiled),
                   static_cast<unsigned long long>(js.native_insns), static_cast<unsigned long long>(js.callout_insns),
                   static_cast<double>(js.compile_ns) / 1e6, static_cast<unsigned long long>(js.code_bytes),
                   static_cast<unsigned long long>(js.links));
    }
#endif
  };
  while (exit_status < 0) {
    cpu::ExecResult r = core.run(ctx, remaining);
    remaining -= r.executed;
    switch (r.reason) {
      case cpu::StopReason::kBudget:
        std::fflush(stdout);
        print_stats();
        throw Error(ExitCode::kLimitReached,
                    fmt::format("instruction limit of {} reached at PC 0x{:08X}", max_insns, ctx.pc));
      case cpu::StopReason::kFault:
        std::fflush(stdout);
        print_stats();
        throw Error(ExitCode::kGuestFault, r.fault.message);
      case cpu::StopReason::kTrap:
        std::fflush(stdout);
        print_stats();
        throw Error(ExitCode::kGuestTrap, fmt::format("trap at PC 0x{:08X} (instruction 0x{:08X})", ctx.pc,
                                                      mem.read32(ctx.pc)));
      case cpu::StopReason::kStopAddress:
        throw Error(ExitCode::kInternal, "unexpected stop address");
      case cpu::StopReason::kSyscall: {
        uint64_t nr = ctx.gpr[0];
        uint32_t sc_pc = ctx.pc - 4;
        if (nr == kSysWrite) {
          uint64_t fd = ctx.gpr[3];
          uint32_t buf = static_cast<uint32_t>(ctx.gpr[4]);
          uint64_t len = ctx.mode64 ? ctx.gpr[5] : static_cast<uint32_t>(ctx.gpr[5]);
          if (fd != 1 && fd != 2) {
            ctx.gpr[3] = 9;  // EBADF
            ctx.cr |= 0x10000000;
            break;
          }
          if (len > (1u << 30) || !mem.is_accessible(buf, len, GuestMemory::kProtRead)) {
            ctx.gpr[3] = 14;  // EFAULT
            ctx.cr |= 0x10000000;
            break;
          }
          if (fd == 1) std::fflush(stdout);
          write_all(static_cast<int>(fd), mem.translate(buf), len);
          ctx.gpr[3] = len;
          ctx.cr &= ~0x10000000u;
        } else if (nr == kSysExit || nr == kSysExitGroup) {
          exit_status = static_cast<int>(ctx.gpr[3] & 0xFF);
        } else {
          std::fflush(stdout);
          print_stats();
          throw Error(ExitCode::kUnimplemented,
                      fmt::format("unimplemented system call {} at PC 0x{:08X}", nr, sc_pc));
        }
        break;
      }
    }
  }
  std::fflush(stdout);
  print_stats();
  return exit_status;
}

}  // namespace xdet::app
