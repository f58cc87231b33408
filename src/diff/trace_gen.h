#pragma once
// Generator of realistic schema-v1 trace pairs (canary vs ours) for parity
// tests, benchmarks and the demo. Both traces follow the same logical
// per-thread script (kernel calls, handle/thread creation, waits, critical
// sections) rendered with each engine's own noise: raw handle ids, semantic
// ids, allocator addresses, host timing, scheduling interleave, tid numbers.
// Optional absorbable noise (engine-local kinds, floating shared-global
// handle.create / wait.begin, nested critical-section cleanup) and injected
// divergences of every category the diff tool reports.
#include <cstdint>
#include <string>
#include <vector>

namespace xdet::diff {

struct GenOptions {
  uint64_t seed = 1;
  uint64_t events = 20000;  // approximate events per trace
  int threads = 4;
  int divergences = 1;      // injected into ours, at most one per thread
  int noise = 3;            // 0 none; 1 engine-local kinds; 2 +floating create/wait; 3 +nested-cs
  bool remap_tids = true;   // ours' worker tids are a permutation
  double exotic_rate = 0.01;  // share of calls carrying unusual values (unicode, floats, None, ...)
  std::string canary_path;
  std::string ours_path;
};

struct GenSummary {
  uint64_t canary_events = 0;
  uint64_t ours_events = 0;
  uint64_t canary_bytes = 0;
  uint64_t ours_bytes = 0;
  std::vector<std::string> injected;  // human-readable list of injected divergences
};

// Writes both traces. Throws xdet::Error on I/O failure.
GenSummary generate_trace_pair(const GenOptions& opts);

// Names of the divergence categories the generator can inject.
const std::vector<std::string>& divergence_categories();

}  // namespace xdet::diff
