// Runs each benchmark kernel under `xdet run-elf --stats` and under
// qemu-ppc64, checks both print the same output, and prints guest MIPS for
// both (qemu's MIPS uses xdet's exact retired-instruction count of the same
// binary). Times are CPU time (best of --repeat runs), which is steadier than
// wall time on a shared machine; xdet's is its interpreter loop only, qemu's
// includes its start-up (a few ms). Usage: bench_cpu [--repeat N] [kernel...]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cpu/harness/host_tools.h"

namespace {

struct Timed {
  xdet::cpu::ToolResult result;
  double seconds;
};

Timed timed_run(const std::vector<std::string>& argv) {
  auto t0 = std::chrono::steady_clock::now();
  xdet::cpu::ToolResult r = xdet::cpu::run_tool(argv);
  return {r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

// Splits xdet's output into guest output and the --stats lines.
void split_stats(const std::string& all, std::string& guest, unsigned long long& insns, double& secs) {
  size_t pos = 0;
  while (pos < all.size()) {
    size_t eol = all.find('\n', pos);
    if (eol == std::string::npos) eol = all.size();
    std::string line = all.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.rfind("instructions: ", 0) == 0) insns = std::strtoull(line.c_str() + 14, nullptr, 10);
    else if (line.rfind("cpu time: ", 0) == 0) secs = std::strtod(line.c_str() + 10, nullptr);
    else if (line.rfind("wall time: ", 0) == 0 || line.rfind("MIPS: ", 0) == 0) continue;
    else guest += line + "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 1;
  std::vector<std::string> kernels;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else kernels.push_back(a);
  }
  if (kernels.empty()) kernels = {"hash", "sort", "interp", "matmul"};
  std::printf("%-8s %14s %10s %10s %12s %10s %8s  %s\n", "kernel", "instructions", "xdet s", "xdet MIPS",
              "qemu-ppc64 s", "qemu MIPS", "ratio", "outputs");
  int status = 0;
  for (const std::string& k : kernels) {
    std::string elf = std::string(XDET_BENCH_KERNEL_DIR) + "/" + k + ".elf";
    double best_x = 1e30, best_q = 1e30;
    unsigned long long insns = 0;
    std::string out_x, out_q;
    bool ok = true;
    for (int r = 0; r < repeat; ++r) {
      Timed x = timed_run({XDET_BENCH_XDET, "run-elf", "--stats", elf});
      std::string guest;
      double secs = 0;
      split_stats(x.result.output, guest, insns, secs);
      if (x.result.exit_code != 0) ok = false;
      best_x = std::min(best_x, secs > 0 ? secs : x.seconds);
      out_x = guest;
      Timed q = timed_run({XDET_BENCH_QEMU, elf});
      if (q.result.exit_code != 0) ok = false;
      best_q = std::min(best_q, q.result.cpu_seconds > 0 ? q.result.cpu_seconds : q.seconds);
      out_q = q.result.output;
    }
    bool same = ok && out_x == out_q;
    if (!same) status = 1;
    double mx = static_cast<double>(insns) / best_x / 1e6, mq = static_cast<double>(insns) / best_q / 1e6;
    std::printf("%-8s %14llu %10.3f %10.1f %12.3f %10.1f %7.1fx  %s\n", k.c_str(), insns, best_x, mx, best_q, mq,
                mq / mx, same ? "match" : "DIFFER");
    if (!same) std::printf("  xdet: %s  qemu: %s", out_x.c_str(), out_q.c_str());
  }
  std::printf("(CPU seconds, best of %d; xdet: interpreter loop only; qemu: whole process)\n", repeat);
  return status;
}
