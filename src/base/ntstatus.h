#pragma once
// NTSTATUS values the HLE kernel and the memory API return to the guest
// (kernel-objects.md §4). One table for every layer.
#include <cstdint>

namespace xdet {

using NtStatus = uint32_t;

inline constexpr NtStatus kStatusSuccess = 0x00000000;
inline constexpr NtStatus kStatusWait0 = 0x00000000;
inline constexpr NtStatus kStatusAbandonedWait0 = 0x00000080;
inline constexpr NtStatus kStatusUserApc = 0x000000C0;
inline constexpr NtStatus kStatusAlerted = 0x00000101;
inline constexpr NtStatus kStatusTimeout = 0x00000102;
inline constexpr NtStatus kStatusPending = 0x00000103;
inline constexpr NtStatus kStatusObjectNameExists = 0x40000000;
inline constexpr NtStatus kStatusTimerResumeIgnored = 0x40000025;
inline constexpr NtStatus kStatusUnsuccessful = 0xC0000001;
inline constexpr NtStatus kStatusNotImplemented = 0xC0000002;
inline constexpr NtStatus kStatusAccessViolation = 0xC0000005;
inline constexpr NtStatus kStatusInvalidHandle = 0xC0000008;
inline constexpr NtStatus kStatusInvalidParameter = 0xC000000D;
inline constexpr NtStatus kStatusNoMemory = 0xC0000017;
inline constexpr NtStatus kStatusAccessDenied = 0xC0000022;
inline constexpr NtStatus kStatusBufferTooSmall = 0xC0000023;
inline constexpr NtStatus kStatusObjectTypeMismatch = 0xC0000024;
inline constexpr NtStatus kStatusMutantNotOwned = 0xC0000046;
inline constexpr NtStatus kStatusSemaphoreLimitExceeded = 0xC0000047;
inline constexpr NtStatus kStatusInsufficientResources = 0xC000009A;
inline constexpr NtStatus kStatusMemoryNotAllocated = 0xC00000A0;
inline constexpr NtStatus kStatusMutantLimitExceeded = 0xC0000191;
// File and I/O statuses (the virtual file system and the Nt*File exports).
inline constexpr NtStatus kStatusBufferOverflow = 0x80000005;
inline constexpr NtStatus kStatusNoMoreFiles = 0x80000006;
inline constexpr NtStatus kStatusInvalidInfoClass = 0xC0000003;
inline constexpr NtStatus kStatusInfoLengthMismatch = 0xC0000004;
inline constexpr NtStatus kStatusNoSuchFile = 0xC000000F;
inline constexpr NtStatus kStatusInvalidDeviceRequest = 0xC0000010;
inline constexpr NtStatus kStatusEndOfFile = 0xC0000011;
inline constexpr NtStatus kStatusObjectNameInvalid = 0xC0000033;
inline constexpr NtStatus kStatusObjectNameNotFound = 0xC0000034;
inline constexpr NtStatus kStatusObjectNameCollision = 0xC0000035;
inline constexpr NtStatus kStatusObjectPathNotFound = 0xC000003A;
inline constexpr NtStatus kStatusDiskFull = 0xC000007F;
inline constexpr NtStatus kStatusFileIsADirectory = 0xC00000BA;
inline constexpr NtStatus kStatusNotSameDevice = 0xC00000D4;
inline constexpr NtStatus kStatusDirectoryNotEmpty = 0xC0000101;
inline constexpr NtStatus kStatusNotADirectory = 0xC0000103;
inline constexpr NtStatus kStatusCannotDelete = 0xC0000121;

}  // namespace xdet
