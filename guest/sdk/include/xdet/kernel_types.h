/* Guest-side types and kernel structure layouts (big-endian, 32-bit
 * pointers), per shared/spec/kernel-objects.md. Sizes are checked at compile
 * time so a layout mistake fails the build, not the program. */
#ifndef XDET_KERNEL_TYPES_H
#define XDET_KERNEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t NTSTATUS;
typedef uint32_t HANDLE;  /* kernel handles are 32-bit values, 0xF8000000 + 4*slot */
typedef int32_t BOOL;
typedef uint8_t BOOLEAN;
typedef uint8_t KIRQL;
typedef uint8_t KPROCESSOR_MODE;
typedef void* PVOID;
typedef uint32_t ULONG;
typedef int32_t LONG;
typedef uint16_t USHORT;
typedef uint32_t DWORD;
typedef uint32_t SIZE_T;
typedef uint64_t ULONGLONG;
typedef int64_t LONGLONG;

#define TRUE 1
#define FALSE 0

#define XDET_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

typedef union _LARGE_INTEGER {
  struct { LONG HighPart; ULONG LowPart; } u; /* big-endian: high word first */
  LONGLONG QuadPart;
} LARGE_INTEGER;
XDET_STATIC_ASSERT(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY* Flink;
  struct _LIST_ENTRY* Blink;
} LIST_ENTRY;
XDET_STATIC_ASSERT(sizeof(LIST_ENTRY) == 8, "LIST_ENTRY");

typedef struct _DISPATCHER_HEADER {
  uint8_t Type;          /* see the KOBJECT_* type codes */
  uint8_t Absolute;      /* critical sections: spin count / 256 */
  uint8_t Size;
  uint8_t Inserted;
  LONG SignalState;
  LIST_ENTRY WaitListHead;
} DISPATCHER_HEADER;
XDET_STATIC_ASSERT(sizeof(DISPATCHER_HEADER) == 0x10, "DISPATCHER_HEADER");

enum {
  KOBJECT_EVENT_NOTIFICATION = 0,
  KOBJECT_EVENT_SYNCHRONIZATION = 1,
  KOBJECT_MUTANT = 2,
  KOBJECT_PROCESS = 3,
  KOBJECT_QUEUE = 4,
  KOBJECT_SEMAPHORE = 5,
  KOBJECT_THREAD = 6,
  KOBJECT_GATE = 7,
  KOBJECT_TIMER_NOTIFICATION = 8,
  KOBJECT_TIMER_SYNCHRONIZATION = 9,
  KOBJECT_APC = 18,
  KOBJECT_DPC = 19,
};

typedef enum _EVENT_TYPE { NotificationEvent = 0, SynchronizationEvent = 1 } EVENT_TYPE;
typedef enum _TIMER_TYPE { NotificationTimer = 0, SynchronizationTimer = 1 } TIMER_TYPE;
typedef enum _WAIT_TYPE { WaitAll = 0, WaitAny = 1 } WAIT_TYPE;

typedef struct _KEVENT { DISPATCHER_HEADER Header; } KEVENT;
XDET_STATIC_ASSERT(sizeof(KEVENT) == 0x10, "KEVENT");

typedef struct _KSEMAPHORE {
  DISPATCHER_HEADER Header;
  LONG Limit;
} KSEMAPHORE;
XDET_STATIC_ASSERT(sizeof(KSEMAPHORE) == 0x14, "KSEMAPHORE");

typedef struct _KMUTANT {
  DISPATCHER_HEADER Header;
  LIST_ENTRY MutantListEntry;
  PVOID OwnerThread;
  BOOLEAN Abandoned;
  uint8_t Reserved[3];
} KMUTANT;
XDET_STATIC_ASSERT(sizeof(KMUTANT) == 0x20, "KMUTANT");

typedef struct _KDPC {
  uint16_t Type;
  uint8_t SelectedCpu;
  uint8_t DesiredCpu;
  LIST_ENTRY DpcListEntry;
  PVOID DeferredRoutine;
  PVOID DeferredContext;
  PVOID SystemArgument1;
  PVOID SystemArgument2;
} KDPC;
XDET_STATIC_ASSERT(sizeof(KDPC) == 0x1C, "KDPC");

typedef struct _KTIMER {
  DISPATCHER_HEADER Header;
  ULONGLONG DueTime;  /* 100 ns units */
  LIST_ENTRY TimerListEntry;
  KDPC* Dpc;
  LONG Period;        /* milliseconds */
} KTIMER;
XDET_STATIC_ASSERT(sizeof(KTIMER) == 0x28, "KTIMER");
XDET_STATIC_ASSERT(offsetof(KTIMER, Dpc) == 0x20, "KTIMER.Dpc");

