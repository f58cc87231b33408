// Running the built `xdet` from a test: each test binary gets its own
// scratch tree and log under the gtest temp dir, keyed by a prefix and the
// pid so that parallel CTest jobs never share files.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace xdet_cli {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline std::string tree(const std::string& prefix) {
  return std::string(::testing::TempDir()) + "/xdet_" + prefix + "_" + std::to_string(::getpid());
}

// A fresh, empty directory `name` in this binary's scratch tree.
inline std::string scratch(const std::string& prefix, const std::string& name) {
  std::string dir = tree(prefix) + "/" + name;
  EXPECT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir).c_str()), 0);
  return dir;
}

// Runs `xdet ARGS` with stdout and stderr captured together; returns the
// exit code (-1 when killed by a signal).
inline int run(const std::string& prefix, const std::string& args, std::string* out = nullptr) {
  std::string log = tree(prefix) + ".log";
  int rc = std::system((std::string(XDET_BINARY) + " " + args + " >" + log + " 2>&1").c_str());
  if (out) *out = slurp(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Runs `xdet run RUN_ARGS --trace` into DIR, drops the events whose kind
// starts with one of KIND_PREFIXES (e.g. {"gpu.", "audio."}), and expects
// `xdet diff --validate-identical` to find the two traces identical: the
// kinds are engine-local and the diff steps over them.
inline void expect_diff_steps_over(const std::string& prefix, const std::string& dir, const std::string& run_args,
                                   std::initializer_list<const char*> kind_prefixes) {
  std::string out;
  ASSERT_EQ(run(prefix, "run --trace " + dir + "/t.jsonl " + run_args, &out), 0) << out;
  std::string pattern;
  for (const char* k : kind_prefixes) {
    std::string escaped;
    for (const char* c = k; *c; ++c) escaped += *c == '.' ? std::string("\\.") : std::string(1, *c);
    pattern += (pattern.empty() ? "" : "\\|") + std::string("\"kind\":\"") + escaped;
  }
  ASSERT_EQ(std::system(("grep -v '" + pattern + "' " + dir + "/t.jsonl > " + dir + "/stripped.jsonl").c_str()), 0);
  EXPECT_LT(slurp(dir + "/stripped.jsonl").size(), slurp(dir + "/t.jsonl").size());
  EXPECT_EQ(run(prefix,
                "diff --canary " + dir + "/t.jsonl --ours " + dir + "/stripped.jsonl --validate-identical --out " +
                    dir + "/report.md",
                &out),
            0)
      << out;
}

}  // namespace xdet_cli
