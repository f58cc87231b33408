#include "diff/trace_gen.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "base/error.h"
#include "base/output_file.h"
#include "base/hash.h"
#include "diff/trace_index.h"

namespace xdet::diff {

namespace {

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return uniform() < p; }
};

enum class Cat {
  kReturnValue,
  kStatus,
  kArgs,
  kArgsResolved,
  kArgsResolvedExtraKey,
  kKindExtra,
  kKindMissing,
  kPayloadField,
  kExtraKey,
  kNoneKey,  // ours adds a None-valued key: NOT a divergence (None == absent)
  kAllocDrift,
  kWaitTimeout,
  kHandleObjectType,
  kTruncate,
  kNestedOverCap,
  kCount
};

const char* cat_name(Cat c) {
  switch (c) {
    case Cat::kReturnValue: return "return_value";
    case Cat::kStatus: return "status";
    case Cat::kArgs: return "args";
    case Cat::kArgsResolved: return "args_resolved";
    case Cat::kArgsResolvedExtraKey: return "args_resolved_extra_key";
    case Cat::kKindExtra: return "kind_extra_event";
    case Cat::kKindMissing: return "kind_missing_event";
    case Cat::kPayloadField: return "payload_field";
    case Cat::kExtraKey: return "payload_extra_key";
    case Cat::kNoneKey: return "payload_none_key";
    case Cat::kAllocDrift: return "allocator_drift";
    case Cat::kWaitTimeout: return "wait_timeout";
    case Cat::kHandleObjectType: return "handle_object_type";
    case Cat::kTruncate: return "truncate";
    case Cat::kNestedOverCap: return "nested_cs_over_cap";
    case Cat::kCount: break;
  }
  return "?";
}

struct CallSpec {
  const char* name;
  int ord;
  int nargs;
  const char* resolved;  // JSON object body template, "" for {}
};

// Plain calls (non-allocator) as the engines log them.
constexpr CallSpec kCalls[] = {
    {"KeDelayExecutionThread", 89, 3, "\"interval_100ns\":-160000"},
    {"KeGetCurrentProcessType", 102, 0, ""},
    {"RtlInitAnsiString", 300, 2, "\"string\":\"XHV\""},
    {"KeTlsGetValue", 154, 1, ""},
    {"KeSetEvent", 145, 3, "\"object_type\":\"event\""},
    {"KeQueryPerformanceFrequency", 128, 0, ""},
    {"MmQueryAddressProtect", 195, 1, ""},
    {"KeTlsSetValue", 155, 2, ""},
    {"NtSetEvent", 246, 3, "\"object_type\":\"event\""},
    {"RtlNtStatusToDosError", 317, 1, ""},
    {"KfLowerIrql", 161, 1, ""},
    {"NtYieldExecution", 253, 0, ""},
    {"ObReferenceObjectByHandle", 225, 3, "\"handle\":\"current-thread\""},
    {"ObDereferenceObject", 221, 1, ""},
    {"KeQuerySystemTime", 130, 1, ""},
    {"XamInputGetState", 401, 3, "\"user_index\":0"},
    {"KeRaiseIrqlToDpcLevel", 129, 0, ""},
    {"XAudioSubmitRenderDriverFrame", 438, 2, ""},
    {"VdGetCurrentDisplayInformation", 581, 1, ""},
    {"VdSwap", 603, 3, "\"frame\":\"present\""},
    {"KeReleaseSemaphore", 132, 3, "\"object_type\":\"semaphore\""},
    {"NtQueryFullAttributesFile", 233, 2, "\"path\":\"game:\\\\default.xex\",\"attributes\":\"0x00000040\""},
};
constexpr CallSpec kAllocCalls[] = {
    {"RtlAllocateHeap", 266, 3, "\"size\":64"},
    {"MmAllocatePhysicalMemoryEx", 186, 6, "\"size\":512,\"protect\":\"PAGE_READWRITE\""},
    {"NtAllocateVirtualMemory", 204, 4, "\"size\":512,\"type\":\"MEM_COMMIT|MEM_RESERVE\""},
    {"RtlImageXexHeaderField", 299, 2, "\"key\":\"0x00040006\""},
    {"MmGetPhysicalAddress", 190, 1, "\"region\":\"physical\""},
    {"XamNotifyCreateListener", 651, 2, "\"areas\":15"},
    {"MmCreateKernelStack", 178, 2, "\"size\":65536"},
};
// Distinct first calls so auto tid mapping pairs workers correctly.
constexpr const char* kWorkerFirstCalls[] = {
    "KeTlsSetValue",  "XAudioRegisterRenderDriverClient", "KeSetAffinityThread", "XamInputGetState",
    "VdGetCurrentDisplayInformation", "KeQueryPerformanceFrequency", "NtYieldExecution", "KfLowerIrql",
    "KeQuerySystemTime", "MmQueryAddressProtect", "RtlNtStatusToDosError", "KeGetCurrentProcessType",
};

