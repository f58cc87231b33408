#include "diff/event_scan.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "diff/py_json.h"

namespace xdet::diff {

void EventFacts::reset() {
  tid = Presence::kMissing;
  tid_is_bool = false;
  tid_unhashable = false;
  tid_big = {};
  idx = Presence::kMissing;
  idx_value = nullptr;
  kind_state = Presence::kMissing;
  kind_unhashable = false;
  kind = {};
  payload = PayloadState::kMissing;
  name_state = NameState::kNone;
  name = {};
  // One assignment per member: chained `a = b = {}` copies through memory
  // (store, then reload) and stalls on store forwarding once per event.
  has_return_value = false;
  has_status = false;
  ctx_ptr_is_str = false;
  ctx_ptr_probe_raises = false;
  hsid_is_str = false;
  raw_is_str = false;
  object_type_is_int = false;
  object_type_unusual = false;
  hsid = {};
  raw = {};
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
  // Word-at-a-time mixing; the tail is read with overlapping loads instead
  // of a byte-wise copy. No final avalanche: every use feeds hash_field().
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ull);
  auto load64 = [](const unsigned char* q) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    return w;
  };
  auto load32 = [](const unsigned char* q) {
    uint32_t w;
    std::memcpy(&w, q, 4);
    return static_cast<uint64_t>(w);
  };
  auto mix = [&h](uint64_t w) {
    h ^= w * 0xbf58476d1ce4e5b9ull;
    h = rotl(h, 29) * 0x94d049bb133111ebull;
  };
  if (n >= 8) {
    const unsigned char* end = p + n;
    while (end - p > 8) {
      mix(load64(p));
      p += 8;
    }
    mix(load64(end - 8));
  } else if (n >= 4) {
    mix(load32(p) | (load32(p + n - 4) << 32));
  } else if (n > 0) {
    mix(static_cast<uint64_t>(p[0]) | (static_cast<uint64_t>(p[n / 2]) << 8) | (static_cast<uint64_t>(p[n - 1]) << 16));
  }
  return h ^ (h >> 31);
}
uint64_t hash_str(std::string_view s) { return hash_bytes(s.data(), s.size(), kTagStr); }
// One 64x64->128 multiply folded to 64 bits: a full avalanche of both
// inputs at a fraction of fmix's latency (this runs once per payload field).
uint64_t hash_field(uint64_t k, uint64_t v) {
  unsigned __int128 m = static_cast<unsigned __int128>(k ^ 0x9E3779B97F4A7C15ull) * (rotl(v, 17) ^ 0x632be59bd9b4e019ull);
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}
uint64_t hash_int(int64_t v) { return (static_cast<uint64_t>(v) ^ kTagNum) * 0xd6e8feb86659fd93ull; }
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
  // Inside one line only blanks can occur (\n and \r end the line).
  void ws() {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
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
inline bool FastScanner::scan_string(Cursor& c, std::string_view& out, bool& escaped, bool decode) {
  const char* start = ++c.p;
  escaped = false;
  for (;;) {
#ifdef __SSE2__
    // 16 bytes at a time: stop at '"', '\\', controls and non-ASCII (the
    // signed compare against 0x20 catches bytes >= 0x80 too).
    {
      const __m128i quote = _mm_set1_epi8('"');
      const __m128i bslash = _mm_set1_epi8('\\');
      const __m128i space = _mm_set1_epi8(0x20);
      while (c.end - c.p >= 16) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.p));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space));
        int mask = _mm_movemask_epi8(m);
        if (mask) {
          c.p += __builtin_ctz(static_cast<unsigned>(mask));
          break;
        }
        c.p += 16;
      }
    }
#endif
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
  out = (escaped && decode) ? intern_scratch(body) : body;
  return true;
}

namespace {
enum class VType : uint8_t { kStr, kInt, kFloat, kBool, kNull, kList, kDict };
}

