/* Conformance: semaphores (count, limit, multi-release waking that many
 * waiters) and mutants (ownership, recursion, release by a non-owner,
 * abandonment when the owner exits). */
#include "sample_util.h"

static KSEMAPHORE g_sem;
static volatile int g_sem_woken;
static KMUTANT g_mutant;
static HANDLE g_hmutant;
static volatile NTSTATUS g_abandon_status = -1;
static volatile NTSTATUS g_not_owner_status = -1;

static ULONG sem_waiter(PVOID ctx) {
  (void)ctx;
  KeWaitForSingleObject(&g_sem, 0, 1, FALSE, 0);
  ++g_sem_woken;
  return 0;
}

static ULONG owner_exits(PVOID ctx) {
  (void)ctx;
  NtWaitForSingleObjectEx(g_hmutant, 1, FALSE, 0); /* acquire, then exit holding it */
  return 0;
}

static ULONG not_owner(PVOID ctx) {
  (void)ctx;
  g_not_owner_status = KeReleaseMutant(&g_mutant, 0, FALSE, FALSE);
  return 0;
}

int main(void) {
  LARGE_INTEGER poll;
  poll.QuadPart = 0;

  KeInitializeSemaphore(&g_sem, 0, 2);
  CHECK_EQ(g_sem.Header.Type, KOBJECT_SEMAPHORE);
  CHECK_EQ(g_sem.Limit, 2);
  for (int i = 0; i < 3; ++i) spawn(sem_waiter, 0, 1 + i, 0);
  sleep_100ns(10000);
  HANDLE hs;
  LONG prev = -1;
  NtCreateSemaphore(&hs, 0, 1, 2);
  CHECK_EQ(NtReleaseSemaphore(hs, 2, &prev), 0xC0000047); /* over the limit */
  CHECK_EQ(prev, 1);
  CHECK_EQ(NtReleaseSemaphore(hs, 1, &prev), STATUS_SUCCESS);
  CHECK_EQ(prev, 1);
  CHECK_EQ(NtCreateSemaphore(&hs, 0, 3, 2), STATUS_INVALID_PARAMETER);
  CHECK_EQ(KeReleaseSemaphore(&g_sem, 0, 2, FALSE), 0); /* previous count */
  sleep_100ns(10000);
  CHECK_EQ(g_sem_woken, 2);
  CHECK_EQ(g_sem.Header.SignalState, 0);
  KeReleaseSemaphore(&g_sem, 0, 1, FALSE);
  sleep_100ns(10000);
  CHECK_EQ(g_sem_woken, 3);

  /* Ownership and recursion. */
  KeInitializeMutant(&g_mutant, TRUE);
  CHECK_EQ(g_mutant.OwnerThread, XdetCurrentKThread());
  CHECK_EQ(KeWaitForSingleObject(&g_mutant, 0, 1, FALSE, &poll), STATUS_SUCCESS); /* recursive */
  CHECK_EQ(g_mutant.Header.SignalState, -1);
  HANDLE t = spawn(not_owner, 0, 2, 0);
  NtWaitForSingleObjectEx(t, 1, FALSE, 0);
  CHECK_EQ(g_not_owner_status, STATUS_MUTANT_NOT_OWNED);
  CHECK_EQ(KeReleaseMutant(&g_mutant, 0, FALSE, FALSE), -1);
  CHECK_EQ(KeReleaseMutant(&g_mutant, 0, FALSE, FALSE), 0);
  CHECK_EQ(g_mutant.OwnerThread, 0);
  CHECK_EQ(g_mutant.Header.SignalState, 1);

  /* Abandonment: the owner exits while holding the mutant. */
  CHECK_EQ(NtCreateMutant(&g_hmutant, 0, FALSE), STATUS_SUCCESS);
  t = spawn(owner_exits, 0, 3, 0);
  NtWaitForSingleObjectEx(t, 1, FALSE, 0);
  CHECK_EQ(NtWaitForSingleObjectEx(g_hmutant, 1, FALSE, &poll), STATUS_ABANDONED_WAIT_0);
  LONG mprev = 7;
  CHECK_EQ(NtReleaseMutant(g_hmutant, &mprev), STATUS_SUCCESS);
  CHECK_EQ(mprev, 0);
  CHECK_EQ(NtReleaseMutant(g_hmutant, &mprev), STATUS_MUTANT_NOT_OWNED);

  printf("sync_semaphore_mutant: %d failure(s)\n", g_failures);
  return g_failures;
}