// Strings and numbers that stress the report's Python repr/json rendering.
constexpr const char* kTrickyStrings[] = {
    "game:\\media\\audio\\se_common.xwb",
    "It's a \"quote\"",
    "it's",
    "say \"hi\"",
    "Ünïcødé",
    "日本語のパス",
    "emoji 🎮 pad",
    "tab\there",
    "line\nbreak",
    "ctrl\x01\x1f",
    "nbsp\xc2\xa0sep",
    "zero\xe2\x80\x8bwidth",
    "del\x7f",
    "back\\slash",
    "ls\xe2\x80\xa8sep",
};
constexpr const char* kTrickyNumbers[] = {"0.5", "1e-05", "1e+16", "123456789.125", "-0.0", "3.14159", "2.5e-300",
                                          "1E400", "18446744073709551616", "-7", "0"};

void json_str(std::string& o, std::string_view s, bool escape_non_ascii) {
  static const char hex[] = "0123456789abcdef";
  o.push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      o.push_back('\\');
      o.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      o += "\\n";
    } else if (c == '\t') {
      o += "\\t";
    } else if (c < 0x20) {
      o += "\\u00";
      o.push_back(hex[c >> 4]);
      o.push_back(hex[c & 15]);
    } else if (c >= 0x80 && escape_non_ascii) {
      uint32_t cp;
      int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      cp = c & (0x3F >> n);
      for (int k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      i += n;
      auto u = [&](uint32_t v) {
        o += "\\u";
        for (int sh = 12; sh >= 0; sh -= 4) o.push_back(hex[(v >> sh) & 15]);
      };
      if (cp >= 0x10000) {
        u(0xD800 | ((cp - 0x10000) >> 10));
        u(0xDC00 | ((cp - 0x10000) & 0x3FF));
      } else {
        u(cp);
      }
    } else {
      o.push_back(static_cast<char>(c));
    }
  }
  o.push_back('"');
}

void hex32(std::string& o, uint64_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "\"0x%08x\"", static_cast<uint32_t>(v));
  o += b;
}

std::string sid_hex(uint64_t h) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

struct SharedObject {
  uint32_t ptr;
  uint32_t type;
  int creator[2];  // thread index that first touches it, per engine
  std::string sid;
};

struct Plan {
  const GenOptions* opts;
  std::vector<SharedObject> shared;
  struct Div {
    bool active = false;
    uint64_t op = 0;
    Cat cat = Cat::kReturnValue;
  };
  std::vector<Div> divs;  // per thread
  std::vector<uint64_t> ops_per_thread;
};

class ThreadGen {
 public:
  ThreadGen(const Plan& plan, int engine, int index, int64_t tid, int threads)
      : plan_(plan),
        engine_(engine),
        index_(index),
        tid_(tid),
        threads_(threads),
        logic_(plan.opts->seed * 1000003 + static_cast<uint64_t>(index) * 7919 + 17),
        eng_(plan.opts->seed * 2000029 + static_cast<uint64_t>(engine) * 104729 + static_cast<uint64_t>(index) * 131 + 5),
        touched_(plan.shared.size(), false) {
    host_ns_ = 1000000 + eng_.below(50000);
    div_ = plan.divs[index];
  }

  bool done() const { return finished_; }
  uint64_t events() const { return idx_; }

