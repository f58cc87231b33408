// Unit tests of the Python emulation pieces and the fast scanner of src/diff.
// Expected strings were produced by CPython 3.11 (the reference's runtime).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>

#include "diff/diff_tool.h"
#include "diff/event_scan.h"
#include "diff/py_json.h"
#include "diff/py_value.h"
#include "diff/trace_gen.h"
#include "diff/trace_index.h"

namespace xdet::diff {
namespace {

PyValue loads(const std::string& s) {
  PyValue v;
  PyJsonError e;
  EXPECT_TRUE(py_json_loads(s, v, e)) << s << ": " << e.message;
  return v;
}

std::string load_error(const std::string& s) {
  PyValue v;
  PyJsonError e;
  EXPECT_FALSE(py_json_loads(s, v, e)) << s;
  return e.message;
}

TEST(PyRepr, FloatsFollowPythonRepr) {
  EXPECT_EQ(py_repr(loads("[1e16, 0.0001, 1e-05, 123456789.125, -0.0, 1.5, 100.0, 1e22, 5e-324, 0.1]")),
            "[1e+16, 0.0001, 1e-05, 123456789.125, -0.0, 1.5, 100.0, 1e+22, 5e-324, 0.1]");
  EXPECT_EQ(py_repr(loads("[NaN, Infinity, -Infinity, 1E400]")), "[nan, inf, -inf, inf]");
  EXPECT_EQ(json_dumps_sorted(loads("[NaN, -Infinity, 1e16]")), "[NaN, -Infinity, 1e+16]");
}

TEST(PyRepr, StringsPickQuotesAndEscapeNonPrintables) {
  EXPECT_EQ(py_repr(PyValue::str("a\xc2\xa0" "b\xe2\x80\x8b" "c\xf0\x9f\x8e\xae" "d\x7f'x")),
            "\"a\\xa0b\\u200bc\xf0\x9f\x8e\xae" "d\\x7f'x\"");
  EXPECT_EQ(py_repr(PyValue::str("\"")), "'\"'");
  EXPECT_EQ(py_repr(PyValue::str("'\"")), "'\\'\"'");
  EXPECT_EQ(py_repr(PyValue::str("t\tn\nr\r\\")), "'t\\tn\\nr\\r\\\\'");
  EXPECT_EQ(py_repr(loads("\"\\ud800\"")), "'\\ud800'");
}

TEST(PyRepr, DictsKeepInsertionOrderReprAndSortForJson) {
  PyValue v = loads("{\"b\": 1, \"a\": [true, null, \"\\u00e9\"], \"b\": 2}");
  EXPECT_EQ(py_repr(v), "{'b': 2, 'a': [True, None, '\xc3\xa9']}");
  EXPECT_EQ(json_dumps_sorted(v), "{\"a\": [true, null, \"\\u00e9\"], \"b\": 2}");
  EXPECT_EQ(json_dumps_sorted(loads("\"\\ud83c\\udfae\\u0001\"")), "\"\\ud83c\\udfae\\u0001\"");
}

TEST(PyJson, ErrorMessagesMatchCPython) {
  EXPECT_EQ(load_error(""), "Expecting value: line 1 column 1 (char 0)");
  EXPECT_EQ(load_error(" "), "Expecting value: line 1 column 2 (char 1)");
  EXPECT_EQ(load_error("{"), "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
  EXPECT_EQ(load_error("{\"a\""), "Expecting ':' delimiter: line 1 column 5 (char 4)");
  EXPECT_EQ(load_error("{\"a\":1"), "Expecting ',' delimiter: line 1 column 7 (char 6)");
  EXPECT_EQ(load_error("[1,]"), "Expecting value: line 1 column 4 (char 3)");
  EXPECT_EQ(load_error("\"abc"), "Unterminated string starting at: line 1 column 1 (char 0)");
  EXPECT_EQ(load_error("\"a\\x\""), "Invalid \\escape: line 1 column 3 (char 2)");
  EXPECT_EQ(load_error("\"a\\u12\""), "Invalid \\uXXXX escape: line 1 column 4 (char 3)");
  EXPECT_EQ(load_error("\"a\tb\""), "Invalid control character at: line 1 column 3 (char 2)");
  EXPECT_EQ(load_error("{} x"), "Extra data: line 1 column 4 (char 3)");
  EXPECT_EQ(load_error("01"), "Extra data: line 1 column 2 (char 1)");
  EXPECT_EQ(load_error("1."), "Extra data: line 1 column 2 (char 1)");
  EXPECT_EQ(load_error("\xef\xbb\xbf{}"), "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)");
  EXPECT_EQ(load_error("{\"a\" 1}"), "Expecting ':' delimiter: line 1 column 6 (char 5)");
  EXPECT_EQ(load_error("-Inf"), "Expecting value: line 1 column 1 (char 0)");
  // Columns count code points, not bytes.
  EXPECT_EQ(load_error("[\"\xc3\xa9\xc3\xa9\" x]"), "Expecting ',' delimiter: line 1 column 7 (char 6)");
}

TEST(PyJson, DeepNestingIsACrashNotADecodeError) {
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  PyValue v;
  PyJsonError e;
  ASSERT_FALSE(py_json_loads(deep, v, e));
  EXPECT_EQ(e.kind, PyJsonError::kCrash);
  EXPECT_TRUE(py_json_loads(std::string(100, '[') + std::string(100, ']'), v, e));
}

TEST(PyEqual, NumbersAndContainersCompareLikePython) {
  EXPECT_TRUE(py_equal(loads("1"), loads("1.0")));
  EXPECT_TRUE(py_equal(loads("true"), loads("1")));
  EXPECT_FALSE(py_equal(loads("\"1\""), loads("1")));
  EXPECT_TRUE(py_equal(loads("{\"a\":1,\"b\":2}"), loads("{\"b\":2,\"a\":1}")));
  EXPECT_FALSE(py_equal(loads("[1,2]"), loads("[2,1]")));
  // One shared NaN object: equal inside containers, unequal directly.
  EXPECT_FALSE(py_equal(loads("NaN"), loads("NaN")));
  EXPECT_TRUE(py_equal(loads("[NaN]"), loads("[NaN]")));
  EXPECT_TRUE(py_equal(loads("18446744073709551616"), loads("1.8446744073709552e19")));
}

TEST(PyInt, HexBase0AndPaths) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_python_hex("0x828a0150", v));
  EXPECT_EQ(v, 0x828a0150u);
  EXPECT_TRUE(parse_python_hex(" 0X_ff ", v));
  EXPECT_EQ(v, 0xffu);
  EXPECT_FALSE(parse_python_hex("0x", v));
  EXPECT_FALSE(parse_python_hex("xyz", v));
  EXPECT_FALSE(parse_python_hex("1__2", v));
  int64_t i = 0;
  EXPECT_TRUE(parse_python_int_base0(" 0x10 ", i));
  EXPECT_EQ(i, 16);
  EXPECT_TRUE(parse_python_int_base0("-7", i));
  EXPECT_EQ(i, -7);
  EXPECT_TRUE(parse_python_int_base0("000", i));
  EXPECT_FALSE(parse_python_int_base0("010", i));
  EXPECT_TRUE(parse_python_int_base0("1_000", i));
  EXPECT_EQ(i, 1000);
  EXPECT_EQ(python_path_str("./a//b/./c/"), "a/b/c");
  EXPECT_EQ(python_path_str(""), ".");
  EXPECT_EQ(python_path_str("//x"), "//x");
  EXPECT_EQ(python_path_str("///x"), "/x");
}

TEST(SharedGlobalSid, MatchesTheEnginesRecipe) {
  // From the shared parity examples: ours' shared-global handle.create with
  // raw_handle_id 0x828a0150, object_type 5.
  EXPECT_EQ(shared_global_sid(0x828a0150, 5), "edd343db35e5ce10");
}

TEST(TidMap, ParsesLikeTheReference) {
  auto m = parse_tid_map(" 6=1, 0x7 = 2 ,,6=3");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].first.str(), "6");
  EXPECT_EQ(m[0].second.str(), "3");
  EXPECT_EQ(m[1].first.str(), "7");
  EXPECT_EQ(m[1].second.str(), "2");
  // Python ints are unbounded; Unicode digits and spaces count.
  auto big = parse_tid_map("99999999999999999999=0x10000000000000000,\u0661\xc2\xa0=-0b11");
  ASSERT_EQ(big.size(), 2u);
  EXPECT_EQ(big[0].first.str(), "99999999999999999999");
  EXPECT_EQ(big[0].first.type, TidKey::Type::kBigInt);
  EXPECT_EQ(big[0].second.str(), "18446744073709551616");
  EXPECT_EQ(big[1].first.str(), "1");
  EXPECT_EQ(big[1].second.str(), "-3");
  try {
    parse_tid_map("6=1,7");
    FAIL();
  } catch (const DiffFailure& f) {
    EXPECT_EQ(f.exit_code, 1);
    EXPECT_EQ(f.message, "--tid-map: bad token '7' (expected canary=ours)");
  }
}

