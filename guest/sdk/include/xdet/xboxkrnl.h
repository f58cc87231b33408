/* xboxkrnl.exe imports for guest programs. Ordinals (hex) from
 * shared/spec/xboxkrnl-exports.md. Every export in that table has an import
 * thunk in the SDK (guest/sdk/src/imports.S); this header declares the
 * commonly used ones. To call another export, declare its prototype with the
 * export's name: the thunk symbol is the export name.
 *
 * ABI notes (see guest/README.md): arguments go in r3..r10; this SDK's
 * shims move arguments 9+ to the console's r1+0x54 slots for the functions
 * that have them. 64-bit *by value* arguments would take two registers under
 * the 32-bit SysV ABI but one on the console, so none are declared that way. */
#ifndef XDET_XBOXKRNL_H
#define XDET_XBOXKRNL_H

#include "xdet/kernel_types.h"

/* Kernel variables: the loader stores the variable's guest address in the
 * import slot __imp_<Name>. */
#define XDET_KERNEL_VARIABLE(name) extern PVOID __imp_##name
#define XDET_KERNEL_VARIABLE_ADDRESS(name) (__imp_##name)
XDET_KERNEL_VARIABLE(KeTimeStampBundle);    /* 0x0AD */
XDET_KERNEL_VARIABLE(XboxHardwareInfo);     /* 0x156 */
XDET_KERNEL_VARIABLE(XboxKrnlVersion);      /* 0x158 */
XDET_KERNEL_VARIABLE(ExConsoleGameRegion);  /* 0x00C */
XDET_KERNEL_VARIABLE(XexExecutableModuleHandle); /* 0x193 */
XDET_KERNEL_VARIABLE(ExLoadedImageName);    /* 0x1AF */
XDET_KERNEL_VARIABLE(ExLoadedCommandLine);  /* 0x1AE */
XDET_KERNEL_VARIABLE(ExEventObjectType);    /* 0x00E */
XDET_KERNEL_VARIABLE(ExSemaphoreObjectType); /* 0x017 */
XDET_KERNEL_VARIABLE(ExThreadObjectType);   /* 0x01B */
XDET_KERNEL_VARIABLE(VdGpuClockInMHz);      /* 0x1C0 */

typedef ULONG (*PKSTART_ROUTINE)(PVOID context);
typedef void (*PKNORMAL_ROUTINE)(PVOID context, PVOID arg1, PVOID arg2);

/* Debug */
NTSTATUS DbgPrint(const char* format, ...);                              /* 0x003 */
void DbgBreakPoint(void);                                                /* 0x001 */
void KeBugCheck(ULONG code);                                             /* 0x052 */
void KeBugCheckEx(ULONG code, ULONG p1, ULONG p2, ULONG p3, ULONG p4);   /* 0x053 */

/* Threads & scheduling */
NTSTATUS ExCreateThread(HANDLE* handle, ULONG stack_size, ULONG* thread_id, PVOID xapi_startup,
                        PKSTART_ROUTINE start, PVOID context, ULONG flags); /* 0x00D */
void ExTerminateThread(NTSTATUS exit_code);                              /* 0x019 */
NTSTATUS NtResumeThread(HANDLE thread, ULONG* previous_suspend_count);   /* 0x0F5 */
NTSTATUS NtSuspendThread(HANDLE thread, ULONG* previous_suspend_count);  /* 0x0FC */
NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE mode, BOOLEAN alertable, LARGE_INTEGER* interval); /* 0x05A */
NTSTATUS NtYieldExecution(void);                                         /* 0x101 */
NTSTATUS KeSetAffinityThread(PVOID kthread, ULONG affinity, ULONG* previous); /* 0x097 */
LONG KeQueryBasePriorityThread(PVOID kthread);                           /* 0x081 */
LONG KeSetBasePriorityThread(PVOID kthread, LONG increment);             /* 0x099 */
uint8_t KeGetCurrentProcessType(void);                                   /* 0x066 */
void KeEnterCriticalRegion(void);                                        /* 0x05F */
void KeLeaveCriticalRegion(void);                                        /* 0x07D */
KIRQL KeRaiseIrqlToDpcLevel(void);                                       /* 0x085 */
void KfLowerIrql(KIRQL old_irql);                                        /* 0x0B3 */
NTSTATUS NtQueueApcThread(HANDLE thread, PKNORMAL_ROUTINE routine, PVOID context, PVOID arg1, PVOID arg2); /* 0x0E3 */
void KeInitializeApc(KAPC* apc, PVOID kthread, PVOID kernel_routine, PVOID rundown_routine,
                     PVOID normal_routine, KPROCESSOR_MODE mode, PVOID normal_context); /* 0x06D */
