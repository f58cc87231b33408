// Running the built `xdet` from a test: each test binary gets its own
// scratch tree and log under the gtest temp dir, keyed by a prefix and the
// pid so that parallel CTest jobs never share files.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
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

}  // namespace xdet_cli