  // Appends the events of the next logical operation to `out`.
  void step(std::string& out) {
    if (finished_) return;
    noise_engine_local(out);
    uint64_t op = op_++;
    if (div_.active && !pending_ && op >= div_.op) pending_ = true;
    if (pending_ && engine_ == 1 && div_.cat == Cat::kTruncate) {
      pending_ = false;
      finished_ = true;
      return;
    }
    if (op == 0) {
      first_call(out);
      return;
    }
    if (index_ == 0 && op <= static_cast<uint64_t>(threads_ - 1)) {
      create_thread(out, static_cast<int>(op));
      return;
    }
    if (op >= plan_.ops_per_thread[index_]) {
      call(out, "ExTerminateThread", 26, 1, "", false);
      begin(out, "thread.exit");
      out += "\"exit_code\":\"0x00000000\"";
      end(out);
      finished_ = true;
      return;
    }
    uint64_t r = logic_.below(100);
    if (r < 32) plain_call(out);
    else if (r < 42) alloc_call(out);
    else if (r < 50) create_event(out);
    else if (r < 58) wait_own(out);
    else if (r < 66) shared_touch(out);
    else if (r < 80) critical_section(out);
    else if (r < 84) close_handle(out);
    else if (r < 90) file_call(out);
    else plain_call(out);
  }

 private:
  bool mine(Cat c) {
    if (!pending_ || engine_ != 1 || div_.cat != c) return false;
    pending_ = false;
    return true;
  }

  void begin(std::string& o, const char* kind) {
    host_ns_ += 200 + eng_.below(4000);
    cycle_ += 1000 + eng_.below(20000);
    o += "{\"tid\":";
    o += std::to_string(tid_);
    o += ",\"tid_event_idx\":";
    o += std::to_string(idx_++);
    o += ",\"kind\":\"";
    o += kind;
    o += engine_ == 0 ? "\",\"engine\":\"canary\",\"host_ns\":" : "\",\"engine\":\"ours\",\"host_ns\":";
    o += std::to_string(host_ns_);
    o += ",\"guest_cycle\":";
    o += std::to_string(cycle_);
    o += engine_ == 0 ? ",\"deterministic\":false,\"payload\":{" : ",\"deterministic\":true,\"payload\":{";
  }
  static void end(std::string& o) { o += "}}\n"; }

  void noise_engine_local(std::string& o) {
    if (plan_.opts->noise < 1 || !eng_.chance(0.015)) return;
    switch (eng_.below(4)) {
      case 0:
        begin(o, "contention.observed");
        o += "\"cs_ptr\":";
        hex32(o, 0xbd410000 + eng_.below(4096) * 16);
        {
          // Drawn in this order on purpose: the recorded parity cases were
          // generated with it, and the operands of + are unsequenced.
          uint64_t spin = eng_.below(10000);
          o += ",\"site_sid\":\"" + sid_hex(eng_.next()) + "\",\"spin_count\":" + std::to_string(spin);
        }
        break;
      case 1:
        begin(o, "sema.release");
        {
          uint64_t previous = eng_.below(4);  // before the sid, as recorded (see above)
          o += "\"handle_semantic_id\":\"" + sid_hex(eng_.next()) + "\",\"release_count\":1,\"previous_count\":" +
               std::to_string(previous);
        }
        break;
      case 2:
        begin(o, "signal.match");
        o += "\"target_handle\":\"" + sid_hex(eng_.next()) + "\",\"waiter_count\":1,\"waiter_tids\":[" +
             std::to_string(tid_) + "]";
        break;
      default:
        begin(o, "wake.requested");
        o += "\"target_tid\":" + std::to_string(tid_) + ",\"transition\":\"waiting->ready\",\"new_state\":\"ready\"";
        break;
    }
    end(o);
  }

  // Logical extra payload content shared by both engines (same draws).
  std::string exotic_resolved() {
    if (!logic_.chance(plan_.opts->exotic_rate)) return "";
    std::string o = ",\"label\":";
    const char* s = kTrickyStrings[logic_.below(std::size(kTrickyStrings))];
    json_str(o, s, logic_.chance(0.5));
    o += ",\"ratio\":";
    o += kTrickyNumbers[logic_.below(std::size(kTrickyNumbers))];
    o += ",\"meta\":{\"none\":null,\"flag\":true,\"list\":[1,2.5,\"x\",false]}";
    if (logic_.chance(0.02)) o += ",\"nan\":NaN";
    return o;
  }

