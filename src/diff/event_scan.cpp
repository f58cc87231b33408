#include "diff/event_scan.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "diff/py_json.h"

namespace xdet::diff {

void EventFacts::reset() {
  tid = Presence::kMissing;
  idx = Presence::kMissing;
  kind_state = Presence::kMissing;
  kind_unhashable = false;
  kind = {};
  payload = PayloadState::kMissing;
  name_state = NameState::kNone;
  name = {};
  has_return_value = has_status = ctx_ptr_is_str = false;
  hsid_is_str = raw_is_str = object_type_is_int = object_type_unusual = false;
  hsid = raw = {};
  handles.clear();
  handles_crash = false;
  exotic = false;
  fields.clear();
}

// ---- hashing ---------------------------------------------------------------

namespace {
constexpr uint64_t kTagStr = 0x5bd1e9955bd1e995ull;
constexpr uint64_t kTagNum = 0x27d4eb2f165667c5ull;
constexpr uint64_t kTagFloat = 0x165667b19e3779f9ull;
constexpr uint64_t kTagNull = 0x85ebca77c2b2ae63ull;
constexpr uint64_t kTagList = 0xc2b2ae3d27d4eb4full;
constexpr uint64_t kTagDict = 0x9e3779b185ebca87ull;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t fmix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}
}  // namespace

uint64_t hash_bytes(const void* data, size_t n, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h ^= w * 0xbf58476d1ce4e5b9ull;
    h = rotl(h, 29) * 0x94d049bb133111ebull;
    p += 8;
    n -= 8;
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h ^= w * 0xbf58476d1ce4e5b9ull;
    h = rotl(h, 29) * 0x94d049bb133111ebull;
  }
  return fmix(h);
}
uint64_t hash_str(std::string_view s) { return hash_bytes(s.data(), s.size(), kTagStr); }
uint64_t hash_field(uint64_t k, uint64_t v) { return fmix(k * 0x9E3779B97F4A7C15ull + rotl(v, 17) + 0x632be59bd9b4e019ull); }
uint64_t hash_int(int64_t v) { return fmix(static_cast<uint64_t>(v) ^ kTagNum) ^ kTagNum; }
uint64_t hash_null() { return kTagNull; }

