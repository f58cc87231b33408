#pragma once
// Pass 1 over one schema-v1 JSONL trace: validates it the way the reference
// tool's load_events() does (same messages), and keeps per guest thread a
// compact 32-byte record per event instead of the event itself. Records
// carry the kind, the call name, the canonicalization ordinal and a payload
// fingerprint; the full event is re-read from the file (pread) only when the
// diff needs it (divergences, absorbers, report context).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "diff/py_value.h"

namespace xdet::diff {

// A failure with the reference tool's exit code and exact stderr text
// (without the trailing newline).
struct DiffFailure {
  int exit_code;
  std::string message;
};

enum KindId : uint16_t {
  kKindNone = 0,  // kind missing or null
  kKindImportCall,
  kKindKernelCall,
  kKindKernelReturn,
  kKindHandleCreate,
  kKindHandleDestroy,
  kKindThreadCreate,
  kKindThreadExit,
  kKindWaitBegin,
  kKindWaitEnd,
  kKindContentionObserved,
  kKindSemaRelease,
  kKindSignalMatch,
  kKindWakeRequested,
  kKindSchemaVersion,
  kFirstDynamicKind,
  // Records hold 12-bit kind ids. Ids 0xFFE and 0xFFF are never given to a
  // kind; a kind interned past them is stored as kKindOverflow and its id
  // kept in TraceIndex (see TraceIndex::kind_of).
  kKindOverflow = 0xFFE,
  kKindUnhashable = 0xFFF,  // largest 12-bit id
};
inline bool is_engine_local_kind(uint32_t k) { return k >= kKindContentionObserved && k <= kKindWakeRequested; }

// Names with fixed ids in every trace's name table (id 0 = None).
enum NameId : uint32_t {
  kNameNone = 0,
  kNameRtlEnterCriticalSection,
  kNameRtlLeaveCriticalSection,
  kFirstAllocatorName,  // ALLOCATOR_RETURN_FNS follow, kAllocatorCount of them
};
inline constexpr uint32_t kAllocatorCount = 8;
inline constexpr uint32_t kFirstDynamicName = kFirstAllocatorName + kAllocatorCount;
extern const char* const kAllocatorNames[kAllocatorCount];
extern const char* const kKnownKinds[kFirstDynamicKind];

// A tid as the reference's events_by_tid dict key: any hashable JSON value.
// Python-equal numbers (6, 6.0, True==1) share one slot, and the slot keeps
// the first-seen spelling for printing.
struct TidKey {
  enum class Type : uint8_t { kInt, kBool, kFloat, kStr, kBigInt };
  Type type = Type::kInt;
  int64_t i = 0;
  double f = 0;
  std::string s;  // kStr: the text; kBigInt: decimal digits (outside int64)

  static TidKey integer(int64_t v) {
    TidKey k;
    k.i = v;
    return k;
  }
  // An int given by its normalized decimal digits (kInt if it fits int64).
  static TidKey from_decimal(const std::string& digits);
  // Key under which Python's dict would find it ("n"+int, "f"+bits, "s"+text).
  std::string bucket() const;
  bool is_number() const { return type != Type::kStr; }
  std::string str() const;                // str(key)
  void json(std::string& out) const;      // json.dumps(key)
};
// Python `a < b`; sets *type_error for str vs number (TypeError in Python).
// Numbers compare exactly (ints of any size, floats).
bool tid_less(const TidKey& a, const TidKey& b, bool* type_error);

struct Record {
  enum Flags : uint8_t {
    kExotic = 1,         // compare exactly, never by fingerprint
    kCanonAlloc = 2,     // kernel.return allocator: return_value/status -> sentinel
    kCanonCtx = 4,       // thread.create: ctx_ptr -> sentinel
    kPayloadTruthyNonDict = 8,  // `(ev.get("payload") or {}).get(...)` raises
  };
  static constexpr uint32_t kLongLine = 0xFFFFF;  // length kept in TraceIndex
  static constexpr uint32_t kMaxName = 0xFFFFF;

  uint64_t pos;        // file offset (40 bits) | line length (20 bits) | flags (4 bits)
  uint64_t fp;         // payload fingerprint (non-exotic events)
  uint32_t kind_name;  // kind id (12 bits) | name id (20 bits)
  uint32_t ordinal;    // canonicalization ordinal, or SID index + 1