// Length of the run of ASCII digits at p (8 bytes at a time: a per-byte
// loop mispredicts its exit on every number, several times per event).
static inline size_t digit_run(const char* p, const char* end) {
  size_t n = 0;
  while (end - p - static_cast<ptrdiff_t>(n) >= 8) {
    uint64_t w;
    std::memcpy(&w, p + n, 8);
    // Digits become 0x00..0x09; any other byte gets a high nibble bit set
    // here or after adding 6. Carries start only at non-digit bytes and move
    // to later bytes, so the first flagged byte is exact.
    uint64_t a = w ^ 0x3030303030303030ull;
    uint64_t bad = (a | (a + 0x0606060606060606ull)) & 0xF0F0F0F0F0F0F0F0ull;
    if (bad) return n + static_cast<size_t>(__builtin_ctzll(bad)) / 8;
    n += 8;
  }
  while (p + n < end && p[n] >= '0' && p[n] <= '9') ++n;
  return n;
}

// Value of `n` (1..8) ASCII digits at p, given that 8 bytes are readable.
static inline uint64_t parse_digits8(const char* p, size_t n) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  w <<= 8 * (8 - n);  // drop bytes past the digits; vacated low bytes read as leading zeros
  w = ((w & 0x0F0F0F0F0F0F0F0Full) * 2561) >> 8;
  w = ((w & 0x00FF00FF00FF00FFull) * 6553601) >> 16;
  return (((w & 0x0000FFFF0000FFFFull) * 42949672960001ull) >> 32) & 0xFFFFFFFFull;
}

// Scans one number; sets hash. Declines anything but plain int64 / finite double.
static bool scan_number(const char*& p, const char* end, uint64_t& hash, VType& type, int64_t& ival, double& dval) {
  const char* s = p;
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    ++p;
  }
  if (p >= end) return false;
  uint64_t acc = 0;
  int ndigits = 0;
  if (*p == '0') {
    ++p;
    ndigits = 1;
  } else if (*p >= '1' && *p <= '9') {
    size_t n = digit_run(p, end);
    if (n <= 8 && end - p >= 8) {
      acc = parse_digits8(p, n);
      ndigits = static_cast<int>(n);
      p += n;
    } else {
      while (p < end && *p >= '0' && *p <= '9') {
        acc = acc * 10 + static_cast<uint64_t>(*p - '0');
        ++ndigits;
        ++p;
      }
    }
  } else {
    return false;
  }
  if (ndigits <= 18 && (p >= end || (*p != '.' && *p != 'e' && *p != 'E'))) {
    ival = neg ? -static_cast<int64_t>(acc) : static_cast<int64_t>(acc);
    type = VType::kInt;
    hash = hash_int(ival);
    return true;
  }
  bool is_float = false;
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return false;
    p += digit_run(p, end);
    is_float = true;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return false;
    p += digit_run(p, end);
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

// JSON number grammar exactly as CPython's scanner consumes it; the value
// itself (big ints, 1e400) is not needed where only the text is hashed.
static bool number_grammar(const char*& p, const char* end) {
  if (p < end && *p == '-') ++p;
  if (p >= end) return false;
  if (*p == '0') {
    ++p;
  } else if (*p >= '1' && *p <= '9') {
    p += digit_run(p, end);
  } else {
    return false;
  }
  if (p < end && *p == '.') {
    ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return false;
    p += digit_run(p, end);
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p >= end || !(*p >= '0' && *p <= '9')) return false;
    p += digit_run(p, end);
  }
  return true;
}

namespace {
// Advances past `lit` if the cursor starts with it.
template <typename Cur, size_t N>
bool consume_literal(Cur& c, const char (&lit)[N]) {
  constexpr size_t len = N - 1;
  if (static_cast<size_t>(c.end - c.p) < len || std::memcmp(c.p, lit, len) != 0) return false;
  c.p += len;
  return true;
}
}  // namespace

