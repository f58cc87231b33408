// Fuzzes `xdet db`: a trace (and exit state) loaded into a fresh SQLite
// database in memory-backed storage. Input: the exit state, a line "====",
// then the trace. Properties beyond "no crash/UB/leak": bad input is an
// InputError and nothing else (never a SQLite failure), and a trace that
// loads counts as many events as the reader hands out.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.h"
#include "common_memfd.h"
#include "db/trace_db.h"
#include "trace/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto [state_text, trace_text] = xdet::fuzz::split_input(in, "\n====\n");
  xdet::fuzz::MemFile state_file(state_text), trace_file(trace_text);
  if (!state_file.ok() || !trace_file.ok()) return 0;
  static const std::string db_path = std::string(access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                      "/xdet-fuzz-db-" + std::to_string(getpid()) + ".sqlite";
  uint64_t events = 0;
  bool readable = true;
  try {
    xdet::trace::read_trace(trace_file.path(), [](const xdet::trace::TraceFileHeader&) {},
                            [&](const xdet::trace::TraceEvent&) { ++events; });
  } catch (const xdet::InputError&) {
    readable = false;
  }
  try {
    xdet::db::LoadStats st = xdet::db::load_trace_db(trace_file.path(), state_file.path(), db_path);
    if (st.events != events) {
      std::fprintf(stderr, "db loaded %llu events, the reader saw %llu\n", static_cast<unsigned long long>(st.events),
                   static_cast<unsigned long long>(events));
      std::abort();
    }
  } catch (const xdet::InputError&) {
    (void)readable;
  } catch (const xdet::Error& e) {
    std::fprintf(stderr, "db load failed with a non-input error: %s\n", e.what());
    std::abort();
  }
  std::remove(db_path.c_str());
  return 0;
}
