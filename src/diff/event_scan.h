#pragma once
// Per-line extraction of what `xdet diff` needs from one trace event.
//
// The fast scanner walks a line once, without building a tree: it pulls out
// tid / tid_event_idx / kind, the payload fields the diff rules look at, and
// a 64-bit fingerprint of the payload as the reference's compare_payload
// sees it (skip fields, None-valued keys and canonicalized fields are folded
// in later, per kind, by TraceIndex). Anything outside its comfort zone
// (syntax errors, NaN/Infinity, huge ints, duplicate keys, deep nesting,
// unusual types) makes it decline; the caller then parses the line with the
// exact Python-compatible parser and derives the same facts from the value
// (marking the event "exotic": compared exactly, never by fingerprint).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "diff/py_value.h"

namespace xdet::diff {

// Payload keys with a role in the diff rules.
enum class FieldCode : uint8_t {
  kOther,
  kName,
  kReturnValue,
  kStatus,
  kCtxPtr,
  kHandleSemanticId,
  kRawHandleId,
  kParentTid,
  kHandlesSemanticIds,
  kWaitDurationCycles,
  kWokenBySemanticId,
  kObjectType,
};

struct PayloadField {
  FieldCode code;
  bool is_null;
  uint64_t hash;  // field_hash(key, value)
};

struct EventFacts {
  enum class Presence : uint8_t { kMissing, kNull, kStr, kInt, kFloat, kOther };

  Presence tid = Presence::kMissing;
  int64_t tid_value = 0;     // kInt (bools are kInt with tid_is_bool)
  bool tid_is_bool = false;
  double tid_float = 0;      // kFloat
  std::string_view tid_str;  // kStr
  std::string_view tid_big;  // kOther: decimal digits of an int beyond int64 (slow path)
  bool tid_unhashable = false;  // list/dict (kOther)

  Presence idx = Presence::kMissing;
  int64_t idx_int = 0;
  double idx_float = 0;
  const PyValue* idx_value = nullptr;  // slow path: the parsed value (any type)

  // kind: kMissing/kNull -> Python None. kStr -> `kind` holds the text;
  // other hashable scalars -> kOther with `kind` holding an interning key;
  // unhashable (list/dict) -> kind_unhashable.
  Presence kind_state = Presence::kMissing;
  bool kind_unhashable = false;
  std::string_view kind;

  // payload: kMissing, or dict, or a non-dict whose truthiness matters.
  enum class PayloadState : uint8_t { kMissing, kDict, kFalsyOther, kTruthyOther };
  PayloadState payload = PayloadState::kMissing;

  // payload["name"] (dict payloads): None if absent/null; key for interning.
  enum class NameState : uint8_t { kNone, kStr, kOtherHashable, kUnhashable };
  NameState name_state = NameState::kNone;
  std::string_view name;

  bool has_return_value = false;
  bool has_status = false;
  bool ctx_ptr_is_str = false;
  // Non-dict truthy payload: `"ctx_ptr" in payload` (then payload["ctx_ptr"])
  // raises in the reference, i.e. it is not a list without a "ctx_ptr"
  // element or a str without that substring.
  bool ctx_ptr_probe_raises = false;

  bool hsid_is_str = false;
  std::string_view hsid;
  bool raw_is_str = false;
  std::string_view raw;
  bool object_type_is_int = false;
  int64_t object_type = 0;
  bool object_type_unusual = false;  // big int: reference masks it; we treat as non-matching

  // Items `for s in (p.get("handles_semantic_ids") or [])` yields that are str.
  std::vector<std::string_view> handles;
  bool handles_crash = false;  // iterating it would raise in the reference

  // Fingerprint inputs (fast path only).
  bool exotic = false;
  std::vector<PayloadField> fields;

  void reset();
};

// Fast path. Returns false when the line needs the exact parser. Views in
// `facts` point into `line` or into the scanner's scratch storage, valid
// until the next call.
class FastScanner {
 public:
  bool scan(std::string_view line, EventFacts& facts);
  // Scans one event object (plus trailing blanks) at the start of
  // [start, limit), which may extend past the line; *obj_end is where the
  // object and its blanks end. The caller checks that a line end follows.
  bool scan_prefix(const char* start, const char* limit, EventFacts& facts, const char** obj_end);

 private:
  struct Cursor;
  bool skip_value(Cursor& c, int depth, bool allow_nan);
  bool scan_string(Cursor& c, std::string_view& out, bool& escaped, bool decode = true);
  bool scan_payload(Cursor& c, EventFacts& f);

  std::vector<std::string> scratch_;
  size_t scratch_used_ = 0;

  // Payload keys repeat on every line: recently seen `"key":` spellings
  // (plain ASCII, at most 16 bytes) are recognised by a masked compare
  // instead of a string scan, hash and classification.
  struct KeyPattern {
    uint64_t lo = 0, hi = 0, mlo = 0, mhi = 0;
    uint64_t hash = 0;
    uint8_t len = 0;  // 0 = empty slot
    FieldCode code = FieldCode::kOther;
  };
  static constexpr size_t kKeySlots = 64;
  KeyPattern key_cache_[kKeySlots];
  std::string_view intern_scratch(std::string_view escaped_body);
};

// Slow path: derives facts from a parsed event (must be a dict).
void facts_from_value(const PyValue& ev, EventFacts& facts);

// Hash helpers shared by the fingerprint code.
uint64_t hash_bytes(const void* data, size_t n, uint64_t seed);
uint64_t hash_str(std::string_view s);
uint64_t hash_field(uint64_t key_hash, uint64_t value_hash);
uint64_t hash_int(int64_t v);
uint64_t hash_null();

FieldCode classify_key(std::string_view key);

// Key used to intern a hashable non-str value so that Python-equal values
// (1, 1.0, True) share one id.
std::string scalar_intern_key(const PyValue& v);

}  // namespace xdet::diff