BOOLEAN KeInsertQueueApc(KAPC* apc, PVOID arg1, PVOID arg2, LONG priority_increment); /* 0x07A */
BOOLEAN KeRemoveQueueApc(KAPC* apc);                                     /* 0x2F0 */
void KiApcNormalRoutineNop(PVOID context, PVOID arg1, PVOID arg2);       /* 0x1DF */
void KeInitializeDpc(KDPC* dpc, PVOID routine, PVOID context);           /* 0x06F */
BOOLEAN KeInsertQueueDpc(KDPC* dpc, PVOID arg1, PVOID arg2);             /* 0x07B */
BOOLEAN KeRemoveQueueDpc(KDPC* dpc);                                     /* 0x08E */
KIRQL KfRaiseIrql(KIRQL new_irql);                                       /* 0x0B2 */
void KeSetCurrentStackPointers(PVOID stack_pointer, PVOID kthread, PVOID alloc_base, PVOID base,
                               PVOID limit);                             /* 0x09B */
NTSTATUS ObLookupThreadByThreadId(ULONG thread_id, PVOID* kthread);      /* 0x10B */

/* TLS */
ULONG KeTlsAlloc(void);                                                  /* 0x152 */
BOOL KeTlsFree(ULONG index);                                             /* 0x153 */
PVOID KeTlsGetValue(ULONG index);                                        /* 0x154 */
BOOL KeTlsSetValue(ULONG index, PVOID value);                            /* 0x155 */

/* Dispatcher objects & waits */
void KeInitializeEvent(KEVENT* event, EVENT_TYPE type, BOOLEAN state);   /* 0x070 */
LONG KeSetEvent(KEVENT* event, LONG increment, BOOLEAN wait);            /* 0x09D */
LONG KeResetEvent(KEVENT* event);                                        /* 0x08F */
LONG KePulseEvent(KEVENT* event, LONG increment, BOOLEAN wait);          /* 0x07F */
NTSTATUS NtCreateEvent(HANDLE* handle, OBJECT_ATTRIBUTES* attributes, EVENT_TYPE type, BOOLEAN initial); /* 0x0D1 */
NTSTATUS NtSetEvent(HANDLE event, LONG* previous_state);                 /* 0x0F6 */
NTSTATUS NtClearEvent(HANDLE event);                                     /* 0x0CE */
NTSTATUS NtPulseEvent(HANDLE event, LONG* previous_state);               /* 0x0E2 */
void KeInitializeSemaphore(KSEMAPHORE* semaphore, LONG count, LONG limit); /* 0x074 */
LONG KeReleaseSemaphore(KSEMAPHORE* semaphore, LONG increment, LONG adjustment, BOOLEAN wait); /* 0x088 */
NTSTATUS NtCreateSemaphore(HANDLE* handle, OBJECT_ATTRIBUTES* attributes, LONG count, LONG limit); /* 0x0D5 */
NTSTATUS NtReleaseSemaphore(HANDLE semaphore, LONG count, LONG* previous_count); /* 0x0F3 */
void KeInitializeMutant(KMUTANT* mutant, BOOLEAN initial_owner);         /* 0x072 */
LONG KeReleaseMutant(KMUTANT* mutant, LONG increment, BOOLEAN abandon, BOOLEAN wait); /* 0x087 */
NTSTATUS NtCreateMutant(HANDLE* handle, OBJECT_ATTRIBUTES* attributes, BOOLEAN initial_owner); /* 0x0D4 */
NTSTATUS NtReleaseMutant(HANDLE mutant, LONG* previous_count);           /* 0x0F2 */
void KeInitializeTimerEx(KTIMER* timer, TIMER_TYPE type);                /* 0x075 */
BOOLEAN KeCancelTimer(KTIMER* timer);                                    /* 0x054 */
NTSTATUS NtCreateTimer(HANDLE* handle, OBJECT_ATTRIBUTES* attributes, TIMER_TYPE type); /* 0x0D7 */
NTSTATUS NtSetTimerEx(HANDLE timer, LARGE_INTEGER* due_time, PVOID apc_routine, KPROCESSOR_MODE apc_mode,
                      PVOID apc_context, BOOLEAN resume, LONG period_ms, BOOLEAN* previous_state); /* 0x0FA */
