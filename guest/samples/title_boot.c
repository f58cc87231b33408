/* A title's boot, in the order a retail title's runtime performs it, then a
 * short run. Run with --game-dir pointing at the file_io fixture folder
 * (build/guest/samples/file_io_game: Data.bin is 8192 bytes,
 * byte i = "0123456789ABCDEF"[i % 16]).
 *
 *  1. privileges and the XEX headers (execution info, title id)
 *  2. console configuration (language, AV pack, region) and launch data
 *  3. the signed-in profile and the boot notifications
 *  4. networking (a console without a cable) and a saved-game package
 *  5. the data file through game:\ with APC-completed asynchronous reads
 *  6. two worker threads fed work items by user APCs, while the main
 *     thread waits alertably; a XAM task checks the result
 *
 * Under both scheduling policies the output and the trace are the same
 * for every run. */
#include <string.h>

#include "sample_util.h"
#include "xdet/xam.h"

#define CHUNK 1024
#define CHUNKS 8

static char g_data[CHUNKS * CHUNK];

/* ---- 1-4: the boot sequence ---- */
static ULONG boot_checks(void) {
  CHECK_EQ(XexCheckExecutablePrivilege(10), 1); /* from the XEX's SYSTEM_FLAGS (0x402) */
  PVOID self = 0;
  CHECK_EQ(XexGetModuleHandle(0, &self), STATUS_SUCCESS);
  PVOID header = self ? *(PVOID*)((uint8_t*)self + 0x58) : 0;
  uint8_t* exec = header ? RtlImageXexHeaderField(header, 0x00040006) : 0;
  CHECK(exec != 0);
  ULONG title_id = exec ? *(ULONG*)(exec + 0x0C) : 0;
  CHECK_EQ(title_id, XamGetCurrentTitleId());

  ULONG language = 0;
  USHORT required = 0;
  CHECK_EQ(ExGetXConfigSetting(3, 9, &language, 4, &required), STATUS_SUCCESS);
  CHECK_EQ(language, XGetLanguage());
  CHECK_EQ(XGetAVPack(), 6);
  CHECK_EQ(XGetGameRegion(), 0xFFFF);
  ULONG launch_size = 0;
  CHECK_EQ(XamLoaderGetLaunchDataSize(&launch_size), ERROR_NOT_FOUND); /* started from the dashboard */

  CHECK_EQ(XamUserGetSigninState(0), 1);
  uint64_t xuid = 0;
  CHECK_EQ(XamUserGetXUID(0, 1, &xuid), 0);
  CHECK(xuid != 0);
  HANDLE listener = XamNotifyCreateListener(XNOTIFY_SYSTEM, 1);
  CHECK(listener != 0);
  ULONG id, param, notifications = 0;
  while (XNotifyGetNext(listener, 0, &id, &param)) ++notifications;
  CHECK_EQ(notifications, 4); /* UI on/off, sign-in changed twice */

  static WSADATA wsa;
  CHECK_EQ(NetDll_WSAStartup(1, 0x0202, &wsa), 0);
  CHECK_EQ(NetDll_XNetStartup(1, 0), 0);
  CHECK_EQ(NetDll_XNetGetEthernetLinkStatus(1), 0); /* offline: the title skips Live */

  static XCONTENT_DATA save;
  static const uint16_t kName[] = u"Boot";
  memset(&save, 0, sizeof save);
  save.DeviceID = XCONTENTDEVICE_HARDDRIVE;
  save.ContentType = XCONTENTTYPE_SAVEDGAME;
  memcpy(save.DisplayName, kName, sizeof kName);
  strcpy(save.FileName, "boot");
  ULONG disposition = 0;
  CHECK_EQ(XamContentCreate(0, "save", &save, XCONTENT_OPEN_ALWAYS, &disposition, 0, 0), 0);
  CHECK_EQ(disposition, XCONTENT_DISPOSITION_CREATED);
  printf("boot: title %08lx, language %lu, %lu boot notifications, no network link, save mounted\n",
         (unsigned long)title_id, (unsigned long)language, (unsigned long)notifications);
  return title_id;
}

/* ---- 5: asynchronous reads completed by APCs ---- */
static volatile ULONG g_reads_done, g_bytes_read;
static void read_done(PVOID ctx, PVOID iosb, PVOID reserved) {
  (void)ctx, (void)reserved;
  ++g_reads_done;
  g_bytes_read += ((IO_STATUS_BLOCK*)iosb)->Information;
}