typedef struct _KWAIT_BLOCK {
  LIST_ENTRY WaitListEntry;
  PVOID Thread;
  PVOID Object;
  struct _KWAIT_BLOCK* NextWaitBlock;
  uint16_t WaitKey;
  uint16_t WaitType;
} KWAIT_BLOCK;
XDET_STATIC_ASSERT(sizeof(KWAIT_BLOCK) == 0x18, "KWAIT_BLOCK");

typedef struct _KAPC {
  uint8_t Type;  /* 18 */
  uint8_t Unknown;
  uint8_t ApcMode;
  uint8_t Inserted;
  PVOID Thread;
  LIST_ENTRY ApcListEntry;
  PVOID KernelRoutine;
  PVOID RundownRoutine;
  PVOID NormalRoutine;
  PVOID NormalContext;
  PVOID SystemArgument1;
  PVOID SystemArgument2;
} KAPC;
XDET_STATIC_ASSERT(sizeof(KAPC) == 0x28, "KAPC");

typedef struct _RTL_CRITICAL_SECTION {
  DISPATCHER_HEADER Header;  /* an auto-reset event; Absolute = spin count / 256 */
  LONG LockCount;            /* -1 = free */
  LONG RecursionCount;
  PVOID OwningThread;        /* KTHREAD* */
} RTL_CRITICAL_SECTION;
XDET_STATIC_ASSERT(sizeof(RTL_CRITICAL_SECTION) == 0x1C, "RTL_CRITICAL_SECTION");

typedef struct _EX_READ_WRITE_LOCK {
  LONG LockCount;
  ULONG WritersWaitingCount;
  ULONG ReadersWaitingCount;
  ULONG ReadersEntryCount;
  KEVENT WriterEvent;
  KSEMAPHORE ReaderSemaphore;
  ULONG SpinLock;
} EX_READ_WRITE_LOCK;
XDET_STATIC_ASSERT(sizeof(EX_READ_WRITE_LOCK) == 0x38, "EX_READ_WRITE_LOCK");

typedef struct _SLIST_HEADER {
  PVOID Next;
  USHORT Depth;
  USHORT Sequence;
} SLIST_HEADER;
XDET_STATIC_ASSERT(sizeof(SLIST_HEADER) == 8, "SLIST_HEADER");

typedef struct _ANSI_STRING {
  USHORT Length;
  USHORT MaximumLength;
  char* Buffer;
} ANSI_STRING;
XDET_STATIC_ASSERT(sizeof(ANSI_STRING) == 8, "ANSI_STRING");

typedef struct _UNICODE_STRING {
  USHORT Length;
  USHORT MaximumLength;
  uint16_t* Buffer;
} UNICODE_STRING;

typedef struct _OBJECT_ATTRIBUTES {
  HANDLE RootDirectory;  /* 0xFFFFFFFD = DOS devices */
  ANSI_STRING* ObjectName;
  ULONG Attributes;
} OBJECT_ATTRIBUTES;
XDET_STATIC_ASSERT(sizeof(OBJECT_ATTRIBUTES) == 12, "OBJECT_ATTRIBUTES");

typedef struct _IO_STATUS_BLOCK {
  union { NTSTATUS Status; PVOID Pointer; } u;
  ULONG Information;
} IO_STATUS_BLOCK;
XDET_STATIC_ASSERT(sizeof(IO_STATUS_BLOCK) == 8, "IO_STATUS_BLOCK");

