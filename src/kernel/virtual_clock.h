#pragma once
// Virtual time. Guest time derives ONLY from retired instructions, never from
// a host clock, so every run of the same input sees the same times.
//
// Rate: one retired instruction = 10 ns of guest time (a 100-MIPS guest
// hardware thread), i.e. kInstructionsPer100ns = 10. Time is kept in
// "instruction units" (10 ns). All six CPUs advance together: a scheduler
// round lasts `quantum` instruction units whatever each CPU did in it.
//
// Derived guest clocks:
//   timebase (mftb, 50 MHz)          = units / 2
//   KeQueryPerformanceFrequency      = 50 000 000
//   KeQuerySystemTime (FILETIME)     = kBootFileTime + units / 10
#include <cstdint>

namespace xdet::kernel {

inline constexpr uint64_t kInstructionsPer100ns = 10;
inline constexpr uint64_t kNsPerInstruction = 10;
inline constexpr uint64_t kUnitsPerTimebaseTick = 2;  // 50 MHz timebase
inline constexpr uint64_t kTimebaseFrequency = 50'000'000;
// 2020-01-01T00:00:00Z as a FILETIME: a fixed boot time, not the host's.
inline constexpr uint64_t kBootFileTime = 132223104000000000ull;
inline constexpr uint64_t kNever = ~0ull;

constexpr uint64_t units_from_100ns(uint64_t t100) { return t100 * kInstructionsPer100ns; }
constexpr uint64_t units_from_ms(uint64_t ms) { return ms * 10'000 * kInstructionsPer100ns; }
constexpr uint64_t timebase_from_units(uint64_t u) { return u / kUnitsPerTimebaseTick; }
constexpr uint64_t ns_from_units(uint64_t u) { return u * kNsPerInstruction; }
constexpr uint64_t filetime_from_units(uint64_t u) { return kBootFileTime + u / kInstructionsPer100ns; }

}  // namespace xdet::kernel
