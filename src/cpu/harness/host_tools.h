#pragma once
// Running the host's cross toolchain (assembler, linker) from the harness,
// and scratch directories for their files.
#include <string>
#include <vector>

namespace xdet::cpu {

struct ToolResult {
  int exit_code = -1;    // -1: could not start / killed by a signal
  std::string output;    // stdout and stderr combined
  double cpu_seconds = 0;  // user + system CPU time of the child
};

// Runs argv[0] (searched in PATH) with stdout+stderr captured.
ToolResult run_tool(const std::vector<std::string>& argv);

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object is destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_text_file(const std::string& path, const std::string& text);
std::string read_text_file(const std::string& path);

}  // namespace xdet::cpu
