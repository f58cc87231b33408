/* xam.xex imports (ordinals from shared/spec/xboxkrnl-exports.md §4).
 * XAM functions mostly return Win32 error codes (0 = success); calls that
 * take an XOVERLAPPED complete it and return ERROR_IO_PENDING (997). */
#ifndef XDET_XAM_H
#define XDET_XAM_H

#include "xdet/kernel_types.h"

#define ERROR_SUCCESS 0
#define ERROR_NO_MORE_FILES 18
#define ERROR_IO_PENDING 997
#define ERROR_DEVICE_NOT_CONNECTED 1167
#define ERROR_NOT_FOUND 1168
#define ERROR_NO_SUCH_USER 1317
#define ERROR_FILE_NOT_FOUND 2
#define ERROR_PATH_NOT_FOUND 3
#define ERROR_ACCESS_DENIED 5
#define ERROR_ALREADY_EXISTS 183

/* Content packages: XCONTENT_DATA and the creation dispositions. */
#define XCONTENTTYPE_SAVEDGAME 0x00000001
#define XCONTENTTYPE_MARKETPLACE 0x00000002
#define XCONTENTDEVICE_HARDDRIVE 1
#define XCONTENT_CREATE_NEW 1
#define XCONTENT_CREATE_ALWAYS 2
#define XCONTENT_OPEN_EXISTING 3
#define XCONTENT_OPEN_ALWAYS 4
#define XCONTENT_TRUNCATE_EXISTING 5
#define XCONTENT_DISPOSITION_CREATED 1
#define XCONTENT_DISPOSITION_OPENED 2
typedef struct _XCONTENT_DATA {
  ULONG DeviceID;
  ULONG ContentType;
  uint16_t DisplayName[128];
  char FileName[42];
  char Padding[2];
} XCONTENT_DATA; /* 0x134 bytes */

typedef struct _XINPUT_GAMEPAD {
  USHORT wButtons;
  uint8_t bLeftTrigger, bRightTrigger;
  int16_t sThumbLX, sThumbLY, sThumbRX, sThumbRY;
} XINPUT_GAMEPAD;
XDET_STATIC_ASSERT(sizeof(XINPUT_GAMEPAD) == 12, "XINPUT_GAMEPAD");

typedef struct _XINPUT_STATE {
  ULONG dwPacketNumber;
  XINPUT_GAMEPAD Gamepad;
} XINPUT_STATE;
XDET_STATIC_ASSERT(sizeof(XINPUT_STATE) == 16, "XINPUT_STATE");

typedef struct _XINPUT_VIBRATION {
  USHORT wLeftMotorSpeed, wRightMotorSpeed;
} XINPUT_VIBRATION;

typedef struct _XINPUT_CAPABILITIES {
  uint8_t Type, SubType;
  USHORT Flags;
  XINPUT_GAMEPAD Gamepad;
  XINPUT_VIBRATION Vibration;
} XINPUT_CAPABILITIES;
XDET_STATIC_ASSERT(sizeof(XINPUT_CAPABILITIES) == 0x14, "XINPUT_CAPABILITIES");

typedef struct _XUSER_SIGNIN_INFO {
  uint64_t xuid;
  ULONG dwInfoFlags;
  ULONG UserSigninState;
  ULONG dwGuestNumber;
  ULONG dwSponsorUserIndex;
  char szUserName[16];
} XUSER_SIGNIN_INFO;
XDET_STATIC_ASSERT(sizeof(XUSER_SIGNIN_INFO) == 0x28, "XUSER_SIGNIN_INFO");

#define XN_SYS_UI 0x00000009
#define XN_SYS_SIGNINCHANGED 0x0000000A
#define XN_SYS_INPUTDEVICESCHANGED 0x00000012
#define XNOTIFY_SYSTEM 0x00000001