  uint64_t offset() const { return pos >> 24; }
  uint32_t short_len() const { return static_cast<uint32_t>(pos >> 4) & 0xFFFFF; }
  uint8_t flags() const { return static_cast<uint8_t>(pos & 0xF); }
  uint32_t kind_id() const { return kind_name >> 20; }
  uint32_t name_id() const { return kind_name & 0xFFFFF; }
  void set_flag(uint8_t f) { pos |= f; }
};
static_assert(sizeof(Record) == 24);

// Backing memory of every RecordList of one trace: prefaulted chunks carved
// in order and released together. A trace then costs a handful of
// mmap/madvise/munmap calls instead of three per segment of every guest
// thread (each call is a costly exit on a virtualized host, and unmapping
// while the other trace loads interrupts its core to flush the TLB).
class RecordArena {
 public:
  RecordArena() = default;
  ~RecordArena();
  RecordArena(const RecordArena&) = delete;
  RecordArena& operator=(const RecordArena&) = delete;
  // `bytes` of zeroed memory, 64-byte aligned, valid until destruction.
  void* take(size_t bytes);

 private:
  struct Chunk {
    void* base;
    size_t bytes;
  };
  std::vector<Chunk> chunks_;
  char* next_ = nullptr;
  size_t left_ = 0;
  size_t mapped_ = 0;
};

// Append-only storage in geometrically growing segments (1024, 1024, 2048,
// 4096, ... records): no reallocation copies, no 2x peaks, small footprint
// for short-lived threads, few page faults for long ones.
class RecordList {
 public:
  static constexpr size_t kFirst = 1024;
  RecordList() = default;
  RecordList(RecordList&&) noexcept = default;
  RecordList& operator=(RecordList&&) noexcept = default;
  // Segments come from `arena`, which must outlive the list.
  void set_arena(RecordArena* arena) { arena_ = arena; }
  void push_back(const Record& r) {
    if (size_ == capacity_) grow();
    Segment s = locate(size_);
    segs_[s.index][s.offset] = r;
    ++size_;
  }
  const Record& operator[](size_t i) const {
    Segment s = locate(i);
    return segs_[s.index][s.offset];
  }
  size_t size() const { return size_; }

 private:
  struct Segment {
    size_t index, offset;
  };
  static Segment locate(size_t i) {
    if (i < kFirst) return {0, i};
    size_t c = 64 - static_cast<size_t>(__builtin_clzll(i / kFirst));
    return {c, i - (kFirst << (c - 1))};
  }
  void grow();
  RecordArena* arena_ = nullptr;
  std::vector<Record*> segs_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

class Interner {
 public:
  uint32_t intern(std::string_view s);
  std::optional<uint32_t> find(std::string_view s) const;
  const std::string& text(uint32_t id) const { return texts_[id]; }
  size_t size() const { return texts_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> texts_;
  // Direct-mapped front cache: kinds and call names repeat on every line.
  static constexpr size_t kCacheSlots = 1024;
  uint32_t cache_[kCacheSlots] = {};  // id + 1; 0 = empty
};

struct TidStream {
  TidKey tid;
  RecordList events;
  uint64_t sema_release_count = 0;
  // auto tid map: name id of the first kernel.call (kNameNone: none/None).
  bool first_call_seen = false;
  uint32_t first_call_name = kNameNone;
  std::optional<std::string> first_call_crash;

  // load-time state
  std::optional<std::string> problem;  // first ordering problem (message)
  bool problem_is_crash = false;
  enum class PrevIdx : uint8_t { kMissing, kNumber, kOther } prev_state = PrevIdx::kMissing;
  std::unique_ptr<PyValue> prev_other;  // kOther: the value (str, list, None, big int...)
  bool prev_is_int = true;
  int64_t prev_int = 0;
  double prev_float = 0;
  uint32_t alloc_counters[kAllocatorCount] = {};
  uint32_t ctx_counter = 0;
};

// Semantic ids seen in handle.create / wait.begin events, by first-seen
// index. Canonical SIDs (16 lowercase hex digits) live in a flat table keyed
// by their value; anything else in a string map.
class SidTable {
 public:
  // Index of `sid`, noting a use by tid slot `slot`.
  uint32_t note(std::string_view sid, uint32_t slot);
  size_t size() const { return entries_.size(); }
  std::string text(uint32_t index) const;
  bool multi(uint32_t index) const { return entries_[index].multi; }
  // The SID's value if it is canonical 16-digit lowercase hex.
  bool hex(uint32_t index, uint64_t* v) const {
    *v = entries_[index].hex;
    return entries_[index].text == nullptr;
  }

