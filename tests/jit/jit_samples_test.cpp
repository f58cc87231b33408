// Every guest sample under `xdet run --cpu jit` and `--cpu interp`: the exit
// code, the stderr summary (stop reason, instruction count, guest time), the
// schema-v1 trace and exit-thread-state.json must be byte-identical.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> samples() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(XDET_SAMPLES_DIR, ec)) {
    if (e.path().extension() == ".xex") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct RunOutput {
  int rc;
  std::string log, trace, exit_state;
};

RunOutput run(const std::string& name, const std::string& engine) {
  std::string dir = std::string(::testing::TempDir()) + "/xdet_jit_samples_" + std::to_string(::getpid()) + "/" +
                    name + "_" + engine;
  std::filesystem::create_directories(dir);
  std::string cmd = std::string(XDET_BINARY) + " run --cpu " + engine + " --trace " + dir + "/t.jsonl " +
                    XDET_SAMPLES_DIR + "/" + name + ".xex >" + dir + "/log 2>&1";
  int rc = std::system(cmd.c_str());
  RunOutput o{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(dir + "/log"), slurp(dir + "/t.jsonl"),
              slurp(dir + "/t.exit-thread-state.json")};
  std::filesystem::remove_all(dir);
  return o;
}

TEST(JitSamples, TracesAndExitStatesAreIdenticalUnderBothEngines) {
  std::vector<std::string> names = samples();
  if (names.empty()) GTEST_SKIP() << "no guest samples in " << XDET_SAMPLES_DIR << " (PowerPC cross compiler absent)";
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    RunOutput j = run(name, "jit");
    RunOutput i = run(name, "interp");
    EXPECT_EQ(j.rc, i.rc) << j.log << "\n---\n" << i.log;
    EXPECT_EQ(j.log, i.log);
    EXPECT_GT(i.trace.size(), 100u);
    EXPECT_TRUE(j.trace == i.trace) << "traces differ (" << j.trace.size() << " vs " << i.trace.size() << " bytes)";
    EXPECT_FALSE(i.exit_state.empty());
    EXPECT_TRUE(j.exit_state == i.exit_state) << "exit-thread-state.json differs";
  }
}

}  // namespace
