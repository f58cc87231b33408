#include "kernel/exports/guest_format.h"

#include <cstdio>

namespace xdet::kernel {

std::string format_guest_string(const GuestMemory& mem, uint32_t fmt_addr, const std::function<uint64_t()>& next_arg,
                                size_t max_len) {
  std::string f = mem.read_cstring(fmt_addr, max_len);
  std::string out;
  for (size_t i = 0; i < f.size() && out.size() < max_len; ++i) {
    char c = f[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    std::string spec = "%";
    ++i;
    while (i < f.size() && std::string_view("-+ 0#").find(f[i]) != std::string_view::npos) spec.push_back(f[i++]);
    auto number = [&]() {
      if (i < f.size() && f[i] == '*') {
        spec += std::to_string(static_cast<int32_t>(next_arg()));
        ++i;
        return;
      }
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') spec.push_back(f[i++]);
    };
    number();
    if (i < f.size() && f[i] == '.') {
      spec.push_back(f[i++]);
      number();
    }
    bool wide64 = false;
    while (i < f.size()) {
      if (f[i] == 'l' || f[i] == 'h' || f[i] == 'z') {
        if (f[i] == 'l' && i + 1 < f.size() && f[i + 1] == 'l') {
          wide64 = true;
          ++i;
        }
        ++i;
      } else if (f.compare(i, 3, "I64") == 0) {
        wide64 = true;
        i += 3;
      } else {
        break;
      }
    }
    if (i >= f.size()) break;
    char conv = f[i];
    char buf[512];
    switch (conv) {
      case '%': out.push_back('%'); continue;
      case 'd':
      case 'i': {
        uint64_t v = next_arg();
        long long sv = wide64 ? static_cast<long long>(v) : static_cast<int32_t>(v);
        std::snprintf(buf, sizeof(buf), (spec + "lld").c_str(), sv);
        break;
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        uint64_t v = next_arg();
        unsigned long long uv = wide64 ? v : static_cast<uint32_t>(v);
        std::snprintf(buf, sizeof(buf), (spec + "ll" + conv).c_str(), uv);
        break;
      }
      case 'p':
        std::snprintf(buf, sizeof(buf), "%08X", static_cast<uint32_t>(next_arg()));
        break;
      case 'c':
        std::snprintf(buf, sizeof(buf), (spec + "c").c_str(), static_cast<int>(static_cast<uint8_t>(next_arg())));
        break;
      case 's': {
        uint32_t p = static_cast<uint32_t>(next_arg());
        std::string s = p ? mem.read_cstring(p, max_len) : "(null)";
        std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
        break;
      }
      case 'n':
        next_arg();
        continue;
      default:
        out += spec;
        out.push_back(conv);
        continue;
    }
    out += buf;
  }
  if (out.size() > max_len) out.resize(max_len);
  return out;
}

}  // namespace xdet::kernel
