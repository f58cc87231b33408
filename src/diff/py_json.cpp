#include "diff/py_json.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace xdet::diff {

bool utf8_valid(std::string_view s, size_t* bad_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) {
        if (bad_offset) *bad_offset = i;
        return false;
      }
    }
    i += len;
  }
  return true;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Thrown inside the parser; converted to PyJsonError at the top.
struct Failure {
  PyJsonError::Kind kind;
  const char* msg;
  size_t pos;  // byte offset
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s), n_(s.size()) {}

  // scan_once: parse a value at idx; sets next.
  PyValue scan_once(size_t idx, size_t& next, int depth) {
    if (idx >= n_) throw Failure{PyJsonError::kDecode, "Expecting value", idx};
    char c = s_[idx];
    switch (c) {
      case '"': {
        std::string str;
        next = scan_string(idx + 1, str);
        return PyValue::str(std::move(str));
      }
      case '{': return parse_object(idx + 1, next, depth + 1);
      case '[': return parse_array(idx + 1, next, depth + 1);
      case 'n':
        if (idx + 3 < n_ && s_.substr(idx, 4) == "null") {
          next = idx + 4;
          return PyValue::none();
        }
        break;
      case 't':
        if (idx + 3 < n_ && s_.substr(idx, 4) == "true") {
          next = idx + 4;
          return PyValue::boolean(true);
        }
        break;
      case 'f':
        if (idx + 4 < n_ && s_.substr(idx, 5) == "false") {
          next = idx + 5;
          return PyValue::boolean(false);
        }
        break;
      case 'N':
        if (idx + 2 < n_ && s_.substr(idx, 3) == "NaN") {
          next = idx + 3;
          return PyValue::floating(std::numeric_limits<double>::quiet_NaN());
        }
        break;
      case 'I':
        if (idx + 7 < n_ && s_.substr(idx, 8) == "Infinity") {
          next = idx + 8;
          return PyValue::floating(std::numeric_limits<double>::infinity());
        }
        break;
      case '-':
        if (idx + 8 < n_ && s_.substr(idx, 9) == "-Infinity") {
          next = idx + 9;
          return PyValue::floating(-std::numeric_limits<double>::infinity());
        }
        break;
      default: break;
    }
    return match_number(idx, next);
  }

 private:
  PyValue match_number(size_t start, size_t& next) {
    size_t idx = start;
    size_t end_idx = n_ - 1;
    if (s_[idx] == '-') {
      ++idx;
      if (idx > end_idx) throw Failure{PyJsonError::kDecode, "Expecting value", start};
    }
    if (s_[idx] >= '1' && s_[idx] <= '9') {
      ++idx;
      while (idx <= end_idx && is_digit(s_[idx])) ++idx;
    } else if (s_[idx] == '0') {
      ++idx;
    } else {
      throw Failure{PyJsonError::kDecode, "Expecting value", start};
    }
    bool is_float = false;
    if (idx < end_idx && s_[idx] == '.' && is_digit(s_[idx + 1])) {
      is_float = true;
      idx += 2;
      while (idx <= end_idx && is_digit(s_[idx])) ++idx;
    }
    if (idx < end_idx && (s_[idx] == 'e' || s_[idx] == 'E')) {
      size_t e_start = idx;
      ++idx;
      if (idx < end_idx && (s_[idx] == '-' || s_[idx] == '+')) ++idx;
      while (idx <= end_idx && is_digit(s_[idx])) ++idx;
      if (is_digit(s_[idx - 1])) is_float = true;
      else idx = e_start;
    }
    next = idx;
    std::string_view text = s_.substr(start, idx - start);
    if (is_float) {
      std::string tmp(text);
      errno = 0;
      double d = std::strtod(tmp.c_str(), nullptr);  // correctly rounded; overflow -> inf
      return PyValue::floating(d);
    }
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return PyValue::integer(v);
    size_t ndigits = text.size() - (text[0] == '-' ? 1 : 0);
    if (ndigits > 4300) throw Failure{PyJsonError::kCrash, "integer literal exceeds Python's 4300-digit limit", start};
    return PyValue::big_integer(std::string(text));
  }

  // scanstring: idx is just after the opening quote; returns index after the
  // closing quote.
  size_t scan_string(size_t end, std::string& out) {
    size_t begin = end - 1;
    for (;;) {
      size_t next = end;
      char c = 0;
      for (; next < n_; ++next) {
        c = s_[next];
        if (c == '"' || c == '\\') break;
        if (static_cast<unsigned char>(c) <= 0x1F) throw Failure{PyJsonError::kDecode, "Invalid control character at", next};
      }
      if (next >= n_ || (c != '"' && c != '\\')) throw Failure{PyJsonError::kDecode, "Unterminated string starting at", begin};
      out.append(s_.data() + end, next - end);
      ++next;
      if (c == '"') return next;
      if (next == n_) throw Failure{PyJsonError::kDecode, "Unterminated string starting at", begin};
      c = s_[next];
      if (c != 'u') {
        end = next + 1;
        char r = 0;
        switch (c) {
          case '"': r = '"'; break;
          case '\\': r = '\\'; break;
          case '/': r = '/'; break;
          case 'b': r = '\b'; break;
          case 'f': r = '\f'; break;
          case 'n': r = '\n'; break;
          case 'r': r = '\r'; break;
          case 't': r = '\t'; break;
          default: throw Failure{PyJsonError::kDecode, "Invalid \\escape", end - 2};
        }
        out.push_back(r);
      } else {
        ++next;
        end = next + 4;
        if (end >= n_) throw Failure{PyJsonError::kDecode, "Invalid \\uXXXX escape", next - 1};
        uint32_t cp = 0;
        for (; next < end; ++next) {
          int h = hex_value(s_[next]);
          if (h < 0) throw Failure{PyJsonError::kDecode, "Invalid \\uXXXX escape", end - 5};
          cp = (cp << 4) | static_cast<uint32_t>(h);
        }
        if (cp >= 0xD800 && cp <= 0xDBFF && end + 6 < n_ && s_[next] == '\\' && s_[next + 1] == 'u') {
          next += 2;
          uint32_t c2 = 0;
          end += 6;
          for (; next < end; ++next) {
            int h = hex_value(s_[next]);
            if (h < 0) throw Failure{PyJsonError::kDecode, "Invalid \\uXXXX escape", end - 5};
            c2 = (c2 << 4) | static_cast<uint32_t>(h);
          }
          if (c2 >= 0xDC00 && c2 <= 0xDFFF) cp = 0x10000 + (((cp - 0xD800) << 10) | (c2 - 0xDC00));
          else end -= 6;
        }
        wtf8_append(cp, out);
      }
    }
  }

  void check_depth(int depth, size_t pos) {
    if (depth > kPyJsonMaxDepth) throw Failure{PyJsonError::kCrash, "nesting too deep (Python would raise RecursionError)", pos};
  }

  PyValue parse_object(size_t idx, size_t& next, int depth) {
    check_depth(depth, idx - 1);
    PyValue obj = PyValue::dict();
    size_t end_idx = n_ - 1;
    while (idx <= end_idx && is_ws(s_[idx])) ++idx;
    if (idx > end_idx || s_[idx] != '}') {
      for (;;) {
        if (idx > end_idx || s_[idx] != '"')
          throw Failure{PyJsonError::kDecode, "Expecting property name enclosed in double quotes", idx};
        std::string key;
        idx = scan_string(idx + 1, key);
        while (idx <= end_idx && is_ws(s_[idx])) ++idx;
        if (idx > end_idx || s_[idx] != ':') throw Failure{PyJsonError::kDecode, "Expecting ':' delimiter", idx};
        ++idx;
        while (idx <= end_idx && is_ws(s_[idx])) ++idx;
        size_t vnext = 0;
        PyValue val = scan_once(idx, vnext, depth);
        obj.set(std::move(key), std::move(val));
        idx = vnext;
        while (idx <= end_idx && is_ws(s_[idx])) ++idx;
        if (idx <= end_idx && s_[idx] == '}') break;
        if (idx > end_idx || s_[idx] != ',') throw Failure{PyJsonError::kDecode, "Expecting ',' delimiter", idx};
        ++idx;
        while (idx <= end_idx && is_ws(s_[idx])) ++idx;
      }
    }
    next = idx + 1;
    return obj;
  }

  PyValue parse_array(size_t idx, size_t& next, int depth) {
    check_depth(depth, idx - 1);
    PyValue arr = PyValue::list();
    size_t end_idx = n_ - 1;
    while (idx <= end_idx && is_ws(s_[idx])) ++idx;
    if (idx > end_idx || s_[idx] != ']') {
      for (;;) {
        size_t vnext = 0;
        arr.items().push_back(scan_once(idx, vnext, depth));
        idx = vnext;
        while (idx <= end_idx && is_ws(s_[idx])) ++idx;
        if (idx <= end_idx && s_[idx] == ']') break;
        if (idx > end_idx || s_[idx] != ',') throw Failure{PyJsonError::kDecode, "Expecting ',' delimiter", idx};
        ++idx;
        while (idx <= end_idx && is_ws(s_[idx])) ++idx;
      }
    }
    next = idx + 1;
    return arr;
  }

  std::string_view s_;
  size_t n_;
};

