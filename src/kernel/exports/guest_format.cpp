#include "kernel/exports/guest_format.h"

#include <cstdio>
#include <cstring>
#include <string_view>

namespace xdet::kernel {

namespace {

std::u16string read_format(const GuestMemory& mem, uint32_t addr, CharWidth width, size_t max_len) {
  std::u16string f;
  if (width == CharWidth::kNarrow) {
    for (char ch : mem.read_cstring(addr, max_len)) f.push_back(static_cast<uint8_t>(ch));
    return f;
  }
  for (size_t i = 0; i < max_len; ++i) {
    uint16_t u = mem.read16(addr + static_cast<uint32_t>(2 * i));
    if (!u) break;
    f.push_back(u);
  }
  return f;
}

// A guest string argument as UTF-16 units.
std::u16string read_string_arg(const GuestMemory& mem, uint32_t p, bool wide, size_t max_len) {
  if (!p) return u"(null)";
  std::u16string s;
  if (!wide) {
    for (char ch : mem.read_cstring(p, max_len)) s.push_back(static_cast<uint8_t>(ch));
    return s;
  }
  for (size_t i = 0; i < max_len; ++i) {
    uint16_t u = mem.read16(p + static_cast<uint32_t>(2 * i));
    if (!u) break;
    s.push_back(u);
  }
  return s;
}

void append_ascii(std::u16string& out, const char* text) {
  for (const char* p = text; *p; ++p) out.push_back(static_cast<uint8_t>(*p));
}

// Applies width, precision and '-' to a string conversion.
void append_padded(std::u16string& out, std::u16string s, const std::string& spec) {
  bool left = spec.find('-') != std::string::npos;
  int width = 0, precision = -1;
  size_t i = 1;
  while (i < spec.size() && std::string_view("-+ 0#").find(spec[i]) != std::string_view::npos) ++i;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') width = width * 10 + (spec[i++] - '0');
  if (i < spec.size() && spec[i] == '.') {
    precision = 0;
    ++i;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') precision = precision * 10 + (spec[i++] - '0');
  }
  if (precision >= 0 && s.size() > static_cast<size_t>(precision)) s.resize(static_cast<size_t>(precision));
  size_t pad = width > 0 && s.size() < static_cast<size_t>(width) ? static_cast<size_t>(width) - s.size() : 0;
  if (!left) out.append(pad, u' ');
  out += s;
  if (left) out.append(pad, u' ');
}

}  // namespace

std::u16string format_guest(const GuestMemory& mem, uint32_t fmt_addr, CharWidth width,
                            const std::function<uint64_t()>& next_arg, size_t max_len) {
  std::u16string f = read_format(mem, fmt_addr, width, max_len);
  std::u16string out;
  const bool wide_fn = width == CharWidth::kWide;
  for (size_t i = 0; i < f.size() && out.size() < max_len; ++i) {
    char16_t c = f[i];
    if (c != u'%') {
      out.push_back(c);
      continue;
    }
    std::string spec = "%";
    ++i;
    while (i < f.size() && f[i] < 0x80 && std::string_view("-+ 0#").find(static_cast<char>(f[i])) != std::string_view::npos) {
      spec.push_back(static_cast<char>(f[i++]));
    }
    auto number = [&]() {
      if (i < f.size() && f[i] == u'*') {
        spec += std::to_string(static_cast<int32_t>(next_arg()));
        ++i;
        return;
      }
      while (i < f.size() && f[i] >= u'0' && f[i] <= u'9') spec.push_back(static_cast<char>(f[i++]));
    };
    number();
    if (i < f.size() && f[i] == u'.') {
      spec.push_back('.');
      ++i;
      number();
    }
    bool wide64 = false;
    int string_width = 0;  // -1 narrow (h), +1 wide (l, w), 0 the function's default
    while (i < f.size()) {
      if (f[i] == u'l' || f[i] == u'h' || f[i] == u'z' || f[i] == u'w') {
        if (f[i] == u'l' && i + 1 < f.size() && f[i + 1] == u'l') {
          wide64 = true;
          ++i;
        } else if (f[i] == u'h') {
          string_width = -1;
        } else if (f[i] == u'l' || f[i] == u'w') {
          string_width = 1;
        }
        ++i;
      } else if (i + 2 < f.size() && f[i] == u'I' && f[i + 1] == u'6' && f[i + 2] == u'4') {
        wide64 = true;
        i += 3;
      } else {
        break;
      }
    }
    if (i >= f.size()) break;
    char16_t conv = f[i];
    char buf[512];
    switch (conv) {
      case u'%': out.push_back(u'%'); continue;
      case u'd':
      case u'i': {
        uint64_t v = next_arg();
        long long sv = wide64 ? static_cast<long long>(v) : static_cast<int32_t>(v);
        std::snprintf(buf, sizeof(buf), (spec + "lld").c_str(), sv);
        break;
      }
      case u'u':
      case u'x':
      case u'X':
      case u'o': {
        uint64_t v = next_arg();
        unsigned long long uv = wide64 ? v : static_cast<uint32_t>(v);
        std::snprintf(buf, sizeof(buf), (spec + "ll" + static_cast<char>(conv)).c_str(), uv);
        break;
      }
      case u'e':
      case u'E':
      case u'f':
      case u'F':
      case u'g':
      case u'G':
      case u'a':
      case u'A': {
        uint64_t bits = next_arg();
        double d;
        std::memcpy(&d, &bits, sizeof d);
        std::snprintf(buf, sizeof(buf), (spec + static_cast<char>(conv)).c_str(), d);
        break;
      }
      case u'p':
        std::snprintf(buf, sizeof(buf), "%08X", static_cast<uint32_t>(next_arg()));
        break;
      case u'c':
      case u'C': {
        bool wide = string_width ? string_width > 0 : (conv == u'c') == wide_fn;
        uint64_t v = next_arg();
        append_padded(out, std::u16string(1, wide ? static_cast<char16_t>(v & 0xFFFF) : static_cast<char16_t>(v & 0xFF)),
                      spec);
        continue;
      }
      case u's':
      case u'S': {
        bool wide = string_width ? string_width > 0 : (conv == u's') == wide_fn;
        append_padded(out, read_string_arg(mem, static_cast<uint32_t>(next_arg()), wide, max_len), spec);
        continue;
      }
      case u'n':
        next_arg();
        continue;
      default:
        append_ascii(out, spec.c_str());
        out.push_back(conv);
        continue;
    }
    append_ascii(out, buf);
  }
  if (out.size() > max_len) out.resize(max_len);
  return out;
}

std::string format_guest_string(const GuestMemory& mem, uint32_t fmt_addr, const std::function<uint64_t()>& next_arg,
                                size_t max_len) {
  std::u16string w = format_guest(mem, fmt_addr, CharWidth::kNarrow, next_arg, max_len);
  std::string out;
  out.reserve(w.size());
  for (char16_t u : w) out.push_back(u > 0xFF ? '?' : static_cast<char>(u));
  return out;
}

}  // namespace xdet::kernel