NTSTATUS NtCancelTimer(HANDLE timer, BOOLEAN* current_state);            /* 0x0CD */
NTSTATUS KeWaitForSingleObject(PVOID object, ULONG wait_reason, KPROCESSOR_MODE mode, BOOLEAN alertable,
                               LARGE_INTEGER* timeout);                  /* 0x0B0 */
NTSTATUS KeWaitForMultipleObjects(ULONG count, PVOID* objects, WAIT_TYPE wait_type, ULONG wait_reason,
                                  KPROCESSOR_MODE mode, BOOLEAN alertable, LARGE_INTEGER* timeout,
                                  KWAIT_BLOCK* wait_blocks);             /* 0x0AF */
NTSTATUS NtWaitForSingleObjectEx(HANDLE handle, KPROCESSOR_MODE mode, BOOLEAN alertable, LARGE_INTEGER* timeout); /* 0x0FD */
NTSTATUS NtWaitForMultipleObjectsEx(ULONG count, HANDLE* handles, WAIT_TYPE wait_type, KPROCESSOR_MODE mode,
                                    BOOLEAN alertable, LARGE_INTEGER* timeout); /* 0x0FE */
NTSTATUS NtSignalAndWaitForSingleObjectEx(HANDLE signal, HANDLE wait, BOOLEAN alertable, ULONG unknown,
                                          LARGE_INTEGER* timeout);       /* 0x0FB */

/* Spin locks, interlocked lists, read/write locks, critical sections */
KIRQL KfAcquireSpinLock(ULONG* lock);                                    /* 0x0B1 */
void KfReleaseSpinLock(ULONG* lock, KIRQL old_irql);                     /* 0x0B4 */
void KeAcquireSpinLockAtRaisedIrql(ULONG* lock);                         /* 0x04D */
BOOLEAN KeTryToAcquireSpinLockAtRaisedIrql(ULONG* lock);                 /* 0x0AE */
void KeReleaseSpinLockFromRaisedIrql(ULONG* lock);                       /* 0x089 */
PVOID InterlockedPushEntrySList(SLIST_HEADER* head, PVOID entry);        /* 0x02D */
PVOID InterlockedPopEntrySList(SLIST_HEADER* head);                      /* 0x02C */
PVOID InterlockedFlushSList(SLIST_HEADER* head);                         /* 0x02B */
void ExInitializeReadWriteLock(EX_READ_WRITE_LOCK* lock);                /* 0x011 */
void ExAcquireReadWriteLockExclusive(EX_READ_WRITE_LOCK* lock);          /* 0x007 */
void ExAcquireReadWriteLockShared(EX_READ_WRITE_LOCK* lock);             /* 0x008 */
void ExReleaseReadWriteLock(EX_READ_WRITE_LOCK* lock);                   /* 0x016 */
BOOLEAN ExTryToAcquireReadWriteLockExclusive(EX_READ_WRITE_LOCK* lock);  /* 0x2DD */
BOOLEAN ExTryToAcquireReadWriteLockShared(EX_READ_WRITE_LOCK* lock);     /* 0x2DE */
void RtlInitializeCriticalSection(RTL_CRITICAL_SECTION* cs);             /* 0x12E */
NTSTATUS RtlInitializeCriticalSectionAndSpinCount(RTL_CRITICAL_SECTION* cs, ULONG spin); /* 0x12F */
void RtlEnterCriticalSection(RTL_CRITICAL_SECTION* cs);                  /* 0x125 */
BOOL RtlTryEnterCriticalSection(RTL_CRITICAL_SECTION* cs);               /* 0x141 */
void RtlLeaveCriticalSection(RTL_CRITICAL_SECTION* cs);                  /* 0x130 */