ULONG XamGetCurrentTitleId(void);                                       /* 0x1CF */
ULONG XamGetExecutionId(PVOID* execution_info);                          /* 0x280 */
ULONG XamGetSystemVersion(void);                                         /* 0x282 */
ULONG XamInputGetCapabilities(ULONG user, ULONG flags, XINPUT_CAPABILITIES* capabilities); /* 0x190 */
ULONG XamInputGetState(ULONG user, ULONG flags, XINPUT_STATE* state);    /* 0x191 */
ULONG XamInputSetState(ULONG user, ULONG unknown, XINPUT_VIBRATION* vibration); /* 0x192 */
typedef struct _XINPUT_KEYSTROKE {
  USHORT VirtualKey, Unicode, Flags;
  uint8_t UserIndex, HidCode;
} XINPUT_KEYSTROKE;
ULONG XamInputGetKeystroke(ULONG user, ULONG flags, XINPUT_KEYSTROKE* keystroke); /* 0x193 */
ULONG XamInputGetKeystrokeEx(ULONG* user, ULONG flags, XINPUT_KEYSTROKE* keystroke); /* 0x198 */
ULONG XamUserGetSigninState(ULONG user);                                 /* 0x210 */
ULONG XamUserGetName(ULONG user, char* buffer, ULONG length);            /* 0x20E */
ULONG XamUserGetGamerTag(ULONG user, uint16_t* buffer, ULONG length);    /* 0x20C */
ULONG XamUserGetXUID(ULONG user, ULONG type_mask, uint64_t* xuid);       /* 0x20A */
ULONG XamUserGetSigninInfo(ULONG user, ULONG flags, XUSER_SIGNIN_INFO* info); /* 0x227 */
/* X_USER_PROFILE_SETTING: the type is setting_id >> 28 (1 int32, 2 int64,
 * 3 double, 4 unicode, 5 float, 6 binary, 7 datetime). */
typedef struct _XUSER_PROFILE_SETTING {
  ULONG source; /* 0 no value, 1 default, 2 title */
  ULONG pad04;
  uint64_t user; /* user index (high word 0) or XUID */
  ULONG setting_id;
  ULONG pad14;
  uint8_t type;
  uint8_t pad19[7];
  union {
    LONG i32;
    uint64_t i64;
    struct { ULONG size; PVOID data; } blob;
  } value;
} XUSER_PROFILE_SETTING;
XDET_STATIC_ASSERT(sizeof(XUSER_PROFILE_SETTING) == 0x28, "XUSER_PROFILE_SETTING");
typedef struct _XUSER_READ_PROFILE_SETTING_RESULT {
  ULONG count;
  XUSER_PROFILE_SETTING* settings;
} XUSER_READ_PROFILE_SETTING_RESULT;

ULONG XamUserReadProfileSettings(ULONG title_id, ULONG user, ULONG xuid_count, const uint64_t* xuids,
                                 ULONG setting_count, const ULONG* setting_ids, ULONG* buffer_size, PVOID buffer,
                                 XOVERLAPPED* overlapped);               /* 0x219 */
ULONG XamUserWriteProfileSettings(ULONG title_id, ULONG user, ULONG count, const XUSER_PROFILE_SETTING* settings,
                                  XOVERLAPPED* overlapped);              /* 0x21A */
ULONG XamAlloc(ULONG flags, ULONG size, PVOID* result);                  /* 0x1EA */
ULONG XamFree(PVOID pointer);                                            /* 0x1EC */
ULONG XamTaskSchedule(PVOID callback, PVOID message, ULONG flags, HANDLE* handle); /* 0x1AF */
BOOL XamTaskCloseHandle(HANDLE task);                                     /* 0x1B1 */
ULONG XamLoaderLaunchTitle(const char* path, ULONG flags);               /* 0x1A4 */
/* The console passes the 64-bit area mask in one register; this 32-bit SDK
 * passes its low word (areas 0-31). */
