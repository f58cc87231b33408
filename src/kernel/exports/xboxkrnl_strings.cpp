// Rtl strings and conversions: ANSI/UNICODE_STRING initialisation,
// multi-byte <-> UTF-16 (code page 1252 as single bytes, like the console's
// Latin-1 tables), NTSTATUS -> Win32 error codes, time fields, memory
// helpers, and the kernel's sprintf and swprintf families.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernel/exports/exports.h"
#include "kernel/exports/guest_format.h"

namespace xdet::kernel {

namespace {

// STRING / ANSI_STRING: +0 u16 Length, +2 u16 MaximumLength, +4 Buffer.
void rtl_init_ansi_string(ExportCall& c) {
  uint32_t dst = c.arg(0), src = c.arg(1);
  uint16_t len = 0;
  if (src) len = static_cast<uint16_t>(std::min<size_t>(c.mem().read_cstring(src, 0xFFFE).size(), 0xFFFE));
  c.mem().write16(dst, len);
  c.mem().write16(dst + 2, src ? static_cast<uint16_t>(len + 1) : 0);
  c.mem().write32(dst + 4, src);
}

void rtl_init_unicode_string(ExportCall& c) {
  uint32_t dst = c.arg(0), src = c.arg(1);
  uint16_t bytes = 0;
  if (src) bytes = static_cast<uint16_t>(std::min<size_t>(read_guest_wstring(c.mem(), src, 0x7FFE).size(), 0x7FFE) * 2);
  c.mem().write16(dst, bytes);
  c.mem().write16(dst + 2, src ? static_cast<uint16_t>(bytes + 2) : 0);
  c.mem().write32(dst + 4, src);
}

void resolve_init_string(ExportCall& c) {
  c.resolved_text = c.mem().read_cstring(c.arg(1), 256);
  c.resolve("source", TraceValue::string(c.resolved_text.c_str()));
}

// (dst, dst_bytes, pwritten, src, src_bytes): one UTF-16 unit per byte.
void rtl_multi_byte_to_unicode_n(ExportCall& c) {
  uint32_t dst = c.arg(0), dst_bytes = c.arg(1), written = c.arg(2), src = c.arg(3), src_bytes = c.arg(4);
  uint32_t n = std::min(dst_bytes / 2, src_bytes);
  for (uint32_t i = 0; i < n; ++i) c.mem().write16(dst + 2 * i, c.mem().read8(src + i));
  if (written) c.mem().write32(written, n * 2);
  c.ret(kStatusSuccess);
}

// (dst, dst_bytes, pwritten, src, src_bytes): units above 0xFF become '?'.
void rtl_unicode_to_multi_byte_n(ExportCall& c) {
  uint32_t dst = c.arg(0), dst_bytes = c.arg(1), written = c.arg(2), src = c.arg(3), src_bytes = c.arg(4);
  uint32_t n = std::min(dst_bytes, src_bytes / 2);
  for (uint32_t i = 0; i < n; ++i) {
    uint16_t u = c.mem().read16(src + 2 * i);
    c.mem().write8(dst + i, u > 0xFF ? '?' : static_cast<uint8_t>(u));
  }
  if (written) c.mem().write32(written, n);
  c.ret(kStatusSuccess);
}

struct DosError {
  uint32_t status, error;
};
// NTSTATUS -> Win32 error, sorted by status (the Windows mapping).
constexpr DosError kDosErrors[] = {
    {0x00000103, 997},   // PENDING -> ERROR_IO_PENDING
    {0x80000005, 234},   // BUFFER_OVERFLOW -> ERROR_MORE_DATA
    {0x80000006, 18},    // NO_MORE_FILES
    {0x8000001A, 259},   // NO_MORE_ENTRIES -> ERROR_NO_MORE_ITEMS
    {0xC0000001, 31},    // UNSUCCESSFUL -> ERROR_GEN_FAILURE
    {0xC0000002, 1},     // NOT_IMPLEMENTED -> ERROR_INVALID_FUNCTION
    {0xC0000005, 998},   // ACCESS_VIOLATION -> ERROR_NOACCESS
    {0xC0000008, 6},     // INVALID_HANDLE
    {0xC000000D, 87},    // INVALID_PARAMETER
    {0xC000000F, 2},     // NO_SUCH_FILE -> ERROR_FILE_NOT_FOUND
    {0xC0000011, 38},    // END_OF_FILE -> ERROR_HANDLE_EOF
    {0xC0000017, 8},     // NO_MEMORY -> ERROR_NOT_ENOUGH_MEMORY
    {0xC0000022, 5},     // ACCESS_DENIED
    {0xC0000023, 122},   // BUFFER_TOO_SMALL -> ERROR_INSUFFICIENT_BUFFER
    {0xC0000024, 6},     // OBJECT_TYPE_MISMATCH -> ERROR_INVALID_HANDLE
    {0xC0000033, 123},   // OBJECT_NAME_INVALID -> ERROR_INVALID_NAME
    {0xC0000034, 2},     // OBJECT_NAME_NOT_FOUND -> ERROR_FILE_NOT_FOUND
    {0xC0000035, 183},   // OBJECT_NAME_COLLISION -> ERROR_ALREADY_EXISTS
    {0xC000003A, 3},     // OBJECT_PATH_NOT_FOUND -> ERROR_PATH_NOT_FOUND
    {0xC0000043, 32},    // SHARING_VIOLATION
    {0xC0000046, 288},   // MUTANT_NOT_OWNED -> ERROR_NOT_OWNER
    {0xC0000047, 298},   // SEMAPHORE_LIMIT_EXCEEDED -> ERROR_TOO_MANY_POSTS
    {0xC000007F, 112},   // DISK_FULL
    {0xC000009A, 1450},  // INSUFFICIENT_RESOURCES -> ERROR_NO_SYSTEM_RESOURCES
    {0xC00000BA, 5},     // FILE_IS_A_DIRECTORY -> ERROR_ACCESS_DENIED
    {0xC00000BB, 50},    // NOT_SUPPORTED
    {0xC0000101, 145},   // DIRECTORY_NOT_EMPTY -> ERROR_DIR_NOT_EMPTY
    {0xC0000103, 267},   // NOT_A_DIRECTORY -> ERROR_DIRECTORY
    {0xC0000135, 126},   // DLL_NOT_FOUND -> ERROR_MOD_NOT_FOUND
    {0xC0000225, 1168},  // NOT_FOUND
};

void rtl_nt_status_to_dos_error(ExportCall& c) {
  uint32_t st = c.arg(0);
  if (st == 0) return c.ret(0);
  // HRESULT_FROM_WIN32 values carry the Win32 code in the low word.
  if ((st & 0xFFFF0000u) == 0x80070000u) return c.ret(st & 0xFFFF);
  auto it = std::lower_bound(std::begin(kDosErrors), std::end(kDosErrors), st,
                             [](const DosError& e, uint32_t s) { return e.status < s; });
  c.ret(it != std::end(kDosErrors) && it->status == st ? it->error : 317);  // ERROR_MR_MID_NOT_FOUND
}

// ---- time fields: 100 ns intervals since 1601-01-01 (a Monday) ----
constexpr int64_t kTicksPerMs = 10000;
constexpr int64_t kTicksPerDay = 86400LL * 1000 * kTicksPerMs;

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// TIME_FIELDS: Year, Month, Day, Hour, Minute, Second, Milliseconds, Weekday (u16 each).
void rtl_time_to_time_fields(ExportCall& c) {
  int64_t t = static_cast<int64_t>(c.mem().read64(c.arg(0)));
  if (t < 0) t = 0;
  int64_t days = t / kTicksPerDay, rem = t % kTicksPerDay;
  uint16_t weekday = static_cast<uint16_t>((days + 1) % 7);
  int year = 1601;
  for (;;) {
    int yd = is_leap(year) ? 366 : 365;
    if (days < yd) break;
    days -= yd;
    ++year;
  }
  int month = 1;
  while (days >= days_in_month(year, month)) days -= days_in_month(year, month++);
  uint32_t f = c.arg(1);
  int64_t ms = rem / kTicksPerMs;
  c.mem().write16(f + 0, static_cast<uint16_t>(year));
  c.mem().write16(f + 2, static_cast<uint16_t>(month));
  c.mem().write16(f + 4, static_cast<uint16_t>(days + 1));
  c.mem().write16(f + 6, static_cast<uint16_t>(ms / 3600000));
  c.mem().write16(f + 8, static_cast<uint16_t>(ms / 60000 % 60));
  c.mem().write16(f + 10, static_cast<uint16_t>(ms / 1000 % 60));
  c.mem().write16(f + 12, static_cast<uint16_t>(ms % 1000));
  c.mem().write16(f + 14, weekday);
}

void rtl_time_fields_to_time(ExportCall& c) {
  uint32_t f = c.arg(0);
  int year = c.mem().read16(f), month = c.mem().read16(f + 2), day = c.mem().read16(f + 4);
  int hour = c.mem().read16(f + 6), minute = c.mem().read16(f + 8), second = c.mem().read16(f + 10);
  int ms = c.mem().read16(f + 12);
  if (year < 1601 || year > 30827 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
      hour > 23 || minute > 59 || second > 59 || ms > 999) {
    return c.ret(0);
  }
  int64_t days = 0;
  for (int y = 1601; y < year; ++y) days += is_leap(y) ? 366 : 365;
  for (int m = 1; m < month; ++m) days += days_in_month(year, m);
  days += day - 1;
  int64_t t = days * kTicksPerDay + ((static_cast<int64_t>(hour) * 60 + minute) * 60 + second) * 1000 * kTicksPerMs +
              static_cast<int64_t>(ms) * kTicksPerMs;
  c.mem().write64(c.arg(1), static_cast<uint64_t>(t));
  c.ret(1);
}

// ---- memory helpers ----
void rtl_compare_memory(ExportCall& c) {
  uint32_t a = c.arg(0), b = c.arg(1), n = c.arg(2), i = 0;
  while (i < n && c.mem().read8(a + i) == c.mem().read8(b + i)) ++i;
  c.ret(i);
}

void rtl_compare_memory_ulong(ExportCall& c) {
  uint32_t src = c.arg(0), n = c.arg(1), v = c.arg(2), i = 0;
  if ((src | n) & 3) return c.ret(0);
  while (i < n && c.mem().read32(src + i) == v) i += 4;
  c.ret(i);
}

void rtl_fill_memory_ulong(ExportCall& c) {
  uint32_t dst = c.arg(0), n = c.arg(1) & ~3u, v = c.arg(2);
  for (uint32_t i = 0; i < n; i += 4) c.mem().write32(dst + i, v);
}

void rtl_compute_crc32(ExportCall& c) {
  uint32_t crc = ~c.arg(0), buf = c.arg(1), n = c.arg(2);
  for (uint32_t i = 0; i < n; ++i) {
    crc ^= c.mem().read8(buf + i);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  c.ret(~crc);
}

void rtl_upper_char(ExportCall& c) {
  uint8_t ch = static_cast<uint8_t>(c.arg(0));
  c.ret(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
}

void rtl_lower_char(ExportCall& c) {
  uint8_t ch = static_cast<uint8_t>(c.arg(0));
  c.ret(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
}

// ---- counted strings ----
// STRING / ANSI_STRING / UNICODE_STRING: +0 u16 Length (bytes), +2 u16
// MaximumLength (bytes), +4 Buffer.
struct CountedString {
  uint16_t length = 0, maximum = 0;
  uint32_t buffer = 0;
};

CountedString read_counted(GuestMemory& mem, uint32_t addr) {
  return {mem.read16(addr), mem.read16(addr + 2), mem.read32(addr + 4)};
}

void write_counted(GuestMemory& mem, uint32_t addr, const CountedString& s) {
  mem.write16(addr, s.length);
  mem.write16(addr + 2, s.maximum);
  mem.write32(addr + 4, s.buffer);
}

constexpr NtStatus kStatusInvalidParameter2 = 0xC00000F0;

// Latin-1 case mapping, which is what the console's tables cover for
// the characters titles pass (ASCII and Western European letters).
uint16_t upcase_unit(uint16_t u) {
  if (u >= 'a' && u <= 'z') return static_cast<uint16_t>(u - 32);
  if (u >= 0xE0 && u <= 0xFE && u != 0xF7) return static_cast<uint16_t>(u - 32);
  if (u == 0xFF) return 0x178;
  return u;
}
uint16_t downcase_unit(uint16_t u) {
  if (u >= 'A' && u <= 'Z') return static_cast<uint16_t>(u + 32);
  if (u >= 0xC0 && u <= 0xDE && u != 0xD7) return static_cast<uint16_t>(u + 32);
  if (u == 0x178) return 0xFF;
  return u;
}

void rtl_upcase_unicode_char(ExportCall& c) { c.ret(upcase_unit(static_cast<uint16_t>(c.arg(0)))); }
void rtl_downcase_unicode_char(ExportCall& c) { c.ret(downcase_unit(static_cast<uint16_t>(c.arg(0)))); }

// (dst, src, allocate): src's bytes widened one unit each (code page 1252 as
// Latin-1). With `allocate` the buffer comes from the system pool and
// RtlFreeUnicodeString releases it.
void rtl_ansi_string_to_unicode_string(ExportCall& c) {
  uint32_t dst = c.arg(0), src = c.arg(1);
  bool allocate = c.arg(2) & 0xFF;
  CountedString a = read_counted(c.mem(), src);
  uint32_t bytes = 2u * a.length;
  if (bytes + 2 > 0xFFFF) return c.ret(kStatusInvalidParameter2);
  CountedString u = read_counted(c.mem(), dst);
  if (allocate) {
    u.buffer = c.k.pool().allocate(bytes + 2, 4);
    if (!u.buffer) return c.ret(kStatusNoMemory);
    u.maximum = static_cast<uint16_t>(bytes + 2);
  } else if (u.maximum < bytes) {
    return c.ret(kStatusBufferOverflow);
  }
  for (uint32_t i = 0; i < a.length; ++i) c.mem().write16(u.buffer + 2 * i, c.mem().read8(a.buffer + i));
  if (u.maximum >= bytes + 2) c.mem().write16(u.buffer + bytes, 0);
  u.length = static_cast<uint16_t>(bytes);
  write_counted(c.mem(), dst, u);
  c.ret(kStatusSuccess);
}

// (dst, src, allocate): units above 0xFF become '?'.
void rtl_unicode_string_to_ansi_string(ExportCall& c) {
  uint32_t dst = c.arg(0), src = c.arg(1);
  bool allocate = c.arg(2) & 0xFF;
  CountedString u = read_counted(c.mem(), src);
  uint32_t chars = u.length / 2u;
  CountedString a = read_counted(c.mem(), dst);
  if (allocate) {
    a.buffer = c.k.pool().allocate(chars + 1, 4);
    if (!a.buffer) return c.ret(kStatusNoMemory);
    a.maximum = static_cast<uint16_t>(chars + 1);
  } else if (a.maximum < chars) {
    return c.ret(kStatusBufferOverflow);
  }
  for (uint32_t i = 0; i < chars; ++i) {
    uint16_t unit = c.mem().read16(u.buffer + 2 * i);
    c.mem().write8(a.buffer + i, unit > 0xFF ? '?' : static_cast<uint8_t>(unit));
  }
  if (a.maximum > chars) c.mem().write8(a.buffer + chars, 0);
  a.length = static_cast<uint16_t>(chars);
  write_counted(c.mem(), dst, a);
  c.ret(kStatusSuccess);
}

// (string): releases a buffer the Rtl*To*String(allocate) calls made.
void rtl_free_string(ExportCall& c) {
  uint32_t str = c.arg(0);
  if (!str) return;
  CountedString s = read_counted(c.mem(), str);
  if (s.buffer) c.k.pool().release(s.buffer);
  write_counted(c.mem(), str, {});
}

// (dst, src) with `unit` bytes per character; terminated when room is left.
void copy_counted(ExportCall& c, uint32_t unit) {
  uint32_t dst = c.arg(0), src = c.arg(1);
  CountedString d = read_counted(c.mem(), dst);
  if (!src) {
    d.length = 0;
    write_counted(c.mem(), dst, d);
    return;
  }
  CountedString s = read_counted(c.mem(), src);
  uint32_t n = std::min<uint32_t>(s.length, d.maximum) / unit * unit;
  std::vector<uint8_t> bytes = read_guest_bytes(c.mem(), s.buffer, n);
  if (n) c.mem().write_bytes(d.buffer, bytes.data(), n);
  if (n + unit <= d.maximum) {
    if (unit == 1) c.mem().write8(d.buffer + n, 0);
    else c.mem().write16(d.buffer + n, 0);
  }
  d.length = static_cast<uint16_t>(n);
  write_counted(c.mem(), dst, d);
}
void rtl_copy_string(ExportCall& c) { copy_counted(c, 1); }
void rtl_copy_unicode_string(ExportCall& c) { copy_counted(c, 2); }

// Appends `n` bytes at `src` to the counted string at `dst`;
// BUFFER_TOO_SMALL when they do not fit. Unicode results are terminated when
// room is left (ANSI ones are not, as in NT).
NtStatus append_counted(ExportCall& c, uint32_t dst, uint32_t src, uint32_t n, uint32_t unit) {
  CountedString d = read_counted(c.mem(), dst);
  if (d.length + n > d.maximum) return kStatusBufferTooSmall;
  std::vector<uint8_t> bytes = read_guest_bytes(c.mem(), src, n);
  if (n) c.mem().write_bytes(d.buffer + d.length, bytes.data(), n);
  d.length = static_cast<uint16_t>(d.length + n);
  if (unit == 2 && d.length + 2u <= d.maximum) c.mem().write16(d.buffer + d.length, 0);
  write_counted(c.mem(), dst, d);
  return kStatusSuccess;
}
void rtl_append_string_to_string(ExportCall& c) {
  CountedString s = read_counted(c.mem(), c.arg(1));
  c.ret(append_counted(c, c.arg(0), s.buffer, s.length, 1));
}
void rtl_append_unicode_string_to_string(ExportCall& c) {
  CountedString s = read_counted(c.mem(), c.arg(1));
  c.ret(append_counted(c, c.arg(0), s.buffer, s.length & ~1u, 2));
}
// (dst, wchar* src)
void rtl_append_unicode_to_string(ExportCall& c) {
  if (!c.arg(1)) return c.ret(kStatusSuccess);
  uint32_t n = static_cast<uint32_t>(read_guest_wstring(c.mem(), c.arg(1), 0x7FFF).size()) * 2;
  c.ret(append_counted(c, c.arg(0), c.arg(1), n, 2));
}

// (s1, s2, case_insensitive): <0, 0 or >0 like NT: the first differing
// character, else the length difference.
int32_t compare_counted(ExportCall& c, uint32_t a_addr, uint32_t b_addr, bool ci, uint32_t unit) {
  CountedString a = read_counted(c.mem(), a_addr), b = read_counted(c.mem(), b_addr);
  uint32_t na = a.length / unit, nb = b.length / unit;
  for (uint32_t i = 0; i < std::min(na, nb); ++i) {
    uint16_t x = unit == 1 ? c.mem().read8(a.buffer + i) : c.mem().read16(a.buffer + 2 * i);
    uint16_t y = unit == 1 ? c.mem().read8(b.buffer + i) : c.mem().read16(b.buffer + 2 * i);
    if (ci) {
      x = upcase_unit(x);
      y = upcase_unit(y);
    }
    if (x != y) return static_cast<int32_t>(x) - static_cast<int32_t>(y);
  }
  return static_cast<int32_t>(na) - static_cast<int32_t>(nb);
}
void rtl_compare_string(ExportCall& c) {
  c.ret(static_cast<uint32_t>(compare_counted(c, c.arg(0), c.arg(1), c.arg(2) & 0xFF, 1)));
}
void rtl_compare_unicode_string(ExportCall& c) {
  c.ret(static_cast<uint32_t>(compare_counted(c, c.arg(0), c.arg(1), c.arg(2) & 0xFF, 2)));
}

// (dst, wchar* src) -> BOOLEAN: a pool copy of src, terminated.
void rtl_create_unicode_string(ExportCall& c) {
  uint32_t dst = c.arg(0), src = c.arg(1);
  std::u16string text = src ? read_guest_wstring(c.mem(), src, 0x7FFE) : std::u16string();
  uint32_t bytes = static_cast<uint32_t>(text.size() * 2);
  uint32_t buf = c.k.pool().allocate(bytes + 2, 4);
  if (!buf) return c.ret(0);
  for (size_t i = 0; i <= text.size(); ++i) c.mem().write16(buf + static_cast<uint32_t>(2 * i), i < text.size() ? text[i] : 0);
  write_counted(c.mem(), dst, {static_cast<uint16_t>(bytes), static_cast<uint16_t>(bytes + 2), buf});
  c.ret(1);
}

// (psize, src, bytes): one UTF-16 unit per byte and back.
void rtl_multi_byte_to_unicode_size(ExportCall& c) {
  if (c.arg(0)) c.mem().write32(c.arg(0), c.arg(2) * 2);
  c.ret(kStatusSuccess);
}
void rtl_unicode_to_multi_byte_size(ExportCall& c) {
  if (c.arg(0)) c.mem().write32(c.arg(0), c.arg(2) / 2);
  c.ret(kStatusSuccess);
}

// ---- sprintf family ----
// Stores `text` at `dst` in `width` characters: at most `limit` of them when
// limit >= 0, plus a terminator when it fits. Returns the character count,
// or -1 when the _sn* forms truncated.
int32_t store_formatted(ExportCall& c, uint32_t dst, const std::u16string& text, int64_t limit, CharWidth width) {
  size_t n = text.size();
  bool truncated = limit >= 0 && n > static_cast<uint64_t>(limit);
  size_t count = truncated ? static_cast<size_t>(limit) : n;
  if (width == CharWidth::kNarrow) {
    std::string bytes(count, '\0');
    for (size_t i = 0; i < count; ++i) bytes[i] = text[i] > 0xFF ? '?' : static_cast<char>(text[i]);
    c.mem().write_bytes(dst, bytes.data(), static_cast<uint32_t>(count));
  } else {
    for (size_t i = 0; i < count; ++i) c.mem().write16(dst + static_cast<uint32_t>(2 * i), text[i]);
  }
  if (truncated) return -1;
  if (limit < 0 || n < static_cast<uint64_t>(limit)) {
    uint32_t end = dst + static_cast<uint32_t>(width == CharWidth::kNarrow ? n : 2 * n);
    if (width == CharWidth::kNarrow) c.mem().write8(end, 0);
    else c.mem().write16(end, 0);
  }
  return static_cast<int32_t>(n);
}

constexpr size_t kMaxFormatted = 1 << 16;

// The variadic forms take their arguments from the slots after `first`; the
// v* forms from a va_list, which on the console points to 8-byte slots.
std::u16string format_variadic(ExportCall& c, uint32_t fmt, CharWidth width, int first) {
  int n = first;
  return format_guest(c.mem(), fmt, width, [&]() { return c.arg64(n++); }, kMaxFormatted);
}

std::u16string format_va_list(ExportCall& c, uint32_t fmt, CharWidth width, uint32_t va) {
  return format_guest(c.mem(), fmt, width, [&]() { uint64_t v = c.mem().read64(va); va += 8; return v; },
                      kMaxFormatted);
}

void ret_count(ExportCall& c, int32_t n) { c.ret(static_cast<uint32_t>(n)); }

// (dst, fmt, ...)
void k_sprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_variadic(c, c.arg(1), CharWidth::kNarrow, 2), -1, CharWidth::kNarrow));
}
void k_swprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_variadic(c, c.arg(1), CharWidth::kWide, 2), -1, CharWidth::kWide));
}
// (dst, count, fmt, ...)
void k_snprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_variadic(c, c.arg(2), CharWidth::kNarrow, 3), c.arg(1),
                               CharWidth::kNarrow));
}
void k_snwprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_variadic(c, c.arg(2), CharWidth::kWide, 3), c.arg(1),
                               CharWidth::kWide));
}
// (fmt, ...): the length the result would have.
void k_scprintf(ExportCall& c) {
  ret_count(c, static_cast<int32_t>(format_variadic(c, c.arg(0), CharWidth::kNarrow, 1).size()));
}
void k_scwprintf(ExportCall& c) {
  ret_count(c, static_cast<int32_t>(format_variadic(c, c.arg(0), CharWidth::kWide, 1).size()));
}
// (dst, fmt, va)
void k_vsprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_va_list(c, c.arg(1), CharWidth::kNarrow, c.arg(2)), -1,
                               CharWidth::kNarrow));
}
void k_vswprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_va_list(c, c.arg(1), CharWidth::kWide, c.arg(2)), -1,
                               CharWidth::kWide));
}
// (dst, count, fmt, va)
void k_vsnprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_va_list(c, c.arg(2), CharWidth::kNarrow, c.arg(3)), c.arg(1),
                               CharWidth::kNarrow));
}
void k_vsnwprintf(ExportCall& c) {
  ret_count(c, store_formatted(c, c.arg(0), format_va_list(c, c.arg(2), CharWidth::kWide, c.arg(3)), c.arg(1),
                               CharWidth::kWide));
}
// (fmt, va)
void k_vscprintf(ExportCall& c) {
  ret_count(c, static_cast<int32_t>(format_va_list(c, c.arg(0), CharWidth::kNarrow, c.arg(1)).size()));
}
void k_vscwprintf(ExportCall& c) {
  ret_count(c, static_cast<int32_t>(format_va_list(c, c.arg(0), CharWidth::kWide, c.arg(1)).size()));
}