static uint64_t hash_double(double d) {
  if (d == std::floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
    return hash_int(static_cast<int64_t>(d));
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return fmix(bits ^ kTagFloat);
}

FieldCode classify_key(std::string_view k) {
  switch (k.size()) {
    case 4: if (k == "name") return FieldCode::kName; break;
    case 6: if (k == "status") return FieldCode::kStatus; break;
    case 7: if (k == "ctx_ptr") return FieldCode::kCtxPtr; break;
    case 10: if (k == "parent_tid") return FieldCode::kParentTid; break;
    case 11: if (k == "object_type") return FieldCode::kObjectType; break;
    case 12: if (k == "return_value") return FieldCode::kReturnValue; break;
    case 13: if (k == "raw_handle_id") return FieldCode::kRawHandleId; break;
    case 18: if (k == "handle_semantic_id") return FieldCode::kHandleSemanticId; break;
    case 20:
      if (k == "handles_semantic_ids") return FieldCode::kHandlesSemanticIds;
      if (k == "wait_duration_cycles") return FieldCode::kWaitDurationCycles;
      if (k == "woken_by_semantic_id") return FieldCode::kWokenBySemanticId;
      break;
    default: break;
  }
  return FieldCode::kOther;
}

// ---- fast scanner ----------------------------------------------------------

namespace {
// 1 for bytes that end a plain run inside a string: '"', '\\', controls, non-ASCII.
struct StringStopTable {
  unsigned char t[256];
  constexpr StringStopTable() : t{} {
    for (int i = 0; i < 256; ++i) t[i] = (i < 0x20 || i == '"' || i == '\\' || i >= 0x80) ? 1 : 0;
  }
};
constexpr StringStopTable kStop;

inline bool hexd(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
}  // namespace

struct FastScanner::Cursor {
  const char* p;
  const char* end;
  bool non_ascii = false;
  void ws() {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  }
};

std::string_view FastScanner::intern_scratch(std::string_view body) {
  if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
  std::string& s = scratch_[scratch_used_++];
  s.clear();
  json_unescape(body, s);
  return s;
}

// At the opening quote. On success `out` is the decoded text.
bool FastScanner::scan_string(Cursor& c, std::string_view& out, bool& escaped) {
  const char* start = ++c.p;
  escaped = false;
  for (;;) {
    while (c.p < c.end && !kStop.t[static_cast<unsigned char>(*c.p)]) ++c.p;
    if (c.p >= c.end) return false;
    unsigned char ch = static_cast<unsigned char>(*c.p);
    if (ch == '"') break;
    if (ch >= 0x80) {
      c.non_ascii = true;
      ++c.p;
      continue;
    }
    if (ch != '\\') return false;  // control character
    escaped = true;
    if (c.p + 1 >= c.end) return false;
    char e = c.p[1];
    if (e == 'u') {
      if (c.p + 6 > c.end || !hexd(c.p[2]) || !hexd(c.p[3]) || !hexd(c.p[4]) || !hexd(c.p[5])) return false;
      c.p += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
      c.p += 2;
    } else {
      return false;
    }
  }
  std::string_view body(start, c.p - start);
  ++c.p;
  out = escaped ? intern_scratch(body) : body;
  return true;
}

namespace {
enum class VType : uint8_t { kStr, kInt, kFloat, kBool, kNull, kList, kDict };
}

// Scans one number; sets hash. Declines anything but plain int64 / finite double.
static bool scan_number(const char*& p, const char* end, uint64_t& hash, VType& type, int64_t& ival, double& dval) {
  const char* s = p;
  if (p < end && *p == '-') ++p;
  if (p >= end) return false;
  if (*p == '0') {
    ++p;
  } else if (*p >= '1' && *p <= '9') {
    while (p < end && *p >= '0' && *p <= '9') ++p;
  } else {
    return false;
  }
  bool is_float = false;
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return false;
    while (p < end && *p >= '0' && *p <= '9') ++p;
    is_float = true;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return false;
    while (p < end && *p >= '0' && *p <= '9') ++p;
    is_float = true;
  }
  if (!is_float) {
    auto r = std::from_chars(s, p, ival);
    if (r.ec != std::errc() || r.ptr != p) return false;
    type = VType::kInt;
    hash = hash_int(ival);
    return true;
  }
  auto r = std::from_chars(s, p, dval);
  if (r.ec != std::errc() || r.ptr != p || !std::isfinite(dval)) return false;
  type = VType::kFloat;
  hash = hash_double(dval);
  return true;
}

bool FastScanner::scan_value(Cursor& c, uint64_t& hash, int depth) {
  if (c.p >= c.end) return false;
  char ch = *c.p;
  switch (ch) {
    case '"': {
      std::string_view s;
      bool esc;
      if (!scan_string(c, s, esc)) return false;
      hash = hash_str(s);
      return true;
    }
    case 't':
      if (c.end - c.p >= 4 && std::memcmp(c.p, "true", 4) == 0) {
        c.p += 4;
        hash = hash_int(1);
        return true;
      }
      return false;
    case 'f':
      if (c.end - c.p >= 5 && std::memcmp(c.p, "false", 5) == 0) {
        c.p += 5;
        hash = hash_int(0);
        return true;
      }
      return false;
    case 'n':
      if (c.end - c.p >= 4 && std::memcmp(c.p, "null", 4) == 0) {
        c.p += 4;
        hash = hash_null();
        return true;
      }
      return false;
    case '[': {
      if (depth >= 64) return false;
      ++c.p;
      c.ws();
      uint64_t h = kTagList;
      uint64_t n = 0;
      if (c.p < c.end && *c.p == ']') {
        ++c.p;
      } else {
        for (;;) {
          uint64_t eh;
          if (!scan_value(c, eh, depth + 1)) return false;
          h = rotl(h ^ eh, 23) * 0x9E3779B97F4A7C15ull;
          ++n;
          c.ws();
          if (c.p >= c.end) return false;
          if (*c.p == ']') {
            ++c.p;
            break;
          }
          if (*c.p != ',') return false;
          ++c.p;
          c.ws();
        }
      }
      hash = fmix(h ^ n);
      return true;
    }
    case '{': {
      if (depth >= 64) return false;
      ++c.p;
      c.ws();
      size_t frame = key_stack_.size();
      uint64_t sum = 0;
      if (c.p < c.end && *c.p == '}') {
        ++c.p;
      } else {
        for (;;) {
          if (c.p >= c.end || *c.p != '"') return false;
          std::string_view key;
          bool esc;
          if (!scan_string(c, key, esc)) return false;
          uint64_t kh = hash_str(key);
          for (size_t i = frame; i < key_stack_.size(); ++i)
            if (key_stack_[i] == kh) return false;  // duplicate key: exact path
          key_stack_.push_back(kh);
          c.ws();
          if (c.p >= c.end || *c.p != ':') return false;
          ++c.p;
          c.ws();
          uint64_t vh;
          if (!scan_value(c, vh, depth + 1)) return false;
          sum += hash_field(kh, vh);
          c.ws();
          if (c.p >= c.end) return false;
          if (*c.p == '}') {
            ++c.p;
            break;
          }
          if (*c.p != ',') return false;
          ++c.p;
          c.ws();
        }
      }
      uint64_t n = key_stack_.size() - frame;
      key_stack_.resize(frame);
      hash = fmix(sum ^ kTagDict ^ (n << 1));
      return true;
    }
    default: {
      VType t;
      int64_t iv;
      double dv;
      return scan_number(c.p, c.end, hash, t, iv, dv);
    }
  }
}

bool FastScanner::scan_payload(Cursor& c, EventFacts& f) {
  // At '{'.
  ++c.p;
  c.ws();
  f.payload = EventFacts::PayloadState::kDict;
  size_t frame = key_stack_.size();
  if (c.p < c.end && *c.p == '}') {
    ++c.p;
    return true;
  }
  for (;;) {
    if (c.p >= c.end || *c.p != '"') return false;
    std::string_view key;
    bool esc;
    if (!scan_string(c, key, esc)) return false;
    uint64_t kh = hash_str(key);
    for (size_t i = frame; i < key_stack_.size(); ++i)
      if (key_stack_[i] == kh) return false;
    key_stack_.push_back(kh);
    FieldCode code = classify_key(key);
    c.ws();
    if (c.p >= c.end || *c.p != ':') return false;
    ++c.p;
    c.ws();
    if (c.p >= c.end) return false;
    uint64_t vh = 0;
    bool is_null = false;
    char ch = *c.p;
    if (ch == '"') {
      std::string_view s;
      if (!scan_string(c, s, esc)) return false;
      vh = hash_str(s);
      switch (code) {
        case FieldCode::kName:
          if (!s.empty() && s[0] == '\0') return false;
          f.name_state = EventFacts::NameState::kStr;
          f.name = s;
          break;
        case FieldCode::kCtxPtr: f.ctx_ptr_is_str = true; break;
        case FieldCode::kHandleSemanticId:
          f.hsid_is_str = true;
          f.hsid = s;
          break;
        case FieldCode::kRawHandleId:
          f.raw_is_str = true;
          f.raw = s;
          break;
        case FieldCode::kHandlesSemanticIds: return false;  // str iterated per char: exact path
        default: break;
      }
    } else if (code == FieldCode::kHandlesSemanticIds && ch == '[') {
      // Collect the str items; hash like scan_value's list.
      ++c.p;
      c.ws();
      uint64_t h = kTagList;
      uint64_t n = 0;
      if (c.p < c.end && *c.p == ']') {
        ++c.p;
      } else {
        for (;;) {
          uint64_t eh;
          if (c.p < c.end && *c.p == '"') {
            std::string_view s;
            if (!scan_string(c, s, esc)) return false;
            eh = hash_str(s);
            f.handles.push_back(s);
          } else if (!scan_value(c, eh, 2)) {
            return false;
          }
          h = rotl(h ^ eh, 23) * 0x9E3779B97F4A7C15ull;
          ++n;
          c.ws();
          if (c.p >= c.end) return false;
          if (*c.p == ']') {
            ++c.p;
            break;
          }
          if (*c.p != ',') return false;
          ++c.p;
          c.ws();
        }
      }
      vh = fmix(h ^ n);
    } else if (ch == 'n') {
      if (!scan_value(c, vh, 1)) return false;
      is_null = true;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      VType t;
      int64_t iv = 0;
      double dv;
      if (!scan_number(c.p, c.end, vh, t, iv, dv)) return false;
      if (code == FieldCode::kName || code == FieldCode::kHandlesSemanticIds) return false;
      if (code == FieldCode::kObjectType && t == VType::kInt) {
        f.object_type_is_int = true;
        f.object_type = iv;
      }
    } else {
      // true/false (bools are ints to isinstance) and containers: exact path
      // when they sit in a field with a role.
      if (code == FieldCode::kName || code == FieldCode::kObjectType || code == FieldCode::kHandlesSemanticIds) return false;
      if (!scan_value(c, vh, 1)) return false;
    }
    if (code == FieldCode::kReturnValue) f.has_return_value = true;
    if (code == FieldCode::kStatus) f.has_status = true;
    f.fields.push_back(PayloadField{code, is_null, hash_field(kh, vh)});
    c.ws();
    if (c.p >= c.end) return false;
    if (*c.p == '}') {
      ++c.p;
      break;
    }
    if (*c.p != ',') return false;
    ++c.p;
    c.ws();
  }
  key_stack_.resize(frame);
  return true;
}

bool FastScanner::scan(std::string_view line, EventFacts& f) {
  f.reset();
  scratch_used_ = 0;
  key_stack_.clear();
  Cursor c{line.data(), line.data() + line.size()};
  c.ws();
  if (c.p >= c.end || *c.p != '{') return false;
  ++c.p;
  c.ws();
  bool seen_tid = false, seen_idx = false, seen_kind = false, seen_payload = false;
  if (c.p < c.end && *c.p == '}') {
    ++c.p;
  } else {
    for (;;) {
      if (c.p >= c.end || *c.p != '"') return false;
      std::string_view key;
      bool esc;
      if (!scan_string(c, key, esc)) return false;
      c.ws();
      if (c.p >= c.end || *c.p != ':') return false;
      ++c.p;
      c.ws();
      if (c.p >= c.end) return false;
      char ch = *c.p;
      if (key == "tid" || key == "tid_event_idx") {
        bool is_tid = key.size() == 3;
        bool& seen = is_tid ? seen_tid : seen_idx;
        if (seen) return false;
        seen = true;
        if (ch == 'n') {
          uint64_t h;
          if (!scan_value(c, h, 1)) return false;
          (is_tid ? f.tid : f.idx) = EventFacts::Presence::kNull;
        } else {
          uint64_t h;
          VType t;
          int64_t iv = 0;
          double dv = 0;
          if (!scan_number(c.p, c.end, h, t, iv, dv)) return false;
          if (is_tid) {
            if (t != VType::kInt) return false;
            f.tid = EventFacts::Presence::kInt;
            f.tid_value = iv;
          } else if (t == VType::kInt) {
            f.idx = EventFacts::Presence::kInt;
            f.idx_int = iv;
          } else {
            f.idx = EventFacts::Presence::kFloat;
            f.idx_float = dv;
          }
        }
      } else if (key == "kind") {
        if (seen_kind) return false;
        seen_kind = true;
        if (ch == '"') {
          if (!scan_string(c, f.kind, esc)) return false;
          if (!f.kind.empty() && f.kind[0] == '\0') return false;
          f.kind_state = EventFacts::Presence::kStr;
        } else if (ch == 'n') {
          uint64_t h;
          if (!scan_value(c, h, 1)) return false;
          f.kind_state = EventFacts::Presence::kNull;
        } else {
          return false;
        }
      } else if (key == "payload") {
        if (seen_payload || ch != '{') return false;
        seen_payload = true;
        if (!scan_payload(c, f)) return false;
      } else {
        uint64_t h;
        if (!scan_value(c, h, 1)) return false;
      }
      c.ws();
      if (c.p >= c.end) return false;
      if (*c.p == '}') {
        ++c.p;
        break;
      }
      if (*c.p != ',') return false;
      ++c.p;
      c.ws();
    }
  }
  c.ws();
  if (c.p != c.end) return false;
  if (c.non_ascii && !utf8_valid(line, nullptr)) return false;
  return true;
}

// ---- slow path -------------------------------------------------------------

std::string scalar_intern_key(const PyValue& v) {
  std::string k("\x00", 1);
  switch (v.type()) {
    case PyValue::Type::kStr:
      // Strings intern as themselves; the rare one starting with NUL gets a
      // tag so it cannot collide with the tagged non-str keys below.
      return (!v.as_str().empty() && v.as_str()[0] == '\0') ? k + "s" + v.as_str() : v.as_str();
    case PyValue::Type::kBool:
    case PyValue::Type::kInt: return k + "n" + std::to_string(v.as_int());
    case PyValue::Type::kBigInt: return k + "n" + v.as_str();
    case PyValue::Type::kFloat: {
      double d = v.as_float();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) return k + "n" + std::to_string(static_cast<int64_t>(d));
      std::string r;
      py_repr_float(d, r);
      return k + "f" + r;
    }
    case PyValue::Type::kNone: return k + "z";
    default: return k + "x" + py_repr(v);
  }
}