/* Objects & handles */
NTSTATUS NtClose(HANDLE handle);                                         /* 0x0CF */
NTSTATUS NtDuplicateObject(HANDLE source, HANDLE* target, ULONG options); /* 0x0DA */
NTSTATUS ObReferenceObjectByHandle(HANDLE handle, PVOID object_type, PVOID* object); /* 0x110 */
void ObDereferenceObject(PVOID object);                                  /* 0x105 */

/* Memory */
NTSTATUS NtAllocateVirtualMemory(PVOID* base, SIZE_T* size, ULONG type, ULONG protect, ULONG debug); /* 0x0CC */
NTSTATUS NtFreeVirtualMemory(PVOID* base, SIZE_T* size, ULONG type, ULONG debug); /* 0x0DC */
NTSTATUS NtProtectVirtualMemory(PVOID* base, SIZE_T* size, ULONG protect, ULONG* old_protect, ULONG debug); /* 0x0E1 */
NTSTATUS NtQueryVirtualMemory(PVOID address, MEMORY_BASIC_INFORMATION* info); /* 0x0EE */
PVOID MmAllocatePhysicalMemory(ULONG flags, SIZE_T size, ULONG protect); /* 0x0B9 */
PVOID MmAllocatePhysicalMemoryEx(ULONG flags, SIZE_T size, ULONG protect, ULONG min_physical,
                                 ULONG max_physical, ULONG alignment);   /* 0x0BA */
void MmFreePhysicalMemory(ULONG type, PVOID base);                       /* 0x0BD */
ULONG MmGetPhysicalAddress(PVOID address);                               /* 0x0BE */
ULONG MmQueryAddressProtect(PVOID address);                              /* 0x0C4 */
void MmSetAddressProtect(PVOID address, SIZE_T size, ULONG protect);     /* 0x0C7 */
SIZE_T MmQueryAllocationSize(PVOID address);                             /* 0x0C5 */
PVOID MmCreateKernelStack(SIZE_T size, ULONG unknown);                   /* 0x0BB */
void MmDeleteKernelStack(PVOID top, PVOID bottom);                       /* 0x0BC */
PVOID ExAllocatePool(SIZE_T size);                                       /* 0x009 */
PVOID ExAllocatePoolTypeWithTag(SIZE_T size, ULONG tag, ULONG type);     /* 0x00B */
void ExFreePool(PVOID pointer);                                          /* 0x00F */

/* Time */
/* 0x083: the console returns a 64-bit value in r3 alone; the 32-bit SysV ABI
 * would expect r3:r4, so it is declared 32-bit (50 MHz fits). */
ULONG KeQueryPerformanceFrequency(void);
void KeQuerySystemTime(LARGE_INTEGER* time);                             /* 0x084 */
void RtlTimeToTimeFields(LARGE_INTEGER* time, TIME_FIELDS* fields);      /* 0x140 */
BOOLEAN RtlTimeFieldsToTime(TIME_FIELDS* fields, LARGE_INTEGER* time);   /* 0x13F */

/* Strings & memory helpers */
void RtlInitAnsiString(ANSI_STRING* destination, const char* source);    /* 0x12C */
void RtlInitUnicodeString(UNICODE_STRING* destination, const uint16_t* source); /* 0x12D */
SIZE_T RtlCompareMemory(const void* a, const void* b, SIZE_T length);    /* 0x11A */
void RtlFillMemoryUlong(void* destination, SIZE_T length, ULONG pattern); /* 0x126 */
ULONG RtlComputeCrc32(ULONG seed, const void* buffer, ULONG length);     /* 0x27B */
ULONG RtlNtStatusToDosError(NTSTATUS status);                            /* 0x135 */

