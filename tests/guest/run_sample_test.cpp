// End to end without a kernel: guest C -> powerpc-linux-gnu-gcc -> xdet pack
// -> load_xex -> the interpreter runs the entry point. Every `sc` must be an
// import thunk found through LoadedModule::find_thunk(pc - 4) (the kernel's
// dispatch convention, loader.h); this test's stand-in handles DbgPrint
// (%s/%d/%u/%X/%08X only) and fails on any other import.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "loader/loader.h"
#include "loader/xex2_format.h"

namespace xdet {
namespace {

constexpr uint32_t kReturnSentinel = 0xBCBCBCBC;

struct RunResult {
  uint32_t exit_code = 0;
  std::vector<std::string> prints;
  uint64_t instructions = 0;
};

std::string format_dbgprint(GuestMemory& mem, const cpu::PpcContext& ctx) {
  std::string fmt = mem.read_cstring(static_cast<uint32_t>(ctx.gpr[3]));
  std::string out;
  int arg = 4;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    std::string spec;
    while (++i < fmt.size() && std::string("0123456789").find(fmt[i]) != std::string::npos) spec += fmt[i];
    uint32_t v = static_cast<uint32_t>(ctx.gpr[arg++]);
    switch (fmt[i]) {
      case 's': out += mem.read_cstring(v); break;
      case 'd': out += std::to_string(static_cast<int32_t>(v)); break;
      case 'u': out += std::to_string(v); break;
      case 'X': out += spec == "08" ? fmt::format("{:08X}", v) : fmt::format("{:X}", v); break;
      default: ADD_FAILURE() << "format " << fmt; break;
    }
  }
  return out;
}

RunResult run_sample(const std::string& path) {
  std::vector<uint8_t> file = loader::read_file(path);
  GuestMemory mem;
  MemoryMap map(mem);
  cpu::Cpu core(mem);
  loader::LoadedModule m = loader::load_xex(map, file, path);
  ThreadStack stack = map.allocate_thread_stack(m.main_thread_stack_size());
  uint32_t kpcr = map.system_alloc(0x2D8);
  cpu::PpcContext ctx;
  core.attach(ctx);
  ctx.pc = m.entry_point;
  ctx.gpr[1] = stack.base - 176;
  ctx.gpr[13] = kpcr;
  ctx.lr = kReturnSentinel;
  core.set_stop_addresses({kReturnSentinel});
  RunResult result;
  for (int calls = 0; calls < 1000; ++calls) {
    cpu::ExecResult r = core.run(ctx, 50'000'000);
    if (r.reason == cpu::StopReason::kStopAddress) {
      result.exit_code = static_cast<uint32_t>(ctx.gpr[3]);
      break;
    }
    if (r.reason != cpu::StopReason::kSyscall) {
      ADD_FAILURE() << "stopped: " << cpu::stop_reason_name(r.reason) << " " << r.fault.message;
      break;
    }
    uint32_t sc_addr = ctx.pc - 4;
    uint32_t word = mem.read32(sc_addr);
    EXPECT_EQ(word, xex::kThunkSyscall);
    EXPECT_EQ((word >> 5) & 0x7F, 2u);  // LEV
    const loader::ImportRecord* imp = m.find_thunk(sc_addr);
    if (!imp) {
      ADD_FAILURE() << fmt::format("sc at 0x{:08X} is not an import thunk", sc_addr);
      break;
    }
    if (imp->name != "DbgPrint") {
      ADD_FAILURE() << "unexpected import " << imp->name;
      break;
    }
    result.prints.push_back(format_dbgprint(mem, ctx));
    ctx.gpr[3] = 0;  // STATUS_SUCCESS; execution resumes at the thunk's blr
  }
  result.instructions = ctx.instructions_retired;
  core.detach(ctx);
  return result;
}

TEST(RunSample, HelloPrintsAndReturnsZero) {
  RunResult r = run_sample(XDET_SAMPLES_DIR "/hello.xex");
  ASSERT_EQ(r.prints.size(), 2u);
  EXPECT_EQ(r.prints[0], "hello from xdet guest, 2 + 3 = 5\n");
  EXPECT_EQ(r.prints[1], "printf works too: 0x00C0FFEE\n");
  EXPECT_EQ(r.exit_code, 0u);
  EXPECT_GT(r.instructions, 100u);
}

TEST(RunSample, LibcSelfTestPassesOnTheConsoleCpu) {
  RunResult r = run_sample(XDET_SAMPLES_DIR "/libc_test.xex");
  ASSERT_FALSE(r.prints.empty());
  for (const std::string& p : r.prints) EXPECT_EQ(p.find("FAIL"), std::string::npos) << p;
  EXPECT_EQ(r.prints.back(), "libc_test: 21 checks, 0 failed\n");
  EXPECT_EQ(r.exit_code, 0u);
}

}  // namespace
}  // namespace xdet
