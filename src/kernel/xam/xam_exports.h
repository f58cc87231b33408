#pragma once
// xam.xex: the export tables by area (xam_*.cpp) and the helpers they share.
//
// XAM functions return Win32 error codes (0 = success). An asynchronous
// call takes an XOVERLAPPED; xdet completes every one before the call
// returns (result, length and extended error written, its event set) and
// returns ERROR_IO_PENDING, as the console does for work it finishes at once.
#include <cstdint>
#include <vector>

#include "kernel/exports/exports.h"

namespace xdet::kernel {

ExportTable xam_info_exports();     // xam_info.cpp: console info, loader, execution id, XamAlloc
ExportTable xam_user_exports();     // xam_user.cpp: profiles
ExportTable xam_input_exports();    // xam_input.cpp: controllers
ExportTable xam_notify_exports();   // xam_notify.cpp: notification listeners
ExportTable xam_ui_exports();       // xam_ui.cpp: system UI
ExportTable xam_content_exports();  // xam_content.cpp: content packages
ExportTable xam_msg_exports();      // xam_msg.cpp: XMsg*, overlapped results, XamEnumerate
ExportTable xam_net_exports();      // xam_net.cpp: Winsock and XNet, with no network cable
ExportTable xam_task_exports();     // xam_task.cpp: XamTaskSchedule
std::vector<SubsystemTable> xam_subsystems();

namespace xam {

inline constexpr uint32_t kErrorSuccess = 0;
inline constexpr uint32_t kErrorInvalidParameter = 87;
inline constexpr uint32_t kErrorNotEnoughMemory = 8;
inline constexpr uint32_t kErrorNoMoreFiles = 18;
inline constexpr uint32_t kErrorInvalidHandle = 6;
inline constexpr uint32_t kErrorInsufficientBuffer = 122;
inline constexpr uint32_t kErrorBadArguments = 160;
inline constexpr uint32_t kErrorIoPending = 997;
inline constexpr uint32_t kErrorDeviceNotConnected = 1167;
inline constexpr uint32_t kErrorNotFound = 1168;
inline constexpr uint32_t kErrorNoSuchUser = 1317;
inline constexpr uint32_t kENotFound = 0x80070490;  // X_E_NOTFOUND (HRESULT)

// XOVERLAPPED: +0 result, +4 length, +8 context, +0xC event handle,
// +0x10 completion routine, +0x14 completion context, +0x18 extended error.
inline constexpr uint32_t kOverlappedSize = 0x1C;

// Completes `overlapped` with `result`/`length` and sets its event. The
// extended error is `result` unless given.
void complete_overlapped(ExportCall& c, uint32_t overlapped, uint32_t result, uint32_t length = 0);
void complete_overlapped(ExportCall& c, uint32_t overlapped, uint32_t result, uint32_t length, uint32_t extended);
// Returns `result` synchronously, or completes the overlapped with it and
// returns ERROR_IO_PENDING.
void finish(ExportCall& c, uint32_t overlapped, uint32_t result, uint32_t length = 0);
// Queues a notification on every listener whose mask covers its area.
void post_notification(ExportCall& c, uint32_t id, uint32_t param);

// Notification ids.
inline constexpr uint32_t kXnSysUi = 0x00000009;
inline constexpr uint32_t kXnSysSigninChanged = 0x0000000A;
inline constexpr uint32_t kXnSysInputDevicesChanged = 0x00000012;

}  // namespace xam
}  // namespace xdet::kernel
