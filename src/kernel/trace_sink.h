#pragma once
// The kernel's view of tracing: a typed event handed to an abstract sink.
//
// Layering: trace sits ABOVE kernel, so the kernel only knows this interface;
// src/trace implements it (schema-v1 JSONL). An event is a kind plus an
// ordered list of payload fields; field keys and list storage are borrowed
// for the duration of `emit` only, so building an event allocates nothing.
//
// Semantic IDs (SIDs) follow the reference diff tool: FNV-1a 64 over
// (create_site_pc u32 LE, creating_tid u32 LE, tid_event_idx u64 LE,
// object_type u32 LE). Process-global dispatchers first touched through a
// pointer use create_site_pc = kSharedGlobalSidMarker, tid 0 and the
// pointer as the index ("shared-global SIDs").
#include <cstdint>
#include <string_view>

#include "base/hash.h"

namespace xdet::kernel {

enum class TraceKind : uint8_t {
  kImportCall,
  kKernelCall,
  kKernelReturn,
  kHandleCreate,
  kHandleDestroy,
  kThreadCreate,
  kThreadExit,
  kWaitBegin,
  kWaitEnd,
  kSignalMatch,
  kWakeRequested,
  kSemaRelease,
  kContentionObserved,
  // Engine-local scheduling events (xdet run --trace-sched), all on the
  // scheduler stream (kSchedStreamTid), never on a guest thread's stream.
  kSchedSliceBegin,
  kSchedSliceEnd,
  kSchedReady,
  // Device events (engine-local, on the kernel's tid-0 stream).
  kGpuVblank,
  kGpuInterrupt,
  kGpuFence,
  kGpuSwap,
  kGpuDraw,
  kGpuIdle,
  kAudioCallback,
  // Exception dispatch (kernel_exceptions.cpp), on the raising thread's stream.
  kExceptionDispatch,
  kExceptionHandler,
  kExceptionEnd,
  kXmaKick,
  kXmaFrame,
  kXmaBuffer,
  kXmaLoop,
  kXmaStall,
};
inline constexpr int kTraceKindCount = 31;

// The stream that carries the sched.* kinds. Guest tids are dense from 1
// and tid 0 is the kernel's own stream, so this value is never a thread;
// the JSONL writer spells it -1. Keeping scheduling events off the thread
// streams leaves every thread's tid_event_idx (and so every semantic id and
// every diff position) the same with or without --trace-sched.
inline constexpr uint32_t kSchedStreamTid = 0xFFFFFFFFu;

// The schema-v1 "kind" strings.
constexpr std::string_view trace_kind_name(TraceKind k) {
  switch (k) {
    case TraceKind::kImportCall: return "import.call";
    case TraceKind::kKernelCall: return "kernel.call";
    case TraceKind::kKernelReturn: return "kernel.return";
    case TraceKind::kHandleCreate: return "handle.create";
    case TraceKind::kHandleDestroy: return "handle.destroy";
    case TraceKind::kThreadCreate: return "thread.create";
    case TraceKind::kThreadExit: return "thread.exit";
    case TraceKind::kWaitBegin: return "wait.begin";
    case TraceKind::kWaitEnd: return "wait.end";
    case TraceKind::kSignalMatch: return "signal.match";
    case TraceKind::kWakeRequested: return "wake.requested";
    case TraceKind::kSemaRelease: return "sema.release";
    case TraceKind::kContentionObserved: return "contention.observed";
    case TraceKind::kSchedSliceBegin: return "sched.slice.begin";
    case TraceKind::kSchedSliceEnd: return "sched.slice.end";
    case TraceKind::kSchedReady: return "sched.ready";
    case TraceKind::kGpuVblank: return "gpu.vblank";
    case TraceKind::kGpuInterrupt: return "gpu.interrupt";
    case TraceKind::kGpuFence: return "gpu.fence";
    case TraceKind::kGpuSwap: return "gpu.swap";
    case TraceKind::kGpuDraw: return "gpu.draw";
    case TraceKind::kGpuIdle: return "gpu.idle";
    case TraceKind::kAudioCallback: return "audio.callback";
    case TraceKind::kExceptionDispatch: return "exception.dispatch";
    case TraceKind::kExceptionHandler: return "exception.handler";
    case TraceKind::kExceptionEnd: return "exception.end";
    case TraceKind::kXmaKick: return "xma.kick";
    case TraceKind::kXmaFrame: return "xma.frame";
    case TraceKind::kXmaBuffer: return "xma.buffer";
    case TraceKind::kXmaLoop: return "xma.loop";
    case TraceKind::kXmaStall: return "xma.stall";
  }
  return "?";
}

struct TraceField;

// One payload value. Encodings (JSON):
//   kHex32   "0x%08x"           kSid     "%016x"
//   kInt     signed decimal     kUint    unsigned decimal
//   kBool    true/false         kNull    null
//   kString  JSON string        kObject  nested {fields...}
//   kSidList ["%016x",...]      kUintList [n,...]
struct TraceValue {
  enum class Type : uint8_t { kHex32, kSid, kInt, kUint, kBool, kNull, kString, kObject, kSidList, kUintList };
  Type type = Type::kNull;
  uint32_t count = 0;  // list / object length
  union {
    uint64_t u;
    int64_t i;
    const char* str;            // kString (NUL-terminated)
    const TraceField* fields;   // kObject
    const uint64_t* sids;       // kSidList
    const uint32_t* uints;      // kUintList
  };
  TraceValue() : u(0) {}

