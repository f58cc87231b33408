/* Conformance: files. Run with --game-dir pointing at the fixture folder the
 * build writes (build/guest/samples/file_io_game, see CMakeLists.txt):
 *   Data.bin            8192 bytes, byte i = "0123456789ABCDEF"[i % 16]
 *   Media/ReadMe.txt    "xdet file_io fixture\n"
 *   Media/A.bin "ay", Media/b.bin "bee", Media/c.txt "sea"
 *   Media/Sub/deep.txt  "deep"
 *   Media/outside       a host symlink to a directory outside the folder
 * Covers case-insensitive opens through game:\ and d:\, synchronous reads
 * with the file pointer, asynchronous reads that are pending until their
 * virtual completion time (event, file object and completion-port
 * completion), scatter reads, directory listings (order, wildcards,
 * restart), volume information, the writable cache:\ device (create, write,
 * rename, delete), symbolic links, and the refused escapes. */
#include <string.h>

#include "sample_util.h"

static void init_ansi(ANSI_STRING* a, const char* s) {
  a->Length = (USHORT)strlen(s);
  a->MaximumLength = (USHORT)(a->Length + 1);
  a->Buffer = (char*)s;
}

static NTSTATUS open_path(HANDLE* h, const char* path, ULONG access, ULONG disposition, ULONG options,
                          IO_STATUS_BLOCK* iosb) {
  ANSI_STRING name;
  OBJECT_ATTRIBUTES oa;
  init_ansi(&name, path);
  oa.RootDirectory = 0;
  oa.ObjectName = &name;
  oa.Attributes = OBJ_CASE_INSENSITIVE;
  *h = 0;
  return NtCreateFile(h, access, &oa, iosb, 0, FILE_ATTRIBUTE_NORMAL, 0, disposition, options);
}

static NTSTATUS attributes_of(const char* path, FILE_NETWORK_OPEN_INFORMATION* info) {
  ANSI_STRING name;
  OBJECT_ATTRIBUTES oa;
  init_ansi(&name, path);
  oa.RootDirectory = 0;
  oa.ObjectName = &name;
  oa.Attributes = OBJ_CASE_INSENSITIVE;
  return NtQueryFullAttributesFile(&oa, info);
}

static const char kHex[] = "0123456789ABCDEF";
static char g_buf[8192];

/* ---- a worker that takes packets from a completion port ---- */
static HANDLE g_port;
static volatile ULONG g_worker_key, g_worker_ctx, g_worker_info;
static volatile NTSTATUS g_worker_status = 1;

static ULONG port_worker(PVOID ctx) {
  (void)ctx;
  ULONG key = 0, apc = 0;
  IO_STATUS_BLOCK iosb;
  g_worker_status = NtRemoveIoCompletion(g_port, &key, &apc, &iosb, 0);
  g_worker_key = key;
  g_worker_ctx = apc;
  g_worker_info = iosb.Information;
  return 0;
}

