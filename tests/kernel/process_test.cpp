// End to end: XEX files built with the loader's writer from hand-encoded
// PowerPC code, booted and run on the interpreter + HLE kernel + scheduler,
// both through kernel::Process and through the `xdet run` CLI.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/byte_order.h"
#include "kernel/runtime/process.h"
#include "loader/xex2_format.h"
#include "loader/xex2_writer.h"
#include "trace/jsonl_writer.h"
#include "xex_program.h"

namespace xdet::test {
namespace {

using namespace kernel;

// main: DbgPrint("hello %d\n", 42); create a worker on CPU 5 (context 7);
// wait for it; store the wait status; return 5.
// worker: DbgPrint("worker %d\n", ctx); return 9.
std::string build_hello(const std::string& name, uint32_t* result_var) {
  Program p;
  uint32_t fmt_hello = p.string("hello %d\n"), fmt_worker = p.string("worker %d\n");
  uint32_t var_h = p.var(), var_tid = p.var(), var_res = p.var();
  *result_var = var_res;
  uint32_t dbg = p.thunk(3), create = p.thunk(13), wait = p.thunk(253);
  Asm w(0x82002000);  // worker
  w.mflr(31);
  w.mr(4, 3);
  w.li32(3, fmt_worker);
  w.bl(dbg);
  w.li(3, 9);
  w.mtlr(31);
  w.blr();
  Asm m(kCode);
  m.mflr(31);
  m.li32(3, fmt_hello);
  m.li(4, 42);
  m.bl(dbg);
  m.li32(3, var_h);
  m.li(4, 0);
  m.li32(5, var_tid);
  m.li(6, 0);
  m.li32(7, 0x82002000);
  m.li(8, 7);
  m.lis(9, 0x2000);  // creation flags: CPU mask 0x20 (CPU 5) in bits 24-31
  m.bl(create);
  m.li32(3, var_h);
  m.lwz(3, 0, 3);
  m.li(4, 1);
  m.li(5, 0);
  m.li(6, 0);
  m.bl(wait);
  m.li32(4, var_res);
  m.stw(3, 0, 4);
  m.li(3, 5);
  m.mtlr(31);
  m.blr();
  p.place(w);
  p.place(m);
  return p.write(name);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(Process, BootsRunsThreadsAndDispatchesImports) {
  uint32_t res_var = 0;
  std::string xex = build_hello("hello.xex", &res_var);
  std::string trace_path = xex + ".jsonl";
  Process proc(xex);
  std::string out;
  proc.kernel().set_debug_output([&](std::string_view s) { out += s; });
  trace::JsonlTraceWriter w(trace_path, {proc.title_id(), 0});
  proc.kernel().set_trace_sink(&w);
  Thread* main = proc.boot();
  EXPECT_EQ(main->ctx.gpr[13], main->kpcr);
  EXPECT_EQ(proc.memory().read32(main->kpcr + 0x100), main->kthread);
  RunOutcome o = proc.run(SchedulerConfig{});
  w.flush();
  ASSERT_EQ(o.reason, kernel::StopReason::kProcessExit) << o.message;
  EXPECT_EQ(out, "hello 42\nworker 7\n");
  Thread* worker = proc.kernel().thread_by_tid(2);
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(worker->exit_code, 9u);
  EXPECT_EQ(worker->last_cpu, 5);
  EXPECT_EQ(main->exit_code, 5u);
  EXPECT_EQ(proc.memory().read32(res_var), kStatusSuccess);
  std::string tr = slurp(trace_path);
  EXPECT_NE(tr.find("\"title_id\":\"0x58440077\""), std::string::npos);
  EXPECT_NE(tr.find("\"kind\":\"thread.create\",\"engine\":\"xdet\""), std::string::npos);
  EXPECT_NE(tr.find("\"entry_pc\":\"0x82002000\",\"ctx_ptr\":\"0x00000007\",\"priority\":0,\"affinity\":32"),
            std::string::npos) << tr;
  EXPECT_NE(tr.find("\"name\":\"DbgPrint\",\"ord\":3,\"module\":\"xboxkrnl.exe\",\"thunk_pc\":\"0x82008000\""),
            std::string::npos);
  EXPECT_NE(tr.find("\"args_resolved\":{\"format\":\"hello %d\\n\"}"), std::string::npos) << tr;
  EXPECT_NE(tr.find("\"kind\":\"thread.exit\",\"engine\":\"xdet\",\"host_ns\":"), std::string::npos);
}

TEST(Process, KernelVariablesAreBoundAndTimeStampBundleFollowsVirtualTime) {
  Program p;
  uint32_t iat_stamp = p.variable(0x0AD), iat_hw = p.variable(0x156), iat_region = p.variable(0x00C);
  uint32_t iat_evtype = p.variable(0x00E);  // ExEventObjectType: not provided
  uint32_t interval = p.var(), out = p.var();
  store_be64(&p.spec.image[interval - kBase], static_cast<uint64_t>(-20'000));  // 2 ms
  Asm m(kCode);
  m.mflr(31);
  m.li32(30, iat_stamp);
  m.lwz(30, 0, 30);
  m.li(3, 1);
  m.li(4, 0);
  m.li32(5, interval);
  m.bl(p.thunk(90));  // KeDelayExecutionThread
  m.lwz(5, 0x10, 30);
  m.li32(6, out);
  m.stw(5, 0, 6);
  m.li32(29, iat_hw);
  m.lwz(29, 0, 29);
  m.lwz(7, 4, 29);
  m.stw(7, 4, 6);
  m.li(3, 0);
  m.mtlr(31);
  m.blr();
  p.place(m);
  Process proc(p.write("variables.xex"));
  proc.boot();
  RunOutcome o = proc.run(SchedulerConfig{});
  ASSERT_EQ(o.reason, kernel::StopReason::kProcessExit) << o.message;
  GuestMemory& mem = proc.memory();
  EXPECT_EQ(mem.read32(out), 2u);                  // tick count (ms) after a 2 ms sleep
  EXPECT_EQ(mem.read32(out + 4) >> 24, 6u);        // XboxHardwareInfo: 6 CPUs
  EXPECT_EQ(mem.read32(mem.read32(iat_region)), 0xFFFFFFFFu);
  EXPECT_EQ(mem.read32(iat_evtype), 0xD00EBEEFu);  // the loader's "unimplemented variable" marker
}

int run_cli(const std::string& args, std::string* out = nullptr) {
  std::string log = std::string(::testing::TempDir()) + "/xdet_cli_" + std::to_string(::getpid()) + ".log";
  int rc = std::system((std::string(XDET_BINARY) + " run " + args + " >" + log + " 2>&1").c_str());
  if (out) *out = slurp(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(XdetRunCli, CleanExitTraceAndExitStateAreDeterministic) {
  uint32_t res_var;
  std::string xex = build_hello("cli_hello.xex", &res_var);
  std::string dir = std::string(::testing::TempDir()) + "/xdet_cli_" + std::to_string(::getpid());
  ASSERT_EQ(std::system(("mkdir -p " + dir + "/a " + dir + "/b").c_str()), 0);
  std::string out;
  EXPECT_EQ(run_cli("--trace " + dir + "/a/t.jsonl " + xex, &out), 0) << out;
  EXPECT_NE(out.find("hello 42"), std::string::npos) << out;
  EXPECT_EQ(run_cli("--quantum 10000 --trace " + dir + "/b/t.jsonl " + xex), 0);
  std::string a = slurp(dir + "/a/t.jsonl");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, slurp(dir + "/b/t.jsonl"));
  std::string sa = slurp(dir + "/a/t.exit-thread-state.json");
  EXPECT_NE(sa.find("\"stop_reason\": \"process-exit\""), std::string::npos) << sa;
  EXPECT_EQ(sa, slurp(dir + "/b/t.exit-thread-state.json"));
}

TEST(XdetRunCli, DistinctExitCodesForLimitsWedgeFaultAndUnimplemented) {
  std::string out;
  {  // spin forever: instruction limit, guest-time limit, livelock
    Program p;
    Asm m(kCode);
    m.b(kCode);
    p.place(m);
    std::string xex = p.write("spin.xex");
    EXPECT_EQ(run_cli("--max-instructions 100000 " + xex, &out), 6) << out;
    EXPECT_EQ(run_cli("--max-guest-ms 2 --livelock-rounds 1000000 " + xex, &out), 6) << out;
    EXPECT_EQ(run_cli("--livelock-rounds 50 --exit-state " + xex + ".state " + xex, &out), 7) << out;
    EXPECT_NE(out.find("spinning at pc=82001000"), std::string::npos) << out;
    EXPECT_NE(slurp(xex + ".state").find("\"stop_reason\": \"livelock\""), std::string::npos);
  }
  {  // load from the NULL page
    Program p;
    Asm m(kCode);
    m.li(3, 0);
    m.lwz(4, 0, 3);
    m.blr();
    p.place(m);
    EXPECT_EQ(run_cli(p.write("fault.xex"), &out), 4) << out;
    EXPECT_NE(out.find("82001004"), std::string::npos) << out;
  }
  {  // an import xdet does not implement
    Program p;
    Asm m(kCode);
    m.bl(p.thunk(425));  // RtlImageNtHeader
    m.blr();
    p.place(m);
    std::string xex = p.write("unimpl.xex");
    EXPECT_EQ(run_cli("--trace " + xex + ".jsonl " + xex, &out), 8) << out;
    EXPECT_NE(out.find("RtlImageNtHeader (ordinal 425)"), std::string::npos) << out;
    EXPECT_NE(slurp(xex + ".jsonl").find("\"kind\":\"import.call\""), std::string::npos);
  }
  {  // a thread waiting on an event nobody sets: deadlock
    Program p;
    uint32_t ev = p.var();
    Asm m(kCode);
    m.li32(3, ev);
    m.li(4, 1);  // synchronization event
    m.li(5, 0);
    m.bl(p.thunk(112));  // KeInitializeEvent
    m.li32(3, ev);
    m.li(4, 0);
    m.li(5, 0);
    m.li(6, 0);
    m.li(7, 0);
    m.bl(p.thunk(176));  // KeWaitForSingleObject, no timeout
    m.blr();
    p.place(m);
    EXPECT_EQ(run_cli(p.write("deadlock.xex"), &out), 7) << out;
    EXPECT_NE(out.find("deadlock"), std::string::npos) << out;
    EXPECT_NE(out.find("event_synchronization"), std::string::npos) << out;
  }
  {  // unbounded recursion: the stack's guard page faults
    Program p;
    Asm m(kCode);
    m.word(0x9421F000);  // stwu r1,-4096(r1)
    m.b(kCode);
    p.place(m);
    EXPECT_EQ(run_cli(p.write("overflow.xex"), &out), 4) << out;
    EXPECT_NE(out.find("82001000"), std::string::npos) << out;
  }
  {  // contention manifest: a bad line is a precise input error
    std::string manifest = std::string(::testing::TempDir()) + "/xdet_manifest_" + std::to_string(::getpid());
    std::ofstream(manifest) << "# sections\n0x82020000\nbogus\n";
    EXPECT_EQ(run_cli("--contention-manifest " + manifest + " x.xex", &out), 3) << out;
    EXPECT_NE(out.find(":3: not a guest address: bogus"), std::string::npos) << out;
  }
  EXPECT_EQ(run_cli("/nonexistent.xex", &out), 3) << out;
  EXPECT_EQ(run_cli("--sched-policy fifo x.xex", &out), 2) << out;
}

TEST(XdetRunCli, SigintStopsWithCompleteTraceAndExitState) {
  // ~30k instructions of work, then NtYieldExecution, forever: the trace
  // keeps growing (slowly) until the signal. A hard instruction cap keeps a
  // broken signal path from running away.
  Program p;
  Asm m(kCode);
  uint32_t loop = m.pc();
  m.li(5, 0);
  uint32_t inner = m.pc();
  m.addi(5, 5, 1);
  m.cmpwi(5, 10000);
  m.bne(inner);
  m.bl(p.thunk(257));  // NtYieldExecution
  m.b(loop);
  p.place(m);
  std::string xex = p.write("sigint.xex");
  std::string trace_path = xex + ".jsonl", state = xex + ".state";
  std::remove(trace_path.c_str());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    execl(XDET_BINARY, XDET_BINARY, "run", "--livelock-rounds", "100000000", "--max-instructions", "3000000000",
          "--trace", trace_path.c_str(), "--exit-state", state.c_str(), xex.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the writer has flushed its first buffer, then interrupt.
  for (int i = 0; i < 500; ++i) {
    usleep(10'000);
    struct stat st;
    if (::stat(trace_path.c_str(), &st) == 0 && st.st_size > 0) break;
  }
  kill(pid, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  std::string tr = slurp(trace_path);
  ASSERT_GT(tr.size(), 100'000u);
  ASSERT_LT(tr.size(), 200'000'000u);
  EXPECT_EQ(tr.back(), '\n');
  // Every line is a complete JSON object (cheap check: braces balance per line).
  size_t lines = 0, start = 0;
  while (start < tr.size()) {
    size_t end = tr.find('\n', start);
    std::string line = tr.substr(start, end - start);
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
    start = end + 1;
    ++lines;
  }
  EXPECT_GT(lines, 1000u);
  EXPECT_NE(slurp(state).find("\"stop_reason\": \"interrupted\""), std::string::npos);
  std::remove(trace_path.c_str());
}

}  // namespace
}  // namespace xdet::test