/* Files */
NTSTATUS NtCreateFile(HANDLE* handle, ULONG access, OBJECT_ATTRIBUTES* attributes, IO_STATUS_BLOCK* iosb,
                      LARGE_INTEGER* allocation_size, ULONG file_attributes, ULONG share, ULONG disposition,
                      ULONG options);                                    /* 0x0D2 (9 args: SDK shim) */
NTSTATUS NtOpenFile(HANDLE* handle, ULONG access, OBJECT_ATTRIBUTES* attributes, IO_STATUS_BLOCK* iosb,
                    ULONG options);                                      /* 0x0DF */
NTSTATUS NtReadFile(HANDLE file, HANDLE event, PVOID apc_routine, PVOID apc_context, IO_STATUS_BLOCK* iosb,
                    PVOID buffer, ULONG length, LARGE_INTEGER* offset);  /* 0x0F0 */
NTSTATUS NtWriteFile(HANDLE file, HANDLE event, PVOID apc_routine, PVOID apc_context, IO_STATUS_BLOCK* iosb,
                     const void* buffer, ULONG length, LARGE_INTEGER* offset); /* 0x0FF */
NTSTATUS NtReadFileScatter(HANDLE file, HANDLE event, PVOID apc_routine, PVOID apc_context, IO_STATUS_BLOCK* iosb,
                           PVOID* segments, ULONG length, LARGE_INTEGER* offset); /* 0x0F1 */
NTSTATUS NtQueryInformationFile(HANDLE file, IO_STATUS_BLOCK* iosb, PVOID info, ULONG length,
                                ULONG info_class);                       /* 0x0E8 */
NTSTATUS NtSetInformationFile(HANDLE file, IO_STATUS_BLOCK* iosb, PVOID info, ULONG length,
                              ULONG info_class);                         /* 0x0F7 */
NTSTATUS NtQueryFullAttributesFile(OBJECT_ATTRIBUTES* attributes, FILE_NETWORK_OPEN_INFORMATION* info); /* 0x0E7 */
NTSTATUS NtQueryVolumeInformationFile(HANDLE file, IO_STATUS_BLOCK* iosb, PVOID info, ULONG length,
                                      ULONG info_class);                 /* 0x0EF */
NTSTATUS NtQueryDirectoryFile(HANDLE directory, HANDLE event, PVOID apc_routine, PVOID apc_context,
                              IO_STATUS_BLOCK* iosb, FILE_DIRECTORY_INFORMATION* info, ULONG length,
                              ANSI_STRING* pattern, BOOLEAN restart_scan); /* 0x0E4 (9 args: SDK shim) */
NTSTATUS NtFlushBuffersFile(HANDLE file, IO_STATUS_BLOCK* iosb);         /* 0x0DB */
NTSTATUS NtCreateIoCompletion(HANDLE* handle, ULONG access, OBJECT_ATTRIBUTES* attributes,
                              ULONG concurrent_threads);                 /* 0x0D3 */
NTSTATUS NtSetIoCompletion(HANDLE port, ULONG key_context, ULONG apc_context, NTSTATUS status,
                           ULONG information);                           /* 0x0F8 */
NTSTATUS NtRemoveIoCompletion(HANDLE port, ULONG* key_context, ULONG* apc_context, IO_STATUS_BLOCK* iosb,
                              LARGE_INTEGER* timeout);                   /* 0x0F4 */
NTSTATUS ObCreateSymbolicLink(ANSI_STRING* link, ANSI_STRING* target);   /* 0x103 */
NTSTATUS ObDeleteSymbolicLink(ANSI_STRING* link);                        /* 0x104 */
NTSTATUS NtOpenSymbolicLinkObject(HANDLE* handle, OBJECT_ATTRIBUTES* attributes); /* 0x0E0 */
NTSTATUS NtQuerySymbolicLinkObject(HANDLE handle, ANSI_STRING* target);  /* 0x0EC */