/* ACCESS_MASK, create dispositions and options, attributes, info classes. */
#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_ALL 0x10000000u
#define SYNCHRONIZE 0x00100000u
#define FILE_READ_DATA 0x0001u
#define FILE_WRITE_DATA 0x0002u
#define FILE_LIST_DIRECTORY 0x0001u
#define DELETE 0x00010000u
#define FILE_SUPERSEDE 0
#define FILE_OPEN 1
#define FILE_CREATE 2
#define FILE_OPEN_IF 3
#define FILE_OVERWRITE 4
#define FILE_OVERWRITE_IF 5
#define FILE_SUPERSEDED 0
#define FILE_OPENED 1
#define FILE_CREATED 2
#define FILE_OVERWRITTEN 3
#define FILE_EXISTS 4
#define FILE_DOES_NOT_EXIST 5
#define FILE_DIRECTORY_FILE 0x00000001u
#define FILE_SYNCHRONOUS_IO_ALERT 0x00000010u
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020u
#define FILE_NON_DIRECTORY_FILE 0x00000040u
#define FILE_DELETE_ON_CLOSE 0x00001000u
#define FILE_ATTRIBUTE_READONLY 0x01u
#define FILE_ATTRIBUTE_DIRECTORY 0x10u
#define FILE_ATTRIBUTE_NORMAL 0x80u
#define OBJ_CASE_INSENSITIVE 0x40u
#define OBJ_DOS_DEVICES ((HANDLE)0xFFFFFFFDu)
#define FileBasicInformation 4
#define FileStandardInformation 5
#define FileInternalInformation 6
#define FileRenameInformation 10
#define FileDispositionInformation 13
#define FilePositionInformation 14
#define FileEndOfFileInformation 20
#define FileCompletionInformation 30
#define FileNetworkOpenInformation 34
#define FileFsVolumeInformation 1
#define FileFsSizeInformation 3
#define FileFsDeviceInformation 4
#define FileFsAttributeInformation 5

typedef struct _FILE_NETWORK_OPEN_INFORMATION {
  LARGE_INTEGER CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
  LARGE_INTEGER AllocationSize, EndOfFile;
  ULONG FileAttributes;
  ULONG Reserved;
} FILE_NETWORK_OPEN_INFORMATION;
XDET_STATIC_ASSERT(sizeof(FILE_NETWORK_OPEN_INFORMATION) == 56, "FILE_NETWORK_OPEN_INFORMATION");

typedef struct _FILE_STANDARD_INFORMATION {
  LARGE_INTEGER AllocationSize, EndOfFile;
  ULONG NumberOfLinks;
  BOOLEAN DeletePending, Directory;
  USHORT Pad;
} FILE_STANDARD_INFORMATION;
XDET_STATIC_ASSERT(sizeof(FILE_STANDARD_INFORMATION) == 24, "FILE_STANDARD_INFORMATION");

/* One entry per NtQueryDirectoryFile call; the name is ANSI, not terminated. */
typedef struct _FILE_DIRECTORY_INFORMATION {
  ULONG NextEntryOffset;
  ULONG FileIndex;
  LARGE_INTEGER CreationTime, LastAccessTime, LastWriteTime, ChangeTime;
  LARGE_INTEGER EndOfFile, AllocationSize;
  ULONG FileAttributes;
  ULONG FileNameLength;
  char FileName[1];
} FILE_DIRECTORY_INFORMATION;
XDET_STATIC_ASSERT(__builtin_offsetof(FILE_DIRECTORY_INFORMATION, FileName) == 0x40, "FILE_DIRECTORY_INFORMATION");

typedef struct _FILE_RENAME_INFORMATION {
  ULONG ReplaceIfExists;
  HANDLE RootDirectory;
  ANSI_STRING FileName;
} FILE_RENAME_INFORMATION;
XDET_STATIC_ASSERT(sizeof(FILE_RENAME_INFORMATION) == 16, "FILE_RENAME_INFORMATION");

typedef struct _FILE_COMPLETION_INFORMATION {
  HANDLE Port;
  ULONG Key;
} FILE_COMPLETION_INFORMATION;

typedef struct _FILE_FS_SIZE_INFORMATION {
  LARGE_INTEGER TotalAllocationUnits, AvailableAllocationUnits;
  ULONG SectorsPerAllocationUnit, BytesPerSector;
} FILE_FS_SIZE_INFORMATION;
XDET_STATIC_ASSERT(sizeof(FILE_FS_SIZE_INFORMATION) == 24, "FILE_FS_SIZE_INFORMATION");

typedef struct _XOVERLAPPED {
  ULONG InternalLow;   /* result */
  ULONG InternalHigh;  /* length */
  ULONG InternalContext;
  HANDLE hEvent;
  PVOID pCompletionRoutine;
  ULONG dwCompletionContext;
  ULONG dwExtendedError;
} XOVERLAPPED;
XDET_STATIC_ASSERT(sizeof(XOVERLAPPED) == 0x1C, "XOVERLAPPED");

typedef struct _MEMORY_BASIC_INFORMATION {
  PVOID BaseAddress;
  PVOID AllocationBase;
  ULONG AllocationProtect;
  SIZE_T RegionSize;
  ULONG State;
  ULONG Protect;
  ULONG Type;
} MEMORY_BASIC_INFORMATION;
XDET_STATIC_ASSERT(sizeof(MEMORY_BASIC_INFORMATION) == 0x1C, "MEMORY_BASIC_INFORMATION");