static void check_sync_reads(void) {
  HANDLE h;
  IO_STATUS_BLOCK iosb;
  CHECK_EQ(open_path(&h, "GAME:\\data.BIN", GENERIC_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, &iosb),
           STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, FILE_OPENED);
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 20, 0), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 20);
  CHECK(memcmp(g_buf, "0123456789ABCDEF0123", 20) == 0);
  LARGE_INTEGER pos;
  CHECK_EQ(NtQueryInformationFile(h, &iosb, &pos, sizeof(pos), FilePositionInformation), STATUS_SUCCESS);
  CHECK_EQ(pos.QuadPart, 20);
  FILE_STANDARD_INFORMATION std_info;
  CHECK_EQ(NtQueryInformationFile(h, &iosb, &std_info, sizeof(std_info), FileStandardInformation), STATUS_SUCCESS);
  CHECK_EQ(std_info.EndOfFile.QuadPart, 8192);
  CHECK_EQ(std_info.AllocationSize.QuadPart, 8192);
  CHECK_EQ(std_info.Directory, 0);
  LARGE_INTEGER off;
  off.QuadPart = 8190;
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 16, &off), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 2);
  CHECK(g_buf[0] == 'E' && g_buf[1] == 'F');
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 16, 0), STATUS_END_OF_FILE);
  CHECK_EQ(iosb.u.Status, STATUS_END_OF_FILE);
  /* Scatter: two 4 KB pages. */
  static char page0[4096] __attribute__((aligned(4096))), page1[4096] __attribute__((aligned(4096)));
  PVOID segs[2] = {page0, page1};
  off.QuadPart = 1;
  CHECK_EQ(NtReadFileScatter(h, 0, 0, 0, &iosb, segs, 8191, &off), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 8191);
  CHECK(page0[0] == '1' && page1[0] == kHex[(1 + 4096) % 16]);
  CHECK_EQ(NtClose(h), STATUS_SUCCESS);
  /* d:\ is the same folder; the lookup ignores case. */
  CHECK_EQ(open_path(&h, "d:\\MEDIA\\readme.txt", GENERIC_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, &iosb),
           STATUS_SUCCESS);
  memset(g_buf, 0, 64);
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 64, 0), STATUS_SUCCESS);
  CHECK(strcmp(g_buf, "xdet file_io fixture\n") == 0);
  NtClose(h);
}

static volatile ULONG g_apc_ctx, g_apc_info;
static IO_STATUS_BLOCK* volatile g_apc_iosb;
static void read_done(PVOID ctx, PVOID iosb, PVOID reserved) {
  (void)reserved;
  g_apc_ctx = (ULONG)ctx;
  g_apc_iosb = (IO_STATUS_BLOCK*)iosb;
  g_apc_info = g_apc_iosb->Information;
}

static void check_async_reads(void) {
  HANDLE h, ev;
  IO_STATUS_BLOCK iosb;
  LARGE_INTEGER off;
  CHECK_EQ(open_path(&h, "game:\\Data.bin", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_SUCCESS);
  CHECK_EQ(NtCreateEvent(&ev, 0, NotificationEvent, FALSE), STATUS_SUCCESS);
  /* Event completion: pending first, done after the wait. */
  memset(g_buf, 0, sizeof(g_buf));
  off.QuadPart = 4096;
  CHECK_EQ(NtReadFile(h, ev, 0, 0, &iosb, g_buf, 4096, &off), STATUS_PENDING);
  CHECK_EQ(iosb.u.Status, STATUS_PENDING);
  CHECK_EQ(g_buf[0], 0);
  CHECK_EQ(NtWaitForSingleObjectEx(ev, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(iosb.u.Status, STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 4096);
  CHECK(g_buf[0] == '0' && g_buf[4095] == 'F');
  /* Without an event the file object is signalled. */
  off.QuadPart = 8000;
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 4096, &off), STATUS_PENDING);
  CHECK_EQ(NtWaitForSingleObjectEx(h, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 192);
  /* APC completion: ApcRoutine(ApcContext, IoStatusBlock, 0) runs in the
   * issuing thread's alertable wait, which then returns STATUS_USER_APC. */
  off.QuadPart = 0;
  CHECK_EQ(NtReadFile(h, 0, read_done, (PVOID)0x1234, &iosb, g_buf, 100, &off), STATUS_PENDING);
  CHECK_EQ(g_apc_ctx, 0);
  LARGE_INTEGER second;
  second.QuadPart = -10000000;
  CHECK_EQ(KeDelayExecutionThread(1, TRUE, &second), STATUS_USER_APC);
  CHECK_EQ(g_apc_ctx, 0x1234);
  CHECK(g_apc_iosb == &iosb);
  CHECK_EQ(g_apc_info, 100);
  /* No file pointer on an asynchronous file object. */
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 16, 0), STATUS_INVALID_PARAMETER);
  /* Completion-port completion, taken by a worker thread. */
  CHECK_EQ(NtCreateIoCompletion(&g_port, 0, 0, 1), STATUS_SUCCESS);
  HANDLE worker = spawn(port_worker, 0, 2, 0);
  sleep_100ns(1000);
  FILE_COMPLETION_INFORMATION fci = {g_port, 0x5150};
  CHECK_EQ(NtSetInformationFile(h, &iosb, &fci, sizeof(fci), FileCompletionInformation), STATUS_SUCCESS);
  off.QuadPart = 0;
  CHECK_EQ(NtReadFile(h, 0, 0, (PVOID)0xC0FFEE, &iosb, g_buf, 100, &off), STATUS_PENDING);
  CHECK_EQ(NtWaitForSingleObjectEx(worker, 1, FALSE, 0), STATUS_SUCCESS);
  CHECK_EQ(g_worker_status, STATUS_SUCCESS);
  CHECK_EQ(g_worker_key, 0x5150);
  CHECK_EQ(g_worker_ctx, 0xC0FFEE);
  CHECK_EQ(g_worker_info, 100);
  CHECK_EQ(iosb.Information, 100);
  /* Packets posted by hand come out in order; an empty port times out. */
  ULONG key, apc;
  LARGE_INTEGER poll;
  poll.QuadPart = 0;
  CHECK_EQ(NtSetIoCompletion(g_port, 1, 10, STATUS_SUCCESS, 100), STATUS_SUCCESS);
  CHECK_EQ(NtSetIoCompletion(g_port, 2, 20, STATUS_END_OF_FILE, 200), STATUS_SUCCESS);
  CHECK_EQ(NtRemoveIoCompletion(g_port, &key, &apc, &iosb, &poll), STATUS_SUCCESS);
  CHECK(key == 1 && apc == 10 && iosb.Information == 100);
  CHECK_EQ(NtRemoveIoCompletion(g_port, &key, &apc, &iosb, &poll), STATUS_SUCCESS);
  CHECK(key == 2 && apc == 20 && iosb.u.Status == STATUS_END_OF_FILE);
  CHECK_EQ(NtRemoveIoCompletion(g_port, &key, &apc, &iosb, &poll), STATUS_TIMEOUT);
  NtClose(worker);
  NtClose(h);
  NtClose(ev);
  NtClose(g_port);
}