HANDLE XamNotifyCreateListener(ULONG mask, ULONG max_version);           /* 0x28A */
BOOL XNotifyGetNext(HANDLE listener, ULONG match_id, ULONG* id, ULONG* parameter); /* 0x28B */
ULONG XGetAVPack(void);                                                  /* 0x3CB */
ULONG XGetGameRegion(void);                                              /* 0x3CC */
ULONG XGetLanguage(void);                                                /* 0x3CD */
ULONG XamGetOverlappedResult(XOVERLAPPED* overlapped, ULONG* length, BOOL wait); /* 0x1FB */
void XamLoaderTerminateTitle(void);                                      /* 0x1A9 */
ULONG XamLoaderSetLaunchData(const void* data, ULONG size);              /* 0x1A6 */
ULONG XamLoaderGetLaunchDataSize(ULONG* size);                           /* 0x1A7 */
ULONG XamLoaderGetLaunchData(void* buffer, ULONG size);                  /* 0x1A8 */
ULONG XamShowMessageBoxUI(ULONG user, const uint16_t* title, const uint16_t* text, ULONG button_count,
                          const uint16_t** buttons, ULONG focus_button, ULONG flags, ULONG* result,
                          XOVERLAPPED* overlapped);                      /* 0x2CA */
ULONG XamShowKeyboardUI(ULONG user, ULONG flags, const uint16_t* default_text, const uint16_t* title,
                        const uint16_t* description, uint16_t* buffer, ULONG length,
                        XOVERLAPPED* overlapped);                        /* 0x2C1 */
ULONG XamShowSigninUI(ULONG user_count, ULONG flags);                    /* 0x2BC */
BOOL XamIsUIActive(void);                                                /* 0x2EC */
ULONG XamEnumerate(HANDLE enumerator, ULONG flags, PVOID buffer, ULONG size, ULONG* count,
                   XOVERLAPPED* overlapped);                             /* 0x250 */
ULONG XamContentCreateEnumerator(ULONG user, ULONG device, ULONG content_type, ULONG flags, ULONG count,
                                 ULONG* buffer_size, HANDLE* enumerator); /* 0x25C */
ULONG XamContentCreate(ULONG user, const char* root, const XCONTENT_DATA* data, ULONG flags, ULONG* disposition,
                       ULONG* license_mask, XOVERLAPPED* overlapped);  /* 0x258 */
ULONG XamContentClose(const char* root, XOVERLAPPED* overlapped);        /* 0x25A */
ULONG XamContentDelete(ULONG user, const XCONTENT_DATA* data, XOVERLAPPED* overlapped); /* 0x25B */
/* Networking (xdet: a console without a network cable). `caller` is 1 for titles. */
typedef struct _WSADATA {
  uint16_t wVersion, wHighVersion;
  char szDescription[257];
  char szSystemStatus[129];
  uint16_t iMaxSockets, iMaxUdpDg;
  char* lpVendorInfo;
} WSADATA;
#define WSAENOTSOCK 10038
#define WSAENETDOWN 10050
#define XNET_GET_XNADDR_NONE 0x00000001
int NetDll_WSAStartup(ULONG caller, uint16_t version, WSADATA* data);  /* 0x001 */
int NetDll_WSACleanup(ULONG caller);                                   /* 0x002 */
ULONG NetDll_socket(ULONG caller, int af, int type, int protocol);     /* 0x003 */
int NetDll_WSAGetLastError(void);                                      /* 0x01B */
int NetDll_XNetStartup(ULONG caller, const void* params);              /* 0x033 */
int NetDll_XNetCleanup(ULONG caller);                                  /* 0x034 */
ULONG NetDll_XNetGetTitleXnAddr(ULONG caller, void* xnaddr);           /* 0x049 */
ULONG NetDll_XNetGetEthernetLinkStatus(ULONG caller);                  /* 0x04B */
ULONG XMsgInProcessCall(ULONG app, ULONG message, ULONG param1, ULONG param2); /* 0x1F4 */
ULONG XMsgStartIORequest(ULONG app, ULONG message, XOVERLAPPED* overlapped, PVOID buffer, ULONG size); /* 0x1F7 */

#endif