typedef struct _TIME_FIELDS {
  USHORT Year, Month, Day, Hour, Minute, Second, Milliseconds, Weekday;
} TIME_FIELDS;
XDET_STATIC_ASSERT(sizeof(TIME_FIELDS) == 16, "TIME_FIELDS");

/* NTSTATUS values (kernel-objects.md §4). */
#define STATUS_SUCCESS ((NTSTATUS)0x00000000)
#define STATUS_WAIT_0 ((NTSTATUS)0x00000000)
#define STATUS_ABANDONED_WAIT_0 ((NTSTATUS)0x00000080)
#define STATUS_USER_APC ((NTSTATUS)0x000000C0)
#define STATUS_ALERTED ((NTSTATUS)0x00000101)
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102)
#define STATUS_PENDING ((NTSTATUS)0x00000103)
#define STATUS_OBJECT_NAME_EXISTS ((NTSTATUS)0x40000000)
#define STATUS_TIMER_RESUME_IGNORED ((NTSTATUS)0x40000025)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002)
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000D)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017)
#define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023)
#define STATUS_OBJECT_TYPE_MISMATCH ((NTSTATUS)0xC0000024)
#define STATUS_MUTANT_NOT_OWNED ((NTSTATUS)0xC0000046)
#define STATUS_MEMORY_NOT_ALLOCATED ((NTSTATUS)0xC00000A0)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005)
#define STATUS_NO_MORE_FILES ((NTSTATUS)0x80000006)
#define STATUS_INFO_LENGTH_MISMATCH ((NTSTATUS)0xC0000004)
#define STATUS_ACCESS_VIOLATION ((NTSTATUS)0xC0000005)
#define STATUS_NO_SUCH_FILE ((NTSTATUS)0xC000000F)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010)
#define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011)
#define STATUS_OBJECT_NAME_INVALID ((NTSTATUS)0xC0000033)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034)
#define STATUS_OBJECT_NAME_COLLISION ((NTSTATUS)0xC0000035)
#define STATUS_OBJECT_PATH_NOT_FOUND ((NTSTATUS)0xC000003A)
#define STATUS_FILE_IS_A_DIRECTORY ((NTSTATUS)0xC00000BA)
#define STATUS_NOT_A_DIRECTORY ((NTSTATUS)0xC0000103)
#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)

/* Memory constants (memory-map.md §5). */
#define PAGE_NOACCESS 0x001
#define PAGE_READONLY 0x002
#define PAGE_READWRITE 0x004
#define PAGE_WRITECOPY 0x008
#define PAGE_EXECUTE 0x010
#define PAGE_EXECUTE_READ 0x020
#define PAGE_EXECUTE_READWRITE 0x040
#define PAGE_EXECUTE_WRITECOPY 0x080
#define PAGE_GUARD 0x100
#define PAGE_NOCACHE 0x200
#define PAGE_WRITECOMBINE 0x400
#define MEM_COMMIT 0x00001000
#define MEM_RESERVE 0x00002000
#define MEM_DECOMMIT 0x00004000
#define MEM_RELEASE 0x00008000
#define MEM_FREE 0x00010000
#define MEM_PRIVATE 0x00020000
#define MEM_RESET 0x00080000
#define MEM_TOP_DOWN 0x00100000
#define MEM_NOZERO 0x00800000
#define MEM_LARGE_PAGES 0x20000000
#define MEM_HEAP 0x40000000
#define MEM_16MB_PAGES 0x80000000

#define INFINITE_TIMEOUT ((LARGE_INTEGER*)0)
#define KERNEL_MODE 0
#define USER_MODE 1

/* Thread creation flags for ExCreateThread. */
#define XDET_CREATE_SUSPENDED 0x1
#define XDET_CREATE_RETURN_KTHREAD 0x80
#define XDET_CREATE_PROCESSOR(n) (1u << (24 + (n)))

/* Current KTHREAD / thread id, as XDK code inlines them (r13 = KPCR). */
static inline PVOID XdetCurrentKThread(void) {
  PVOID kpcr;
  __asm__ volatile("mr %0, 13" : "=r"(kpcr));
  return *(PVOID*)((char*)kpcr + 0x100);
}
static inline ULONG XdetCurrentThreadId(void) { return *(ULONG*)((char*)XdetCurrentKThread() + 0x14C); }

#endif
