// The trace reader and the timeline model on small hand-written traces:
// slices, waits, calls and arrows are paired and named as the page and the
// Perfetto writer expect, and malformed input is an error naming the line.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "base/error.h"
#include "timeline/timeline_model.h"
#include "timeline/timeline_writers.h"
#include "trace/trace_reader.h"

namespace xdet::timeline {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const char kHeader[] = R"({"kind":"schema_version","schema_version":1,"engine":"xdet","title_id":"0x58440000","seed":0})" "\n";

std::string ev(int tid, int idx, const char* kind, long ns, const std::string& payload) {
  return "{\"tid\":" + std::to_string(tid) + ",\"tid_event_idx\":" + std::to_string(idx) + ",\"kind\":\"" + kind +
         "\",\"engine\":\"xdet\",\"host_ns\":" + std::to_string(ns) + ",\"payload\":" + payload + "}\n";
}

TEST(TimelineModel, PairsSlicesWaitsCallsAndSignals) {
  std::string t = kHeader;
  t += ev(-1, 0, "sched.ready", 0, R"({"thread":1,"round":1,"cause":"create"})");
  t += ev(-1, 1, "sched.slice.begin", 0, R"({"cpu":0,"thread":1,"round":1,"priority":0,"effective_priority":0,"budget":100,"pc":"0x82001000"})");
  t += ev(1, 0, "handle.create", 10, R"({"raw_handle_id":"0xf8000008","handle_semantic_id":"00000000000000aa","object_type":5,"create_site_pc":"0x82001010"})");
  t += ev(1, 1, "kernel.call", 20, R"({"name":"NtWaitForSingleObjectEx","ord":1,"args":{"r3":"0xf8000008"},"args_resolved":{}})");
  t += ev(1, 2, "wait.begin", 20, R"({"handles_semantic_ids":["00000000000000aa"],"wait_type":"any","timeout":null,"alertable":false})");
  t += ev(-1, 2, "sched.slice.end", 20, R"({"cpu":0,"thread":1,"round":1,"instructions":2,"reason":"wait","state":"waiting","pc":"0x82001008"})");
  t += ev(-1, 3, "sched.slice.begin", 0, R"({"cpu":1,"thread":2,"round":1,"priority":0,"effective_priority":0,"budget":100,"pc":"0x82002000"})");
  t += ev(2, 0, "signal.match", 50, R"({"target_handle":"00000000000000aa","waiter_count":1,"waiter_tids":[1]})");
  t += ev(1, 3, "wait.end", 50, R"({"wait_duration_cycles":1,"woken_by_semantic_id":"00000000000000aa","status":"0x00000000"})");
  t += ev(1, 4, "kernel.return", 50, R"({"name":"NtWaitForSingleObjectEx","return_value":"0x00000000","status":"0x00000000"})");
  t += ev(-1, 4, "sched.slice.end", 100, R"({"cpu":1,"thread":2,"round":1,"instructions":10,"reason":"quantum","state":"ready","pc":"0x82002028"})");
  t += ev(2, 1, "wait.begin", 100, R"({"handles_semantic_ids":["00000000000000aa"],"wait_type":"any","timeout":null,"alertable":false})");
  Model m = build_model(write_temp("tl_pairs.jsonl", t), "/nonexistent/exit-thread-state.json");

  EXPECT_EQ(m.event_count, 12u);
  EXPECT_TRUE(m.has_sched);
  EXPECT_EQ(m.cpu_count, 6);
  ASSERT_EQ(m.threads.size(), 2u);
  EXPECT_EQ(m.threads[0].label, "tid 1");
  ASSERT_EQ(m.slices.size(), 2u);
  EXPECT_EQ(m.slices[0].cpu, 0);
  EXPECT_EQ(m.slices[0].end_ns(), 20);
  EXPECT_EQ(m.strings.at(m.slices[0].reason), "wait");
  EXPECT_EQ(m.slices[1].cpu, 1);
  EXPECT_EQ(m.slices[1].end_ns(), 100);
  ASSERT_EQ(m.waits.size(), 2u);
  EXPECT_EQ(m.waits[0].tid, 1);
  EXPECT_EQ(m.waits[0].end_ns, 50);
  EXPECT_EQ(m.strings.at(m.waits[0].objects), "semaphore f8000008 (00000000000000aa)");
  EXPECT_EQ(m.waits[1].end_ns, -1);  // never ended
  EXPECT_EQ(m.strings.at(m.waits[1].status), "pending");
  ASSERT_EQ(m.calls.size(), 1u);
  EXPECT_EQ(m.strings.at(m.calls[0].detail),
            R"(NtWaitForSingleObjectEx({"r3":"0xf8000008"}) -> 0x00000000 status 0x00000000)");
  ASSERT_EQ(m.arrows.size(), 1u);
  EXPECT_EQ(m.arrows[0].from_tid, 2);
  EXPECT_EQ(m.arrows[0].to_tid, 1);
  EXPECT_FALSE(m.wedge.present);

  std::string data = page_data_json(m);
  EXPECT_NE(data.find(R"("slices":{"cpu":[0,1],"tid":[1,2],"t":[0,0],"ins":[2,10])"), std::string::npos) << data;
  EXPECT_NE(data.find(R"("waits":{"tid":[1,2],"t":[20,80],"dur":[30,-1])"), std::string::npos) << data;
}

TEST(TimelineModel, PageDataCannotCloseTheScriptElement) {
  std::string t = kHeader;
  t += ev(1, 0, "kernel.call", 0, R"({"name":"</script><b>","ord":1,"args":{},"args_resolved":{}})");
  Model m = build_model(write_temp("tl_escape.jsonl", t), "/nonexistent");
  std::string data = page_data_json(m);
  EXPECT_EQ(data.find("</script>"), std::string::npos);
  EXPECT_NE(data.find(R"(\u003c/script\u003e)"), std::string::npos);
}

TEST(TraceReader, BadInputNamesFileAndLine) {
  std::string bad = std::string(kHeader) + ev(1, 0, "kernel.call", 0, "{}") + "{\"tid\":1,\"kind\":\n";
  std::string path = write_temp("tl_bad.jsonl", bad);
  try {
    build_model(path, "/nonexistent");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":3: invalid JSON", 0), 0u) << e.what();
  }
  std::string no_header = write_temp("tl_nohdr.jsonl", ev(1, 0, "kernel.call", 0, "{}"));
  EXPECT_THROW(build_model(no_header, "/nonexistent"), InputError);
  std::string no_tid = write_temp("tl_notid.jsonl", std::string(kHeader) + R"({"kind":"x","payload":{}})" "\n");
  try {
    build_model(no_tid, "/nonexistent");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), no_tid + ":2: missing tid");
  }
  EXPECT_THROW(build_model(::testing::TempDir() + "missing.jsonl", "/nonexistent"), InputError);
}

TEST(TraceReader, LinesLongerThanTheReadBlock) {
  // One payload string of 20 MB: the reader's block (8 MB) must grow.
  std::string big(20u << 20, 'x');
  std::string t = std::string(kHeader) + ev(1, 0, "kernel.call", 0, "{\"name\":\"" + big + "\",\"args\":{}}") +
                  ev(1, 1, "kernel.return", 0, R"({"name":"n","return_value":"0x1","status":"0x1"})");
  size_t seen = 0, longest = 0;
  trace::read_trace(write_temp("tl_long.jsonl", t), [](const trace::TraceFileHeader&) {},
                    [&](const trace::TraceEvent& e) {
                      ++seen;
                      longest = std::max(longest, e.str_field("name").size());
                    });
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(longest, big.size());
}

}  // namespace
}  // namespace xdet::timeline
