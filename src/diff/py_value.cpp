#include "diff/py_value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace xdet::diff {

PyValue PyValue::boolean(bool b) {
  PyValue v;
  v.type_ = Type::kBool;
  v.bool_ = b;
  v.int_ = b ? 1 : 0;
  return v;
}
PyValue PyValue::integer(int64_t i) {
  PyValue v;
  v.type_ = Type::kInt;
  v.int_ = i;
  return v;
}
PyValue PyValue::big_integer(std::string decimal) {
  PyValue v;
  v.type_ = Type::kBigInt;
  v.str_ = std::move(decimal);
  return v;
}
PyValue PyValue::floating(double d) {
  PyValue v;
  v.type_ = Type::kFloat;
  v.float_ = d;
  return v;
}
PyValue PyValue::str(std::string wtf8) {
  PyValue v;
  v.type_ = Type::kStr;
  v.str_ = std::move(wtf8);
  return v;
}
PyValue PyValue::list() {
  PyValue v;
  v.type_ = Type::kList;
  v.list_ = std::make_unique<std::vector<PyValue>>();
  return v;
}
PyValue PyValue::dict() {
  PyValue v;
  v.type_ = Type::kDict;
  v.dict_ = std::make_unique<std::vector<Item>>();
  return v;
}

PyValue& PyValue::operator=(const PyValue& o) {
  if (this == &o) return *this;
  type_ = o.type_;
  bool_ = o.bool_;
  int_ = o.int_;
  float_ = o.float_;
  str_ = o.str_;
  list_ = o.list_ ? std::make_unique<std::vector<PyValue>>(*o.list_) : nullptr;
  dict_ = o.dict_ ? std::make_unique<std::vector<Item>>(*o.dict_) : nullptr;
  return *this;
}

const PyValue* PyValue::get(std::string_view key) const {
  for (const Item& it : *dict_)
    if (it.first == key) return &it.second;
  return nullptr;
}
PyValue* PyValue::get(std::string_view key) {
  for (Item& it : *dict_)
    if (it.first == key) return &it.second;
  return nullptr;
}
void PyValue::set(std::string key, PyValue value) {
  if (PyValue* slot = get(key)) {
    *slot = std::move(value);
    return;
  }
  dict_->emplace_back(std::move(key), std::move(value));
}

bool PyValue::truthy() const {
  switch (type_) {
    case Type::kNone: return false;
    case Type::kBool: return bool_;
    case Type::kInt: return int_ != 0;
    case Type::kBigInt: return true;
    case Type::kFloat: return float_ != 0.0;  // NaN is truthy: NaN != 0
    case Type::kStr: return !str_.empty();
    case Type::kList: return !list_->empty();
    case Type::kDict: return !dict_->empty();
  }
  return false;
}

namespace {

// Exact decimal digits of an integral double (|d| may exceed int64).
std::string integral_double_digits(double d) {
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, 0);
  std::string s(buf, r.ptr);
  if (s == "-0") s = "0";
  return s;
}

bool numbers_equal(const PyValue& a, const PyValue& b, bool nested) {
  using T = PyValue::Type;
  T ta = a.type(), tb = b.type();
  auto small_int = [](T t) { return t == T::kInt || t == T::kBool; };
  if (small_int(ta) && small_int(tb)) return a.as_int() == b.as_int();
  if (ta == T::kFloat && tb == T::kFloat) {
    // json.loads returns one shared NaN object for every "NaN" literal, and
    // container comparisons short-circuit on identity: NaN equals NaN inside
    // lists/dicts, but not in a direct `a != b`.
    if (std::isnan(a.as_float()) && std::isnan(b.as_float())) return nested;
    return a.as_float() == b.as_float();
  }
  if (ta == T::kBigInt && tb == T::kBigInt) return a.as_str() == b.as_str();
  if (ta == T::kBigInt && small_int(tb)) return false;  // big ints lie outside int64
  if (small_int(ta) && tb == T::kBigInt) return false;
  const PyValue& f = ta == T::kFloat ? a : b;
  const PyValue& n = ta == T::kFloat ? b : a;
  double d = f.as_float();
  if (!std::isfinite(d) || d != std::floor(d)) return false;
  if (n.type() == T::kBigInt) return integral_double_digits(d) == n.as_str();
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return false;
  return static_cast<int64_t>(d) == n.as_int();
}

}  // namespace

bool py_equal_impl(const PyValue& a, const PyValue& b, bool nested);

bool py_equal(const PyValue& a, const PyValue& b) { return py_equal_impl(a, b, false); }

