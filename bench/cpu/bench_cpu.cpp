// Runs each benchmark kernel under `xdet run-elf --stats` with the
// interpreter and with the JIT, and under qemu-ppc64 (TCG JIT), in one run;
// checks all three print the same output and that both xdet engines retire
// the same number of instructions; prints guest MIPS side by side (median of
// --repeat runs; qemu's MIPS uses xdet's exact retired-instruction count of
// the same binary), the JIT's compile time and code cache size. Then `xdet
// run` on two threaded samples (scheduler and trace on) under both engines.
// Times are CPU seconds of the guest loop for xdet (run-elf --stats) and of
// the whole process for qemu (its start-up is a few ms).
// Usage: bench_cpu [--repeat N] [kernel...]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "cpu/harness/host_tools.h"

namespace {

struct XdetRun {
  bool ok = false;
  std::string guest;
  unsigned long long insns = 0;
  double cpu_seconds = 0;
  double compile_ms = 0;
  unsigned long long code_bytes = 0;
  unsigned long long blocks = 0;
  unsigned long long native = 0, guest_insns = 0;
};

double field(const std::string& line, const char* key) { return std::strtod(line.c_str() + std::string(key).size(), nullptr); }

XdetRun run_xdet(const std::string& elf, const char* engine) {
  xdet::cpu::ToolResult r = xdet::cpu::run_tool({XDET_BENCH_XDET, "run-elf", "--stats", "--cpu", engine, elf});
  XdetRun x;
  x.ok = r.exit_code == 0;
  size_t pos = 0;
  const std::string& all = r.output;
  while (pos < all.size()) {
    size_t eol = all.find('\n', pos);
    if (eol == std::string::npos) eol = all.size();
    std::string line = all.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.rfind("instructions: ", 0) == 0) x.insns = std::strtoull(line.c_str() + 14, nullptr, 10);
    else if (line.rfind("cpu time: ", 0) == 0) x.cpu_seconds = field(line, "cpu time: ");
    else if (line.rfind("jit compile time: ", 0) == 0) x.compile_ms = field(line, "jit compile time: ");
    else if (line.rfind("jit code cache: ", 0) == 0) x.code_bytes = std::strtoull(line.c_str() + 16, nullptr, 10);
    else if (line.rfind("jit blocks: ", 0) == 0) {
      std::sscanf(line.c_str(), "jit blocks: %llu (%llu guest instructions, %llu native", &x.blocks, &x.guest_insns,
                  &x.native);
    } else if (line.rfind("wall time: ", 0) == 0 || line.rfind("MIPS: ", 0) == 0 || line.rfind("engine: ", 0) == 0 ||
               line.rfind("jit ", 0) == 0) {
      continue;
    } else {
      x.guest += line + "\n";
    }
  }
  if (x.cpu_seconds <= 0) x.cpu_seconds = r.cpu_seconds;
  return x;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// `xdet run` of a threaded guest sample with the trace on: instructions and wall seconds.
bool run_sample(const std::string& sample, const char* engine, unsigned long long* insns, double* secs) {
  std::string dir = "/tmp/xdet_bench_cpu_" + std::to_string(::getpid());
  ::mkdir(dir.c_str(), 0700);
  std::string trace = dir + "/t.jsonl";
  auto t0 = std::chrono::steady_clock::now();
  xdet::cpu::ToolResult r = xdet::cpu::run_tool(
      {XDET_BENCH_XDET, "run", "--cpu", engine, "--trace", trace, std::string(XDET_BENCH_SAMPLE_DIR) + "/" + sample});
  *secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::remove(trace.c_str());
  std::remove((dir + "/t.exit-thread-state.json").c_str());
  ::rmdir(dir.c_str());
  size_t at = r.output.find("xdet run: ");
  at = at == std::string::npos ? at : r.output.find(" after ", at);
  *insns = at == std::string::npos ? 0 : std::strtoull(r.output.c_str() + at + 7, nullptr, 10);
  return r.exit_code == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 3;
  std::vector<std::string> kernels;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else kernels.push_back(a);
  }
  if (kernels.empty()) kernels = {"hash", "sort", "interp", "matmul"};
  std::printf("%-7s %12s %10s %10s %10s %9s %9s %10s %10s %8s  %s\n", "kernel", "instructions", "interp", "jit",
              "qemu", "jit/int", "jit/qemu", "compile", "code", "native", "outputs");
  std::printf("%-7s %12s %10s %10s %10s %9s %9s %10s %10s %8s\n", "", "", "MIPS", "MIPS", "MIPS", "", "", "ms",
              "bytes", "");
  int status = 0;
  for (const std::string& k : kernels) {
    std::string elf = std::string(XDET_BENCH_KERNEL_DIR) + "/" + k + ".elf";
    std::vector<double> ti, tj, tq;
    XdetRun xi, xj;
    std::string out_q;
    bool ok = true;
    for (int r = 0; r < repeat; ++r) {
      xi = run_xdet(elf, "interp");
      xj = run_xdet(elf, "jit");
      xdet::cpu::ToolResult q = xdet::cpu::run_tool({XDET_BENCH_QEMU, elf});
      ok = ok && xi.ok && xj.ok && q.exit_code == 0;
      ti.push_back(xi.cpu_seconds);
      tj.push_back(xj.cpu_seconds);
      tq.push_back(q.cpu_seconds);
      out_q = q.output;
    }
    bool same = ok && xi.guest == out_q && xj.guest == out_q && xi.insns == xj.insns;
    if (!same) status = 1;
    double n = static_cast<double>(xi.insns);
    double mi = n / median(ti) / 1e6, mj = n / median(tj) / 1e6, mq = n / median(tq) / 1e6;
    std::printf("%-7s %12llu %10.1f %10.1f %10.1f %8.2fx %8.2fx %10.2f %10llu %7.0f%%  %s\n", k.c_str(), xi.insns, mi,
                mj, mq, mj / mi, mj / mq, xj.compile_ms, xj.code_bytes,
                xj.guest_insns ? 100.0 * static_cast<double>(xj.native) / static_cast<double>(xj.guest_insns) : 0.0,
                same ? "match" : "DIFFER");
    if (!same) std::printf("  interp: %s  jit: %s  qemu: %s", xi.guest.c_str(), xj.guest.c_str(), out_q.c_str());
  }
  std::printf("(median of %d; CPU seconds: xdet guest loop, qemu whole process; native = share of translated\n"
              " guest instructions emitted as host code, the rest call interpreter handlers)\n",
              repeat);
  // starvation: start-up and wedge detection dominate (a short run);
  // frame_loop: 10 s of guest time with vblank, CP and audio callbacks.
  for (const char* sample : {"starvation.xex", "frame_loop.xex"}) {
    unsigned long long ni = 0, nj = 0;
    std::vector<double> si, sj;
    bool sok = true;
    for (int r = 0; r < repeat; ++r) {
      double s;
      sok = run_sample(sample, "interp", &ni, &s) && sok;
      si.push_back(s);
      sok = run_sample(sample, "jit", &nj, &s) && sok;
      sj.push_back(s);
    }
    std::printf("xdet run %s (scheduler + trace, wall time incl. start-up): %llu instructions; interp %.1f MIPS, "
                "jit %.1f MIPS%s\n",
                sample, ni, static_cast<double>(ni) / median(si) / 1e6, static_cast<double>(nj) / median(sj) / 1e6,
                sok && ni == nj ? "" : "  (RUNS DIFFER)");
    if (!sok || ni != nj) status = 1;
  }
  return status;
}
