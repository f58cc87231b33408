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

// How the report's destination encodes text: UTF-8, with lone surrogates
// either fatal (strict: files, and stdout outside C/POSIX/C.UTF-8 locales) or,
// for U+DC80..U+DCFF only, written back as the raw byte (surrogateescape).
enum class SurrogatePolicy { kStrict, kSurrogateEscape };

// True if `wtf8` cannot be encoded under `policy`.
bool unencodable(std::string_view wtf8, SurrogatePolicy policy);
// The bytes `wtf8` encodes to under kSurrogateEscape (must be encodable).
std::string surrogateescape_encode(std::string_view wtf8);

// render_report(). Throws DiffFailure (naming the event's file and line)
// where rendering crashes in the reference. If the text holds something
// `policy` cannot encode, *unencodable_at names the event that brought it in.
std::string render_report(const std::vector<PairResult>& results, const CountedKinds& canary_sema,
                          const CountedKinds& ours_sema, SurrogatePolicy policy = SurrogatePolicy::kStrict,
                          std::string* unencodable_at = nullptr);

}  // namespace xdet::diff