bool py_equal_impl(const PyValue& a, const PyValue& b, bool nested) {
  using T = PyValue::Type;
  if (a.is_number() && b.is_number()) return numbers_equal(a, b, nested);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case T::kNone: return true;
    case T::kStr: return a.as_str() == b.as_str();
    case T::kList: {
      const auto& x = a.items();
      const auto& y = b.items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!py_equal_impl(x[i], y[i], true)) return false;
      return true;
    }
    case T::kDict: {
      const auto& x = a.members();
      if (x.size() != b.members().size()) return false;
      for (const auto& it : x) {
        const PyValue* o = b.get(it.first);
        if (!o || !py_equal_impl(it.second, *o, true)) return false;
      }
      return true;
    }
    default: return false;
  }
}

namespace {

// Two decimal integers ("-123", no leading zeros): -1, 0 or 1.
int decimal_cmp(const std::string& a, const std::string& b) {
  bool na = a[0] == '-', nb = b[0] == '-';
  if (na != nb) return na ? -1 : 1;
  std::string_view ma = std::string_view(a).substr(na), mb = std::string_view(b).substr(nb);
  int c = ma.size() != mb.size() ? (ma.size() < mb.size() ? -1 : 1) : (ma < mb ? -1 : ma > mb ? 1 : 0);
  return na ? -c : c;
}

// Exact comparison of two Python numbers: -1, 0, 1, or 2 if unordered (NaN).
int numbers_cmp(const PyValue& a, const PyValue& b) {
  using T = PyValue::Type;
  auto digits = [](const PyValue& v) { return v.type() == T::kBigInt ? v.as_str() : std::to_string(v.as_int()); };
  auto sign3 = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
  T ta = a.type(), tb = b.type();
  if (ta != T::kFloat && tb != T::kFloat) {
    if (ta != T::kBigInt && tb != T::kBigInt) return sign3(a.as_int(), b.as_int());
    return decimal_cmp(digits(a), digits(b));
  }
  if (ta == T::kFloat && tb == T::kFloat) {
    if (std::isnan(a.as_float()) || std::isnan(b.as_float())) return 2;
    return sign3(a.as_float(), b.as_float());
  }
  bool flip = tb == T::kFloat;  // compare (float f, int n), then flip back
  double f = flip ? b.as_float() : a.as_float();
  const PyValue& n = flip ? a : b;
  int r;
  if (std::isnan(f)) return 2;
  if (n.type() != T::kBigInt) {
    r = sign3(static_cast<long double>(f), static_cast<long double>(n.as_int()));  // exact in x87 long double
  } else if (std::isinf(f)) {
    r = f > 0 ? 1 : -1;
  } else if (std::fabs(f) < 9223372036854775808.0) {
    r = n.as_str()[0] == '-' ? 1 : -1;  // a big int lies outside int64
  } else {
    r = decimal_cmp(integral_double_digits(f), n.as_str());  // such doubles are integral
  }
  return flip ? -r : r;
}

}  // namespace

int py_compare_numbers(const PyValue& a, const PyValue& b) { return numbers_cmp(a, b); }

std::optional<bool> py_less_equal(const PyValue& a, const PyValue& b) {
  using T = PyValue::Type;
  if (a.is_number() && b.is_number()) {
    int c = numbers_cmp(a, b);
    return c == 2 ? false : c <= 0;
  }
  if (a.type() != b.type()) return std::nullopt;
  if (a.type() == T::kStr) return a.as_str() <= b.as_str();  // WTF-8 order is code point order
  if (a.type() == T::kList) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!py_equal_impl(x[i], y[i], true)) return py_less_equal(x[i], y[i]);
    return x.size() <= y.size();
  }
  return std::nullopt;
}