  void call_head(std::string& o, const char* name, int ord, int nargs, std::string_view resolved, bool mutate_args,
                 bool mutate_resolved, bool extra_resolved_key, bool logical = true) {
    begin(o, "import.call");
    o += "\"name\":\"";
    o += name;
    o += "\",\"ord\":" + std::to_string(ord) + ",\"module\":\"xboxkrnl.exe\",\"thunk_pc\":";
    uint64_t thunk = 0x82002000 + static_cast<uint64_t>(ord) * 8;
    if (mine(Cat::kPayloadField)) thunk += 4;
    hex32(o, thunk);
    end(o);
    begin(o, "kernel.call");
    o += "\"name\":\"";
    o += name;
    o += "\",\"ord\":" + std::to_string(ord) + ",\"args\":{";
    for (int a = 0; a < nargs; ++a) {
      if (a) o += ',';
      o += "\"r" + std::to_string(3 + a) + "\":";
      // Derived from the op, not drawn: engine-only events (nested CS
      // pairs) must not shift the logical random stream.
      uint64_t key[4] = {plan_.opts->seed, static_cast<uint64_t>(index_) << 32 | op_, static_cast<uint64_t>(ord),
                         static_cast<uint64_t>(a)};
      uint64_t v = 0x70000000 + (fnv1a64(key, sizeof key) % 0x100000) * 4;
      if (a == 1 && mutate_args) v += 0x10;
      hex32(o, v);
    }
    o += "},\"args_resolved\":{";
    std::string res(resolved);
    if (mutate_resolved) {
      if (res.empty()) res = "\"count\":2";
      else res += ",\"size\":4097";
    }
    std::string ex = logical ? exotic_resolved() : std::string();
    auto add = [&res](std::string_view frag) {
      if (!res.empty()) res += ',';
      res += frag;
    };
    if (!ex.empty()) add(std::string_view(ex).substr(1));
    if (extra_resolved_key) add("\"alignment\":16");
    o += res;
    o += "}";
    end(o);
  }

  void call_return(std::string& o, const char* name, uint64_t retval) {
    if (mine(Cat::kKindMissing)) {
      ++idx_;  // ours lost this event but keeps counting
      return;
    }
    begin(o, "kernel.return");
    o += "\"name\":\"";
    o += name;
    o += "\",\"return_value\":";
    uint64_t rv = retval;
    if (mine(Cat::kReturnValue)) rv = 0xC0000034;
    hex32(o, rv);
    o += ",\"status\":";
    uint64_t st = retval;
    if (mine(Cat::kStatus)) st = 0x00000103;
    hex32(o, st);
    if (mine(Cat::kExtraKey)) o += ",\"extra\":1";
    if (mine(Cat::kNoneKey)) o += ",\"note\":null";
    end(o);
  }

  void call(std::string& o, const char* name, int ord, int nargs, std::string_view resolved, bool allow_div = true) {
    bool margs = allow_div && mine(Cat::kArgs);
    bool mres = allow_div && mine(Cat::kArgsResolved);
    bool mkey = allow_div && mine(Cat::kArgsResolvedExtraKey);
    if (allow_div && mine(Cat::kKindExtra)) {
      begin(o, "handle.create");
      o += "\"raw_handle_id\":";
      hex32(o, 0x4000 + idx_);
      o += ",\"handle_semantic_id\":\"" + sid_hex(eng_.next()) + "\",\"object_type\":1,\"create_site_pc\":\"0x82100000\"";
      end(o);
    }
    call_head(o, name, ord, nargs, resolved, margs, mres, mkey);
    call_return(o, name, 0);
  }

  void first_call(std::string& o) {
    if (index_ == 0) {
      call(o, "XexCheckExecutablePrivilege", 404, 1, "\"privilege\":10", false);
    } else {
      const char* n = kWorkerFirstCalls[(index_ - 1) % std::size(kWorkerFirstCalls)];
      call(o, n, 400 + index_, 2, "", false);
    }
  }