  static TraceValue hex32(uint32_t v) { TraceValue t; t.type = Type::kHex32; t.u = v; return t; }
  static TraceValue sid(uint64_t v) { TraceValue t; t.type = Type::kSid; t.u = v; return t; }
  static TraceValue integer(int64_t v) { TraceValue t; t.type = Type::kInt; t.i = v; return t; }
  static TraceValue uinteger(uint64_t v) { TraceValue t; t.type = Type::kUint; t.u = v; return t; }
  static TraceValue boolean(bool v) { TraceValue t; t.type = Type::kBool; t.u = v; return t; }
  static TraceValue null() { return TraceValue(); }
  static TraceValue string(const char* s) { TraceValue t; t.type = Type::kString; t.str = s; return t; }
  static TraceValue object(const TraceField* f, uint32_t n) {
    TraceValue t; t.type = Type::kObject; t.fields = f; t.count = n; return t;
  }
  static TraceValue sid_list(const uint64_t* s, uint32_t n) {
    TraceValue t; t.type = Type::kSidList; t.sids = s; t.count = n; return t;
  }
  static TraceValue uint_list(const uint32_t* s, uint32_t n) {
    TraceValue t; t.type = Type::kUintList; t.uints = s; t.count = n; return t;
  }
};

struct TraceField {
  const char* key;
  TraceValue value;
};

struct TraceEvent {
  TraceKind kind;
  uint32_t tid;             // 0 = the kernel itself (timer expiry and similar)
  uint64_t tid_event_idx;   // per-tid, dense from 0
  uint64_t guest_cycle;     // virtual timebase ticks (50 MHz)
  uint64_t guest_ns;        // virtual nanoseconds
  const TraceField* fields;
  uint32_t field_count;
};

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void emit(const TraceEvent& ev) = 0;
  // Push everything buffered to the file (called on every stop path).
  virtual void flush() = 0;
};

inline constexpr uint32_t kSharedGlobalSidMarker = 0xC01AB005u;

constexpr uint64_t semantic_id(uint32_t create_site_pc, uint32_t creating_tid, uint64_t tid_event_idx,
                               uint32_t object_type) {
  unsigned char b[20] = {};
  for (int i = 0; i < 4; ++i) b[i] = static_cast<unsigned char>(create_site_pc >> (8 * i));
  for (int i = 0; i < 4; ++i) b[4 + i] = static_cast<unsigned char>(creating_tid >> (8 * i));
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<unsigned char>(tid_event_idx >> (8 * i));
  for (int i = 0; i < 4; ++i) b[16 + i] = static_cast<unsigned char>(object_type >> (8 * i));
  uint64_t h = kFnv1a64Offset;
  for (unsigned char c : b) {
    h ^= c;
    h *= kFnv1a64Prime;
  }
  return h;
}

constexpr uint64_t shared_global_sid(uint32_t pointer, uint32_t object_type) {
  return semantic_id(kSharedGlobalSidMarker, 0, pointer, object_type);
}

}  // namespace xdet::kernel