// Validates one value without decoding or hashing it. NaN is only accepted
// where the reference compares it inside a container (always equal there:
// one shared NaN object); a bare NaN payload field needs the exact path.
bool FastScanner::skip_value(Cursor& c, int depth, bool allow_nan) {
  if (c.p >= c.end) return false;
  char ch = *c.p;
  switch (ch) {
    case '"': {
      std::string_view s;
      bool esc;
      return scan_string(c, s, esc, false);
    }
    case 't':
      return consume_literal(c, "true");
    case 'f':
      return consume_literal(c, "false");
    case 'n':
      return consume_literal(c, "null");
    case '[': {
      if (depth >= 64) return false;
      ++c.p;
      c.ws();
      if (c.p < c.end && *c.p == ']') {
        ++c.p;
        return true;
      }
      for (;;) {
        if (!skip_value(c, depth + 1, true)) return false;
        c.ws();
        if (c.p >= c.end) return false;
        if (*c.p == ']') {
          ++c.p;
          return true;
        }
        if (*c.p != ',') return false;
        ++c.p;
        c.ws();
      }
    }
    case '{': {
      if (depth >= 64) return false;
      ++c.p;
      c.ws();
      if (c.p < c.end && *c.p == '}') {
        ++c.p;
        return true;
      }
      for (;;) {
        if (c.p >= c.end || *c.p != '"') return false;
        std::string_view key;
        bool esc;
        if (!scan_string(c, key, esc, false)) return false;
        c.ws();
        if (c.p >= c.end || *c.p != ':') return false;
        ++c.p;
        c.ws();
        if (!skip_value(c, depth + 1, true)) return false;
        c.ws();
        if (c.p >= c.end) return false;
        if (*c.p == '}') {
          ++c.p;
          return true;
        }
        if (*c.p != ',') return false;
        ++c.p;
        c.ws();
      }
    }
    case 'N':
      return allow_nan && consume_literal(c, "NaN");
    case 'I':
      return consume_literal(c, "Infinity");
    default:
      if (ch == '-' && consume_literal(c, "-Infinity")) return true;
      return number_grammar(c.p, c.end);
  }
}

