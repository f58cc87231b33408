#pragma once
// Guest-visible layouts of dispatcher objects (kernel-objects.md §1-2).
//
// xdet keeps the dispatcher state ON the guest structure: signal_state at
// +0x4 is authoritative (pre-initialised objects in .data just work, and the
// guest sees the real state). Unlike xenia there is no 'XEN\0' binding
// marker. The waiter lists are kept host-side (ordered by arrival) keyed by
// the object's guest address; the guest LIST_ENTRY at +0x8 is initialised as
// an empty list by the Ke*Initialize calls and otherwise left alone.
#include <cstdint>

namespace xdet::kernel {

enum DispatcherType : uint8_t {
  kTypeEventNotification = 0,
  kTypeEventSynchronization = 1,
  kTypeMutant = 2,
  kTypeProcess = 3,
  kTypeQueue = 4,
  kTypeSemaphore = 5,
  kTypeThread = 6,
  kTypeGate = 7,
  kTypeTimerNotification = 8,
  kTypeTimerSynchronization = 9,
  // Handle types of objects that are not dispatchers (xdet's codes, traced
  // as handle.create object_type): file objects and symbolic links.
  kTypeFile = 0x20,
  kTypeSymbolicLink = 0x21,
};

const char* dispatcher_type_name(uint8_t type);

namespace layout {
// DISPATCHER_HEADER
inline constexpr uint32_t kHeaderType = 0x0;
inline constexpr uint32_t kHeaderAbsolute = 0x1;
inline constexpr uint32_t kHeaderSize = 0x2;
inline constexpr uint32_t kHeaderInserted = 0x3;
inline constexpr uint32_t kHeaderSignalState = 0x4;
inline constexpr uint32_t kHeaderWaitListFlink = 0x8;
inline constexpr uint32_t kHeaderWaitListBlink = 0xC;
inline constexpr uint32_t kDispatcherHeaderSize = 0x10;

inline constexpr uint32_t kEventSize = 0x10;
inline constexpr uint32_t kSemaphoreLimit = 0x10;
inline constexpr uint32_t kSemaphoreSize = 0x14;
inline constexpr uint32_t kMutantListEntry = 0x10;
inline constexpr uint32_t kMutantOwner = 0x18;
inline constexpr uint32_t kMutantAbandoned = 0x1C;
inline constexpr uint32_t kMutantSize = 0x20;
inline constexpr uint32_t kTimerDueTime = 0x10;
inline constexpr uint32_t kTimerListEntry = 0x18;
inline constexpr uint32_t kTimerDpc = 0x20;
inline constexpr uint32_t kTimerPeriod = 0x24;
inline constexpr uint32_t kTimerSize = 0x28;

// Object header xenia/xdet place before kernel-allocated objects.
inline constexpr uint32_t kObjectHeaderSize = 0x18;

// RTL_CRITICAL_SECTION
inline constexpr uint32_t kCsLockCount = 0x10;
inline constexpr uint32_t kCsRecursionCount = 0x14;
inline constexpr uint32_t kCsOwningThread = 0x18;
inline constexpr uint32_t kCsSize = 0x1C;

// KTHREAD
inline constexpr uint32_t kThreadSize = 0xAB0;
inline constexpr uint32_t kThreadMutantListHead = 0x010;
inline constexpr uint32_t kThreadStackBase = 0x05C;
inline constexpr uint32_t kThreadStackLimit = 0x060;
inline constexpr uint32_t kThreadTlsAddress = 0x068;
inline constexpr uint32_t kThreadState = 0x06C;
inline constexpr uint32_t kThreadPriority = 0x070;
inline constexpr uint32_t kThreadApcListKernel = 0x074;
inline constexpr uint32_t kThreadApcListUser = 0x07C;
inline constexpr uint32_t kThreadProcess = 0x084;
inline constexpr uint32_t kThreadMayQueueApcs = 0x08B;
inline constexpr uint32_t kThreadMsrMask = 0x09C;
inline constexpr uint32_t kThreadWaitResult = 0x0A0;
inline constexpr uint32_t kThreadApcDisable = 0x0B0;
inline constexpr uint32_t kThreadSuspendCount = 0x0BC;
inline constexpr uint32_t kThreadTerminated = 0x0BE;
inline constexpr uint32_t kThreadCurrentCpu = 0x0BF;
inline constexpr uint32_t kThreadStackAllocBase = 0x0D0;
inline constexpr uint32_t kThreadCreateTime = 0x130;
inline constexpr uint32_t kThreadExitTime = 0x138;
inline constexpr uint32_t kThreadExitStatus = 0x140;
inline constexpr uint32_t kThreadTimerListHead = 0x144;
inline constexpr uint32_t kThreadId = 0x14C;
inline constexpr uint32_t kThreadStartAddress = 0x150;
inline constexpr uint32_t kThreadListHead = 0x154;
inline constexpr uint32_t kThreadLastError = 0x160;
inline constexpr uint32_t kThreadFiber = 0x164;
inline constexpr uint32_t kThreadCreationFlags = 0x16C;
inline constexpr uint32_t kThreadUnknown17C = 0x17C;

// KPCR (r13)
inline constexpr uint32_t kPcrSize = 0x2D8;
inline constexpr uint32_t kPcrTls = 0x000;
inline constexpr uint32_t kPcrIrql = 0x018;
inline constexpr uint32_t kPcrSelf = 0x030;
inline constexpr uint32_t kPcrStackBase = 0x070;
inline constexpr uint32_t kPcrStackLimit = 0x074;
inline constexpr uint32_t kPcrCurrentThread = 0x100;
inline constexpr uint32_t kPcrCurrentCpu = 0x10C;
inline constexpr uint32_t kPcrDpcActive = 0x150;

// Process info block
inline constexpr uint32_t kProcessSize = 0x60;
inline constexpr uint32_t kProcessThreadCount = 0x14;
inline constexpr uint32_t kProcessType = 0x2F;
}  // namespace layout

}  // namespace xdet::kernel
