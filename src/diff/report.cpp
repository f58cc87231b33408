#include "diff/report.h"

namespace xdet::diff {

namespace {

std::string per_tid(const CountedKinds& c) {
  std::string s;
  for (const auto& [tid, n] : c) {
    if (!s.empty()) s += ", ";
    s += "tid" + tid.str() + "=" + std::to_string(n);
  }
  return s.empty() ? "—" : s;
}

uint64_t total(const CountedKinds& c) {
  uint64_t t = 0;
  for (const auto& [tid, n] : c) t += n;
  return t;
}

}  // namespace

std::string render_report(const std::vector<PairResult>& results, const CountedKinds& cs, const CountedKinds& os) {
  std::string o;
  auto line = [&o](const std::string& s) {
    o += s;
    o += '\n';
  };
  line("# Phase A diff report");
  line("");
  line("**This report is the output of Phase A's diff harness. Divergences");
  line("shown here are INPUT for Phase B (first-divergence localization),");
  line("not findings of Phase A.** Phase A's job is to make the harness");
  line("itself correct, not to analyze what it surfaces.");
  line("");
  line("## Summary");
  line("");
  line("| canary_tid | ours_tid | matched | canary_total | ours_total | first_divergence_at | floating_create (c/o) | "
       "floating_wait (c/o) |");
  line("|---|---|---|---|---|---|---|---|");
  for (const PairResult& r : results) {
    std::string div = r.diverged ? std::to_string(r.diverged_at) : "—";
    line("| " + r.canary_tid.str() + " | " + r.ours_tid.str() + " | " + std::to_string(r.matched) +
         " | " + std::to_string(r.canary_total) + " | " + std::to_string(r.ours_total) + " | " + div + " | " +
         std::to_string(r.skipped_canary) + "/" + std::to_string(r.skipped_ours) + " | " +
         std::to_string(r.skipped_canary_wait) + "/" + std::to_string(r.skipped_ours_wait) + " |");
  }
  line("");
  line("*`floating_create (c/o)` counts shared-global `handle.create` events absorbed by Phase C+18 cross-tid SID "
       "matching. `floating_wait (c/o)` counts `wait.begin` events on shared-global dispatchers absorbed by Phase C+21 "
       "(scheduling-jitter window — canary's contention slow path may fire while ours fast-paths or vice versa). See "
       "schema-v1.md §\"Shared-global SIDs\" and §\"Wait-begin floating absorb\".*");
  line("");
  if (!cs.empty() || !os.empty()) {
    line("## Counted engine-local kinds (v1.6)");
    line("");
    line("| kind | canary total | ours total | per-tid (canary) | per-tid (ours) |");
    line("|---|---:|---:|---|---|");
    line("| `sema.release` | " + std::to_string(total(cs)) + " | " + std::to_string(total(os)) + " | " + per_tid(cs) +
         " | " + per_tid(os) + " |");
    line("");
    line("*These kinds are positionally engine-local (see `ENGINE_LOCAL_KINDS`) — the diff tool does NOT align them. "
         "Per-engine total cadence is surfaced here so regressions are visible at-a-glance.*");
    line("");
  }
  for (const PairResult& r : results) {
    line("## canary_tid=" + r.canary_tid.str() + " → ours_tid=" + r.ours_tid.str());
    line("");
    if (!r.diverged) {
      line("No divergence within the " + std::to_string(r.matched) + " compared events (canary has " +
           std::to_string(r.canary_total) + ", ours has " + std::to_string(r.ours_total) + ").");
      line("");
      continue;
    }
    auto raw_idx = [](const std::optional<PyValue>& ev) {
      if (!ev) return std::string("?");
      const PyValue* v = ev->get("tid_event_idx");
      return v ? py_str(*v) : std::string("?");
    };
    line("First divergence at matched-prefix position " + std::to_string(r.diverged_at) +
         " (canary raw tid_event_idx=" + raw_idx(r.post_canary) + ", ours raw tid_event_idx=" + raw_idx(r.post_ours) +
         "): " + r.diff_descr);
    line("");
    line("**Pre-context (last 5 matching events):**");
    line("```");
    for (const auto& [ec, eo] : r.pre_context) {
      line(" canary: " + render_event(ec));
      line(" ours: " + render_event(eo));
    }
    line("```");
    line("");
    line("**Divergent event:**");
    line("```");
    line(" canary: " + render_event(*r.post_canary));
    line(" ours: " + render_event(*r.post_ours));
    line("```");
    line("");
    line("**Next event after the divergence (if any):**");
    line("```");
    line(r.next_canary ? " canary: " + render_event(*r.next_canary) : std::string(" canary: <end of stream>"));
    line(r.next_ours ? " ours: " + render_event(*r.next_ours) : std::string(" ours: <end of stream>"));
    line("```");
    line("");
    line("**Raw events (JSON):**");
    line("```json");
    line(json_dumps_sorted(*r.post_canary));
    line(json_dumps_sorted(*r.post_ours));
    line("```");
    line("");
  }
  // "\n".join(out): no newline after the last element.
  if (!o.empty()) o.pop_back();
  return o;
}

}  // namespace xdet::diff
