// The kernel's guest samples under `xdet run`: every conformance sample
// passes all its checks; two cold runs of every sample give byte-identical
// traces and exit states; the starvation sample wedges under strict priority
// and completes under aging, and `xdet diff` finds where they diverge.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "xdet_cli.h"

namespace {

using xdet_cli::slurp;

std::string scratch(const std::string& name) { return xdet_cli::scratch("samples", name); }

int xdet(const std::string& args, std::string* out = nullptr) { return xdet_cli::run("samples", args, out); }

std::string sample(const std::string& name) { return std::string(XDET_SAMPLES_DIR) + "/" + name + ".xex"; }

class ConformanceSample : public ::testing::TestWithParam<const char*> {};

TEST_P(ConformanceSample, PassesAllChecksDeterministically) {
  std::string name = GetParam();
  std::string a = scratch(name + "_a"), b = scratch(name + "_b");
  std::string out;
  ASSERT_EQ(xdet("run --trace " + a + "/t.jsonl " + sample(name), &out), 0) << out;
  EXPECT_NE(out.find(name + ": 0 failure(s)"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  EXPECT_NE(out.find("PASS"), std::string::npos);
  ASSERT_EQ(xdet("run --trace " + b + "/t.jsonl " + sample(name)), 0);
  std::string ta = slurp(a + "/t.jsonl");
  EXPECT_GT(ta.size(), 500u);
  EXPECT_EQ(ta, slurp(b + "/t.jsonl"));
  EXPECT_EQ(slurp(a + "/t.exit-thread-state.json"), slurp(b + "/t.exit-thread-state.json"));
  // Both policies agree for these programs (no starvation in them).
  ASSERT_EQ(xdet("run --sched-policy strict " + sample(name), &out), 0) << out;
}

INSTANTIATE_TEST_SUITE_P(Kernel, ConformanceSample,
                         ::testing::Values("sync_events", "sync_waits", "sync_semaphore_mutant",
                                           "sync_timer_cs_tls", "sched_affinity_priority", "sched_priority_preempt", "apc_dpc", "memory",
                                           "xam_runtime"));

// The options that change what the title observes: the command line, the
// profile, a controller script and the random seed.
TEST(XamRuntimeSample, RunOptionsReachTheTitle) {
  std::string out;
  ASSERT_EQ(xdet("run " + sample("xam_runtime"), &out), 0) << out;
  EXPECT_NE(out.find("cmdline: \"xam_runtime.xex\"\n"), std::string::npos) << out;
  EXPECT_NE(out.find("profile: signed in as xdet"), std::string::npos);
  EXPECT_NE(out.find("controller: none"), std::string::npos);
  EXPECT_NE(out.find("launch data: none"), std::string::npos);
  EXPECT_NE(out.find("boot notification: 0x0000000a 1"), std::string::npos);
  size_t done = out.find("xam_runtime: 0 failure(s)"), high = out.find("terminate notification: high"),
         low = out.find("terminate notification: low");
  ASSERT_NE(high, std::string::npos) << out;
  ASSERT_NE(low, std::string::npos);
  EXPECT_LT(done, high);
  EXPECT_LT(high, low);
  EXPECT_NE(out.find("process-exit"), std::string::npos);
  size_t r = out.find("random: ");
  ASSERT_NE(r, std::string::npos);
  std::string random_default = out.substr(r, 24);

  std::string dir = scratch("xam_opts");
  std::ofstream(dir + "/pad.txt") << "# frame buttons lt rt lx ly rx ry\n0 0\n2 0x1000 255 0 -32768 0 0 0\n";
  std::ofstream(dir + "/launch.bin") << "from-dashboard";
  ASSERT_EQ(xdet("run --args \"-level 3\" --no-profile --gamertag nobody --input " + dir + "/pad.txt --seed 9 " +
                     "--launch-data " + dir + "/launch.bin " + sample("xam_runtime"),
                 &out),
            0)
      << out;
  EXPECT_NE(out.find("cmdline: \"xam_runtime.xex\" -level 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("profile: none"), std::string::npos);
  EXPECT_NE(out.find("launch data: 14 bytes: from-dashboard"), std::string::npos);
  EXPECT_EQ(out.find("boot notification: 0x0000000a"), std::string::npos);
  EXPECT_NE(out.find("boot notification: 0x00000012 0"), std::string::npos);
  EXPECT_NE(out.find("controller: packet 1 buttons 0x0000"), std::string::npos);
  EXPECT_NE(out.find("controller: packet 2 buttons 0x1000 lt 255 lx -32768"), std::string::npos);
  EXPECT_EQ(out.find(random_default), std::string::npos);
  EXPECT_NE(out.find("xam_runtime: 0 failure(s)"), std::string::npos);

  std::ofstream(dir + "/bad.txt") << "0 0\n1 0x1FFFF\n";
  EXPECT_EQ(xdet("run --input " + dir + "/bad.txt " + sample("xam_runtime"), &out), 3);
  EXPECT_NE(out.find("bad.txt:2"), std::string::npos) << out;
}

// An import xdet does not implement stops the run with exit 8, naming the
// module, the export, its ordinal and the calling PC.
TEST(UnimplementedImport, StopsWithExit8NamingIt) {
  std::string dir = scratch("unimpl");
  std::string out;
  ASSERT_EQ(xdet("run --trace " + dir + "/t.jsonl " + sample("unimplemented_import"), &out), 8) << out;
  EXPECT_NE(out.find("before the call"), std::string::npos);
  EXPECT_EQ(out.find("after the call"), std::string::npos);
  EXPECT_NE(out.find("unimplemented XAM import xam.xex!XamLoaderLaunchTitle (ordinal 420) called from 8"), std::string::npos)
      << out;
  std::string trace = slurp(dir + "/t.jsonl");
  EXPECT_NE(trace.find("\"module\":\"xam.xex\""), std::string::npos);
}

// --content-dir: content packages live in a folder the user names, so a
// package already there is found by the title (here: the sample's
// CREATE_NEW of its saved game then fails), and what the title creates stays.
TEST(XamRuntimeSample, ContentDirHoldsThePackages) {
  std::string dir = scratch("content_dir");
  std::string out;
  ASSERT_EQ(xdet("run --content-dir " + dir + " " + sample("xam_runtime"), &out), 0) << out;
  EXPECT_NE(out.find("xam_runtime: 0 failure(s)"), std::string::npos) << out;
  EXPECT_EQ(std::system(("test -d " + dir + "/Packages/E000000000000001").c_str()), 0);
  // A saved game left from an earlier run.
  ASSERT_EQ(std::system(("cd " + dir + "/Packages/E000000000000001 && for t in *; do mkdir -p $t/00000001/slot_a; done")
                            .c_str()),
            0);
  xdet("run --content-dir " + dir + " " + sample("xam_runtime"), &out);
  EXPECT_EQ(out.find("xam_runtime: 0 failure(s)"), std::string::npos) << out;
  EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
  EXPECT_EQ(xdet("run --content-dir " + dir + "/missing " + sample("xam_runtime"), &out), 2) << out;
}

// An exception nobody handles stops the run as a guest fault (exit 4) with a
// report: code, parameters, thread, calling PC and call stack; the same
// under both policies and across runs.
TEST(ExceptionSample, UnhandledExceptionStopsWithAReport) {
  std::string a = scratch("exception_a"), b = scratch("exception_b");
  std::string out, out2, out_strict;
  ASSERT_EQ(xdet("run --trace " + a + "/t.jsonl " + sample("exception_unhandled"), &out), 4) << out;
  EXPECT_EQ(out.find("not stopped"), std::string::npos) << out;
  EXPECT_NE(out.find("exception 0xe0001234 raised by tid 2 (thrower) at pc 8"), std::string::npos) << out;
  EXPECT_NE(out.find("parameters [0x11111111, 0x22222222]"), std::string::npos) << out;
  EXPECT_NE(out.find("#1 pc 8"), std::string::npos) << out;  // the caller's frame
  ASSERT_EQ(xdet("run --trace " + b + "/t.jsonl " + sample("exception_unhandled"), &out2), 4);
  EXPECT_EQ(slurp(a + "/t.jsonl"), slurp(b + "/t.jsonl"));
  EXPECT_EQ(slurp(a + "/t.exit-thread-state.json"), slurp(b + "/t.exit-thread-state.json"));
  ASSERT_EQ(xdet("run --sched-policy strict " + sample("exception_unhandled"), &out_strict), 4) << out_strict;
}

// Structured exception handling (guest/samples/seh.c): raises caught by
// except filters, continued execution, nested frames, finally blocks run by
// RtlUnwind, noncontinuable exceptions, the thread-name exception, access
// violations and a trap caught by handlers; then an uncaught raise ends the
// run with exit 4 and its report. Byte-identical traces across cold runs,
// both policies and both CPU engines.
TEST(SehSample, HandlersRunAndAnUncaughtRaiseStopsTheRunIdenticallyEverywhere) {
  std::string a = scratch("seh_a"), b = scratch("seh_b"), s = scratch("seh_strict"), i = scratch("seh_interp");
  std::string out;
  ASSERT_EQ(xdet("run --trace " + a + "/t.jsonl " + sample("seh"), &out), 4) << out;
  EXPECT_NE(out.find("seh: 0 failure(s)"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  EXPECT_EQ(out.find("not stopped"), std::string::npos) << out;
  EXPECT_NE(out.find("exception 0xe0000bad raised by tid 1 (main)"), std::string::npos) << out;
  EXPECT_NE(out.find("parameters [0x00005ec0]"), std::string::npos) << out;
  EXPECT_NE(out.find("(no handler took it:"), std::string::npos) << out;
  std::string trace = slurp(a + "/t.jsonl");
  EXPECT_NE(trace.find("\"kind\":\"exception.handler\""), std::string::npos);
  EXPECT_NE(trace.find("\"phase\":\"unwind\""), std::string::npos);
  EXPECT_NE(trace.find("\"source\":\"fault\""), std::string::npos);
  EXPECT_NE(trace.find("\"thread_name\":\"seh_worker\""), std::string::npos);
  EXPECT_NE(slurp(a + "/t.exit-thread-state.json").find("\"seh_worker\""), std::string::npos);
  ASSERT_EQ(xdet("run --trace " + b + "/t.jsonl " + sample("seh")), 4);
  EXPECT_EQ(trace, slurp(b + "/t.jsonl"));
  EXPECT_EQ(slurp(a + "/t.exit-thread-state.json"), slurp(b + "/t.exit-thread-state.json"));
  ASSERT_EQ(xdet("run --sched-policy strict --trace " + s + "/t.jsonl " + sample("seh"), &out), 4) << out;
  EXPECT_NE(out.find("seh: 0 failure(s)"), std::string::npos) << out;
  EXPECT_EQ(trace, slurp(s + "/t.jsonl"));
  ASSERT_EQ(xdet("run --cpu interp --trace " + i + "/t.jsonl " + sample("seh"), &out), 4) << out;
  EXPECT_EQ(trace, slurp(i + "/t.jsonl"));
  // `xdet pack` gave the image a function table; programs without SEH get none.
  ASSERT_EQ(xdet("inspect " + sample("seh"), &out), 0) << out;
  EXPECT_NE(out.find(".pdata"), std::string::npos) << out;
  ASSERT_EQ(xdet("inspect " + sample("exception_unhandled"), &out), 0) << out;
  EXPECT_EQ(out.find(".pdata"), std::string::npos) << out;
}

// Exceptions inside APC and DPC routines (guest/samples/seh_callbacks.c):
// handlers inside a user APC, a DPC and a timer DPC take them and the thread
// goes on; one that escapes the routine stops the run (exit 4) with a report
// naming the routine, and never reaches the try around the interrupted
// code. Byte-identical traces across cold runs, both policies and engines.
TEST(SehCallbacksSample, RoutinesHandleTheirOwnExceptionsAndEscapingOnesStop) {
  std::string a = scratch("sehcb_a"), b = scratch("sehcb_b"), s = scratch("sehcb_strict"), i = scratch("sehcb_interp");
  std::string out;
  ASSERT_EQ(xdet("run --trace " + a + "/t.jsonl " + sample("seh_callbacks"), &out), 0) << out;
  EXPECT_NE(out.find("seh_callbacks: 0 failure(s)"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  std::string trace = slurp(a + "/t.jsonl");
  EXPECT_NE(trace.find("\"code\":\"0xe0000a01\""), std::string::npos);
  EXPECT_NE(trace.find("\"code\":\"0xe0000d01\""), std::string::npos);
  ASSERT_EQ(xdet("run --trace " + b + "/t.jsonl " + sample("seh_callbacks")), 0);
  EXPECT_EQ(trace, slurp(b + "/t.jsonl"));
  ASSERT_EQ(xdet("run --sched-policy strict --trace " + s + "/t.jsonl " + sample("seh_callbacks"), &out), 0) << out;
  EXPECT_EQ(trace, slurp(s + "/t.jsonl"));
  ASSERT_EQ(xdet("run --cpu interp --trace " + i + "/t.jsonl " + sample("seh_callbacks"), &out), 0) << out;
  EXPECT_EQ(trace, slurp(i + "/t.jsonl"));

  std::string apc, dpc, again;
  ASSERT_EQ(xdet("run --args apc " + sample("seh_callbacks"), &apc), 4) << apc;
  EXPECT_NE(apc.find("exception 0xe0000a0f raised by tid 1 (main)"), std::string::npos) << apc;
  EXPECT_NE(apc.find("(no handler took it: the call chain ends at the APC normal routine "), std::string::npos) << apc;
  EXPECT_EQ(apc.find("propagated"), std::string::npos) << apc;
  EXPECT_EQ(apc.find("not stopped"), std::string::npos) << apc;
  ASSERT_EQ(xdet("run --cpu interp --args apc " + sample("seh_callbacks"), &again), 4);
  EXPECT_EQ(apc, again);
  ASSERT_EQ(xdet("run --args dpc " + sample("seh_callbacks"), &dpc), 4) << dpc;
  EXPECT_NE(dpc.find("exception 0xe0000d0f raised by tid 1 (main)"), std::string::npos) << dpc;
  EXPECT_NE(dpc.find("(no handler took it: the call chain ends at the DPC routine "), std::string::npos) << dpc;
  EXPECT_EQ(dpc.find("propagated"), std::string::npos) << dpc;
  ASSERT_EQ(xdet("run --cpu interp --args dpc " + sample("seh_callbacks"), &again), 4);
  EXPECT_EQ(dpc, again);
}

// A title's boot sequence (privileges, headers, configuration, profile,
// notifications, network, a save, APC-completed reads through game:\,
// workers fed by APCs, a XAM task): passes under both policies with
// byte-identical traces across cold runs.
TEST(TitleBootSample, BootsUnderBothPoliciesDeterministically) {
  std::string a = scratch("title_boot_a"), b = scratch("title_boot_b"), s = scratch("title_boot_strict");
  std::string game = " --game-dir " + std::string(XDET_FILE_IO_GAME_DIR) + " ";
  std::string out;
  ASSERT_EQ(xdet("run" + game + "--trace " + a + "/t.jsonl " + sample("title_boot"), &out), 0) << out;
  EXPECT_NE(out.find("title_boot: 0 failure(s)"), std::string::npos) << out;
  EXPECT_NE(out.find("files: 8 reads completed by APCs, 8192 bytes"), std::string::npos) << out;
  EXPECT_NE(out.find("workers: 4 + 4 items by APC"), std::string::npos) << out;
  ASSERT_EQ(xdet("run" + game + "--trace " + b + "/t.jsonl " + sample("title_boot")), 0);
  EXPECT_EQ(slurp(a + "/t.jsonl"), slurp(b + "/t.jsonl"));
  EXPECT_EQ(slurp(a + "/t.exit-thread-state.json"), slurp(b + "/t.exit-thread-state.json"));
  ASSERT_EQ(xdet("run --sched-policy strict" + game + "--trace " + s + "/t.jsonl " + sample("title_boot"), &out), 0)
      << out;
  EXPECT_NE(out.find("title_boot: 0 failure(s)"), std::string::npos) << out;
}

// Files: the sample's game folder comes from --game-dir; cache:\ is a fresh
// scratch directory per run (removed afterwards), so two cold runs see the
// same files and give the same trace, under both policies.
TEST(FileIoSample, PassesUnderBothPoliciesWithIdenticalTracesAndLeavesNoScratch) {
  std::string a = scratch("file_io_a"), b = scratch("file_io_b"), s = scratch("file_io_strict");
  std::string game = " --game-dir " + std::string(XDET_FILE_IO_GAME_DIR) + " ";
  std::string tmp = scratch("file_io_tmp");
  std::string env = "TMPDIR=" + tmp + " ";
  std::string out;
  ASSERT_EQ(std::system((env + XDET_BINARY + " run" + game + "--trace " + a + "/t.jsonl " + sample("file_io") + " >" +
                         a + "/out.txt 2>&1")
                            .c_str()),
            0)
      << slurp(a + "/out.txt");
  out = slurp(a + "/out.txt");
  EXPECT_NE(out.find("file_io: 0 failure(s)"), std::string::npos) << out;
  EXPECT_EQ(out.find("FAIL"), std::string::npos) << out;
  ASSERT_EQ(xdet("run" + game + "--trace " + b + "/t.jsonl " + sample("file_io"), &out), 0) << out;
  std::string ta = slurp(a + "/t.jsonl");
  EXPECT_EQ(ta, slurp(b + "/t.jsonl"));
  EXPECT_EQ(slurp(a + "/t.exit-thread-state.json"), slurp(b + "/t.exit-thread-state.json"));
  // Canonical guest paths in args_resolved.path; no host path anywhere.
  EXPECT_NE(ta.find("\"path\":\"\\\\Device\\\\Cdrom0\\\\data.BIN\""), std::string::npos);
  EXPECT_NE(ta.find("\\\\Device\\\\Harddisk0\\\\Cache0\\\\saves\\\\slot0.sav"), std::string::npos);
  EXPECT_EQ(ta.find(XDET_FILE_IO_GAME_DIR), std::string::npos);
  EXPECT_EQ(ta.find("xdet-scratch"), std::string::npos);
  // The scratch directory was removed at exit.
  EXPECT_EQ(std::system(("test -z \"$(ls -A " + tmp + ")\"").c_str()), 0);
  ASSERT_EQ(xdet("run --sched-policy strict" + game + "--trace " + s + "/t.jsonl " + sample("file_io"), &out), 0)
      << out;
  EXPECT_NE(out.find("file_io: 0 failure(s)"), std::string::npos) << out;
  // --keep-scratch keeps it and says where.
  ASSERT_EQ(std::system((env + XDET_BINARY + " run --keep-scratch" + game + sample("file_io") + " >" + s +
                         "/keep.txt 2>&1")
                            .c_str()),
            0);
  out = slurp(s + "/keep.txt");
  EXPECT_NE(out.find("scratch directory kept at " + tmp + "/xdet-scratch-"), std::string::npos) << out;
  EXPECT_EQ(std::system(("test -d " + tmp + "/xdet-scratch-*/Cache0/Saves").c_str()), 0);
  // Without the fixture folder the sample fails its checks (it needs it).
  EXPECT_NE(xdet("run " + sample("file_io"), &out), 0);
  // The default title folder is the XEX's directory.
  std::string copy = scratch("file_io_copy");
  ASSERT_EQ(std::system(("cp -a " + std::string(XDET_FILE_IO_GAME_DIR) + "/. " + copy + "/ && cp " +
                         sample("file_io") + " " + copy + "/")
                            .c_str()),
            0);
  ASSERT_EQ(xdet("run " + copy + "/file_io.xex", &out), 0) << out;
  EXPECT_NE(out.find("file_io: 0 failure(s)"), std::string::npos) << out;
  // A missing --game-dir is a usage error.
  EXPECT_EQ(xdet("run --game-dir " + copy + "/missing " + sample("file_io"), &out), 2) << out;
}

TEST(StarvationSample, StrictWedgesAgingCompletesAndDiffFindsTheDivergence) {
  std::string aging = scratch("starv_aging"), aging2 = scratch("starv_aging2"), strict = scratch("starv_strict");
  std::string out;
  ASSERT_EQ(xdet("run --sched-policy aging --trace " + aging + "/t.jsonl " + sample("starvation"), &out), 0) << out;
  EXPECT_NE(out.find("consumer: got 8 items (0 timeouts)"), std::string::npos) << out;
  EXPECT_NE(out.find("starvation: all threads finished"), std::string::npos);
  ASSERT_EQ(xdet("run --trace " + aging2 + "/t.jsonl " + sample("starvation")), 0);  // aging is the default
  EXPECT_EQ(slurp(aging + "/t.jsonl"), slurp(aging2 + "/t.jsonl"));
  EXPECT_EQ(slurp(aging + "/t.exit-thread-state.json"), slurp(aging2 + "/t.exit-thread-state.json"));

  ASSERT_EQ(xdet("run --sched-policy strict --livelock-rounds 2000 --trace " + strict + "/t.jsonl " +
                     sample("starvation"),
                 &out),
            7)
      << out;
  EXPECT_NE(out.find("livelock"), std::string::npos) << out;
  std::string state = slurp(strict + "/t.exit-thread-state.json");
  EXPECT_NE(state.find("\"stop_reason\": \"livelock\""), std::string::npos) << state;
  EXPECT_NE(state.find("\"exit_code\": 7"), std::string::npos);
  // The cycle: main waits for all three; producer (prio 0) never ran;
  // the prio-15 mixer spins on CPU 5.
  EXPECT_NE(state.find("\"wait_type\": \"all\""), std::string::npos);
  EXPECT_NE(state.find("tid 3 producer     prio 0 (effective 0) affinity 0x20 cpu -1: ready but starved: never ran"),
            std::string::npos)
      << state;
  EXPECT_NE(state.find("tid 4 mixer        prio 15 (effective 15) affinity 0x20 cpu 5: spinning at pc="),
            std::string::npos)
      << state;
  EXPECT_NE(state.find("\"name\": \"producer\", \"state\": \"ready\""), std::string::npos) << state;
  std::string tail = slurp(strict + "/t.jsonl");
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(tail.back(), '\n');

  std::string report = strict + "/report.md";
  EXPECT_EQ(xdet("diff --canary " + strict + "/t.jsonl --ours " + aging + "/t.jsonl --out " + report +
                     " --validate-identical",
                 &out),
            1)
      << out;
  std::string r = slurp(report);
  EXPECT_NE(r.find("First divergence"), std::string::npos) << r;
  EXPECT_NE(r.find("canary='0x00000102' ours='0x00000000'"), std::string::npos) << r;
}

// --trace-sched adds the engine-local sched.* kinds on their own stream
// (tid -1): the thread streams, the exit state and every diff result stay
// exactly as without it, for xdet diff and for the reference tool.
TEST(SchedTrace, AddsOnlyTheSchedulerStreamAndDiffsIdentically) {
  std::string plain = scratch("sched_plain"), sched = scratch("sched_on"), sched2 = scratch("sched_on2"),
              aging = scratch("sched_aging");
  const std::string strict_args = "run --sched-policy strict --livelock-rounds 50 ";
  ASSERT_EQ(xdet(strict_args + "--trace " + plain + "/t.jsonl " + sample("starvation")), 7);
  ASSERT_EQ(xdet(strict_args + "--trace-sched --trace " + sched + "/t.jsonl " + sample("starvation")), 7);
  ASSERT_EQ(xdet(strict_args + "--trace-sched --trace " + sched2 + "/t.jsonl " + sample("starvation")), 7);
  ASSERT_EQ(xdet("run --trace " + aging + "/t.jsonl " + sample("starvation")), 0);
  std::string with = slurp(sched + "/t.jsonl");
  EXPECT_EQ(with, slurp(sched2 + "/t.jsonl"));
  EXPECT_EQ(slurp(plain + "/t.exit-thread-state.json"), slurp(sched + "/t.exit-thread-state.json"));
  EXPECT_GT(slurp(plain + "/t.exit-thread-state.json").size(), 100u);

  // Removing the scheduler stream gives back the default trace byte for byte.
  std::string stripped;
  size_t begins = 0, ends = 0, readies = 0, pos = 0;
  while (pos < with.size()) {
    size_t nl = with.find('\n', pos);
    std::string line = with.substr(pos, nl - pos + 1);
    pos = nl + 1;
    if (line.rfind("{\"tid\":-1,", 0) != 0) {
      EXPECT_EQ(line.find("\"sched."), std::string::npos) << line;
      stripped += line;
      continue;
    }
    begins += line.find("\"kind\":\"sched.slice.begin\"") != std::string::npos;
    ends += line.find("\"kind\":\"sched.slice.end\"") != std::string::npos;
    readies += line.find("\"kind\":\"sched.ready\"") != std::string::npos;
  }
  EXPECT_EQ(stripped, slurp(plain + "/t.jsonl"));
  // Rounds 1..52 ran the mixer; main, consumer and the mixer's first slice.
  EXPECT_GT(begins, 50u);
  EXPECT_EQ(begins, ends);
  EXPECT_GE(readies, 4u);  // main created, consumer/producer/mixer resumed
  EXPECT_NE(with.find("\"reason\":\"quantum\",\"state\":\"ready\""), std::string::npos);
  EXPECT_NE(with.find("\"thread\":3,\"round\":3,\"cause\":\"resume\""), std::string::npos);

  // Same report, with the sched trace on either side, from xdet diff ...
  std::string base_report = plain + "/r.md", r1 = sched + "/r1.md", r2 = sched + "/r2.md";
  ASSERT_EQ(xdet("diff --canary " + plain + "/t.jsonl --ours " + aging + "/t.jsonl --out " + base_report), 0);
  ASSERT_EQ(xdet("diff --canary " + sched + "/t.jsonl --ours " + aging + "/t.jsonl --out " + r1), 0);
  ASSERT_EQ(xdet("diff --canary " + aging + "/t.jsonl --ours " + sched + "/t.jsonl --out " + r2), 0);
  std::string expected = slurp(base_report);
  EXPECT_NE(expected.find("First divergence"), std::string::npos);
  EXPECT_EQ(slurp(r1), expected);
  std::string swapped = plain + "/r_swapped.md";
  ASSERT_EQ(xdet("diff --canary " + aging + "/t.jsonl --ours " + plain + "/t.jsonl --out " + swapped), 0);
  EXPECT_EQ(slurp(r2), slurp(swapped));
  std::string out;
  EXPECT_EQ(xdet("diff --canary " + plain + "/t.jsonl --ours " + sched + "/t.jsonl --validate-identical", &out), 0)
      << out;

  // ... and from the reference tool.
  std::string ref_path = std::string(XDET_SHARED_DIR) + "/reference/diff_events.py";
  if (!std::ifstream(ref_path)) GTEST_SKIP() << "reference diff tool not found at " << ref_path;
  std::string ref = std::string(XDET_PYTHON) + " " + ref_path;
  std::string ref_base = plain + "/ref.md", ref_sched = sched + "/ref.md";
  ASSERT_EQ(std::system((ref + " --canary " + plain + "/t.jsonl --ours " + aging + "/t.jsonl --out " + ref_base +
                         " 2>/dev/null")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((ref + " --canary " + sched + "/t.jsonl --ours " + aging + "/t.jsonl --out " + ref_sched +
                         " 2>/dev/null")
                            .c_str()),
            0);
  EXPECT_EQ(slurp(ref_sched), slurp(ref_base));
  EXPECT_EQ(slurp(ref_sched), expected);
}

}  // namespace
