// Throughput of the fast per-line event scanner on generated trace lines.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "diff/event_scan.h"
#include "diff/trace_gen.h"

namespace {

std::vector<std::string> sample_lines() {
  char dir[] = "/tmp/xdet-bench-scan-XXXXXX";
  if (!mkdtemp(dir)) return {};
  xdet::diff::GenOptions o;
  o.events = 20000;
  o.canary_path = std::string(dir) + "/c.jsonl";
  o.ours_path = std::string(dir) + "/o.jsonl";
  xdet::diff::generate_trace_pair(o);
  std::vector<std::string> lines;
  std::ifstream in(o.canary_path);
  std::string l;
  std::getline(in, l);  // header
  while (std::getline(in, l)) lines.push_back(l);
  std::remove(o.canary_path.c_str());
  std::remove(o.ours_path.c_str());
  rmdir(dir);
  return lines;
}

void BM_FastScan(benchmark::State& state) {
  static const std::vector<std::string> lines = sample_lines();
  xdet::diff::FastScanner scanner;
  xdet::diff::EventFacts facts;
  size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const std::string& l = lines[i++ % lines.size()];
    benchmark::DoNotOptimize(scanner.scan(l, facts));
    bytes += l.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FastScan);

}  // namespace

BENCHMARK_MAIN();