static void check_directories(void) {
  HANDLE dir;
  IO_STATUS_BLOCK iosb;
  static union {
    FILE_DIRECTORY_INFORMATION info;
    char bytes[0x200];
  } u;
  CHECK_EQ(open_path(&dir, "game:\\media", GENERIC_READ, FILE_OPEN, FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT,
                     &iosb),
           STATUS_SUCCESS);
  static const char* const expected[] = {"A.bin", "b.bin", "c.txt", "ReadMe.txt", "Sub"};
  int n = 0;
  NTSTATUS st;
  while ((st = NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, &u.info, sizeof(u), 0, FALSE)) == STATUS_SUCCESS) {
    u.bytes[0x40 + u.info.FileNameLength] = 0;
    if (n < 5) {
      CHECK(strcmp(u.info.FileName, expected[n]) == 0);
    }
    if (strcmp(u.info.FileName, "Sub") == 0) {
      CHECK_EQ(u.info.FileAttributes, FILE_ATTRIBUTE_DIRECTORY);
    }
    ++n;
  }
  CHECK_EQ(st, STATUS_NO_MORE_FILES);
  CHECK_EQ(n, 5); /* the escaping symlink is not listed */
  ANSI_STRING pattern;
  init_ansi(&pattern, "*.TXT");
  CHECK_EQ(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, &u.info, sizeof(u), &pattern, TRUE), STATUS_SUCCESS);
  CHECK(u.info.FileNameLength == 5 && memcmp(u.info.FileName, "c.txt", 5) == 0);
  CHECK_EQ(u.info.EndOfFile.QuadPart, 3);
  CHECK_EQ(iosb.Information, 0x40 + 5);
  CHECK_EQ(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, &u.info, sizeof(u), 0, FALSE), STATUS_SUCCESS);
  CHECK(u.info.FileNameLength == 10 && memcmp(u.info.FileName, "ReadMe.txt", 10) == 0);
  CHECK_EQ(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, &u.info, sizeof(u), 0, FALSE), STATUS_NO_MORE_FILES);
  init_ansi(&pattern, "nothing*");
  CHECK_EQ(NtQueryDirectoryFile(dir, 0, 0, 0, &iosb, &u.info, sizeof(u), &pattern, TRUE), STATUS_NO_SUCH_FILE);
  FILE_FS_SIZE_INFORMATION fs;
  CHECK_EQ(NtQueryVolumeInformationFile(dir, &iosb, &fs, sizeof(fs), FileFsSizeInformation), STATUS_SUCCESS);
  CHECK_EQ(fs.BytesPerSector, 2048);
  NtClose(dir);
  FILE_NETWORK_OPEN_INFORMATION info;
  CHECK_EQ(attributes_of("game:\\Media\\Sub\\..\\Sub\\DEEP.txt", &info), STATUS_SUCCESS);
  CHECK_EQ(info.EndOfFile.QuadPart, 4);
  CHECK_EQ(info.FileAttributes, FILE_ATTRIBUTE_READONLY);
  CHECK(info.LastWriteTime.QuadPart == 132223104000000000LL); /* fixed, not the host's */
}