  void plain_call(std::string& o) {
    const CallSpec& c = kCalls[logic_.below(std::size(kCalls))];
    call(o, c.name, c.ord, c.nargs, c.resolved);
  }

  void alloc_call(std::string& o) {
    if (mine(Cat::kAllocDrift)) {
      const CallSpec& x = kAllocCalls[0];
      call_head(o, x.name, x.ord, x.nargs, x.resolved, false, false, false);
      emit_alloc_return(o, x.name);
    }
    const CallSpec& c = kAllocCalls[logic_.below(std::size(kAllocCalls))];
    call_head(o, c.name, c.ord, c.nargs, c.resolved, mine(Cat::kArgs), false, false);
    emit_alloc_return(o, c.name);
  }

  void emit_alloc_return(std::string& o, const char* name) {
    // Engine-specific addresses: canary's heaps vs ours' unified heap.
    uint64_t va = engine_ == 0 ? 0xBC220000 + alloc_++ * 0x1000 : 0x40105000 + alloc_++ * 0x1000;
    begin(o, "kernel.return");
    o += "\"name\":\"";
    o += name;
    o += "\",\"return_value\":";
    hex32(o, va);
    o += ",\"status\":";
    hex32(o, va);
    end(o);
  }

  uint64_t per_thread_sid(uint64_t site, uint64_t type) {
    unsigned char buf[20];
    uint64_t t = static_cast<uint64_t>(tid_);
    std::memcpy(buf, &site, 4);
    std::memcpy(buf + 4, &t, 4);
    std::memcpy(buf + 8, &idx_, 8);
    std::memcpy(buf + 16, &type, 4);
    return fnv1a64(buf, sizeof buf);
  }

  void handle_create(std::string& o, uint32_t type, uint64_t site) {
    uint64_t sid = per_thread_sid(site, type);
    own_handles_.push_back(sid_hex(sid));
    begin(o, "handle.create");
    o += "\"raw_handle_id\":";
    hex32(o, engine_ == 0 ? 0xf8000000 + (++handles_) * 4 : 0x1000 + (++handles_) * 4);
    uint32_t t = type;
    if (mine(Cat::kHandleObjectType)) t += 1;
    o += ",\"handle_semantic_id\":\"" + own_handles_.back() + "\",\"object_type\":" + std::to_string(t) +
         ",\"create_site_pc\":";
    hex32(o, site);
    end(o);
  }

  void create_event(std::string& o) {
    bool manual = logic_.chance(0.5);
    call_head(o, "NtCreateEvent", 210, 4,
              manual ? "\"event_type\":\"notification\",\"initial_state\":false"
                     : "\"event_type\":\"synchronization\",\"initial_state\":false",
              mine(Cat::kArgs), mine(Cat::kArgsResolved), false);
    handle_create(o, 1, 0x82100000 + logic_.below(64) * 0x80);
    call_return(o, "NtCreateEvent", 0);
  }

  void create_thread(std::string& o, int worker) {
    uint64_t entry = 0x82200000 + static_cast<uint64_t>(worker) * 0x25000;
    std::string res = "\"entry_pc\":\"0x" + sid_hex(entry).substr(8) + "\",\"stack_size\":65536";
    call_head(o, "ExCreateThread", 13, 6, res, false, false, false);
    handle_create(o, 3, 0x82000c00);
    begin(o, "thread.create");
    o += "\"entry_pc\":";
    hex32(o, entry);
    o += ",\"ctx_ptr\":";
    hex32(o, engine_ == 0 ? 0xbe56bb3c + worker * 0x1000 : 0x42453b3c + worker * 0x1000);
    o += ",\"priority\":" + std::to_string(worker % 3 - 1) + ",\"affinity\":" + std::to_string(1 << (worker % 6)) +
         ",\"stack_size\":65536,\"suspended\":false,\"parent_tid\":" + std::to_string(tid_) +
         ",\"handle_semantic_id\":\"" + own_handles_.back() + "\"";
    end(o);
    call_return(o, "ExCreateThread", 0);
  }

