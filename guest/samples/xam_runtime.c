/* Conformance: the module/runtime exports of xboxkrnl and the xam.xex
 * services a title calls before its first frame. Packed with
 * --system-flags 0x402 (privileges 1 and 10). Checks hold for the default
 * console configuration; what depends on run options (--args, --no-profile,
 * --input) is printed so tests can compare it. Ends with
 * XamLoaderTerminateTitle while a worker still waits: a clean stop, after
 * the registered title-terminate notifications ran. */
#include <string.h>

#include "sample_util.h"
#include "xdet/xam.h"

#define U(s) ((const uint16_t*)u##s)

static int bytes_eq(const uint8_t* a, const char* hex) {
  for (int i = 0; hex[2 * i]; ++i) {
    unsigned v = 0;
    for (int k = 0; k < 2; ++k) {
      char ch = hex[2 * i + k];
      v = v * 16 + (ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    if (a[i] != v) return 0;
  }
  return 1;
}

static HANDLE g_never;
static ULONG waiter(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_never, 1, FALSE, 0);
  return 0;
}

static void terminate_low(void) { printf("terminate notification: low\n"); }
static void terminate_high(void) { printf("terminate notification: high\n"); }
static void terminate_dropped(void) { printf("FAIL unregistered terminate notification ran\n"); }

static void runtime_checks(void) {
  /* Privileges come from the SYSTEM_FLAGS header. */
  CHECK_EQ(XexCheckExecutablePrivilege(1), 1);
  CHECK_EQ(XexCheckExecutablePrivilege(10), 1);
  CHECK_EQ(XexCheckExecutablePrivilege(0), 0);
  CHECK_EQ(XexCheckExecutablePrivilege(40), 0);

  /* The title's module handle is its LDR entry, also in the variable. */
  PVOID self = 0;
  CHECK_EQ(XexGetModuleHandle(0, &self), STATUS_SUCCESS);
  CHECK(self != 0);
  CHECK_EQ(*(PVOID*)XDET_KERNEL_VARIABLE_ADDRESS(XexExecutableModuleHandle), self);
  uint8_t* ldr = self;
  PVOID header = *(PVOID*)(ldr + 0x58);
  CHECK(header != 0);
  CHECK_EQ((ULONG)RtlImageXexHeaderField(header, 0x00010100), *(ULONG*)(ldr + 0x3C)); /* entry point */
  CHECK_EQ((ULONG)RtlImageXexHeaderField(header, 0x00020200), 0x40000);             /* stack size */
  CHECK_EQ((ULONG)RtlImageXexHeaderField(header, 0x00030000), 0x402);               /* system flags */
  uint8_t* exec = RtlImageXexHeaderField(header, 0x00040006);
  CHECK(exec != 0);
  CHECK_EQ(*(ULONG*)(exec + 0x0C), 0x58440000);
  CHECK_EQ(RtlImageXexHeaderField(header, 0x00FF0000), 0);
  PVOID exec_id = 0;
  CHECK_EQ(XamGetExecutionId(&exec_id), 0);
  CHECK_EQ(exec_id, exec);
  CHECK_EQ(XamGetCurrentTitleId(), 0x58440000);

  PVOID data = 0;
  ULONG size = 0;
  CHECK_EQ(XexGetModuleSection(self, "nosuch", &data, &size), 0xC0000225);
  PVOID none = 0;
  CHECK_EQ(XexGetModuleHandle("nosuch.xex", &none), 0xC0000135);

  /* Callable thunks for kernel and XAM exports, by ordinal and by name. */
  PVOID krnl = 0, xam = 0;
  CHECK_EQ(XexGetModuleHandle("xboxkrnl.exe", &krnl), STATUS_SUCCESS);
  CHECK_EQ(XexGetModuleHandle("XAM.XEX", &xam), STATUS_SUCCESS);
  CHECK(krnl != 0 && xam != 0 && krnl != xam);
  ULONG (*to_dos)(NTSTATUS) = 0;
  CHECK_EQ(XexGetProcedureAddress(krnl, 0x135, (PVOID*)&to_dos), STATUS_SUCCESS);
  CHECK(to_dos != 0);
  if (to_dos) CHECK_EQ(to_dos(0xC0000034), 2);
  ULONG (*get_lang)(void) = 0;
  CHECK_EQ(XexGetProcedureAddress(xam, (ULONG) "XGetLanguage", (PVOID*)&get_lang), STATUS_SUCCESS);
  if (get_lang) CHECK_EQ(get_lang(), 1);
  PVOID again = 0;
  XexGetProcedureAddress(krnl, 0x135, &again);
  CHECK_EQ(again, (PVOID)to_dos);
  PVOID bad = 0;
  CHECK_EQ(XexGetProcedureAddress(krnl, (ULONG) "NoSuchExport", &bad), 0xC0000263);

  printf("cmdline: %s\n", (const char*)XDET_KERNEL_VARIABLE_ADDRESS(ExLoadedCommandLine));
  printf("image: %s\n", (const char*)XDET_KERNEL_VARIABLE_ADDRESS(ExLoadedImageName));

  /* Console configuration. */
  ULONG v = 0;
  USHORT req = 0;
  CHECK_EQ(ExGetXConfigSetting(3, 9, &v, 4, &req), STATUS_SUCCESS);
  CHECK_EQ(v, 1);
  CHECK_EQ(req, 4);
  CHECK_EQ(ExGetXConfigSetting(2, 2, &v, 4, 0), STATUS_SUCCESS);
  CHECK_EQ(v, 0x1000);
  CHECK_EQ(ExGetXConfigSetting(3, 0xA, &v, 4, 0), STATUS_SUCCESS);
  CHECK_EQ(v, 0x40000);
  uint8_t country = 0;
  CHECK_EQ(ExGetXConfigSetting(3, 0xE, &country, 1, &req), STATUS_SUCCESS);
  CHECK_EQ(country, 103);
  CHECK_EQ(req, 1);
  CHECK_EQ(ExGetXConfigSetting(3, 9, &v, 2, 0), 0xC0000023);
  CHECK_EQ(ExGetXConfigSetting(9, 1, &v, 4, 0), 0xC00000EF);
  CHECK_EQ(ExGetXConfigSetting(3, 0x77, &v, 4, 0), 0xC00000F0);

  ULONG stats[26];
  memset(stats, 0, sizeof stats);
  stats[0] = sizeof stats;
  CHECK_EQ(MmQueryStatistics(stats), STATUS_SUCCESS);
  CHECK_EQ(stats[1], 0x20000);
  stats[0] = 4;
  CHECK_EQ(MmQueryStatistics(stats), STATUS_INVALID_PARAMETER);

  /* Run when the title terminates: higher priority first. */
  static ULONG low[4], high[4], dropped[4];
  low[0] = (ULONG)terminate_low, low[1] = 1;
  high[0] = (ULONG)terminate_high, high[1] = 5;
  dropped[0] = (ULONG)terminate_dropped, dropped[1] = 9;
  ExRegisterTitleTerminateNotification(low, TRUE);
  ExRegisterTitleTerminateNotification(dropped, TRUE);
  ExRegisterTitleTerminateNotification(high, TRUE);
  ExRegisterTitleTerminateNotification(dropped, FALSE);
}

static void string_checks(void) {
  ANSI_STRING a;
  RtlInitAnsiString(&a, "game:\\data");
  CHECK_EQ(a.Length, 10);
  CHECK_EQ(a.MaximumLength, 11);
  UNICODE_STRING w;
  RtlInitUnicodeString(&w, U("abc"));
  CHECK_EQ(w.Length, 6);
  CHECK_EQ(w.MaximumLength, 8);
  uint16_t wide[8];
  ULONG n = 0;
  CHECK_EQ(RtlMultiByteToUnicodeN(wide, sizeof wide, &n, "hey", 3), 0);
  CHECK_EQ(n, 6);
  CHECK_EQ(wide[1], 'e');
  char narrow[4] = {0};
  CHECK_EQ(RtlUnicodeToMultiByteN(narrow, 3, &n, U("x\x263Az"), 6), 0);
  CHECK_EQ(n, 3);
  CHECK(narrow[0] == 'x' && narrow[1] == '?' && narrow[2] == 'z');
  CHECK_EQ(RtlNtStatusToDosError(0), 0);
  CHECK_EQ(RtlNtStatusToDosError(0xC0000034), 2);
  CHECK_EQ(RtlNtStatusToDosError(0xC0000022), 5);
  CHECK_EQ(RtlNtStatusToDosError(0x80070057), 87);
  CHECK_EQ(RtlNtStatusToDosError(0xC0DEC0DE), 317);

  TIME_FIELDS tf = {2005, 11, 22, 13, 45, 30, 250, 0};
  LARGE_INTEGER t;
  CHECK_EQ(RtlTimeFieldsToTime(&tf, &t), 1);
  TIME_FIELDS back;
  RtlTimeToTimeFields(&t, &back);
  CHECK(back.Year == 2005 && back.Month == 11 && back.Day == 22 && back.Hour == 13 && back.Minute == 45 &&
        back.Second == 30 && back.Milliseconds == 250);
  CHECK_EQ(back.Weekday, 2); /* a Tuesday */
  TIME_FIELDS bad = {2005, 2, 29, 0, 0, 0, 0, 0};
  CHECK_EQ(RtlTimeFieldsToTime(&bad, &t), 0);

  char buf[32];
  CHECK_EQ(sprintf(buf, "%d-%s-%04x", 42, "ab", 0xbe), 10);
  CHECK_EQ(strcmp(buf, "42-ab-00be"), 0);
  memset(buf, '#', sizeof buf);
  CHECK_EQ(_snprintf(buf, 4, "%s", "truncated"), -1);
  CHECK(buf[3] == 'n' && buf[4] == '#');
  uint64_t va[2] = {7, (ULONG) "seven"};
  CHECK_EQ(_vsnprintf(buf, sizeof buf, "%u=%s", va), 7);
  CHECK_EQ(strcmp(buf, "7=seven"), 0);
}

static void crypt_checks(void) {
  uint8_t d[32];
  XECRYPT_SHA_STATE sha;
  XeCryptShaInit(&sha);
  XeCryptShaUpdate(&sha, "a", 1);
  XeCryptShaUpdate(&sha, "bc", 2);
  XeCryptShaFinal(&sha, d, 20);
  CHECK(bytes_eq(d, "a9993e364706816aba3e25717850c26c9cd0d89d"));
  XeCryptSha("ab", 2, "c", 1, 0, 0, d, 20);
  CHECK(bytes_eq(d, "a9993e364706816aba3e25717850c26c9cd0d89d"));
  static char block[200];
  memset(block, 'q', sizeof block);
  XeCryptShaInit(&sha);
  XeCryptShaUpdate(&sha, block, 63);
  XeCryptShaUpdate(&sha, block + 63, 137);
  XeCryptShaFinal(&sha, d, 20);
  uint8_t d2[20];
  XeCryptSha(block, 200, 0, 0, 0, 0, d2, 20);
  CHECK_EQ(memcmp(d, d2, 20), 0);
  XECRYPT_SHA256_STATE s256;
  XeCryptSha256Init(&s256);
  XeCryptSha256Update(&s256, "abc", 3);
  XeCryptSha256Final(&s256, d, 32);
  CHECK(bytes_eq(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  XeCryptMd5("abc", 3, 0, 0, 0, 0, d, 16);
  CHECK(bytes_eq(d, "900150983cd24fb0d6963f7d28e17f72"));
  const char* fox = "The quick brown fox jumps over the lazy dog";
  XeCryptHmacSha("key", 3, fox, 20, fox + 20, strlen(fox) - 20, 0, 0, d, 20);
  CHECK(bytes_eq(d, "de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9"));
  XECRYPT_RC4_STATE rc4;
  char text[10] = "Plaintext";
  XeCryptRc4Key(&rc4, "Key", 3);
  XeCryptRc4Ecb(&rc4, text, 9);
  CHECK(bytes_eq((uint8_t*)text, "bbf316e8d940af0ad3"));
  XECRYPT_AES_STATE aes;
  uint8_t aes_key[16], aes_in[16], aes_out[16];
  for (int i = 0; i < 16; ++i) aes_key[i] = (uint8_t)i, aes_in[i] = (uint8_t)(i * 0x11);
  XeCryptAesKey(&aes, aes_key);
  XeCryptAesEcb(&aes, aes_in, aes_out, TRUE);
  CHECK(bytes_eq(aes_out, "69c4e0d86a7b0430d8cdb78070b4c55a"));
  uint8_t r1[8], r2[8];
  CHECK_EQ(XeCryptRandom(r1, 8), 0);
  XeCryptRandom(r2, 8);
  CHECK(memcmp(r1, r2, 8) != 0);
  printf("random: %02x%02x%02x%02x%02x%02x%02x%02x\n", r1[0], r1[1], r1[2], r1[3], r1[4], r1[5], r1[6], r1[7]);
}

/* Content packages: a saved game created under the root "save", a file
 * written into it through save:\, the package listed by an enumeration with
 * its display name, reopened, and deleted once closed. */
static NTSTATUS open_save_file(HANDLE* h, ULONG access, ULONG disposition, IO_STATUS_BLOCK* iosb) {
  static char path[] = "save:\\slot.dat";
  ANSI_STRING name;
  OBJECT_ATTRIBUTES oa;
  name.Length = (USHORT)strlen(path);
  name.MaximumLength = (USHORT)(name.Length + 1);
  name.Buffer = path;
  oa.RootDirectory = 0;
  oa.ObjectName = &name;
  oa.Attributes = OBJ_CASE_INSENSITIVE;
  *h = 0;
  return NtCreateFile(h, access, &oa, iosb, 0, FILE_ATTRIBUTE_NORMAL, 0, disposition, FILE_SYNCHRONOUS_IO_NONALERT);
}

static void content_packages(void) {
  static XCONTENT_DATA save;
  static const uint16_t kDisplay[] = u"Slot A";
  memset(&save, 0, sizeof save);
  save.DeviceID = XCONTENTDEVICE_HARDDRIVE;
  save.ContentType = XCONTENTTYPE_SAVEDGAME;
  memcpy(save.DisplayName, kDisplay, sizeof kDisplay);
  strcpy(save.FileName, "slot_a");
  ULONG disposition = 9, license = 9;
  if (XamUserGetSigninState(0) == 0) {
    /* Saved games belong to a profile. */
    CHECK_EQ(XamContentCreate(0, "save", &save, XCONTENT_OPEN_ALWAYS, &disposition, &license, 0), ERROR_NO_SUCH_USER);
    printf("content: no profile, no saved games\n");
    return;
  }
  CHECK_EQ(XamContentCreate(0, "save", &save, XCONTENT_OPEN_EXISTING, &disposition, &license, 0),
           ERROR_PATH_NOT_FOUND);
  CHECK_EQ(XamContentCreate(0, "save", &save, XCONTENT_CREATE_NEW, &disposition, &license, 0), 0);
  CHECK_EQ(disposition, XCONTENT_DISPOSITION_CREATED);
  CHECK_EQ(license, 0);
  HANDLE f;
  IO_STATUS_BLOCK iosb;
  CHECK_EQ(open_save_file(&f, GENERIC_WRITE | SYNCHRONIZE, FILE_OPEN_IF, &iosb), STATUS_SUCCESS);
  CHECK_EQ(NtWriteFile(f, 0, 0, 0, &iosb, "level 7", 7, 0), STATUS_SUCCESS);
  NtClose(f);
  CHECK_EQ(XamContentDelete(0, &save, 0), ERROR_ACCESS_DENIED); /* mounted */
  CHECK_EQ(XamContentClose("save", 0), 0);
  CHECK_EQ(open_save_file(&f, GENERIC_READ | SYNCHRONIZE, FILE_OPEN, &iosb), STATUS_OBJECT_PATH_NOT_FOUND);

  HANDLE en = 0;
  ULONG bytes = 0, count = 0;
  static XCONTENT_DATA found[2];
  CHECK_EQ(XamContentCreateEnumerator(0, XCONTENTDEVICE_HARDDRIVE, XCONTENTTYPE_SAVEDGAME, 0, 2, &bytes, &en), 0);
  CHECK_EQ(XamEnumerate(en, 0, found, sizeof found, &count, 0), 0);
  CHECK_EQ(count, 1);
  CHECK(strcmp(found[0].FileName, "slot_a") == 0 && found[0].DisplayName[0] == 'S' && found[0].DisplayName[5] == 'A');
  NtClose(en);

  XOVERLAPPED ov;
  memset(&ov, 0, sizeof ov);
  CHECK_EQ(XamContentCreate(0, "save", &save, XCONTENT_OPEN_EXISTING, &disposition, 0, &ov), ERROR_IO_PENDING);
  CHECK_EQ(ov.InternalLow, 0);
  CHECK_EQ(disposition, XCONTENT_DISPOSITION_OPENED);
  char text[8] = {0};
  CHECK_EQ(open_save_file(&f, GENERIC_READ | SYNCHRONIZE, FILE_OPEN, &iosb), STATUS_SUCCESS);
  CHECK_EQ(NtReadFile(f, 0, 0, 0, &iosb, text, sizeof text, 0), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 7);
  CHECK(memcmp(text, "level 7", 7) == 0);
  NtClose(f);
  CHECK_EQ(XamContentClose("save", 0), 0);
  CHECK_EQ(XamContentDelete(0, &save, 0), 0);
  CHECK_EQ(XamContentDelete(0, &save, 0), ERROR_FILE_NOT_FOUND);
  printf("content: saved game created, written, listed, reopened, deleted\n");
}

/* A XAM task runs on its own thread; its handle is signalled when it ends. */
static volatile ULONG g_task_message;
static ULONG task_callback(PVOID message) {
  g_task_message = (ULONG)message;
  return 0;
}

static void task_and_network(void) {
  HANDLE task = 0;
  CHECK_EQ(XamTaskSchedule((PVOID)task_callback, (PVOID)0x5157, 0, &task), 0);
  CHECK_EQ(NtWaitForSingleObjectEx(task, 0, 0, 0), STATUS_SUCCESS);
  CHECK_EQ(g_task_message, 0x5157);
  CHECK(XamTaskCloseHandle(task));

  static WSADATA wsa;
  static uint8_t xnaddr[36];
  CHECK_EQ(NetDll_WSAStartup(1, 0x0202, &wsa), 0);
  CHECK_EQ(wsa.wVersion, 0x0202);
  CHECK_EQ(NetDll_XNetStartup(1, 0), 0);
  CHECK_EQ(NetDll_XNetGetEthernetLinkStatus(1), 0);
  CHECK_EQ(NetDll_XNetGetTitleXnAddr(1, xnaddr), XNET_GET_XNADDR_NONE);
  CHECK_EQ(NetDll_socket(1, 2, 1, 6), 0xFFFFFFFF);
  CHECK_EQ(NetDll_WSAGetLastError(), WSAENETDOWN);
  CHECK_EQ(NetDll_XNetCleanup(1), 0);
  CHECK_EQ(NetDll_WSACleanup(1), 0);
  printf("task: ran with message 0x%lx; network: no link\n", (unsigned long)g_task_message);
}

static void xam_checks(void) {
  CHECK_EQ(XGetAVPack(), 6);
  CHECK_EQ(XGetGameRegion(), 0xFFFF);
  CHECK_EQ(XGetLanguage(), 1);
  CHECK(XamGetSystemVersion() != 0);

  ULONG size = 99;
  ULONG have = XamLoaderGetLaunchDataSize(&size);
  if (have == ERROR_NOT_FOUND) {
    CHECK_EQ(size, 0);
    printf("launch data: none\n");
  } else {
    CHECK_EQ(have, 0);
    static char given[64];
    CHECK_EQ(XamLoaderGetLaunchData(given, sizeof given - 1), 0);
    printf("launch data: %u bytes: %s\n", (unsigned)size, given);
  }
  CHECK_EQ(XamLoaderSetLaunchData("hello", 6), 0);
  CHECK_EQ(XamLoaderGetLaunchDataSize(&size), 0);
  CHECK_EQ(size, 6);
  char launch[8] = {0};
  CHECK_EQ(XamLoaderGetLaunchData(launch, sizeof launch), 0);
  CHECK_EQ(strcmp(launch, "hello"), 0);

  PVOID mem = 0;
  CHECK_EQ(XamAlloc(0, 64, &mem), 0);
  CHECK(mem != 0 && ((ULONG*)mem)[15] == 0);
  CHECK_EQ(XamFree(mem), 0);

  /* Profile: slot 0 only, and only when configured. */
  char name[16];
  uint64_t xuid = 0;
  XUSER_SIGNIN_INFO info;
  ULONG state = XamUserGetSigninState(0);
  CHECK_EQ(XamUserGetSigninState(1), 0);
  CHECK_EQ(XamUserGetName(1, name, sizeof name), ERROR_NO_SUCH_USER);
  if (state == 1) {
    CHECK_EQ(XamUserGetName(0, name, sizeof name), 0);
    CHECK_EQ(XamUserGetXUID(0, 1, &xuid), 0);
    CHECK_EQ((ULONG)(xuid >> 32), 0xE0000000);
    CHECK_EQ(XamUserGetSigninInfo(0, 0, &info), 0);
    CHECK_EQ(info.UserSigninState, 1);
    CHECK(info.xuid == xuid);
    CHECK_EQ(strcmp(info.szUserName, name), 0);
    uint16_t tag[16];
    CHECK_EQ(XamUserGetGamerTag(0, tag, 16), 0);
    CHECK_EQ(tag[0], (uint16_t)name[0]);
    /* Profile settings: a system default, then what the title wrote. */
    XUSER_PROFILE_SETTING set;
    memset(&set, 0, sizeof set);
    set.setting_id = 0x10040038;
    set.value.i32 = 42;
    CHECK_EQ(XamUserWriteProfileSettings(0x58440000, 0, 1, &set, 0), 0);
    ULONG ids[2] = {0x10040003, 0x10040038};
    ULONG need = 0;
    CHECK_EQ(XamUserReadProfileSettings(0x58440000, 0, 0, 0, 2, ids, &need, 0, 0), 122);
    static uint8_t settings_buf[256];
    CHECK(need <= sizeof settings_buf);
    CHECK_EQ(XamUserReadProfileSettings(0x58440000, 0, 0, 0, 2, ids, &need, settings_buf, 0), 0);
    XUSER_READ_PROFILE_SETTING_RESULT* res = (XUSER_READ_PROFILE_SETTING_RESULT*)settings_buf;
    CHECK_EQ(res->count, 2);
    CHECK_EQ(res->settings[0].source, 1);
    CHECK_EQ(res->settings[0].value.i32, 1);
    CHECK_EQ(res->settings[1].source, 2);
    CHECK_EQ(res->settings[1].value.i32, 42);
    printf("profile: signed in as %s\n", name);
  } else {
    CHECK_EQ(state, 0);
    CHECK_EQ(XamUserGetName(0, name, sizeof name), ERROR_NO_SUCH_USER);
    CHECK_EQ(XamUserGetXUID(0, 1, &xuid), ERROR_NO_SUCH_USER);
    printf("profile: none\n");
  }

  /* Notifications: the first system listener gets the boot set. */
  HANDLE listener = XamNotifyCreateListener(XNOTIFY_SYSTEM, 1);
  CHECK(listener != 0);
  LARGE_INTEGER zero = {0};
  CHECK_EQ(NtWaitForSingleObjectEx(listener, 1, FALSE, &zero), STATUS_SUCCESS);
  ULONG id, param;
  while (XNotifyGetNext(listener, 0, &id, &param)) printf("boot notification: 0x%08x %u\n", (unsigned)id, (unsigned)param);
  CHECK_EQ(NtWaitForSingleObjectEx(listener, 1, FALSE, &zero), STATUS_TIMEOUT);
  HANDLE second = XamNotifyCreateListener(XNOTIFY_SYSTEM, 1);
  CHECK_EQ(XNotifyGetNext(second, 0, &id, &param), 0);

  /* A message box answers with its focused button; XOVERLAPPED completes. */
  const uint16_t* buttons[3] = {U("Yes"), U("No"), U("Cancel")};
  ULONG choice = 99;
  XOVERLAPPED ov;
  memset(&ov, 0xCC, sizeof ov);
  ov.pCompletionRoutine = 0;
  NtCreateEvent(&ov.hEvent, 0, NotificationEvent, FALSE);
  CHECK_EQ(XamShowMessageBoxUI(0, U("Save"), U("Overwrite?"), 3, buttons, 1, 0, &choice, &ov), ERROR_IO_PENDING);
  CHECK_EQ(choice, 1);
  CHECK_EQ(ov.InternalLow, 0);
  CHECK_EQ(NtWaitForSingleObjectEx(ov.hEvent, 1, FALSE, &zero), STATUS_SUCCESS);
  ULONG len = 5;
  CHECK_EQ(XamGetOverlappedResult(&ov, &len, TRUE), 0);
  CHECK_EQ(XamIsUIActive(), 0);
  CHECK_EQ(XNotifyGetNext(listener, XN_SYS_UI, &id, &param), 1);
  CHECK_EQ(param, 1);
  CHECK_EQ(XNotifyGetNext(second, XN_SYS_UI, &id, &param), 1);
  CHECK_EQ(XNotifyGetNext(listener, 0, &id, &param), 1);
  CHECK(id == XN_SYS_UI && param == 0);
  CHECK_EQ(XNotifyGetNext(listener, 0, &id, &param), 0);
  uint16_t typed[8];
  CHECK_EQ(XamShowKeyboardUI(0, 0, U("Player"), U("Name"), U("Enter"), typed, 4, 0), 0);
  CHECK(typed[0] == 'P' && typed[2] == 'a' && typed[3] == 0);

  /* Content: an enumeration that is empty. */
  HANDLE en = 0;
  ULONG bytes = 0;
  CHECK_EQ(XamContentCreateEnumerator(0, 1, 1, 0, 4, &bytes, &en), 0);
  CHECK_EQ(bytes, 4 * 0x134);
  static uint8_t items[4 * 0x134];
  ULONG count = 9;
  CHECK_EQ(XamEnumerate(en, 0, items, sizeof items, &count, 0), ERROR_NO_MORE_FILES);
  CHECK_EQ(count, 0);
  NtClose(en);
  CHECK_EQ(XMsgInProcessCall(0xFE, 0x1234, 0, 0), 0x80070490);
  content_packages();

  /* Input: whatever the run configured (--input). */
  XINPUT_STATE st;
  XINPUT_CAPABILITIES caps;
  CHECK_EQ(XamInputGetState(4, 0, &st), 160);
  CHECK_EQ(XamInputGetState(1, 0, &st), ERROR_DEVICE_NOT_CONNECTED);
  ULONG r = XamInputGetState(0, 0, &st);
  if (r == ERROR_DEVICE_NOT_CONNECTED) {
    CHECK_EQ(XamInputGetCapabilities(0, 1, &caps), ERROR_DEVICE_NOT_CONNECTED);
    printf("controller: none\n");
  } else {
    CHECK_EQ(r, 0);
    CHECK_EQ(XamInputGetCapabilities(0xFF, 1, &caps), 0);
    CHECK_EQ(caps.Type, 1);
    XINPUT_VIBRATION vib = {100, 200};
    CHECK_EQ(XamInputSetState(0, 0, &vib), 0);
    for (int frame = 0; frame < 4; ++frame) {
      XamInputGetState(0, 0, &st);
      printf("controller: packet %u buttons 0x%04x lt %u lx %d\n", (unsigned)st.dwPacketNumber, st.Gamepad.wButtons,
             st.Gamepad.bLeftTrigger, st.Gamepad.sThumbLX);
      sleep_100ns(166667); /* one frame of guest time */
    }
  }
}

int main(void) {
  runtime_checks();
  string_checks();
  crypt_checks();
  xam_checks();
  task_and_network();
  NtCreateEvent(&g_never, 0, NotificationEvent, FALSE);
  spawn_named("waiter", waiter, 0, 2, 0);
  printf("xam_runtime: %d failure(s)\n", g_failures);
  XamLoaderTerminateTitle();
  printf("FAIL XamLoaderTerminateTitle returned\n");
  return 1;
}