uint32_t wtf8_next(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  uint32_t cp = c & (0x3F >> n);
  for (int k = 1; k <= n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n + 1;
  return cp;
}

void wtf8_append(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool py_isspace(uint32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= '\t' && cp <= '\r') || (cp >= 0x1C && cp <= 0x1F);
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::string_view py_strip(std::string_view s) {
  size_t b = 0;
  while (b < s.size()) {
    size_t j = b;
    if (!py_isspace(wtf8_next(s, j))) break;
    b = j;
  }
  size_t e = b;
  for (size_t i = b; i < s.size();) {
    uint32_t cp = wtf8_next(s, i);
    if (!py_isspace(cp)) e = i;
  }
  return s.substr(b, e - b);
}

namespace {
// First code point (the zero) of every run of ten Unicode decimal digits
// (general category Nd), Unicode 14.0 as in Python 3.11's unicodedata.
constexpr uint32_t kDecimalZeros[] = {
    0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,   0xC66,
    0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,  0x1810,  0x1946,
    0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,  0xA9D0,
    0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0,
    0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
};

int py_decimal(uint32_t cp) {
  const uint32_t* it = std::upper_bound(std::begin(kDecimalZeros), std::end(kDecimalZeros), cp);
  if (it == std::begin(kDecimalZeros)) return -1;
  uint32_t zero = *(it - 1);
  return cp - zero < 10 ? static_cast<int>(cp - zero) : -1;
}
}  // namespace

std::string py_int_ascii(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = wtf8_next(s, i);
    if (cp < 127) {
      out += static_cast<char>(cp);
    } else if (py_isspace(cp)) {
      out += ' ';
    } else if (int d = py_decimal(cp); d >= 0) {
      out += static_cast<char>('0' + d);
    } else {
      out += '?';
      break;
    }
  }
  return out;
}

std::string surrogateescape_decode(std::string_view a) {
  std::string out;
  for (size_t i = 0; i < a.size();) {
    unsigned char c = static_cast<unsigned char>(a[i]);
    size_t n = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    bool ok = n != 0 && i + n <= a.size();
    for (size_t k = 1; ok && k < n; ++k) {
      unsigned char d = static_cast<unsigned char>(a[i + k]);
      unsigned char lo = 0x80, hi = 0xBF;
      if (k == 1) {
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
      }
      ok = d >= lo && d <= hi;
    }
    if (ok) {
      out.append(a.substr(i, n));
      i += n;
    } else {
      wtf8_append(0xDC00 + c, out);
      ++i;
    }
  }
  return out;
}

std::string stderr_text(std::string_view a) {
  std::string out;
  out.reserve(a.size());
  for (size_t i = 0; i < a.size();) {
    unsigned char c = static_cast<unsigned char>(a[i]);
    if (c < 0x80) {
      out += a[i++];
      continue;
    }
    size_t n = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    bool ok = n != 0 && i + n <= a.size();
    for (size_t k = 1; ok && k < n; ++k) {
      unsigned char d = static_cast<unsigned char>(a[i + k]);
      unsigned char lo = 0x80, hi = 0xBF;
      if (k == 1 && c == 0xE0) lo = 0xA0;
      if (k == 1 && c == 0xF0) lo = 0x90;
      if (k == 1 && c == 0xF4) hi = 0x8F;
      ok = d >= lo && d <= hi;
    }
    char buf[8];
    if (!ok) {
      std::snprintf(buf, sizeof buf, "\\udc%02x", c);
      out += buf;
      ++i;
      continue;
    }
    if (c == 0xED && static_cast<unsigned char>(a[i + 1]) >= 0xA0) {  // WTF-8 surrogate
      size_t j = i;
      std::snprintf(buf, sizeof buf, "\\u%04x", wtf8_next(a, j));
      out += buf;
    } else {
      out.append(a.substr(i, n));
    }
    i += n;
  }
  return out;
}

bool wtf8_has_surrogate(std::string_view s) {
  size_t i = 0;
  while ((i = s.find('\xED', i)) != std::string_view::npos) {
    if (i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0xA0) return true;
    ++i;
  }
  return false;
}

namespace {
struct CpRange {
  uint32_t lo, hi;
};
constexpr CpRange kNonPrintable[] = {
#include "diff/unicode_printable_table.inc"
};
}  // namespace

bool py_isprintable(uint32_t cp) {
  if (cp < 0x80) return cp >= 0x20 && cp != 0x7F;
  const CpRange* end = kNonPrintable + sizeof(kNonPrintable) / sizeof(kNonPrintable[0]);
  const CpRange* it = std::upper_bound(kNonPrintable, end, cp, [](uint32_t c, const CpRange& r) { return c < r.lo; });
  if (it == kNonPrintable) return true;
  --it;
  return !(cp >= it->lo && cp <= it->hi);
}

static const char kHex[] = "0123456789abcdef";

void py_repr_str(std::string_view s, std::string& out) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  out.push_back(quote);
  size_t i = 0;
  while (i < s.size()) {
    // Copy runs of plain printable ASCII in one go.
    size_t run = i;
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7F || c == '\\' || c == static_cast<unsigned char>(quote)) break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    uint32_t cp = wtf8_next(s, i);
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
      out += "\\x";
      out.push_back(kHex[cp >> 4]);
      out.push_back(kHex[cp & 15]);
    } else if (cp < 0x7F) {
      out.push_back(static_cast<char>(cp));
    } else if (py_isprintable(cp)) {
      wtf8_append(cp, out);
    } else if (cp <= 0xFF) {
      out += "\\x";
      out.push_back(kHex[cp >> 4]);
      out.push_back(kHex[cp & 15]);
    } else if (cp <= 0xFFFF) {
      out += "\\u";
      for (int sh = 12; sh >= 0; sh -= 4) out.push_back(kHex[(cp >> sh) & 15]);
    } else {
      out += "\\U";
      for (int sh = 28; sh >= 0; sh -= 4) out.push_back(kHex[(cp >> sh) & 15]);
    }
  }
  out.push_back(quote);
}