  void wait_begin(std::string& o, const std::string& sid, int64_t timeout) {
    begin(o, "wait.begin");
    o += "\"handles_semantic_ids\":[\"" + sid + "\"],\"wait_type\":\"any\",\"timeout\":";
    o += timeout < 0 ? std::string("null") : std::to_string(timeout);
    o += ",\"alertable\":false";
    end(o);
  }

  void wait_own(std::string& o) {
    if (own_handles_.empty()) return plain_call(o);
    size_t h = logic_.below(own_handles_.size());
    int64_t timeout = logic_.chance(0.5) ? -1 : static_cast<int64_t>(logic_.below(4)) * 10000;
    std::string res = timeout < 0 ? "\"object_type\":\"event\",\"timeout_100ns\":null"
                                  : "\"object_type\":\"event\",\"timeout_100ns\":" + std::to_string(timeout);
    call_head(o, "NtWaitForSingleObjectEx", 252, 5, res, mine(Cat::kArgs), mine(Cat::kArgsResolved), false);
    if (mine(Cat::kWaitTimeout)) timeout = timeout < 0 ? 0 : timeout + 1;
    wait_begin(o, own_handles_[h], timeout);
    begin(o, "wait.end");
    o += "\"wait_duration_cycles\":" + std::to_string(eng_.below(5000000)) + ",\"woken_by_semantic_id\":\"" +
         own_handles_[h] + "\",\"status\":\"0x00000000\"";
    end(o);
    call_return(o, "NtWaitForSingleObjectEx", 0);
  }

  void shared_touch(std::string& o) {
    size_t x = logic_.below(plan_.shared.size());
    uint64_t floating = plan_.opts->noise >= 2 ? logic_.below(4) : 3;  // 0 none, 1 canary, 2 ours, 3 both
    const SharedObject& so = plan_.shared[x];
    bool first = !touched_[x];
    touched_[x] = true;
    if (first && so.creator[engine_] == index_) {
      begin(o, "handle.create");
      o += "\"raw_handle_id\":";
      if (engine_ == 0) hex32(o, 0xf8f00000 + (x + 1) * 4);
      else hex32(o, so.ptr);
      o += ",\"handle_semantic_id\":\"" + so.sid + "\",\"object_type\":" + std::to_string(so.type) +
           ",\"create_site_pc\":\"0xc01ab005\"";
      end(o);
    }
    std::string res = "\"object_type\":\"event\",\"timeout_100ns\":0";
    call_head(o, "NtWaitForSingleObjectEx", 252, 5, res, false, false, false);
    bool here = floating == 3 || (floating == 1 && engine_ == 0) || (floating == 2 && engine_ == 1);
    if (here) wait_begin(o, so.sid, 0);
    if (floating == 3) {
      begin(o, "wait.end");
      o += "\"wait_duration_cycles\":" + std::to_string(eng_.below(100000)) + ",\"woken_by_semantic_id\":\"" + so.sid +
           "\",\"status\":\"0x00000000\"";
      end(o);
    }
    call_return(o, "NtWaitForSingleObjectEx", 0);
  }

  void cs_block(std::string& o, const char* name, int ord, uint64_t cs, bool logical = true) {
    char res[64];
    std::snprintf(res, sizeof res, "\"cs_ptr\":\"0x%08x\"", static_cast<uint32_t>(cs));
    call_head(o, name, ord, 1, res, false, false, false, logical);
    begin(o, "kernel.return");
    o += "\"name\":\"";
    o += name;
    o += "\",\"return_value\":\"0x00000000\",\"status\":\"0x00000000\"";
    end(o);
  }

  void critical_section(std::string& o) {
    uint64_t cs = 0x82f10000 + logic_.below(32) * 0x54;
    uint64_t body = logic_.below(3);
    uint64_t nested = (plan_.opts->noise >= 3 && logic_.chance(0.3)) ? 1 + logic_.below(4) : 0;
    cs_block(o, "RtlEnterCriticalSection", 293, cs);
    for (uint64_t b = 0; b < body; ++b) plain_call(o);
    bool over_cap = div_.active && div_.cat == Cat::kNestedOverCap && op_ > div_.op && !over_cap_done_;
    if (over_cap) {
      over_cap_done_ = true;
      nested = 33;
    }
    if (engine_ == 0) {
      for (uint64_t k = 0; k < nested; ++k) {
        cs_block(o, "RtlEnterCriticalSection", 293, cs + 0x1000, false);
        cs_block(o, "RtlLeaveCriticalSection", 305, cs + 0x1000, false);
      }
    }
    cs_block(o, "RtlLeaveCriticalSection", 305, cs);
  }

