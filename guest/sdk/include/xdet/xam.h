/* A few xam.xex imports (ordinals from shared/spec/xboxkrnl-exports.md §4).
 * XAM functions mostly return Win32 error codes (0 = success). */
#ifndef XDET_XAM_H
#define XDET_XAM_H

#include "xdet/kernel_types.h"

ULONG XamGetCurrentTitleId(void);                                       /* 0x1CF */
ULONG XamGetExecutionId(PVOID* execution_info);                          /* 0x280 */
ULONG XamGetSystemVersion(void);                                         /* 0x282 */
ULONG XamInputGetCapabilities(ULONG user, ULONG flags, PVOID capabilities); /* 0x190 */
ULONG XamInputGetState(ULONG user, ULONG flags, PVOID state);            /* 0x191 */
ULONG XamInputSetState(ULONG user, ULONG unknown, PVOID vibration);      /* 0x192 */
ULONG XamUserGetSigninState(ULONG user);                                 /* 0x210 */
ULONG XamUserGetName(ULONG user, char* buffer, ULONG length);            /* 0x20E */
ULONG XamAlloc(ULONG flags, ULONG size, PVOID* result);                  /* 0x1EA */
ULONG XamFree(PVOID pointer);                                            /* 0x1EC */
ULONG XamTaskSchedule(PVOID callback, PVOID message, ULONG unknown, HANDLE* handle); /* 0x1AF */
BOOL XNotifyGetNext(HANDLE listener, ULONG match_id, ULONG* id, ULONG* parameter); /* 0x28B */
ULONG XGetAVPack(void);                                                  /* 0x3CB */
ULONG XGetGameRegion(void);                                              /* 0x3CC */
ULONG XGetLanguage(void);                                                /* 0x3CD */
ULONG XamGetOverlappedResult(XOVERLAPPED* overlapped, ULONG* length, BOOL wait); /* 0x1FB */
void XamLoaderTerminateTitle(void);                                      /* 0x1A9 */

#endif
