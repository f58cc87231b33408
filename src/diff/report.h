#pragma once
// The markdown report, byte for byte as the reference's render_report().
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "diff/diff_engine.h"

namespace xdet::diff {

// Per-tid sema.release counts of one trace, sorted by tid as Python would
// (only tids with >0).
using CountedKinds = std::vector<std::pair<TidKey, uint64_t>>;

std::string render_report(const std::vector<PairResult>& results, const CountedKinds& canary_sema,
                          const CountedKinds& ours_sema);

}  // namespace xdet::diff