size_t char_index(std::string_view s, size_t byte_pos) {
  size_t n = 0;
  for (size_t i = 0; i < byte_pos && i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

bool py_json_loads(std::string_view text, PyValue& out, PyJsonError& err) {
  auto fail = [&](PyJsonError::Kind kind, const std::string& msg, size_t byte_pos) {
    err.kind = kind;
    if (kind == PyJsonError::kDecode) {
      size_t ch = char_index(text, byte_pos);
      err.message = msg + ": line 1 column " + std::to_string(ch + 1) + " (char " + std::to_string(ch) + ")";
    } else {
      err.message = msg;
    }
    return false;
  };
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF")
    return fail(PyJsonError::kDecode, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
  size_t idx = 0;
  while (idx < text.size() && is_ws(text[idx])) ++idx;
  try {
    Parser p(text);
    size_t end = 0;
    out = p.scan_once(idx, end, 0);
    while (end < text.size() && is_ws(text[end])) ++end;
    if (end != text.size()) return fail(PyJsonError::kDecode, "Extra data", end);
  } catch (const Failure& f) {
    return fail(f.kind, f.msg, f.pos);
  }
  return true;
}

void json_unescape(std::string_view s, std::string& out) {
  size_t i = 0, n = s.size();
  while (i < n) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp = 0;
        for (int k = 0; k < 4; ++k) cp = (cp << 4) | static_cast<uint32_t>(hex_value(s[i + k]));
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
          uint32_t c2 = 0;
          bool ok = true;
          for (int k = 0; k < 4; ++k) {
            int h = hex_value(s[i + 2 + k]);
            if (h < 0) ok = false;
            c2 = (c2 << 4) | static_cast<uint32_t>(h < 0 ? 0 : h);
          }
          if (ok && c2 >= 0xDC00 && c2 <= 0xDFFF) {
            cp = 0x10000 + (((cp - 0xD800) << 10) | (c2 - 0xDC00));
            i += 6;
          }
        }
        wtf8_append(cp, out);
        break;
      }
      default: out.push_back(e); break;  // " \ /
    }
  }
}

}  // namespace xdet::diff
