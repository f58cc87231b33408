// XAM tasks: work a title hands to XAM to run asynchronously
// (XamTaskSchedule). The console runs each task on a XAM worker thread; xdet
// gives each task its own guest thread that calls callback(message) and
// exits when it returns, so the task runs concurrently with its caller under
// the deterministic scheduler (xenia runs it synchronously inside the call,
// which hides the races a title's task code can have). The task handle is
// the thread's handle: waiting on it waits for the task to finish.
#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"

namespace xdet::kernel {

namespace {

using namespace xam;

// (callback, message, flags, phandle)
void xam_task_schedule(ExportCall& c) {
  uint32_t callback = c.arg(0), message = c.arg(1), phandle = c.arg(3);
  if (!callback || !phandle) return c.ret(kStatusInvalidParameter);
  ThreadParams p;
  p.entry_pc = callback;
  p.start_context = message;
  p.name = "xam task";
  p.create_site_pc = static_cast<uint32_t>(c.t.ctx.lr);
  uint32_t handle = 0;
  Thread* task = c.k.create_thread(&c.t, p, &handle);
  if (!task) return c.ret(kStatusNoMemory);
  c.mem().write32(phandle, handle);
  c.ret(kStatusSuccess);
}

// (handle)
void xam_task_close_handle(ExportCall& c) {
  uint32_t obj;
  uint8_t type;
  if (c.k.resolve_handle(c.t, c.arg(0), &obj, &type) != kStatusSuccess || type != kTypeThread) {
    return c.ret(0);  // FALSE
  }
  c.ret(c.k.close_handle(&c.t, c.arg(0)) == kStatusSuccess ? 1 : 0);
}

// (): a task asks whether XAM wants it to stop early. Nothing ever cancels one.
void xam_task_should_exit(ExportCall& c) { c.ret(0); }

void resolve_task(ExportCall& c) { c.resolve("callback", TraceValue::hex32(c.arg(0))); }

const ExportInfo kExports[] = {
    {0x1AF, "XamTaskSchedule", 4, xam_task_schedule, resolve_task},
    {0x1B1, "XamTaskCloseHandle", 1, xam_task_close_handle},
    {0x1B3, "XamTaskShouldExit", 0, xam_task_should_exit},
};

}  // namespace

ExportTable xam_task_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
