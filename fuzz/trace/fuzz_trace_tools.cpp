// Fuzzes the streaming trace reader shared by `xdet timeline` and `xdet db`
// (src/trace/trace_reader), the exit-state summary they read beside it, and
// the timeline model and writers on top. Input: the exit state, a line
// "====", then the trace. Properties beyond "no crash/UB/leak": bad input
// is an InputError and nothing else; every event the reader hands out has
// the line and ordinal it claims, and its raw payload is an object.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.h"
#include "common_memfd.h"
#include "timeline/timeline_model.h"
#include "timeline/timeline_writers.h"
#include "trace/trace_reader.h"

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "%s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto [state_text, trace_text] = xdet::fuzz::split_input(in, "\n====\n");
  xdet::fuzz::MemFile state_file(state_text), trace_file(trace_text);
  if (!state_file.ok() || !trace_file.ok()) return 0;
  try {
    (void)xdet::trace::read_exit_summary(state_file.path());
  } catch (const xdet::InputError&) {
  }
  uint64_t events = 0, last_line = 0;
  try {
    xdet::trace::read_trace(
        trace_file.path(), [](const xdet::trace::TraceFileHeader&) {},
        [&](const xdet::trace::TraceEvent& e) {
          if (e.ordinal != events++) die("event ordinals are not consecutive");
          if (e.line <= last_line) die("event lines do not increase");
          last_line = e.line;
          if (e.payload_json.empty() || e.payload_json.front() != '{' || e.payload_json.back() != '}')
            die("raw payload is not an object");
          for (const auto& f : e.fields) {
            if (f.type == xdet::trace::PayloadField::Type::kRaw) {
              (void)xdet::trace::json_string_list(f.text);
              (void)xdet::trace::json_int_list(f.text);
            }
          }
        });
  } catch (const xdet::InputError&) {
  }
  try {
    xdet::timeline::Model m = xdet::timeline::build_model(trace_file.path(), state_file.path());
    (void)xdet::timeline::page_data_json(m);
    std::FILE* sink = std::fopen("/dev/null", "w");
    if (sink) {
      xdet::timeline::write_perfetto(m, sink);
      // The page carries a large fixed template: written for one input in
      // eight, which keeps the run rate up for the readers.
      if (size % 8 == 0) xdet::timeline::write_html(m, sink);
      std::fclose(sink);
    }
  } catch (const xdet::InputError&) {
  }
  return 0;
}