// The fast scanner and the exact parser must agree on every fact they both
// derive; the fingerprint must ignore key order and top-level None.
TEST(FastScanner, AgreesWithExactParserOnGeneratedLines) {
  char dir[] = "/tmp/xdet-scan-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  GenOptions o;
  o.events = 3000;
  o.exotic_rate = 0.3;
  o.canary_path = std::string(dir) + "/c.jsonl";
  o.ours_path = std::string(dir) + "/o.jsonl";
  generate_trace_pair(o);
  std::ifstream in(o.canary_path);
  std::string line;
  std::getline(in, line);
  FastScanner scanner;
  EventFacts fast, slow;
  int fast_ok = 0, lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    PyValue v = loads(line);
    facts_from_value(v, slow);
    if (!scanner.scan(line, fast)) continue;
    ++fast_ok;
    EXPECT_EQ(fast.tid_value, slow.tid_value);
    EXPECT_EQ(fast.idx_int, slow.idx_int);
    EXPECT_EQ(std::string(fast.kind), std::string(slow.kind));
    EXPECT_EQ(fast.name_state, slow.name_state);
    EXPECT_EQ(std::string(fast.name), std::string(slow.name));
    EXPECT_EQ(fast.hsid_is_str, slow.hsid_is_str);
    EXPECT_EQ(std::string(fast.hsid), std::string(slow.hsid));
    EXPECT_EQ(fast.has_status, slow.has_status);
    ASSERT_EQ(fast.handles.size(), slow.handles.size());
  }
  std::remove(o.canary_path.c_str());
  std::remove(o.ours_path.c_str());
  rmdir(dir);
  EXPECT_GT(lines, 2000);
  EXPECT_GT(fast_ok, lines * 9 / 10);  // exotic values go to the exact path
}

