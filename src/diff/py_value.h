#pragma once
// A JSON value with the semantics of the Python object json.loads() builds
// from it: dicts keep insertion order (a repeated key keeps its first
// position and takes the last value), ints are unbounded, NaN/Infinity are
// floats, strings may hold lone surrogates. The reference diff tool compares,
// prints and re-serializes such objects, so the slow (exact) paths of
// `xdet diff` work on this type. Strings are stored as WTF-8 (UTF-8 that also
// admits surrogate code points), whose byte order equals code point order.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xdet::diff {

class PyValue {
 public:
  enum class Type : uint8_t { kNone, kBool, kInt, kBigInt, kFloat, kStr, kList, kDict };
  using Item = std::pair<std::string, PyValue>;

  PyValue() = default;
  static PyValue none() { return PyValue(); }
  static PyValue boolean(bool b);
  static PyValue integer(int64_t i);
  static PyValue big_integer(std::string decimal);  // normalized, outside int64
  static PyValue floating(double d);
  static PyValue str(std::string wtf8);
  static PyValue list();
  static PyValue dict();

  Type type() const { return type_; }
  bool is_none() const { return type_ == Type::kNone; }
  bool is_str() const { return type_ == Type::kStr; }
  bool is_dict() const { return type_ == Type::kDict; }
  bool is_list() const { return type_ == Type::kList; }
  // isinstance(x, int): bools are ints in Python.
  bool is_int_like() const { return type_ == Type::kInt || type_ == Type::kBool || type_ == Type::kBigInt; }
  bool is_number() const { return is_int_like() || type_ == Type::kFloat; }
  // Hashable in Python (usable as dict key / set member).
  bool is_hashable() const { return type_ != Type::kList && type_ != Type::kDict; }

  bool as_bool() const { return bool_; }
  int64_t as_int() const { return int_; }  // kInt, kBool (0/1)
  double as_float() const { return float_; }
  const std::string& as_str() const { return str_; }  // kStr text, kBigInt digits
  const std::vector<PyValue>& items() const { return *list_; }
  std::vector<PyValue>& items() { return *list_; }
  const std::vector<Item>& members() const { return *dict_; }
  std::vector<Item>& members() { return *dict_; }

  // dict operations (only valid on kDict).
  const PyValue* get(std::string_view key) const;
  PyValue* get(std::string_view key);
  bool contains(std::string_view key) const { return get(key) != nullptr; }
  // d[key] = value: updates in place, else appends.
  void set(std::string key, PyValue value);

  // Python truthiness (bool(x)).
  bool truthy() const;

  PyValue(const PyValue& other) { *this = other; }
  PyValue& operator=(const PyValue& other);
  PyValue(PyValue&&) noexcept = default;
  PyValue& operator=(PyValue&&) noexcept = default;

 private:
  Type type_ = Type::kNone;
  bool bool_ = false;
  int64_t int_ = 0;
  double float_ = 0.0;
  std::string str_;
  std::unique_ptr<std::vector<PyValue>> list_;
  std::unique_ptr<std::vector<Item>> dict_;
};

// Python `a == b` for values json.loads can produce.
bool py_equal(const PyValue& a, const PyValue& b);
// Python `a <= b`; nullopt where Python raises TypeError (mixed types,
// None, dicts, or such elements at the first difference of two lists).
std::optional<bool> py_less_equal(const PyValue& a, const PyValue& b);
// Exact order of two Python numbers: -1, 0, 1, or 2 if unordered (NaN).
int py_compare_numbers(const PyValue& a, const PyValue& b);

// repr(x) and str(x) (str differs only for strings).
void py_repr(const PyValue& v, std::string& out);
std::string py_repr(const PyValue& v);
std::string py_str(const PyValue& v);
// repr() of a str given as WTF-8.
void py_repr_str(std::string_view wtf8, std::string& out);
// repr() of a float.
void py_repr_float(double d, std::string& out);

// json.dumps(v, sort_keys=True) with the default ensure_ascii=True.
void json_dumps_sorted(const PyValue& v, std::string& out);
std::string json_dumps_sorted(const PyValue& v);
void json_dumps_str(std::string_view wtf8, std::string& out);

// Python's str.isprintable() for one code point.
bool py_isprintable(uint32_t cp);

// Decodes one WTF-8 code point at s[i]; advances i. Input must be valid WTF-8.
uint32_t wtf8_next(std::string_view s, size_t& i);
void wtf8_append(uint32_t cp, std::string& out);
// str.isspace() for one code point.
bool py_isspace(uint32_t cp);
// str.strip() with no argument (Unicode whitespace) on WTF-8 text.
std::string_view py_strip(std::string_view wtf8);
// The ASCII text Python's int(s, base) parses for `wtf8`: code points below
// 127 stay, other whitespace becomes ' ', other decimal digits (Unicode Nd)
// their ASCII digit; anything else ends the text with '?' (never valid).
std::string py_int_ascii(std::string_view wtf8);
// Command-line bytes as Python holds them (UTF-8, undecodable bytes as
// U+DC80..U+DCFF: surrogateescape), as WTF-8.
std::string surrogateescape_decode(std::string_view bytes);

// True if the text holds a surrogate code point (cannot be written as UTF-8).
bool wtf8_has_surrogate(std::string_view s);
// `text` as Python's sys.stderr (errors="backslashreplace") writes it: lone
// surrogates (WTF-8) become "\udXXX", bytes that are not UTF-8 (raw
// command-line bytes, which Python holds as U+DC80..U+DCFF) "\udcXX".
std::string stderr_text(std::string_view text);

}  // namespace xdet::diff
