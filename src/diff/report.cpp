#include "diff/report.h"

#include <functional>

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

// Any string (key or value) in `v` that `policy` cannot encode.
bool has_unencodable_text(const PyValue& v, SurrogatePolicy policy) {
  switch (v.type()) {
    case PyValue::Type::kStr:
      return unencodable(v.as_str(), policy);
    case PyValue::Type::kList:
      for (const PyValue& x : v.items())
        if (has_unencodable_text(x, policy)) return true;
      return false;
    case PyValue::Type::kDict:
      for (const auto& [k, x] : v.members())
        if (unencodable(k, policy) || has_unencodable_text(x, policy)) return true;
      return false;
    default:
      return false;
  }
}

uint64_t total(const CountedKinds& c) {
  uint64_t t = 0;
  for (const auto& [tid, n] : c) t += n;
  return t;
}

}  // namespace

bool unencodable(std::string_view wtf8, SurrogatePolicy policy) {
  for (size_t i = 0; i < wtf8.size();) {
    if (static_cast<unsigned char>(wtf8[i]) != 0xED) {
      ++i;
      continue;
    }
    uint32_t cp = wtf8_next(wtf8, i);
    if (cp >= 0xD800 && cp <= 0xDFFF && !(policy == SurrogatePolicy::kSurrogateEscape && cp >= 0xDC80 && cp <= 0xDCFF))
      return true;
  }
  return false;
}

std::string surrogateescape_encode(std::string_view wtf8) {
  std::string out;
  out.reserve(wtf8.size());
  for (size_t i = 0; i < wtf8.size();) {
    if (static_cast<unsigned char>(wtf8[i]) != 0xED) {
      out += wtf8[i++];
      continue;
    }
    size_t start = i;
    uint32_t cp = wtf8_next(wtf8, i);
    if (cp >= 0xDC80 && cp <= 0xDCFF) out += static_cast<char>(cp - 0xDC00);
    else out.append(wtf8.substr(start, i - start));
  }
  return out;
}

std::string render_report(const std::vector<PairResult>& results, const CountedKinds& cs, const CountedKinds& os,
                          SurrogatePolicy policy, std::string* unencodable_at) {
  std::string o;
  auto line = [&o](const std::string& s) {
    o += s;
    o += '\n';
  };
  // A line that brings in unencodable text: remember which event it came from.
  auto blame = [&](const std::string& s, const std::function<std::string()>& where) {
    if (unencodable_at && unencodable_at->empty() && unencodable(s, policy)) *unencodable_at = where();
  };
  auto render = [&](const PyValue& ev, const EventRef& at) {
    std::string s;
    try {
      s = render_event(ev);
    } catch (const DiffFailure& f) {
      throw DiffFailure{f.exit_code, at.where() + ": " + f.message};
    }
    blame(s, [&] { return at.where(); });
    return s;
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
    blame(r.canary_tid.str(), [&] { return r.canary_first_at.where(); });
    blame(r.ours_tid.str(), [&] { return r.ours_first_at.where(); });
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
    for (const CountedKinds* c : {&cs, &os})
      for (const auto& entry : *c) {
        const TidKey& tid = entry.first;
        blame(tid.str(), [&] { return "sema.release tid " + tid.str(); });
      }
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
    {
      const PyValue* ci = r.post_canary->get("tid_event_idx");
      const PyValue* oi = r.post_ours->get("tid_event_idx");
      if (ci) blame(py_str(*ci), [&] { return r.post_canary_at.where(); });
      if (oi) blame(py_str(*oi), [&] { return r.post_ours_at.where(); });
      // The description quotes both events; name the side whose text is at fault.
      blame(r.diff_descr, [&] {
        return has_unencodable_text(*r.post_canary, policy)
                   ? r.post_canary_at.where()
                   : r.post_ours_at.where();
      });
    }
    line("First divergence at matched-prefix position " + std::to_string(r.diverged_at) +
         " (canary raw tid_event_idx=" + raw_idx(r.post_canary) + ", ours raw tid_event_idx=" + raw_idx(r.post_ours) +
         "): " + r.diff_descr);
    line("");
    line("**Pre-context (last 5 matching events):**");
    line("```");
    for (size_t k = 0; k < r.pre_context.size(); ++k) {
      line(" canary: " + render(r.pre_context[k].first, r.pre_context_at[k].first));
      line(" ours: " + render(r.pre_context[k].second, r.pre_context_at[k].second));
    }
    line("```");
    line("");
    line("**Divergent event:**");
    line("```");
    line(" canary: " + render(*r.post_canary, r.post_canary_at));
    line(" ours: " + render(*r.post_ours, r.post_ours_at));
    line("```");
    line("");
    line("**Next event after the divergence (if any):**");
    line("```");
    line(r.next_canary ? " canary: " + render(*r.next_canary, r.next_canary_at) : std::string(" canary: <end of stream>"));
    line(r.next_ours ? " ours: " + render(*r.next_ours, r.next_ours_at) : std::string(" ours: <end of stream>"));
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