uint64_t payload_fp(FastScanner& s, const std::string& line) {
  EventFacts f;
  EXPECT_TRUE(s.scan(line, f)) << line;
  uint64_t fp = 0;
  for (const PayloadField& pf : f.fields)
    if (!pf.is_null) fp += pf.hash;
  return fp;
}

// Top-level payload fields are order-free and a null field equals a missing
// one; nested values hash by their text (equal-but-differently-spelled values
// get different fingerprints and are then compared exactly).
TEST(FastScanner, FingerprintIsOrderFreeAtTopLevelAndTextualBelow) {
  FastScanner s;
  uint64_t a = payload_fp(s, R"({"tid":1,"kind":"x","payload":{"a":1,"b":{"c":[1,"é"],"d":2.5}}})");
  uint64_t b = payload_fp(s, R"({"payload":{"b":{"c":[1,"é"],"d":2.5},"z":null,"a":1},"kind":"x","tid":1,"host_ns":5})");
  uint64_t c = payload_fp(s, R"({"tid":1,"kind":"x","payload":{"a":1,"b":{"c":["é",1],"d":2.5}}})");
  uint64_t d = payload_fp(s, R"({"tid":1,"kind":"x","payload":{"a":2,"b":{"c":[1,"é"],"d":2.5}}})");
  uint64_t e = payload_fp(s, R"({"tid":1,"kind":"x","payload":{"a":1,"b":{"d":2.5,"c":[1,"é"]}}})");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_NE(a, e);  // equal in Python; decided by the exact comparison
  EventFacts f;
  EXPECT_FALSE(s.scan(R"({"tid":1,"payload":{"a":1,"a":2}})", f));  // duplicate keys: exact path
  EXPECT_FALSE(s.scan(R"({"tid":1,"payload":{"a":NaN}})", f));
  EXPECT_FALSE(s.scan(R"({"tid":1} x)", f));
}