static void check_escapes(void) {
  HANDLE h;
  IO_STATUS_BLOCK iosb;
  FILE_NETWORK_OPEN_INFORMATION info;
  CHECK_EQ(open_path(&h, "game:\\..\\file_io.xex", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_NAME_INVALID);
  CHECK_EQ(open_path(&h, "game:\\Media\\..\\..\\file_io.xex", GENERIC_READ, FILE_OPEN, 0, &iosb),
           STATUS_OBJECT_NAME_INVALID);
  CHECK_EQ(open_path(&h, "cache:\\..\\..\\x.txt", GENERIC_WRITE, FILE_CREATE, 0, &iosb), STATUS_OBJECT_NAME_INVALID);
  CHECK_EQ(open_path(&h, "/etc/passwd", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_PATH_NOT_FOUND);
  CHECK_EQ(open_path(&h, "\\etc\\passwd", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_PATH_NOT_FOUND);
  CHECK_EQ(open_path(&h, "c:\\windows\\win.ini", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_PATH_NOT_FOUND);
  CHECK_EQ(open_path(&h, "game:\\Media\\outside\\file_io.xex", GENERIC_READ, FILE_OPEN, 0, &iosb),
           STATUS_ACCESS_DENIED);
  CHECK_EQ(attributes_of("game:\\Media\\outside", &info), STATUS_ACCESS_DENIED);
  CHECK_EQ(open_path(&h, "game:\\new.bin", GENERIC_WRITE, FILE_CREATE, 0, &iosb), STATUS_ACCESS_DENIED);
  CHECK_EQ(open_path(&h, "game:\\Data.bin", GENERIC_WRITE, FILE_OVERWRITE_IF, 0, &iosb), STATUS_ACCESS_DENIED);
  CHECK_EQ(open_path(&h, "game:\\a*.bin", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_NAME_INVALID);
  CHECK_EQ(open_path(&h, "game:\\missing.bin", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_NAME_NOT_FOUND);
  CHECK_EQ(open_path(&h, "game:\\nodir\\x.bin", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_PATH_NOT_FOUND);
}

static void check_cache_device(void) {
  HANDLE h;
  IO_STATUS_BLOCK iosb;
  CHECK_EQ(open_path(&h, "cache:\\Saves", GENERIC_READ, FILE_CREATE, FILE_DIRECTORY_FILE, &iosb), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, FILE_CREATED);
  NtClose(h);
  CHECK_EQ(open_path(&h, "cache:\\saves\\slot0.sav", GENERIC_READ | GENERIC_WRITE, FILE_CREATE,
                     FILE_SYNCHRONOUS_IO_NONALERT, &iosb),
           STATUS_SUCCESS);
  CHECK_EQ(NtWriteFile(h, 0, 0, 0, &iosb, "progress=42", 11, 0), STATUS_SUCCESS);
  CHECK_EQ(iosb.Information, 11);
  LARGE_INTEGER zero;
  zero.QuadPart = 0;
  memset(g_buf, 0, 32);
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 32, &zero), STATUS_SUCCESS);
  CHECK(strcmp(g_buf, "progress=42") == 0);
  CHECK_EQ(NtFlushBuffersFile(h, &iosb), STATUS_SUCCESS);
  FILE_RENAME_INFORMATION ren;
  ren.ReplaceIfExists = FALSE;
  ren.RootDirectory = 0;
  init_ansi(&ren.FileName, "cache:\\Saves\\slot1.sav");
  CHECK_EQ(NtSetInformationFile(h, &iosb, &ren, sizeof(ren), FileRenameInformation), STATUS_SUCCESS);
  NtClose(h);
  FILE_NETWORK_OPEN_INFORMATION info;
  CHECK_EQ(attributes_of("cache:\\SAVES\\SLOT1.SAV", &info), STATUS_SUCCESS);
  CHECK_EQ(info.EndOfFile.QuadPart, 11);
  CHECK_EQ(info.FileAttributes, FILE_ATTRIBUTE_NORMAL);
  CHECK(info.CreationTime.QuadPart > 132223104000000000LL); /* virtual time of the create */
  CHECK_EQ(attributes_of("cache:\\Saves\\slot0.sav", &info), STATUS_OBJECT_NAME_NOT_FOUND);
  CHECK_EQ(open_path(&h, "cache:\\saves\\SLOT1.sav", GENERIC_READ, FILE_CREATE, 0, &iosb),
           STATUS_OBJECT_NAME_COLLISION);
  CHECK_EQ(open_path(&h, "cache:\\saves\\slot1.sav", DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE, &iosb), STATUS_SUCCESS);
  NtClose(h);
  CHECK_EQ(attributes_of("cache:\\Saves\\slot1.sav", &info), STATUS_OBJECT_NAME_NOT_FOUND);
  /* The scratch device is fresh for every run. */
  CHECK_EQ(attributes_of("\\Device\\Harddisk0\\Partition1\\anything", &info), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void check_symbolic_links(void) {
  ANSI_STRING link, target;
  HANDLE h;
  IO_STATUS_BLOCK iosb;
  init_ansi(&link, "\\??\\media:");
  init_ansi(&target, "\\Device\\Cdrom0\\Media");
  CHECK_EQ(ObCreateSymbolicLink(&link, &target), STATUS_SUCCESS);
  CHECK_EQ(ObCreateSymbolicLink(&link, &target), STATUS_OBJECT_NAME_COLLISION);
  CHECK_EQ(open_path(&h, "MEDIA:\\b.bin", GENERIC_READ, FILE_OPEN, FILE_SYNCHRONOUS_IO_NONALERT, &iosb),
           STATUS_SUCCESS);
  memset(g_buf, 0, 8);
  CHECK_EQ(NtReadFile(h, 0, 0, 0, &iosb, g_buf, 8, 0), STATUS_SUCCESS);
  CHECK(strcmp(g_buf, "bee") == 0);
  NtClose(h);
  CHECK_EQ(open_path(&h, "media:\\..\\Data.bin", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_SUCCESS);
  NtClose(h);
  CHECK_EQ(ObDeleteSymbolicLink(&link), STATUS_SUCCESS);
  CHECK_EQ(open_path(&h, "media:\\b.bin", GENERIC_READ, FILE_OPEN, 0, &iosb), STATUS_OBJECT_PATH_NOT_FOUND);
}

int main(void) {
  check_sync_reads();
  check_async_reads();
  check_directories();
  check_escapes();
  check_cache_device();
  check_symbolic_links();
  printf("file_io: %d failure(s)\n", g_failures);
  return g_failures;
}
