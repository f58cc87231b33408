// Rtl strings and conversions: ANSI/UNICODE_STRING initialisation,
// multi-byte <-> UTF-16 (code page 1252 as single bytes, like the console's
// Latin-1 tables), NTSTATUS -> Win32 error codes, time fields, memory
// helpers, and the kernel's narrow sprintf family.
#include <algorithm>
#include <cstring>

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

// ---- sprintf family ----
// Writes `text` (truncated to `limit` characters when limit >= 0) plus a
// terminator when it fits; returns the character count, or -1 when
// _snprintf truncated.
int32_t store_formatted(ExportCall& c, uint32_t dst, const std::string& text, int64_t limit) {
  size_t n = text.size();
  if (limit >= 0 && n > static_cast<uint64_t>(limit)) {
    c.mem().write_bytes(dst, text.data(), static_cast<uint32_t>(limit));
    return -1;
  }
  c.mem().write_bytes(dst, text.data(), static_cast<uint32_t>(n));
  if (limit < 0 || n < static_cast<uint64_t>(limit)) c.mem().write8(dst + static_cast<uint32_t>(n), 0);
  return static_cast<int32_t>(n);
}

void k_sprintf(ExportCall& c) {
  int n = 2;
  std::string s = format_guest_string(c.mem(), c.arg(1), [&]() { return c.arg64(n++); }, 1 << 16);
  c.ret(static_cast<uint32_t>(store_formatted(c, c.arg(0), s, -1)));
}

void k_snprintf(ExportCall& c) {
  int n = 3;
  std::string s = format_guest_string(c.mem(), c.arg(2), [&]() { return c.arg64(n++); }, 1 << 16);
  c.ret(static_cast<uint32_t>(store_formatted(c, c.arg(0), s, c.arg(1))));
}

// va_list on the console is a pointer to 8-byte argument slots.
void k_vsprintf(ExportCall& c) {
  uint32_t va = c.arg(2);
  std::string s = format_guest_string(c.mem(), c.arg(1), [&]() { uint64_t v = c.mem().read64(va); va += 8; return v; },
                                      1 << 16);
  c.ret(static_cast<uint32_t>(store_formatted(c, c.arg(0), s, -1)));
}

void k_vsnprintf(ExportCall& c) {
  uint32_t va = c.arg(3);
  std::string s = format_guest_string(c.mem(), c.arg(2), [&]() { uint64_t v = c.mem().read64(va); va += 8; return v; },
                                      1 << 16);
  c.ret(static_cast<uint32_t>(store_formatted(c, c.arg(0), s, c.arg(1))));
}

void resolve_format_1(ExportCall& c) {
  c.resolved_text = c.mem().read_cstring(c.arg(1), 256);
  c.resolve("format", TraceValue::string(c.resolved_text.c_str()));
}

void resolve_format_2(ExportCall& c) {
  c.resolved_text = c.mem().read_cstring(c.arg(2), 256);
  c.resolve("format", TraceValue::string(c.resolved_text.c_str()));
}

const ExportInfo kExports[] = {
    {282, "RtlCompareMemory", 3, rtl_compare_memory},
    {283, "RtlCompareMemoryUlong", 3, rtl_compare_memory_ulong},
    {294, "RtlFillMemoryUlong", 3, rtl_fill_memory_ulong},
    {300, "RtlInitAnsiString", 2, rtl_init_ansi_string, resolve_init_string},
    {301, "RtlInitUnicodeString", 2, rtl_init_unicode_string},
    {306, "RtlLowerChar", 1, rtl_lower_char},
    {307, "RtlMultiByteToUnicodeN", 5, rtl_multi_byte_to_unicode_n},
    {309, "RtlNtStatusToDosError", 1, rtl_nt_status_to_dos_error},
    {314, "_snprintf", 3, k_snprintf, resolve_format_2},
    {315, "sprintf", 2, k_sprintf, resolve_format_1},
    {319, "RtlTimeFieldsToTime", 2, rtl_time_fields_to_time},
    {320, "RtlTimeToTimeFields", 2, rtl_time_to_time_fields},
    {323, "RtlUnicodeToMultiByteN", 5, rtl_unicode_to_multi_byte_n},
    {330, "RtlUpperChar", 1, rtl_upper_char},
    {333, "_vsnprintf", 4, k_vsnprintf, resolve_format_2},
    {334, "vsprintf", 3, k_vsprintf, resolve_format_1},
    {635, "RtlComputeCrc32", 3, rtl_compute_crc32},
};

}  // namespace

ExportTable strings_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
