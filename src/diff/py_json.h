#pragma once
// A JSON parser that accepts exactly what CPython 3.11's json.loads() accepts
// and, on rejection, produces the same JSONDecodeError message
// ("Expecting ',' delimiter: line 1 column 7 (char 6)"). The reference diff
// tool prints those messages verbatim for malformed trace lines, so they are
// part of `xdet diff`'s observable behaviour. Used for the rare lines the fast
// scanner (event_scan.h) does not handle, and to materialize events for
// rendering.
#include <cstddef>
#include <string>
#include <string_view>

#include "diff/py_value.h"

namespace xdet::diff {

struct PyJsonError {
  // kDecode: json.JSONDecodeError (the reference reports these);
  // kCrash: any other exception the reference would die from (RecursionError,
  // ValueError for >4300-digit ints). `message` is the full text.
  enum Kind { kDecode, kCrash } kind = kDecode;
  std::string message;
};

// Nesting depth beyond which CPython's json.loads raises RecursionError when
// called from the reference tool.
inline constexpr int kPyJsonMaxDepth = 993;

// json.loads(text). `text` must be valid UTF-8 (see utf8_valid).
bool py_json_loads(std::string_view text, PyValue& out, PyJsonError& err);

// Strict UTF-8 validation as Python's codec does it (no surrogates, no
// overlongs). On failure *bad_offset is the first offending byte.
bool utf8_valid(std::string_view s, size_t* bad_offset);

// Decodes the body of a JSON string literal (between the quotes) that the
// fast scanner already found to be well formed, appending WTF-8.
void json_unescape(std::string_view body, std::string& out);

}  // namespace xdet::diff