/* Modules & system */
NTSTATUS XexGetModuleHandle(const char* name, PVOID* module);            /* 0x195 */
NTSTATUS XexGetProcedureAddress(PVOID module, ULONG ordinal, PVOID* procedure); /* 0x197 */
BOOL XexCheckExecutablePrivilege(ULONG privilege);                       /* 0x194 */
PVOID RtlImageXexHeaderField(PVOID xex_header, ULONG key);               /* 0x12B */
NTSTATUS ExGetXConfigSetting(USHORT category, USHORT setting, PVOID buffer, USHORT size, USHORT* required); /* 0x010 */
void HalReturnToFirmware(ULONG routine);                                 /* 0x028 */
NTSTATUS XeCryptRandom(PVOID buffer, ULONG length);                      /* 0x18A */
NTSTATUS XexGetModuleSection(PVOID module, const char* name, PVOID* data, ULONG* size); /* 0x196 */
void ExRegisterTitleTerminateNotification(PVOID registration, BOOL create); /* 0x015 */
NTSTATUS MmQueryStatistics(PVOID statistics);                            /* 0x0C6 */
ULONG RtlMultiByteToUnicodeN(uint16_t* dst, ULONG dst_bytes, ULONG* written, const char* src, ULONG src_bytes); /* 0x133 */
ULONG RtlUnicodeToMultiByteN(char* dst, ULONG dst_bytes, ULONG* written, const uint16_t* src, ULONG src_bytes); /* 0x143 */
int sprintf(char* buffer, const char* format, ...);                      /* 0x13B */
int _snprintf(char* buffer, SIZE_T count, const char* format, ...);      /* 0x13A */
/* va_list here is the console's: a pointer to 8-byte argument slots. */
int _vsnprintf(char* buffer, SIZE_T count, const char* format, const uint64_t* args); /* 0x14D */

typedef struct { ULONG count; ULONG state[5]; uint8_t buffer[64]; } XECRYPT_SHA_STATE;
typedef struct { ULONG count; ULONG state[8]; uint8_t buffer[64]; } XECRYPT_SHA256_STATE;
typedef struct { uint8_t S[256]; uint8_t i, j; } XECRYPT_RC4_STATE;
typedef struct { uint8_t keytabenc[11][16]; uint8_t keytabdec[11][16]; } XECRYPT_AES_STATE;
void XeCryptAesKey(XECRYPT_AES_STATE* state, const uint8_t* key);        /* 0x159 */
void XeCryptAesEcb(const XECRYPT_AES_STATE* state, const uint8_t* in, uint8_t* out, BOOL encrypt); /* 0x15A */
void XeCryptAesCbc(const XECRYPT_AES_STATE* state, const uint8_t* in, ULONG length, uint8_t* out, uint8_t* feed,
                   BOOL encrypt);                                        /* 0x15B */
void XeCryptShaInit(XECRYPT_SHA_STATE* state);                            /* 0x18F */
void XeCryptShaUpdate(XECRYPT_SHA_STATE* state, const void* data, ULONG length); /* 0x190 */
void XeCryptShaFinal(XECRYPT_SHA_STATE* state, uint8_t* out, ULONG out_length); /* 0x191 */
void XeCryptSha(const void* d1, ULONG l1, const void* d2, ULONG l2, const void* d3, ULONG l3, uint8_t* out,
                ULONG out_length);                                       /* 0x192 */
void XeCryptSha256Init(XECRYPT_SHA256_STATE* state);                      /* 0x310 */
void XeCryptSha256Update(XECRYPT_SHA256_STATE* state, const void* data, ULONG length); /* 0x311 */
void XeCryptSha256Final(XECRYPT_SHA256_STATE* state, uint8_t* out, ULONG out_length); /* 0x312 */
void XeCryptHmacSha(const void* key, ULONG key_length, const void* d1, ULONG l1, const void* d2, ULONG l2,
                    const void* d3, ULONG l3, uint8_t* out, ULONG out_length); /* 0x182 */
void XeCryptMd5(const void* d1, ULONG l1, const void* d2, ULONG l2, const void* d3, ULONG l3, uint8_t* out,
                ULONG out_length);                                       /* 0x187 */
void XeCryptRc4Key(XECRYPT_RC4_STATE* state, const void* key, ULONG key_length); /* 0x18B */
void XeCryptRc4Ecb(XECRYPT_RC4_STATE* state, void* data, ULONG length);  /* 0x18C */

#endif