void py_repr_float(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "nan";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-inf" : "inf";
    return;
  }
  // Shortest round-trip digits, then Python's float_repr layout: exponent
  // form when the decimal point position is <= -4 or > 16.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, r.ptr - buf);
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits.push_back(c);
  int exp10 = 0;
  std::from_chars(sci.data() + epos + (sci[epos + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp10);
  int decpt = exp10 + 1;
  if (neg) out.push_back('-');
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    char eb[16];
    int e = decpt - 1;
    std::snprintf(eb, sizeof eb, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    out += eb;
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out += digits;
    out.append(decpt - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, decpt);
    out.push_back('.');
    out.append(digits, decpt, std::string::npos);
  }
}

void py_repr(const PyValue& v, std::string& out) {
  using T = PyValue::Type;
  switch (v.type()) {
    case T::kNone: out += "None"; break;
    case T::kBool: out += v.as_bool() ? "True" : "False"; break;
    case T::kInt: out += std::to_string(v.as_int()); break;
    case T::kBigInt: out += v.as_str(); break;
    case T::kFloat: py_repr_float(v.as_float(), out); break;
    case T::kStr: py_repr_str(v.as_str(), out); break;
    case T::kList: {
      out.push_back('[');
      bool first = true;
      for (const PyValue& x : v.items()) {
        if (!first) out += ", ";
        first = false;
        py_repr(x, out);
      }
      out.push_back(']');
      break;
    }
    case T::kDict: {
      out.push_back('{');
      bool first = true;
      for (const auto& it : v.members()) {
        if (!first) out += ", ";
        first = false;
        py_repr_str(it.first, out);
        out += ": ";
        py_repr(it.second, out);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string py_repr(const PyValue& v) {
  std::string s;
  py_repr(v, s);
  return s;
}

std::string py_str(const PyValue& v) {
  if (v.is_str()) return v.as_str();
  return py_repr(v);
}

void json_dumps_str(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size()) {
      auto c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    uint32_t cp = wtf8_next(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    auto u16 = [&out](uint32_t unit) {
      out += "\\u";
      for (int sh = 12; sh >= 0; sh -= 4) out.push_back(kHex[(unit >> sh) & 15]);
    };
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      u16(0xD800 | (v >> 10));
      u16(0xDC00 | (v & 0x3FF));
    } else {
      u16(cp);
    }
  }
  out.push_back('"');
}

void json_dumps_sorted(const PyValue& v, std::string& out) {
  using T = PyValue::Type;
  switch (v.type()) {
    case T::kNone: out += "null"; break;
    case T::kBool: out += v.as_bool() ? "true" : "false"; break;
    case T::kInt: out += std::to_string(v.as_int()); break;
    case T::kBigInt: out += v.as_str(); break;
    case T::kFloat: {
      double d = v.as_float();
      if (std::isnan(d)) out += "NaN";
      else if (std::isinf(d)) out += d < 0 ? "-Infinity" : "Infinity";
      else py_repr_float(d, out);
      break;
    }
    case T::kStr: json_dumps_str(v.as_str(), out); break;
    case T::kList: {
      out.push_back('[');
      bool first = true;
      for (const PyValue& x : v.items()) {
        if (!first) out += ", ";
        first = false;
        json_dumps_sorted(x, out);
      }
      out.push_back(']');
      break;
    }
    case T::kDict: {
      std::vector<const PyValue::Item*> sorted;
      sorted.reserve(v.members().size());
      for (const auto& it : v.members()) sorted.push_back(&it);
      std::sort(sorted.begin(), sorted.end(), [](const PyValue::Item* a, const PyValue::Item* b) { return a->first < b->first; });
      out.push_back('{');
      bool first = true;
      for (const PyValue::Item* it : sorted) {
        if (!first) out += ", ";
        first = false;
        json_dumps_str(it->first, out);
        out += ": ";
        json_dumps_sorted(it->second, out);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string json_dumps_sorted(const PyValue& v) {
  std::string s;
  json_dumps_sorted(v, s);
  return s;
}

}  // namespace xdet::diff