static void load_data(void) {
  static char path[] = "game:\\DATA.BIN";
  ANSI_STRING name;
  OBJECT_ATTRIBUTES oa;
  name.Length = (USHORT)strlen(path);
  name.MaximumLength = (USHORT)(name.Length + 1);
  name.Buffer = path;
  oa.RootDirectory = 0;
  oa.ObjectName = &name;
  oa.Attributes = OBJ_CASE_INSENSITIVE;
  HANDLE file = 0;
  static IO_STATUS_BLOCK iosb[CHUNKS];
  CHECK_EQ(NtCreateFile(&file, GENERIC_READ, &oa, &iosb[0], 0, FILE_ATTRIBUTE_NORMAL, 1 /* FILE_SHARE_READ */, FILE_OPEN, 0),
           STATUS_SUCCESS);
  for (int i = 0; i < CHUNKS; ++i) {
    LARGE_INTEGER off;
    off.QuadPart = (int64_t)i * CHUNK;
    CHECK_EQ(NtReadFile(file, 0, read_done, 0, &iosb[i], g_data + i * CHUNK, CHUNK, &off), STATUS_PENDING);
  }
  /* The completions run only in this thread's alertable waits. */
  int waits = 0;
  while (g_reads_done < CHUNKS && waits < 100) {
    LARGE_INTEGER ms;
    ms.QuadPart = -10000;
    CHECK(KeDelayExecutionThread(1, TRUE, &ms) == STATUS_USER_APC || g_reads_done < CHUNKS);
    ++waits;
  }
  NtClose(file);
  CHECK_EQ(g_reads_done, CHUNKS);
  CHECK_EQ(g_bytes_read, CHUNKS * CHUNK);
  CHECK(g_data[0] == '0' && g_data[CHUNKS * CHUNK - 1] == 'F');
  printf("files: %lu reads completed by APCs, %lu bytes\n", (unsigned long)g_reads_done, (unsigned long)g_bytes_read);
}

/* ---- 6: workers fed by user APCs ---- */
static HANDLE g_quit;
static volatile ULONG g_sums[2], g_items[2];

static void work_item(PVOID worker, PVOID chunk, PVOID unused) {
  (void)unused;
  ULONG w = (ULONG)worker, sum = 0;
  const unsigned char* p = (const unsigned char*)g_data + (ULONG)chunk * CHUNK;
  for (int i = 0; i < CHUNK; ++i) sum = sum * 31 + p[i];
  g_sums[w] += sum;
  ++g_items[w];
}

static ULONG worker(PVOID ctx) {
  (void)ctx;
  /* Alertable: each queued APC runs here, then the wait resumes. */
  while (NtWaitForSingleObjectEx(g_quit, 1, TRUE, 0) == STATUS_USER_APC) {
  }
  return 0;
}

static volatile ULONG g_task_checked;
static ULONG check_task(PVOID expected) {
  g_task_checked = (g_sums[0] + g_sums[1]) == (ULONG)expected ? 1 : 2;
  return 0;
}

static void run_workers(void) {
  CHECK_EQ(NtCreateEvent(&g_quit, 0, NotificationEvent, FALSE), STATUS_SUCCESS);
  HANDLE w[2];
  ULONG tid;
  for (int i = 0; i < 2; ++i) {
    CHECK_EQ(ExCreateThread(&w[i], 0, &tid, 0, worker, 0, XDET_CREATE_PROCESSOR(1 + i)), STATUS_SUCCESS);
  }
  for (ULONG c = 0; c < CHUNKS; ++c) {
    CHECK_EQ(NtQueueApcThread(w[c % 2], work_item, (PVOID)(c % 2), (PVOID)c, 0), STATUS_SUCCESS);
  }
  /* Give the workers time to drain their queues, then stop them. */
  int rounds = 0;
  while (g_items[0] + g_items[1] < CHUNKS && rounds < 1000) {
    LARGE_INTEGER ms;
    ms.QuadPart = -10000;
    KeDelayExecutionThread(1, FALSE, &ms);
    ++rounds;
  }
  NtSetEvent(g_quit, 0);
  for (int i = 0; i < 2; ++i) {
    CHECK_EQ(NtWaitForSingleObjectEx(w[i], 1, FALSE, 0), STATUS_SUCCESS);
    NtClose(w[i]);
  }
  CHECK_EQ(g_items[0], CHUNKS / 2);
  CHECK_EQ(g_items[1], CHUNKS / 2);
  ULONG expected = 0;
  for (ULONG c = 0; c < CHUNKS; ++c) {
    ULONG sum = 0;
    const unsigned char* p = (const unsigned char*)g_data + c * CHUNK;
    for (int i = 0; i < CHUNK; ++i) sum = sum * 31 + p[i];
    expected += sum;
  }
  HANDLE task = 0;
  CHECK_EQ(XamTaskSchedule((PVOID)check_task, (PVOID)expected, 0, &task), 0);
  CHECK_EQ(NtWaitForSingleObjectEx(task, 1, FALSE, 0), STATUS_SUCCESS);
  XamTaskCloseHandle(task);
  CHECK_EQ(g_task_checked, 1);
  printf("workers: %lu + %lu items by APC, checksum %08lx\n", (unsigned long)g_items[0], (unsigned long)g_items[1],
         (unsigned long)(g_sums[0] + g_sums[1]));
}

int main(void) {
  boot_checks();
  load_data();
  run_workers();
  CHECK_EQ(XamContentClose("save", 0), 0);
  printf("title_boot: %d failure(s)\n", g_failures);
  return g_failures ? 1 : 0;
}