void resolve_format_at(ExportCall& c, int n, CharWidth width) {
  if (width == CharWidth::kNarrow) {
    c.resolved_text = c.mem().read_cstring(c.arg(n), 256);
  } else {
    c.resolved_text.clear();
    for (char16_t u : read_guest_wstring(c.mem(), c.arg(n), 256)) c.resolved_text.push_back(u > 0x7F ? '?' : static_cast<char>(u));
  }
  c.resolve("format", TraceValue::string(c.resolved_text.c_str()));
}
void resolve_format_0(ExportCall& c) { resolve_format_at(c, 0, CharWidth::kNarrow); }
void resolve_format_1(ExportCall& c) { resolve_format_at(c, 1, CharWidth::kNarrow); }
void resolve_format_2(ExportCall& c) { resolve_format_at(c, 2, CharWidth::kNarrow); }
void resolve_wformat_0(ExportCall& c) { resolve_format_at(c, 0, CharWidth::kWide); }
void resolve_wformat_1(ExportCall& c) { resolve_format_at(c, 1, CharWidth::kWide); }
void resolve_wformat_2(ExportCall& c) { resolve_format_at(c, 2, CharWidth::kWide); }

const ExportInfo kExports[] = {
    {0x114, "RtlAnsiStringToUnicodeString", 3, rtl_ansi_string_to_unicode_string},
    {0x115, "RtlAppendStringToString", 2, rtl_append_string_to_string},
    {0x116, "RtlAppendUnicodeStringToString", 2, rtl_append_unicode_string_to_string},
    {0x117, "RtlAppendUnicodeToString", 2, rtl_append_unicode_to_string},
    {0x11C, "RtlCompareString", 3, rtl_compare_string},
    {0x11E, "RtlCompareUnicodeString", 3, rtl_compare_unicode_string},
    {0x121, "RtlCopyString", 2, rtl_copy_string},
    {0x122, "RtlCopyUnicodeString", 2, rtl_copy_unicode_string},
    {0x123, "RtlCreateUnicodeString", 2, rtl_create_unicode_string},
    {0x124, "RtlDowncaseUnicodeChar", 1, rtl_downcase_unicode_char},
    {0x127, "RtlFreeAnsiString", 1, rtl_free_string},
    {0x128, "RtlFreeUnicodeString", 1, rtl_free_string},
    {0x134, "RtlMultiByteToUnicodeSize", 3, rtl_multi_byte_to_unicode_size},
    {0x142, "RtlUnicodeStringToAnsiString", 3, rtl_unicode_string_to_ansi_string},
    {0x144, "RtlUnicodeToMultiByteSize", 3, rtl_unicode_to_multi_byte_size},
    {0x149, "RtlUpcaseUnicodeChar", 1, rtl_upcase_unicode_char},
    {282, "RtlCompareMemory", 3, rtl_compare_memory},
    {283, "RtlCompareMemoryUlong", 3, rtl_compare_memory_ulong},
    {294, "RtlFillMemoryUlong", 3, rtl_fill_memory_ulong},
    {300, "RtlInitAnsiString", 2, rtl_init_ansi_string, resolve_init_string},
    {301, "RtlInitUnicodeString", 2, rtl_init_unicode_string},
    {306, "RtlLowerChar", 1, rtl_lower_char},
    {307, "RtlMultiByteToUnicodeN", 5, rtl_multi_byte_to_unicode_n},
    {309, "RtlNtStatusToDosError", 1, rtl_nt_status_to_dos_error},
    {0x139, "_scprintf", 1, k_scprintf, resolve_format_0},
    {314, "_snprintf", 3, k_snprintf, resolve_format_2},
    {315, "sprintf", 2, k_sprintf, resolve_format_1},
    {0x13C, "_scwprintf", 1, k_scwprintf, resolve_wformat_0},
    {0x13D, "_snwprintf", 3, k_snwprintf, resolve_wformat_2},
    {0x13E, "swprintf", 2, k_swprintf, resolve_wformat_1},
    {319, "RtlTimeFieldsToTime", 2, rtl_time_fields_to_time},
    {320, "RtlTimeToTimeFields", 2, rtl_time_to_time_fields},
    {323, "RtlUnicodeToMultiByteN", 5, rtl_unicode_to_multi_byte_n},
    {330, "RtlUpperChar", 1, rtl_upper_char},
    {0x14C, "_vscprintf", 2, k_vscprintf, resolve_format_0},
    {333, "_vsnprintf", 4, k_vsnprintf, resolve_format_2},
    {334, "vsprintf", 3, k_vsprintf, resolve_format_1},
    {0x14F, "_vscwprintf", 2, k_vscwprintf, resolve_wformat_0},
    {0x150, "_vsnwprintf", 4, k_vsnwprintf, resolve_wformat_2},
    {0x151, "_vswprintf", 3, k_vswprintf, resolve_wformat_1},
    {635, "RtlComputeCrc32", 3, rtl_compute_crc32},
};

}  // namespace

ExportTable strings_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