void facts_from_value(const PyValue& ev, EventFacts& f) {
  using P = EventFacts::Presence;
  using T = PyValue::Type;
  f.reset();
  f.exotic = true;
  auto presence = [](const PyValue* v) {
    if (!v) return P::kMissing;
    switch (v->type()) {
      case T::kNone: return P::kNull;
      case T::kStr: return P::kStr;
      case T::kInt: return P::kInt;
      case T::kFloat: return P::kFloat;
      default: return P::kOther;
    }
  };
  const PyValue* tid = ev.get("tid");
  f.tid = presence(tid);
  if (f.tid == P::kInt) f.tid_value = tid->as_int();
  const PyValue* idx = ev.get("tid_event_idx");
  f.idx = presence(idx);
  if (idx && idx->type() == T::kBool) f.idx = P::kInt;
  if (f.idx == P::kInt) f.idx_int = idx->as_int();
  if (f.idx == P::kFloat) f.idx_float = idx->as_float();

  const PyValue* kind = ev.get("kind");
  f.kind_state = presence(kind);
  if (f.kind_state == P::kStr) {
    static thread_local std::string skey;
    skey = scalar_intern_key(*kind);
    f.kind = skey;
  } else if (kind && !kind->is_hashable()) {
    f.kind_state = P::kOther;
    f.kind_unhashable = true;
  } else if (kind && !kind->is_none()) {
    f.kind_state = P::kOther;
    static thread_local std::string key;
    key = scalar_intern_key(*kind);
    f.kind = key;
  }

  const PyValue* payload = ev.get("payload");
  if (!payload) {
    f.payload = EventFacts::PayloadState::kMissing;
    return;
  }
  if (!payload->is_dict()) {
    f.payload = payload->truthy() ? EventFacts::PayloadState::kTruthyOther : EventFacts::PayloadState::kFalsyOther;
    return;
  }
  f.payload = EventFacts::PayloadState::kDict;
  const PyValue& p = *payload;
  if (const PyValue* name = p.get("name"); name && !name->is_none()) {
    if (name->is_str()) {
      f.name_state = EventFacts::NameState::kStr;
      static thread_local std::string snkey;
      snkey = scalar_intern_key(*name);
      f.name = snkey;
    } else if (name->is_hashable()) {
      f.name_state = EventFacts::NameState::kOtherHashable;
      static thread_local std::string nkey;
      nkey = scalar_intern_key(*name);
      f.name = nkey;
    } else {
      f.name_state = EventFacts::NameState::kUnhashable;
      static thread_local std::string ukey;
      ukey = scalar_intern_key(*name);
      f.name = ukey;
    }
  }
  f.has_return_value = p.contains("return_value");
  f.has_status = p.contains("status");
  if (const PyValue* v = p.get("ctx_ptr")) f.ctx_ptr_is_str = v->is_str();
  if (const PyValue* v = p.get("handle_semantic_id"); v && v->is_str()) {
    f.hsid_is_str = true;
    f.hsid = v->as_str();
  }
  if (const PyValue* v = p.get("raw_handle_id"); v && v->is_str()) {
    f.raw_is_str = true;
    f.raw = v->as_str();
  }
  if (const PyValue* v = p.get("object_type")) {
    if (v->type() == T::kInt || v->type() == T::kBool) {
      f.object_type_is_int = true;
      f.object_type = v->as_int();
    } else if (v->type() == T::kBigInt) {
      f.object_type_unusual = true;
    }
  }
  if (const PyValue* v = p.get("handles_semantic_ids"); v && v->truthy()) {
    switch (v->type()) {
      case T::kList:
        for (const PyValue& s : v->items())
          if (s.is_str()) f.handles.push_back(s.as_str());
        break;
      case T::kStr: {
        const std::string& s = v->as_str();
        size_t i = 0;
        while (i < s.size()) {
          size_t start = i;
          wtf8_next(s, i);
          f.handles.emplace_back(s.data() + start, i - start);
        }
        break;
      }
      case T::kDict:
        for (const auto& it : v->members()) f.handles.push_back(it.first);
        break;
      default: f.handles_crash = true; break;
    }
  }
}

}  // namespace xdet::diff
