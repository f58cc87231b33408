#include "diff/diff_engine.h"

#include <array>
#include <initializer_list>
#include <string_view>

#include "diff/event_scan.h"

namespace xdet::diff {

IdTranslation IdTranslation::build(const TraceIndex& canary, const TraceIndex& ours) {
  IdTranslation t;
  // Ids absent from canary's tables get fresh ids past its range, so they
  // compare unequal to every canary id and equal among themselves.
  auto translate = [](const Interner& c, const Interner& o, std::vector<uint32_t>& out) {
    out.resize(o.size());
    uint32_t next = static_cast<uint32_t>(c.size());
    for (uint32_t id = 0; id < o.size(); ++id) {
      auto hit = c.find(o.text(id));
      if (!hit && next == kKindOverflow) next = kKindUnhashable + 1;  // marker kind ids stay unused
      out[id] = hit ? *hit : next++;
    }
  };
  translate(canary.kinds(), ours.kinds(), t.kinds);
  translate(canary.names(), ours.names(), t.names);
  return t;
}

std::unordered_set<std::string> collect_floating_sids(const TraceIndex& canary, const TraceIndex& ours) {
  std::unordered_set<std::string> sids;
  for (const TraceIndex* ix : {&canary, &ours}) {
    for (const std::string& s : ix->recipe_sids()) sids.insert(s);
    for (uint32_t i = 0; i < ix->sids().size(); ++i)
      if (ix->sids().multi(i)) sids.insert(ix->sids().text(i));
  }
  return sids;
}

FloatingSids FloatingSids::build(const TraceIndex& canary, const TraceIndex& ours) {
  FloatingSids f;
  f.set = collect_floating_sids(canary, ours);
  std::unordered_set<uint64_t> hex_members;
  for (const std::string& s : f.set) {
    uint64_t v;
    if (canonical_hex_sid(s, &v)) hex_members.insert(v);
  }
  auto resolve = [&](const SidTable& t, std::vector<uint8_t>& out) {
    out.resize(t.size());
    for (uint32_t i = 0; i < t.size(); ++i) {
      uint64_t v;
      out[i] = t.hex(i, &v) ? hex_members.count(v) != 0 : f.set.count(t.text(i)) != 0;
    }
  };
  resolve(canary.sids(), f.canary);
  resolve(ours.sids(), f.ours);
  f.empty_string = f.set.count("") != 0;
  return f;
}

// ---- exact comparison ------------------------------------------------------

namespace {

// Concatenation via append (GCC 12 warns spuriously on chains of operator+).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s.append(p);
  return s;
}

[[noreturn]] void crash(const std::string& where, const std::string& what) { throw DiffFailure{1, where + ": " + what}; }

const PyValue& none_value() {
  static const PyValue v;
  return v;
}

const PyValue& get_or_none(const PyValue& d, std::string_view k) {
  const PyValue* v = d.get(k);
  return v ? *v : none_value();
}

bool skip_field(std::string_view kind, std::string_view field) {
  if (kind == "handle.create" || kind == "handle.destroy") return field == "raw_handle_id" || field == "handle_semantic_id";
  if (kind == "thread.create") return field == "handle_semantic_id" || field == "parent_tid";
  if (kind == "wait.begin") return field == "handles_semantic_ids";
  if (kind == "wait.end") return field == "wait_duration_cycles" || field == "woken_by_semantic_id";
  return false;
}

std::string name_part(const PyValue& pc, const PyValue& po) {
  const PyValue& a = get_or_none(pc, "name");
  const PyValue& name = a.truthy() ? a : get_or_none(po, "name");
  return name.truthy() ? " name=" + py_str(name) : std::string();
}

std::optional<std::string> compare_payload(const PyValue& kind_v, const PyValue& pc, const PyValue& po, const WhereFn& wc,
                                           const WhereFn& wo) {
  std::string_view kind = kind_v.is_str() ? std::string_view(kind_v.as_str()) : std::string_view("\0", 1);
  if (!pc.is_dict()) crash(wc(), "event payload is not an object");
  if (!po.is_dict()) crash(wo(), "event payload is not an object");
  if (kind == "kernel.return") {
    for (const char* field : {"return_value", "status"}) {
      const PyValue* vc = pc.get(field);
      const PyValue* vo = po.get(field);
      if (!vc || !vo) continue;
      if (!py_equal(*vc, *vo))
        return cat({"[", field, " mismatch] kernel.return", name_part(pc, po), ": canary=", py_repr(*vc), " ours=",
                    py_repr(*vo)});
    }
  }
  if (kind == "kernel.call") {
    for (const char* sub : {"args", "args_resolved"}) {
      const PyValue* sc = pc.get(sub);
      const PyValue* so = po.get(sub);
      if (!sc || !so || !sc->is_dict() || !so->is_dict()) continue;
      if (py_equal(*sc, *so)) continue;
      auto tag = [&](const std::string& k, const PyValue& a, const PyValue& b) {
        return cat({"[", sub, ".", k, " mismatch] kernel.call", name_part(pc, po), ": canary=", py_repr(a), " ours=",
                    py_repr(b)});
      };
      for (const auto& [k, v] : sc->members()) {
        const PyValue* ov = so->get(k);
        if (!ov || !py_equal(v, *ov)) return tag(k, v, ov ? *ov : none_value());
      }
      for (const auto& [k, v] : so->members())
        if (!sc->contains(k)) return tag(k, none_value(), v);
    }
  }
  for (const auto& [k, vc] : pc.members()) {
    if (skip_field(kind, k)) continue;
    const PyValue& vo = get_or_none(po, k);
    if (!py_equal(vc, vo)) return cat({"payload.", k, ": canary=", py_repr(vc), " ours=", py_repr(vo)});
  }
  for (const auto& [k, vo] : po.members()) {
    if (skip_field(kind, k) || pc.contains(k)) continue;
    if (!vo.is_none()) return cat({"payload.", k, ": canary=<missing> ours=", py_repr(vo)});
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> compare_events_exact(const PyValue& ec, const PyValue& eo, const WhereFn& wc,
                                                const WhereFn& wo) {
  const PyValue& kc = get_or_none(ec, "kind");
  const PyValue& ko = get_or_none(eo, "kind");
  if (!py_equal(kc, ko)) return cat({"kind: canary=", py_repr(kc), " ours=", py_repr(ko)});
  static const PyValue empty = PyValue::dict();
  const PyValue* pc = ec.get("payload");
  const PyValue* po = eo.get("payload");
  if (!ec.contains("kind")) crash(wc(), "event has no kind");
  if (!kc.is_hashable()) crash(wc(), "event kind is a list or object");
  return compare_payload(kc, pc ? *pc : empty, po ? *po : empty, wc, wo);
}

std::string render_event(const PyValue& ev) {
  static const PyValue question = PyValue::str("?");
  static const PyValue empty = PyValue::dict();
  const PyValue* kp = ev.get("kind");
  const PyValue& kind = kp ? *kp : question;
  const PyValue* ip = ev.get("tid_event_idx");
  const PyValue& idx = ip ? *ip : question;
  const PyValue* pp = ev.get("payload");
  const PyValue& payload = pp ? *pp : empty;
  std::string head = cat({"[", py_str(idx), "] ", py_str(kind), " "});
  std::string_view k = kind.is_str() ? std::string_view(kind.as_str()) : std::string_view();
  if (kind.is_str() && (k == "kernel.call" || k == "kernel.return" || k == "import.call")) {
    if (!payload.is_dict()) throw DiffFailure{1, "cannot render event: payload is not an object"};
    const PyValue& name = get_or_none(payload, "name");
    return head + py_str(name.truthy() ? name : get_or_none(payload, "ord"));
  }
  if (kind.is_str() && (k == "handle.create" || k == "handle.destroy")) {
    if (!payload.is_dict()) throw DiffFailure{1, "cannot render event: payload is not an object"};
    const PyValue* sid = payload.get("handle_semantic_id");
    return head + "sid=" + (sid ? py_str(*sid) : std::string("?"));
  }
  return head + py_str(payload);
}

// ---- the walk --------------------------------------------------------------

namespace {

class Walker {
 public:
  Walker(const TidKey& ct, const TidKey& ot, const TraceIndex& c, const TidStream& cs, const TraceIndex& o,
         const TidStream& os, const IdTranslation& ids, const FloatingSids& floating, const AbsorberSwitches& ab,
         std::string* absorbed)
      : ctid_(ct),
        otid_(ot),
        C(c),
        CS(cs),
        O(o),
        OS(os),
        ids_(ids),
        fl_(floating),
        floating_(floating.set),
        ab_(ab),
        absorbed_(absorbed) {}

  PairResult run();

 private:
  uint32_t ckind(size_t i) const { return C.kind_of(CS.events[i]); }
  uint32_t okind(size_t i) const {
    uint32_t k = O.kind_of(OS.events[i]);
    return k == kKindUnhashable ? k : ids_.kinds[k];
  }
  uint32_t cname(size_t i) const { return CS.events[i].name_id(); }
  uint32_t oname(size_t i) const { return ids_.names[OS.events[i].name_id()]; }

  const PyValue& cev(size_t i) { return cached(0, i); }
  const PyValue& oev(size_t i) { return cached(1, i); }
  const PyValue& cached(int side, size_t i) {
    for (auto& e : cache_)
      if (e.valid && e.side == side && e.index == i) return e.value;
    auto& slot = cache_[next_slot_++ % cache_.size()];
    const Record& r = side == 0 ? CS.events[i] : OS.events[i];
    slot.value = (side == 0 ? C : O).materialize(r);
    slot.side = side;
    slot.index = i;
    slot.valid = true;
    return slot.value;
  }
  std::string cwhere(size_t i) const { return C.where(CS.events[i]); }
  std::string owhere(size_t i) const { return O.where(OS.events[i]); }

  bool engine_local(int side, size_t i) {
    uint32_t k = side == 0 ? ckind(i) : okind(i);
    if (k == kKindUnhashable) crash(side == 0 ? cwhere(i) : owhere(i), "event kind is a list or object");
    return is_engine_local_kind(k);
  }

  // `(ev.get("payload") or {})` must support .get().
  void check_payload_getable(int side, size_t i) {
    const Record& r = side == 0 ? CS.events[i] : OS.events[i];
    if (r.flags() & Record::kPayloadTruthyNonDict) crash(side == 0 ? cwhere(i) : owhere(i), "event payload is not an object");
  }

  // `_ev_handle_create_sid(ev) in floating`.
  bool floating_create(int side, size_t i) {
    const Record& r = side == 0 ? CS.events[i] : OS.events[i];
    if (!(r.flags() & (Record::kExotic | Record::kPayloadTruthyNonDict))) {
      if (r.ordinal == kSidNone) return fl_.empty_string;
      return (side == 0 ? fl_.canary : fl_.ours)[r.ordinal - 1] != 0;
    }
    return floating_.count(handle_create_sid(side, i)) != 0;
  }

  std::string handle_create_sid(int side, size_t i) {
    check_payload_getable(side, i);
    const PyValue& ev = side == 0 ? cev(i) : oev(i);
    const PyValue* p = ev.get("payload");
    if (!p || !p->is_dict()) return "";
    const PyValue* s = p->get("handle_semantic_id");
    return s && s->is_str() ? s->as_str() : "";
  }

  bool shared_global_wait(int side, size_t i) {
    if (floating_.empty()) return false;
    const Record& r = side == 0 ? CS.events[i] : OS.events[i];
    if (!(r.flags() & (Record::kExotic | Record::kPayloadTruthyNonDict)) && r.ordinal != kSidMany) {
      if (r.ordinal == kSidNone) return false;
      return (side == 0 ? fl_.canary : fl_.ours)[r.ordinal - 1] != 0;
    }
    check_payload_getable(side, i);
    const PyValue& ev = side == 0 ? cev(i) : oev(i);
    EventFacts f;
    facts_from_value(ev, f);
    if (f.handles_crash) crash(side == 0 ? cwhere(i) : owhere(i), "wait.begin handles_semantic_ids is not iterable");
    for (std::string_view s : f.handles)
      if (floating_.count(std::string(s))) return true;
    return false;
  }

  bool is_named(int side, size_t i, uint32_t kind, uint32_t name) {
    if (side == 0 ? ckind(i) != kind : okind(i) != kind) return false;
    check_payload_getable(side, i);
    return (side == 0 ? cname(i) : oname(i)) == name;
  }

  bool enter_block(size_t i) {
    if (i + 3 > CS.events.size()) return false;
    return is_named(0, i, kKindImportCall, kNameRtlEnterCriticalSection) &&
           is_named(0, i + 1, kKindKernelCall, kNameRtlEnterCriticalSection) &&
           is_named(0, i + 2, kKindKernelReturn, kNameRtlEnterCriticalSection);
  }
  bool leave_block(size_t i) {
    if (i + 3 > CS.events.size()) return false;
    return is_named(0, i, kKindImportCall, kNameRtlLeaveCriticalSection) &&
           is_named(0, i + 1, kKindKernelCall, kNameRtlLeaveCriticalSection) &&
           is_named(0, i + 2, kKindKernelReturn, kNameRtlLeaveCriticalSection);
  }

  std::optional<size_t> try_nested_cs(size_t ic, size_t io) {
    if (!is_named(0, ic, kKindImportCall, kNameRtlEnterCriticalSection)) return std::nullopt;
    if (!is_named(1, io, kKindImportCall, kNameRtlLeaveCriticalSection)) return std::nullopt;
    size_t pos = ic;
    for (int pairs = 0; pairs < 32;) {
      if (!enter_block(pos)) break;
      if (!leave_block(pos + 3)) break;
      ++pairs;
      pos += 6;
      if (pos < CS.events.size() && ckind(pos) == okind(io)) {
        check_payload_getable(0, pos);
        check_payload_getable(1, io);
        if (cname(pos) == oname(io)) return pos - ic;
      }
    }
    return std::nullopt;
  }

  void absorb_nested_cs(size_t ic, size_t skip, uint64_t matched) {
    if (!absorbed_) return;
    for (size_t j = 0; j < skip; ++j)
      absorb("nested-cs", "canary", cev(ic + j), matched, static_cast<int64_t>(skip / 6), static_cast<int64_t>(j));
  }

  // True when compare(ic, io) would report a divergence without raising and
  // only the nested-cs absorber can apply: both fast-path records (dict or
  // no payload, str kind), both import.call, canary's name
  // RtlEnterCriticalSection and ours' RtlLeaveCriticalSection (different
  // str names make the payloads unequal).
  bool surely_nested_cs_mismatch(size_t ic, size_t io) const {
    const Record& rc = CS.events[ic];
    const Record& ro = OS.events[io];
    if ((rc.flags() | ro.flags()) & (Record::kExotic | Record::kPayloadTruthyNonDict)) return false;
    return ckind(ic) == kKindImportCall && okind(io) == kKindImportCall && cname(ic) == kNameRtlEnterCriticalSection &&
           oname(io) == kNameRtlLeaveCriticalSection;
  }

  std::optional<std::string> compare(size_t ic, size_t io) {
    const Record& rc = CS.events[ic];
    const Record& ro = OS.events[io];
    bool exact = (rc.flags() | ro.flags()) & Record::kExotic;
    if (!exact) {
      uint32_t kc = ckind(ic), ko = okind(io);
      if (kc != ko) {
        std::string d = "kind: canary=";
        if (kc == kKindNone) d += "None";
        else py_repr_str(C.kinds().text(kc), d);
        d += " ours=";
        if (O.kind_of(ro) == kKindNone) d += "None";
        else py_repr_str(O.kinds().text(O.kind_of(ro)), d);
        return d;
      }
      constexpr uint8_t kCanon = Record::kCanonAlloc | Record::kCanonCtx;
      bool same_canon = (rc.flags() & kCanon) == (ro.flags() & kCanon) &&
                        (!(rc.flags() & kCanon) || rc.ordinal == ro.ordinal);
      if (rc.fp == ro.fp && same_canon) {
        // A missing kind on both sides would make the reference index
        // ev_canary["kind"]; only the exact path knows absent from null.
        if (kc != kKindNone) return std::nullopt;
      }
    }
    return compare_events_exact(cev(ic), oev(io), [&] { return cwhere(ic); }, [&] { return owhere(io); });
  }

  void absorb(const char* absorber, const char* side, const PyValue& ev, uint64_t matched, int64_t pairs = -1,
              int64_t window = -1) {
    if (!absorbed_) return;
    std::string& o = *absorbed_;
    o += "{\"absorber\": \"";
    o += absorber;
    o += "\", \"canary_tid\": ";
    ctid_.json(o);
    o += ", \"event\": ";
    json_dumps_sorted(ev, o);
    o += ", \"matched_at\": " + std::to_string(matched) + ", \"ours_tid\": ";
    otid_.json(o);
    if (pairs >= 0) o += ", \"pairs_consumed\": " + std::to_string(pairs);
    o += ", \"side\": \"";
    o += side;
    o += "\"";
    if (window >= 0) o += ", \"window_offset\": " + std::to_string(window);
    o += "}\n";
  }

  struct CacheEntry {
    bool valid = false;
    int side = 0;
    size_t index = 0;
    PyValue value;
  };

  const TidKey& ctid_;
  const TidKey& otid_;
  const TraceIndex& C;
  const TidStream& CS;
  const TraceIndex& O;
  const TidStream& OS;
  const IdTranslation& ids_;
  const FloatingSids& fl_;
  const std::unordered_set<std::string>& floating_;
  AbsorberSwitches ab_;
  std::string* absorbed_;
  std::array<CacheEntry, 8> cache_;
  size_t next_slot_ = 0;
};

PairResult Walker::run() {
  PairResult r;
  r.canary_tid = ctid_;
  r.ours_tid = otid_;
  r.canary_total = CS.events.size();
  r.ours_total = OS.events.size();
  if (CS.events.size()) r.canary_first_at = {&C, &CS.events[0]};
  if (OS.events.size()) r.ours_first_at = {&O, &OS.events[0]};
  size_t nc = CS.events.size(), no = OS.events.size();
  size_t ic = 0, io = 0;
  uint64_t matched = 0;
  std::array<std::pair<size_t, size_t>, 5> ring{};
  size_t ring_n = 0;
  while (ic < nc && io < no) {
    if (engine_local(0, ic)) {
      ++ic;
      continue;
    }
    if (engine_local(1, io)) {
      ++io;
      continue;
    }
    // Nested critical-section noise: canary enters while ours leaves. Such
    // records differ for sure (their names differ) and compare() cannot
    // raise on fast-path records, so the absorber may run first and the
    // divergence text (an exact re-read of both events) is only built if
    // it declines.
    if (ab_.nested_cs && surely_nested_cs_mismatch(ic, io)) {
      if (std::optional<size_t> skip = try_nested_cs(ic, io)) {
        absorb_nested_cs(ic, *skip, matched);
        ic += *skip;
        continue;
      }
    }
    std::optional<std::string> d = compare(ic, io);
    if (!d) {
      ++matched;
      ring[ring_n % 5] = {ic, io};
      ++ring_n;
      ++ic;
      ++io;
      continue;
    }
    uint32_t kc = ckind(ic), ko = okind(io);
    if (ab_.shared_global && kc == kKindHandleCreate && ko != kKindHandleCreate && floating_create(0, ic)) {
      ++r.skipped_canary;
      if (absorbed_) absorb("shared-global", "canary", cev(ic), matched);
      ++ic;
      continue;
    }
    if (ab_.shared_global && ko == kKindHandleCreate && kc != kKindHandleCreate && floating_create(1, io)) {
      ++r.skipped_ours;
      if (absorbed_) absorb("shared-global", "ours", oev(io), matched);
      ++io;
      continue;
    }
    if (ab_.wait_begin && kc == kKindWaitBegin && ko != kKindWaitBegin && shared_global_wait(0, ic)) {
      ++r.skipped_canary_wait;
      if (absorbed_) absorb("wait-begin", "canary", cev(ic), matched);
      ++ic;
      continue;
    }
    if (ab_.wait_begin && ko == kKindWaitBegin && kc != kKindWaitBegin && shared_global_wait(1, io)) {
      ++r.skipped_ours_wait;
      if (absorbed_) absorb("wait-begin", "ours", oev(io), matched);
      ++io;
      continue;
    }
    if (ab_.nested_cs) {
      if (std::optional<size_t> skip = try_nested_cs(ic, io)) {
        absorb_nested_cs(ic, *skip, matched);
        ic += *skip;
        continue;
      }
    }
    r.diverged = true;
    r.diverged_at = matched;
    r.diff_descr = std::move(*d);
    break;
  }
  r.matched = matched;
  if (r.diverged) {
    size_t first = ring_n > 5 ? ring_n - 5 : 0;
    for (size_t k = first; k < ring_n; ++k) {
      auto [a, b] = ring[k % 5];
      r.pre_context.emplace_back(C.materialize(CS.events[a]), O.materialize(OS.events[b]));
      r.pre_context_at.emplace_back(EventRef{&C, &CS.events[a]}, EventRef{&O, &OS.events[b]});
    }
    r.post_canary = C.materialize(CS.events[ic]);
    r.post_ours = O.materialize(OS.events[io]);
    r.post_canary_at = {&C, &CS.events[ic]};
    r.post_ours_at = {&O, &OS.events[io]};
    if (ic + 1 < nc) {
      r.next_canary = C.materialize(CS.events[ic + 1]);
      r.next_canary_at = {&C, &CS.events[ic + 1]};
    }
    if (io + 1 < no) {
      r.next_ours = O.materialize(OS.events[io + 1]);
      r.next_ours_at = {&O, &OS.events[io + 1]};
    }
  }
  return r;
}

}  // namespace

PairResult diff_pair(const TidKey& canary_tid, const TidKey& ours_tid, const TraceIndex& canary, const TidStream& cs,
                     const TraceIndex& ours, const TidStream& os, const IdTranslation& ids,
                     const FloatingSids& floating, const AbsorberSwitches& absorbers, std::string* absorbed) {
  Walker w(canary_tid, ours_tid, canary, cs, ours, os, ids, floating, absorbers, absorbed);
  return w.run();
}

}  // namespace xdet::diff