 private:
  struct Entry {
    uint64_t hex;
    uint32_t first_slot;
    bool multi;
    const std::string* text;  // null: canonical hex SID
  };
  uint32_t note_hex(uint64_t v, uint32_t slot);
  void rehash();
  std::vector<Entry> entries_;
  std::vector<uint32_t> table_;  // open addressing: entry index + 1, 0 = empty
  size_t mask_ = 0;
  std::unordered_map<std::string, uint32_t> other_;
};

// Record::ordinal of handle.create / wait.begin events: which SID they name
// (index into TraceIndex::sids()).
inline constexpr uint32_t kSidNone = 0;             // no str SID
inline constexpr uint32_t kSidMany = 0xFFFFFFFFu;   // wait.begin on several handles
// otherwise: SID index + 1

struct LoadOptions {
  bool canonicalize_allocators = true;
  bool canonicalize_host_heap = true;
};

class TraceIndex {
 public:
  TraceIndex() = default;
  ~TraceIndex();
  TraceIndex(const TraceIndex&) = delete;
  TraceIndex& operator=(const TraceIndex&) = delete;

  // `display_path` is how the reference names the file (str(Path(arg))).
  // On failure throws DiffFailure. `progress` receives bytes consumed.
  void load(const std::string& path, const std::string& display_path, const LoadOptions& opts,
            std::atomic<uint64_t>* progress);

  const std::string& display_path() const { return display_path_; }
  uint64_t file_size() const { return file_size_; }

  std::vector<TidStream>& tids() { return tids_; }
  const std::vector<TidStream>& tids() const { return tids_; }
  const TidStream* find_tid(const TidKey& tid) const;

  const Interner& kinds() const { return kinds_; }
  // The event's kind id (any size; Record::kind_id() holds 12 bits).
  uint32_t kind_of(const Record& r) const {
    uint32_t k = r.kind_id();
    return k == kKindOverflow ? overflow_kind(r) : k;
  }
  const Interner& names() const { return names_; }

  const std::unordered_set<std::string>& recipe_sids() const { return recipe_sids_; }
  const SidTable& sids() const { return sids_; }

  // Crashes of later reference stages, detected while loading (first one).
  const std::optional<std::string>& canon_alloc_crash() const { return canon_alloc_crash_; }
  const std::optional<std::string>& canon_host_crash() const { return canon_host_crash_; }
  const std::optional<std::string>& collect_crash() const { return collect_crash_; }
  const std::optional<std::string>& count_crash() const { return count_crash_; }

  // Re-reads and parses the event behind `r`, canonicalized as the
  // reference's in-memory event would be.
  PyValue materialize(const Record& r) const;
  // "path:line" for error messages about the event at `r`.
  std::string where(const Record& r) const;
  uint64_t line_length(const Record& r) const {
    return r.short_len() == Record::kLongLine ? long_lines_.at(r.offset()) : r.short_len();
  }

 private:
  struct Loader;
  friend struct Loader;

  int fd_ = -1;
  std::string path_;
  std::string display_path_;
  uint64_t file_size_ = 0;
  LoadOptions opts_;
  RecordArena arena_;  // declared before tids_: their records live in it
  std::vector<TidStream> tids_;
  std::unordered_map<int64_t, uint32_t> int_tid_slots_;       // integral tids
  std::unordered_map<std::string, uint32_t> other_tid_slots_;  // by TidKey::bucket()
  uint32_t overflow_kind(const Record& r) const;
  Interner kinds_;
  std::unordered_map<uint64_t, uint32_t> overflow_kinds_;  // event offset -> kind id beyond 12 bits
  Interner names_;
  std::unordered_set<std::string> recipe_sids_;
  std::unordered_map<uint64_t, uint64_t> long_lines_;  // offset -> length (>= 1 MiB)
  SidTable sids_;
  std::optional<std::string> canon_alloc_crash_, canon_host_crash_, collect_crash_, count_crash_;
};

// Parses a canonical SID (16 lowercase hex digits).
bool canonical_hex_sid(std::string_view s, uint64_t* v);
// The shared-global SID recipe (FNV-1a over marker, 0, pointer, object_type).
std::string shared_global_sid(uint64_t pointer, uint32_t object_type);
// Python int(s, 16) reduced to the low 64 bits; false where Python raises.
bool parse_python_hex(std::string_view s, uint64_t& low64);
// str(pathlib.Path(s)).
std::string python_path_str(std::string_view s);

}  // namespace xdet::diff