  void close_handle(std::string& o) {
    if (own_handles_.empty()) return plain_call(o);
    std::string sid = own_handles_.back();
    own_handles_.pop_back();
    call_head(o, "NtClose", 207, 1, "", mine(Cat::kArgs), false, false);
    begin(o, "handle.destroy");
    o += "\"raw_handle_id\":";
    hex32(o, engine_ == 0 ? 0xf8000000 + handles_ * 4 : 0x1000 + handles_ * 4);
    o += ",\"handle_semantic_id\":\"" + sid + "\",\"object_type\":1";
    end(o);
    call_return(o, "NtClose", 0);
  }

  void file_call(std::string& o) {
    std::string path = "\"path\":";
    if (logic_.chance(plan_.opts->exotic_rate * 10)) {
      bool escaped = logic_.chance(0.5);  // drawn first, as recorded (arguments are unsequenced)
      json_str(path, std::string("game:\\media\\") + kTrickyStrings[logic_.below(std::size(kTrickyStrings))],
               escaped);
    } else {
      path += "\"game:\\\\media\\\\audio\\\\se_" + std::to_string(logic_.below(40)) + ".xwb\"";
    }
    call_head(o, "NtOpenFile", 232, 6, path + ",\"desired_access\":\"FILE_GENERIC_READ\"", mine(Cat::kArgs),
              mine(Cat::kArgsResolved), mine(Cat::kArgsResolvedExtraKey));
    handle_create(o, 4, 0x82300000);
    call_return(o, "NtOpenFile", 0);
  }

  const Plan& plan_;
  int engine_;
  int index_;
  int64_t tid_;
  int threads_;
  Rng logic_;
  Rng eng_;
  std::vector<bool> touched_;
  Plan::Div div_;
  bool pending_ = false;
  bool over_cap_done_ = false;
  bool finished_ = false;
  uint64_t op_ = 0;
  uint64_t idx_ = 0;
  uint64_t host_ns_ = 0;
  uint64_t cycle_ = 0;
  uint64_t alloc_ = 0;
  uint64_t handles_ = 0;
  std::vector<std::string> own_handles_;
};

class Output {
 public:
  explicit Output(const std::string& path) : path_(path) {
    f_ = open_output_file(path, "trace file");
    buf_.reserve(kFlush + 65536);
  }
  ~Output() {
    if (f_) std::fclose(f_);
  }
  std::string& buf() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kFlush) flush();
  }
  uint64_t close() {
    flush();
    if (std::fclose(f_) != 0) throw OutputError("write error on " + path_);
    f_ = nullptr;
    return bytes_;
  }

 private:
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      throw OutputError("write error on " + path_ + ": " + std::strerror(errno));
    bytes_ += buf_.size();
    buf_.clear();
  }
  static constexpr size_t kFlush = 1 << 20;
  std::string path_;
  FILE* f_;
  std::string buf_;
  uint64_t bytes_ = 0;
};

}  // namespace

const std::vector<std::string>& divergence_categories() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (int c = 0; c < static_cast<int>(Cat::kCount); ++c) out.push_back(cat_name(static_cast<Cat>(c)));
    return out;
  }();
  return v;
}

