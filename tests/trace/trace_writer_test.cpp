// The schema-v1 JSONL writer: header, every value encoding, line validity,
// buffering across the flush threshold, and the SID recipes.
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <unistd.h>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <simdjson.h>

#include "base/error.h"
#include "kernel/trace_sink.h"
#include "trace/jsonl_writer.h"

namespace xdet {
namespace {

using kernel::TraceEvent;
using kernel::TraceField;
using kernel::TraceKind;
using kernel::TraceValue;

std::string temp_path(const char* name) {
  return std::string(::testing::TempDir()) + "/" + name + "_" + std::to_string(::getpid());
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(SemanticId, MatchesReferenceRecipes) {
  // Values computed with shared/reference/diff_events.py (_fnv1a_64 over
  // <IIQI little-endian) and present in a real "ours" trace.
  EXPECT_EQ(kernel::semantic_id(0x82100000, 1, 14, 1), 0xcc6ffc6071a14401ull);
  EXPECT_EQ(kernel::shared_global_sid(0x82f10054, 1), 0xb33df56b3ff4889cull);
  EXPECT_NE(kernel::semantic_id(0x82100000, 1, 15, 1), kernel::semantic_id(0x82100000, 1, 14, 1));
}

TEST(JsonlTraceWriter, HeaderAndEventShape) {
  std::string path = temp_path("trace_shape.jsonl");
  {
    trace::JsonlTraceWriter w(path, {0x4d5307e6, 7});
    uint64_t sids[2] = {0xcc6ffc6071a14401ull, 0x1ull};
    TraceField args[] = {{"r3", TraceValue::hex32(0x400)}};
    TraceField resolved[] = {{"privilege", TraceValue::integer(10)}, {"path", TraceValue::string("a\"b\\c\n\x01")}};
    TraceField call[] = {{"name", TraceValue::string("XexCheckExecutablePrivilege")},
                         {"ord", TraceValue::uinteger(404)},
                         {"args", TraceValue::object(args, 1)},
                         {"args_resolved", TraceValue::object(resolved, 2)}};
    w.emit(TraceEvent{TraceKind::kKernelCall, 1, 0, 123, 2460, call, 4});
    TraceField wb[] = {{"handles_semantic_ids", TraceValue::sid_list(sids, 2)},
                       {"wait_type", TraceValue::string("all")},
                       {"timeout", TraceValue::integer(-330000)},
                       {"alertable", TraceValue::boolean(false)}};
    w.emit(TraceEvent{TraceKind::kWaitBegin, 1, 1, 124, 2480, wb, 4});
    uint32_t tids[] = {4, 5};
    TraceField sm[] = {{"target_handle", TraceValue::sid(0xca5730093ca99646ull)},
                       {"waiter_count", TraceValue::uinteger(2)},
                       {"waiter_tids", TraceValue::uint_list(tids, 2)},
                       {"woken_by_semantic_id", TraceValue::null()}};
    w.emit(TraceEvent{TraceKind::kSignalMatch, 2, 0, 125, 2500, sm, 4});
    EXPECT_EQ(w.events_written(), 3u);
  }
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            R"({"kind":"schema_version","schema_version":1,"engine":"xdet","emitter":"xdet","title_id":"0x4d5307e6","seed":7})");
  EXPECT_EQ(lines[1],
            R"({"tid":1,"tid_event_idx":0,"kind":"kernel.call","engine":"xdet","host_ns":2460,"guest_cycle":123,)"
            R"("deterministic":true,"payload":{"name":"XexCheckExecutablePrivilege","ord":404,"args":{"r3":"0x00000400"},)"
            R"("args_resolved":{"privilege":10,"path":"a\"b\\c\n\u0001"}}})");
  EXPECT_EQ(lines[2],
            R"({"tid":1,"tid_event_idx":1,"kind":"wait.begin","engine":"xdet","host_ns":2480,"guest_cycle":124,)"
            R"("deterministic":true,"payload":{"handles_semantic_ids":["cc6ffc6071a14401","0000000000000001"],)"
            R"("wait_type":"all","timeout":-330000,"alertable":false}})");
  // Every line parses as JSON and carries the top-level schema fields.
  simdjson::dom::parser parser;
  for (size_t i = 1; i < lines.size(); ++i) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(lines[i]).get(e), simdjson::SUCCESS) << lines[i];
    EXPECT_EQ(std::string_view(e["engine"].get_string().value()), "xdet");
    EXPECT_TRUE(e["deterministic"].get_bool().value());
    EXPECT_TRUE(e["payload"].is_object());
  }
  simdjson::dom::element sm;
  ASSERT_EQ(parser.parse(lines[3]).get(sm), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(sm["kind"].get_string().value()), "signal.match");
  auto tids = sm["payload"]["waiter_tids"].get_array().value();
  EXPECT_EQ(tids.size(), 2u);
  EXPECT_TRUE(sm["payload"]["woken_by_semantic_id"].is_null());
  std::remove(path.c_str());
}

TEST(JsonlTraceWriter, BuffersAcrossThresholdAndFlushesCompleteLines) {
  std::string path = temp_path("trace_buffer.jsonl");
  trace::JsonlTraceWriter w(path, {}, /*buffer_bytes=*/4096);
  TraceField f[] = {{"exit_code", TraceValue::hex32(0)}};
  for (uint64_t i = 0; i < 1000; ++i) w.emit(TraceEvent{TraceKind::kThreadExit, 3, i, i, i * 20, f, 1});
  // Before an explicit flush, whatever reached the file ends on a line boundary.
  std::fflush(nullptr);
  {
    std::ifstream in(path, std::ios::binary);
    std::string partial((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(partial.empty());
    EXPECT_EQ(partial.back(), '\n');
    EXPECT_LT(std::count(partial.begin(), partial.end(), '\n'), 1001);
  }
  w.flush();
  auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 1001u);
  EXPECT_NE(lines[1000].find("\"tid_event_idx\":999,"), std::string::npos);
  std::remove(path.c_str());
}

TEST(JsonlTraceWriter, MissingFoldersAreCreated) {
  std::string dir = ::testing::TempDir() + "xdet_trace_new_dir";
  std::filesystem::remove_all(dir);
  {
    trace::JsonlTraceWriter w(dir + "/a/b/x.jsonl", trace::TraceHeader{});
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/a/b/x.jsonl"));
  std::filesystem::remove_all(dir);
}

TEST(JsonlTraceWriter, UnwritablePathIsAnOutputError) {
  // A folder that cannot exist: its parent is a regular file.
  std::string file = ::testing::TempDir() + "xdet_trace_plain_file";
  std::ofstream(file) << "x";
  try {
    trace::JsonlTraceWriter w(file + "/x.jsonl", trace::TraceHeader{});
    FAIL() << "no error";
  } catch (const xdet::Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kOutputError) << e.what();
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
  }
  std::remove(file.c_str());
}

}  // namespace
}  // namespace xdet
