// Fuzzes the trace reader. Properties checked beyond "no crash/UB/leak":
//  * a line the fast scanner accepts is accepted by the exact (CPython-
//    compatible) parser too, as an object, with the same tid and kind;
//  * loading either succeeds or fails with a DiffFailure (exit 1 or 2, a
//    one-line message);
//  * a loaded trace diffs against itself and renders a report.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "diff/diff_engine.h"
#include "diff/event_scan.h"
#include "diff/py_json.h"
#include "diff/report.h"
#include "diff/trace_index.h"

using namespace xdet::diff;

namespace {

void check_line(std::string_view line) {
  static FastScanner scanner;
  EventFacts fast, slow;
  if (!scanner.scan(line, fast)) return;
  PyValue v;
  PyJsonError err;
  if (!py_json_loads(line, v, err) || !v.is_dict()) {
    std::fprintf(stderr, "fast scanner accepted a line Python rejects: %s\n", err.message.c_str());
    std::abort();
  }
  facts_from_value(v, slow);
  if (fast.tid != slow.tid || (fast.tid == EventFacts::Presence::kInt && fast.tid_value != slow.tid_value) ||
      fast.kind_state != slow.kind_state || std::string(fast.kind) != std::string(slow.kind) ||
      fast.handles.size() != slow.handles.size()) {
    std::fprintf(stderr, "fast and exact parsers disagree on a line\n");
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  for (int n = 0; n < 64 && start <= in.size(); ++n) {
    size_t nl = in.find('\n', start);
    if (nl == std::string_view::npos) nl = in.size();
    check_line(in.substr(start, nl - start));
    start = nl + 1;
  }

  int fd = memfd_create("trace", 0);
  if (fd < 0) return 0;
  if (size && write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    TraceIndex ix;
    ix.load(path, "fuzz.jsonl", LoadOptions{}, nullptr);
    IdTranslation ids = IdTranslation::build(ix, ix);
    FloatingSids floating = FloatingSids::build(ix, ix);
    std::vector<PairResult> results;
    std::string absorbed;
    for (const TidStream& t : ix.tids())
      results.push_back(diff_pair(t.tid, t.tid, ix, t, ix, t, ids, floating, AbsorberSwitches{}, &absorbed));
    std::string report = render_report(results, {}, {});
    if (report.empty()) std::abort();
  } catch (const DiffFailure& f) {
    if ((f.exit_code != 1 && f.exit_code != 2) || f.message.empty() || f.message.find('\n') != std::string::npos) {
      std::fprintf(stderr, "bad failure: %d %s\n", f.exit_code, f.message.c_str());
      std::abort();
    }
  }
  close(fd);
  return 0;
}