// Integers of every digit count, ending right at the buffer's end or before
// any delimiter, read back exactly (the scanner reads digits 8 at a time).
TEST(FastScanner, ReadsIntegersOfEveryLengthAtAnyPosition) {
  FastScanner s;
  EventFacts f;
  uint64_t v = 0;
  for (int digits = 1; digits <= 19; ++digits) {
    v = v * 10 + static_cast<uint64_t>(digits % 9 + 1);  // 2, 23, 234, ...
    std::string num = std::to_string(v);
    for (const char* after : {"}", " }", ",\"kind\":null}"}) {
      for (bool negative : {false, true}) {
        std::string line = std::string(R"({"tid":)") + (negative ? "-" : "") + num + "," +
                           R"("tid_event_idx":)" + num + ",\"payload\":{\"ord\":" + num + "}" + after;
        // As its own buffer (numbers near the end) and inside a longer one.
        for (const std::string& buf : {line, line + std::string(40, ' ')}) {
          const char* end = nullptr;
          ASSERT_TRUE(s.scan_prefix(buf.data(), buf.data() + buf.size(), f, &end)) << buf;
          EXPECT_EQ(f.tid_value, negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v)) << buf;
          EXPECT_EQ(f.idx_int, static_cast<int64_t>(v)) << buf;
          ASSERT_EQ(f.fields.size(), 1u);
        }
      }
    }
  }
  // Digits then a byte the SWAR test must not take for a digit (':' .. '?', '/').
  for (const char* bad : {R"({"tid":12345678:})", R"({"tid":1234567/})", R"({"tid":123456789?})", R"({"tid":01})",
                          R"({"tid":1,"host_ns":12:4567890123,"payload":{}})", R"({"tid":1,"host_ns":1234567890;23,"payload":{}})",
                          R"({"tid":1,"payload":{"x":1.5?7890123456}})", R"({"tid":1,"payload":{"x":1e1>7890123456}})"})
    EXPECT_FALSE(s.scan(bad, f)) << bad;
  ASSERT_TRUE(s.scan(R"({"tid":0,"tid_event_idx":12345678901234567,"payload":{"x":1.25e+10}})", f));
  EXPECT_EQ(f.idx_int, 12345678901234567);
}

}  // namespace
}  // namespace xdet::diff

namespace xdet::diff {
namespace {

// Python semantics the reference relies on beyond plain ASCII/int64 data.
TEST(PySemantics, OrderingStripIntAndStderr) {
  auto v = [](const char* json) { return loads(json); };
  // a <= b: strings and lists order, mixed types raise TypeError.
  EXPECT_EQ(py_less_equal(v("\"a\""), v("\"b\"")), std::optional<bool>(true));
  EXPECT_EQ(py_less_equal(v("[1, 0]"), v("[1]")), std::optional<bool>(false));
  EXPECT_EQ(py_less_equal(v("[1]"), v("[\"x\"]")), std::nullopt);
  EXPECT_EQ(py_less_equal(v("1"), v("\"1\"")), std::nullopt);
  EXPECT_EQ(py_less_equal(v("null"), v("null")), std::nullopt);
  EXPECT_EQ(py_less_equal(v("99999999999999999999"), v("1e20")), std::optional<bool>(true));
  EXPECT_EQ(py_less_equal(v("100000000000000000001"), v("1e20")), std::optional<bool>(false));
  EXPECT_EQ(py_less_equal(v("-99999999999999999999"), v("-9223372036854775808")), std::optional<bool>(true));
  // str.strip() and int() take Unicode whitespace and decimal digits.
  EXPECT_EQ(py_strip("\xc2\xa0 x\xe3\x80\x80"), "x");
  EXPECT_EQ(py_int_ascii("\xd9\xa1\xef\xbc\x96"), "16");  // Arabic-Indic 1, fullwidth 6
  EXPECT_EQ(py_int_ascii("1\xc3\xa9" "2"), "1?");
  EXPECT_EQ(py_int_ascii("\x1c" "5"), "\x1c" "5");  // ASCII stays: int() rejects it
  // stderr: backslashreplace for surrogates and undecodable bytes.
  EXPECT_EQ(stderr_text("a\xed\xb2\x80" "b\xff"), "a\\udc80b\\udcff");
  EXPECT_EQ(surrogateescape_decode("\xff"), "\xed\xb3\xbf");
}

}  // namespace
}  // namespace xdet::diff
