#pragma once
// The per-thread alignment walk of the reference diff tool (diff_one_tid),
// run over TraceIndex records: fingerprints decide the common "equal" case;
// everything else (mismatches, absorbers, exotic events) is decided on the
// materialized events with the reference's exact rules.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "diff/py_value.h"
#include "diff/trace_index.h"

namespace xdet::diff {

struct AbsorberSwitches {
  bool shared_global = true;
  bool wait_begin = true;
  bool nested_cs = true;
};

// Where a materialized event sits in its trace (named in error messages).
struct EventRef {
  const TraceIndex* ix = nullptr;
  const Record* rec = nullptr;
  std::string where() const { return ix && rec ? ix->where(*rec) : std::string("?"); }
};

struct PairResult {
  TidKey canary_tid;
  TidKey ours_tid;
  uint64_t matched = 0;
  uint64_t canary_total = 0;
  uint64_t ours_total = 0;
  bool diverged = false;
  uint64_t diverged_at = 0;
  std::string diff_descr;
  // Materialized context (only when diverged).
  std::vector<std::pair<PyValue, PyValue>> pre_context;
  std::optional<PyValue> post_canary, post_ours, next_canary, next_ours;
  std::vector<std::pair<EventRef, EventRef>> pre_context_at;
  EventRef post_canary_at, post_ours_at, next_canary_at, next_ours_at;
  EventRef canary_first_at, ours_first_at;  // the events that carry the tids
  uint64_t skipped_canary = 0, skipped_ours = 0;
  uint64_t skipped_canary_wait = 0, skipped_ours_wait = 0;
};

// Ids of `ours` kinds/names translated into the canary tables' id space.
struct IdTranslation {
  std::vector<uint32_t> kinds;
  std::vector<uint32_t> names;
  static IdTranslation build(const TraceIndex& canary, const TraceIndex& ours);
};

// collect_shared_global_sids over both traces.
std::unordered_set<std::string> collect_floating_sids(const TraceIndex& canary, const TraceIndex& ours);

// The floating set, resolved against each trace's SID table.
struct FloatingSids {
  std::unordered_set<std::string> set;
  std::vector<uint8_t> canary, ours;  // by SID index
  bool empty_string = false;          // "" is in the set
  static FloatingSids build(const TraceIndex& canary, const TraceIndex& ours);
};

// diff_one_tid. Appends absorbed-event JSONL lines to *absorbed if non-null.
// `canary_tid`/`ours_tid` are the mapping's keys (as the report prints them).
PairResult diff_pair(const TidKey& canary_tid, const TidKey& ours_tid, const TraceIndex& canary, const TidStream& cs,
                     const TraceIndex& ours, const TidStream& os,
                     const IdTranslation& ids, const FloatingSids& floating,
                     const AbsorberSwitches& absorbers, std::string* absorbed);

// compare_event() of the reference on materialized events; nullopt if equal.
// Throws DiffFailure (exit 1) where the reference would crash; `where_c` and
// `where_o` name the events for that message (computed only then: costly).
using WhereFn = std::function<std::string()>;
std::optional<std::string> compare_events_exact(const PyValue& ec, const PyValue& eo, const WhereFn& where_c,
                                                const WhereFn& where_o);

// render_event() of the reference. Throws DiffFailure (exit 1, message
// without location) where the reference would crash.
std::string render_event(const PyValue& ev);

}  // namespace xdet::diff