// The payload fingerprint sums one hash per top-level field (order-free, and
// fields holding null can be left out later). Each field hashes its value's
// raw JSON text: identical text means equal Python values; differently
// spelled but equal values (key order inside nested objects, 1 vs 1.0,
// escapes) just fall back to the exact comparison.
bool FastScanner::scan_payload(Cursor& c, EventFacts& f) {
  // At '{'.
  ++c.p;
  c.ws();
  f.payload = EventFacts::PayloadState::kDict;
  size_t nkeys = 0;
  uint64_t keys[32];
  if (c.p < c.end && *c.p == '}') {
    ++c.p;
    return true;
  }
  for (;;) {
    if (c.p >= c.end || *c.p != '"') return false;
    bool esc;
    uint64_t kh;
    FieldCode code;
    uint64_t lo = 0, hi = 0;
    KeyPattern* kp = nullptr;
    if (c.end - c.p >= 16) {
      std::memcpy(&lo, c.p, 8);
      std::memcpy(&hi, c.p + 8, 8);
      // Slot from the first three bytes only: they always belong to the
      // quoted key or its colon, while later bytes may already be the value.
      kp = &key_cache_[static_cast<size_t>(((lo & 0xFFFFFF) * 0x9E3779B97F4A7C15ull) >> 58) % kKeySlots];
    }
    if (kp && kp->len && (lo & kp->mlo) == kp->lo && (hi & kp->mhi) == kp->hi) {
      c.p += kp->len;  // the quoted key and its colon
      kh = kp->hash;
      code = kp->code;
    } else {
      const char* key_start = c.p;
      bool non_ascii = c.non_ascii;
      c.non_ascii = false;
      std::string_view key;
      if (!scan_string(c, key, esc)) return false;
      bool plain = !esc && !c.non_ascii;
      c.non_ascii = c.non_ascii || non_ascii;
      kh = hash_str(key);
      code = classify_key(key);
      c.ws();
      if (c.p >= c.end || *c.p != ':') return false;
      ++c.p;
      size_t len = static_cast<size_t>(c.p - key_start);
      if (kp && plain && len == key.size() + 3 && len <= 16) {
        auto mask = [](size_t n) { return n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1; };
        kp->mlo = mask(len);
        kp->mhi = len > 8 ? mask(len - 8) : 0;
        kp->lo = lo & kp->mlo;
        kp->hi = hi & kp->mhi;
        kp->hash = kh;
        kp->code = code;
        kp->len = static_cast<uint8_t>(len);
      }
    }
    if (nkeys == 32) return false;
    for (size_t i = 0; i < nkeys; ++i)
      if (keys[i] == kh) return false;  // duplicate (or colliding) key: exact path
    keys[nkeys++] = kh;
    c.ws();
    if (c.p >= c.end) return false;
    const char* vstart = c.p;
    bool is_null = false;
    char ch = *c.p;
    if (ch == '"') {
      std::string_view s;
      bool want = code == FieldCode::kName || code == FieldCode::kHandleSemanticId || code == FieldCode::kRawHandleId;
      if (!scan_string(c, s, esc, want)) return false;
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
      ++c.p;
      c.ws();
      if (c.p < c.end && *c.p == ']') {
        ++c.p;
      } else {
        for (;;) {
          if (c.p < c.end && *c.p == '"') {
            std::string_view s;
            if (!scan_string(c, s, esc)) return false;
            f.handles.push_back(s);
          } else if (!skip_value(c, 2, true)) {
            return false;
          }
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
    } else if (ch == 'n') {
      if (!skip_value(c, 1, false)) return false;
      is_null = true;
    } else if (code == FieldCode::kName || code == FieldCode::kObjectType || code == FieldCode::kHandlesSemanticIds) {
      // Non-string values in fields with a role: only plain ints for
      // object_type; bools (ints to isinstance), containers, NaN... take the
      // exact path.
      if (code != FieldCode::kObjectType || !(ch == '-' || (ch >= '0' && ch <= '9'))) return false;
      uint64_t h;
      VType t;
      int64_t iv = 0;
      double dv;
      if (!scan_number(c.p, c.end, h, t, iv, dv)) return false;
      if (t == VType::kInt) {
        f.object_type_is_int = true;
        f.object_type = iv;
      }
    } else {
      if (!skip_value(c, 1, false)) return false;
    }
    if (code == FieldCode::kReturnValue) f.has_return_value = true;
    if (code == FieldCode::kStatus) f.has_status = true;
    uint64_t vh = hash_bytes(vstart, static_cast<size_t>(c.p - vstart), 0x51ed270b27f0d3a5ull);
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
  return true;
}

bool FastScanner::scan(std::string_view line, EventFacts& f) {
  const char* end = nullptr;
  return scan_prefix(line.data(), line.data() + line.size(), f, &end) && end == line.data() + line.size();
}

bool FastScanner::scan_prefix(const char* start, const char* limit, EventFacts& f, const char** obj_end) {
  f.reset();
  scratch_used_ = 0;
  Cursor c{start, limit};
  c.ws();
  if (c.p >= c.end || *c.p != '{') return false;
  ++c.p;
  c.ws();
  bool seen_tid = false, seen_idx = false, seen_kind = false, seen_payload = false;
  size_t expected = 0;
  if (c.p < c.end && *c.p == '}') {
    ++c.p;
  } else {
    for (;;) {
      if (c.p >= c.end || *c.p != '"') return false;
      std::string_view key;
      bool esc;
      // Emitters write the top-level keys in one fixed order; recognise the
      // expected `"key":` literally before falling back to a key scan.
      static constexpr std::string_view kExpected[] = {"\"tid\":",          "\"tid_event_idx\":", "\"kind\":",
                                                       "\"engine\":",       "\"host_ns\":",       "\"guest_cycle\":",
                                                       "\"deterministic\":", "\"payload\":"};
      struct Pattern {
        uint64_t lo, hi, mlo, mhi;
      };
      static const auto kPatterns = [] {
        std::array<Pattern, std::size(kExpected)> p{};
        for (size_t i = 0; i < p.size(); ++i) {
          unsigned char bytes[16] = {}, mask[16] = {};
          for (size_t k = 0; k < kExpected[i].size(); ++k) {
            bytes[k] = static_cast<unsigned char>(kExpected[i][k]);
            mask[k] = 0xFF;
          }
          std::memcpy(&p[i].lo, bytes, 8);
          std::memcpy(&p[i].hi, bytes + 8, 8);
          std::memcpy(&p[i].mlo, mask, 8);
          std::memcpy(&p[i].mhi, mask + 8, 8);
        }
        return p;
      }();
      // What the key means to the diff; known without comparing text when
      // the expected literal matched.
      enum class Top : uint8_t { kTid, kIdx, kKind, kPayload, kOther };
      static constexpr Top kExpectedRole[] = {Top::kTid,   Top::kIdx,   Top::kKind,  Top::kOther,
                                              Top::kOther, Top::kOther, Top::kOther, Top::kPayload};
      static_assert(std::size(kExpectedRole) == std::size(kExpected));
      Top role = Top::kOther;
      bool literal = false;
      if (expected < std::size(kExpected)) {
        std::string_view want = kExpected[expected];
        const Pattern& pat = kPatterns[expected];
        uint64_t lo, hi;
        if (c.end - c.p >= 16 && (std::memcpy(&lo, c.p, 8), std::memcpy(&hi, c.p + 8, 8), true) &&
            (lo & pat.mlo) == pat.lo && (hi & pat.mhi) == pat.hi) {
          key = want.substr(1, want.size() - 3);
          c.p += want.size();
          literal = true;
          role = kExpectedRole[expected];
        }
        ++expected;
      }
      if (!literal) {
        expected = std::size(kExpected);
        if (!scan_string(c, key, esc)) return false;
        c.ws();
        if (c.p >= c.end || *c.p != ':') return false;
        ++c.p;
        if (key == "tid") role = Top::kTid;
        else if (key == "tid_event_idx") role = Top::kIdx;
        else if (key == "kind") role = Top::kKind;
        else if (key == "payload") role = Top::kPayload;
      }
      c.ws();
      if (c.p >= c.end) return false;
      char ch = *c.p;
      if (role == Top::kTid || role == Top::kIdx) {
        bool is_tid = role == Top::kTid;
        bool& seen = is_tid ? seen_tid : seen_idx;
        if (seen) return false;
        seen = true;
        if (ch == 'n') {
          if (!skip_value(c, 1, false)) return false;
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
      } else if (role == Top::kKind) {
        if (seen_kind) return false;
        seen_kind = true;
        if (ch == '"') {
          if (!scan_string(c, f.kind, esc)) return false;
          if (!f.kind.empty() && f.kind[0] == '\0') return false;
          f.kind_state = EventFacts::Presence::kStr;
        } else if (ch == 'n') {
          if (!skip_value(c, 1, false)) return false;
          f.kind_state = EventFacts::Presence::kNull;
        } else {
          return false;
        }
      } else if (role == Top::kPayload) {
        if (seen_payload || ch != '{') return false;
        seen_payload = true;
        if (!scan_payload(c, f)) return false;
      } else if (ch == '"') {
        // Fields the diff never compares: validated only. Strings and plain
        // numbers (engine, host_ns, ...) skip the generic dispatch.
        std::string_view s;
        if (!scan_string(c, s, esc, false)) return false;
      } else if (ch >= '0' && ch <= '9') {
        if (!number_grammar(c.p, c.end)) return false;
      } else {
        if (!skip_value(c, 1, true)) return false;
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
  if (c.non_ascii && !utf8_valid(std::string_view(start, static_cast<size_t>(c.p - start)), nullptr)) return false;
  *obj_end = c.p;
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
  if (tid && tid->type() == T::kBool) {
    f.tid = P::kInt;
    f.tid_is_bool = true;
  }
  if (f.tid == P::kInt) f.tid_value = tid->as_int();
  if (f.tid == P::kFloat) f.tid_float = tid->as_float();
  if (f.tid == P::kStr) f.tid_str = tid->as_str();
  if (f.tid == P::kOther) f.tid_unhashable = !tid->is_hashable();
  if (tid && tid->type() == T::kBigInt) f.tid_big = tid->as_str();
  const PyValue* idx = ev.get("tid_event_idx");
  f.idx = presence(idx);
  f.idx_value = idx;
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
    if (payload->is_str()) {
      f.ctx_ptr_probe_raises = payload->as_str().find("ctx_ptr") != std::string::npos;
    } else if (payload->is_list()) {
      static const PyValue ctx_ptr = PyValue::str("ctx_ptr");
      for (const PyValue& item : payload->items())
        if (py_equal(item, ctx_ptr)) f.ctx_ptr_probe_raises = true;
    } else {
      f.ctx_ptr_probe_raises = true;  // `in` on a number
    }
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
