/* Helpers shared by the kernel conformance samples: checks that count
 * failures (main returns the count, so the exit code is 0 only if every
 * check passed) and thread creation with a CPU and a priority. */
#ifndef XDET_SAMPLE_UTIL_H
#define XDET_SAMPLE_UTIL_H

#include <stdio.h>

#include "xdet/xboxkrnl.h"

static int g_failures;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (cond) {                                                       \
      printf("PASS %s\n", #cond);                                     \
    } else {                                                          \
      printf("FAIL %s (line %d)\n", #cond, __LINE__);                 \
      ++g_failures;                                                   \
    }                                                                 \
  } while (0)

#define CHECK_EQ(a, b)                                                          \
  do {                                                                          \
    long _a = (long)(a), _b = (long)(b);                                        \
    if (_a == _b) {                                                             \
      printf("PASS %s == %s\n", #a, #b);                                        \
    } else {                                                                    \
      printf("FAIL %s == %s: 0x%08lx != 0x%08lx (line %d)\n", #a, #b, _a, _b, __LINE__); \
      ++g_failures;                                                             \
    }                                                                           \
  } while (0)

/* A check that stays quiet when it passes and explains itself with a
 * printf-style message when it fails: for samples whose output is compared
 * line by line and would drown in PASS lines (per-frame, per-callback). */
#define CHECKF(cond, ...)                 \
  do {                                    \
    if (!(cond)) {                        \
      printf("FAIL line %d: ", __LINE__); \
      printf(__VA_ARGS__);                \
      printf("\n");                       \
      ++g_failures;                       \
    }                                     \
  } while (0)

/* Creates a thread on `cpu` (0-5) with base priority `priority`: created
 * suspended, priority set through its KTHREAD, then resumed. */
static inline HANDLE spawn_named(const char* name, PKSTART_ROUTINE fn, PVOID ctx, int cpu, LONG priority);
static inline HANDLE spawn(PKSTART_ROUTINE fn, PVOID ctx, int cpu, LONG priority) {
  return spawn_named(0, fn, ctx, cpu, priority);
}

/* Names the thread (when `name` is non-null) before it first runs. */
void RtlRaiseException(void* record);
static inline HANDLE spawn_named(const char* name, PKSTART_ROUTINE fn, PVOID ctx, int cpu, LONG priority) {
  HANDLE h = 0;
  ULONG tid = 0;
  NTSTATUS st = ExCreateThread(&h, 0, &tid, 0, fn, ctx, XDET_CREATE_SUSPENDED | XDET_CREATE_PROCESSOR(cpu));
  if (st != STATUS_SUCCESS) {
    printf("FAIL ExCreateThread: 0x%08lx\n", (unsigned long)st);
    ++g_failures;
    return 0;
  }
  if (name) {
    ULONG r[9] = {0x406D1388, 0, 0, 0, 4, 0x1000, (ULONG)name, tid, 0};
    RtlRaiseException(r);
  }
  PVOID kthread = 0;
  ObReferenceObjectByHandle(h, 0, &kthread);
  KeSetBasePriorityThread(kthread, priority);
  ObDereferenceObject(kthread);
  NtResumeThread(h, 0);
  return h;
}

/* Names the calling thread the way XDK code does: RtlRaiseException with
 * the "set thread name" code 0x406D1388 and a THREADNAME_INFO. */
#include "xdet/seh.h"

static inline void set_thread_name(ULONG thread_id, const char* name) {
  XDET_EXCEPTION_RECORD r = {0x406D1388, 0, 0, 0, 4, {0x1000, (ULONG)name, thread_id, 0}};
  RtlRaiseException(&r);
}

static inline void sleep_100ns(LONGLONG t) {
  LARGE_INTEGER li;
  li.QuadPart = -t;
  KeDelayExecutionThread(1, FALSE, &li);
}

#endif