GenSummary generate_trace_pair(const GenOptions& opts) {
  if (opts.threads < 1 || opts.threads > 64) throw Error(ExitCode::kUsage, "--threads must be 1..64");
  Plan plan;
  plan.opts = &opts;
  Rng prng(opts.seed ^ 0xA5A5A5A5ull);
  int T = opts.threads;
  // Logical ops per thread (~4.6 events per op, averaged over both engines);
  // the main thread also creates the workers.
  uint64_t per_thread = std::max<uint64_t>(8, opts.events * 10 / static_cast<uint64_t>(T) / 46);
  for (int t = 0; t < T; ++t) plan.ops_per_thread.push_back(per_thread + (t == 0 ? static_cast<uint64_t>(T) : 0));
  int nshared = std::max(2, T);
  for (int i = 0; i < nshared; ++i) {
    SharedObject so;
    so.ptr = static_cast<uint32_t>(0x828a0000 + prng.below(0x4000) * 0x10);
    so.type = static_cast<uint32_t>(1 + prng.below(5));
    so.creator[0] = static_cast<int>(prng.below(T));
    so.creator[1] = opts.noise >= 2 ? static_cast<int>(prng.below(T)) : so.creator[0];
    so.sid = shared_global_sid(so.ptr, so.type);
    plan.shared.push_back(so);
  }
  GenSummary sum;
  plan.divs.resize(T);
  std::vector<int> order(T);
  for (int t = 0; t < T; ++t) order[t] = t;
  for (int t = T - 1; t > 0; --t) std::swap(order[t], order[prng.below(t + 1)]);
  for (int d = 0; d < std::min(opts.divergences, T); ++d) {
    Plan::Div& dv = plan.divs[order[d]];
    dv.active = true;
    dv.op = 1 + prng.below(plan.ops_per_thread[order[d]]);
    dv.cat = static_cast<Cat>(prng.below(static_cast<uint64_t>(Cat::kCount)));
    sum.injected.push_back(std::string(cat_name(dv.cat)) + " in thread " + std::to_string(order[d]) + " from op " +
                           std::to_string(dv.op));
  }
  // Ours numbers threads 1..T; workers optionally permuted.
  std::vector<int64_t> ours_tid(T);
  for (int t = 0; t < T; ++t) ours_tid[t] = t + 1;
  if (opts.remap_tids)
    for (int t = T - 1; t > 1; --t) std::swap(ours_tid[t], ours_tid[1 + prng.below(t)]);

  for (int engine = 0; engine < 2; ++engine) {
    Output out(engine == 0 ? opts.canary_path : opts.ours_path);
    std::string& b = out.buf();
    b += engine == 0 ? "{\"kind\":\"schema_version\",\"schema_version\":1,\"engine\":\"canary\",\"emitter\":\"xenia-canary\","
                       "\"title_id\":\"0x4d5307e6\",\"seed\":"
                     : "{\"kind\":\"schema_version\",\"schema_version\":1,\"engine\":\"ours\",\"emitter\":\"xenia-rs\","
                       "\"title_id\":\"0x4d5307e6\",\"seed\":";
    b += std::to_string(opts.seed) + "}\n";
    std::vector<std::unique_ptr<ThreadGen>> gens;
    for (int t = 0; t < T; ++t) gens.push_back(std::make_unique<ThreadGen>(plan, engine, t, engine == 0 ? 6 + t : ours_tid[t], T));
    Rng sched(opts.seed * 31 + static_cast<uint64_t>(engine) * 977 + 3);
    std::vector<int> alive(T);
    for (int t = 0; t < T; ++t) alive[t] = t;
    int current = 0;
    while (!alive.empty()) {
      int slot = static_cast<int>(std::find(alive.begin(), alive.end(), current) - alive.begin());
      if (slot == static_cast<int>(alive.size())) slot = static_cast<int>(sched.below(alive.size()));
      ThreadGen& g = *gens[alive[slot]];
      uint64_t burst = 1 + sched.below(6);
      for (uint64_t k = 0; k < burst && !g.done(); ++k) {
        g.step(b);
        out.maybe_flush();
      }
      if (g.done()) alive.erase(alive.begin() + slot);
      current = alive.empty() ? 0 : alive[sched.below(alive.size())];
    }
    uint64_t n = 0;
    for (auto& g : gens) n += g->events();
    uint64_t bytes = out.close();
    (engine == 0 ? sum.canary_events : sum.ours_events) = n;
    (engine == 0 ? sum.canary_bytes : sum.ours_bytes) = bytes;
  }
  return sum;
}

}  // namespace xdet::diff
