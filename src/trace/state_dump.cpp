#include "trace/state_dump.h"

#include <fmt/format.h>

#include "loader/disasm.h"

namespace xdet::trace {

using namespace kernel;

void StopAtEventSink::emit(const TraceEvent& ev) {
  if (inner_) inner_->emit(ev);
  if (fired_ || ev.tid != tid_ || ev.tid_event_idx != idx_) return;
  fired_ = true;
  kind_ = std::string(trace_kind_name(ev.kind));
  if (Thread* t = kernel_.current()) t->yield_requested = true;
}

namespace {

bool readable(const GuestMemory& mem, uint32_t a, uint32_t size) {
  return mem.is_accessible(a, size, GuestMemory::kProtRead);
}

void dump_thread(Kernel& k, const Thread& t, loader::Disassembler& dis, std::string& o) {
  GuestMemory& mem = k.memory();
  const cpu::PpcContext& c = t.ctx;
  o += fmt::format("\n== tid {} {} — {}, priority {} (base), affinity {:#04x}, last cpu {}, {} instructions\n", t.tid,
                   t.name.empty() ? "-" : t.name, thread_state_name(t.state), t.base_priority, t.affinity_mask,
                   t.last_cpu, t.retired);
  if (t.state == ThreadState::kTerminated) {
    o += fmt::format("   exited with code 0x{:08x}\n", t.exit_code);
    return;
  }
  if (t.wait.active) {
    o += fmt::format("   {} since round {}", t.wait.is_delay ? "sleeping" : "waiting", t.wait.since_round);
    for (uint32_t i = 0; i < t.wait.count; ++i) {
      o += fmt::format("{} {:08x} (sid {:016x}, handle {:08x})", i ? "," : " on", t.wait.objects[i], t.wait.sids[i],
                       k.handles().find_first(t.wait.objects[i]));
    }
    o += t.wait.has_timeout ? fmt::format(", timeout {} x 100 ns\n", t.wait.timeout_100ns) : ", no timeout\n";
  }
  o += fmt::format("   pc  {:08x}  lr  {:08x}  ctr {:016x}  cr  {:08x}  xer {:08x}  msr {:016x}\n", c.pc,
                   static_cast<uint32_t>(c.lr), c.ctr, c.cr, c.xer, c.msr);
  o += fmt::format("   fpscr {:08x}  vscr {:08x}  vrsave {:08x}\n", c.fpscr, c.vscr, c.vrsave);
  for (int i = 0; i < 32; i += 4) {
    o += fmt::format("   r{:<2} {:016x}  r{:<2} {:016x}  r{:<2} {:016x}  r{:<2} {:016x}\n", i, c.gpr[i], i + 1,
                     c.gpr[i + 1], i + 2, c.gpr[i + 2], i + 3, c.gpr[i + 3]);
  }
  for (int i = 0; i < 32; i += 4) {
    o += fmt::format("   f{:<2} {:016x}  f{:<2} {:016x}  f{:<2} {:016x}  f{:<2} {:016x}\n", i, c.fpr[i], i + 1,
                     c.fpr[i + 1], i + 2, c.fpr[i + 2], i + 3, c.fpr[i + 3]);
  }
  // Back chain (32-bit SysV frames, as the guest SDK builds them): 0(sp) is
  // the caller's sp, 4(caller sp) the return address saved there.
  o += "   backtrace:\n";
  o += fmt::format("     #0 {:08x}\n     #1 {:08x} (lr)\n", c.pc, static_cast<uint32_t>(c.lr));
  uint32_t sp = static_cast<uint32_t>(c.gpr[1]);
  for (int frame = 2; frame < 34; ++frame) {
    if (!readable(mem, sp, 4)) break;
    uint32_t back = mem.read32(sp);
    if (back == 0 || back <= sp || back > t.stack_base || !readable(mem, back + 4, 4)) break;
    uint32_t ret = mem.read32(back + 4);
    if (ret == 0 || ret == kReturnSentinelLr) break;
    o += fmt::format("     #{} {:08x} (frame {:08x})\n", frame, ret, back);
    sp = back;
  }
  o += "   code:\n";
  uint32_t pc = c.pc & ~3u;
  for (uint32_t a = pc >= 16 ? pc - 16 : 0; a <= pc + 16; a += 4) {
    if (!readable(mem, a, 4)) continue;
    uint32_t w = mem.read32(a);
    o += fmt::format("   {} {:08x}  {:08x}  {}\n", a == pc ? ">" : " ", a, w, dis.text(w, a));
  }
}

}  // namespace

std::string render_state_dump(Kernel& k, const RunOutcome& o, const std::string& where) {
  std::string s = fmt::format("xdet state dump: {}\nstop: {} ({}), round {}, guest time {} ns, {} instructions\n", where,
                              stop_reason_name(o.reason), o.message, o.rounds, ns_from_units(o.guest_units),
                              o.instructions);
  loader::Disassembler dis;
  for (const auto& t : k.threads()) dump_thread(k, *t, dis, s);
  s += "\n== handles\n";
  const HandleTable& table = k.handles();
  for (uint32_t h = kHandleBase + 4; h < table.end_handle(); h += 4) {
    const HandleTable::Entry* e = table.lookup(h);
    if (!e) continue;
    s += fmt::format("   {:08x} -> {} {:08x}", h, dispatcher_type_name(e->type), e->object);
    if (const ObjectRecord* r = k.find_object(e->object)) {
      s += fmt::format(" sid {:016x}, {} handle(s), created by tid {}", r->sid, r->handle_count, r->creator_tid);
      if (!r->name.empty()) s += fmt::format(", name \"{}\"", r->name);
      if (!r->waiters.empty()) {
        s += ", waiters:";
        for (const Thread* w : r->waiters) s += fmt::format(" tid {}", w->tid);
      }
    }
    if (const Thread* t = k.thread_by_kthread(e->object)) s += fmt::format(" (thread tid {})", t->tid);
    s += "\n";
  }
  return s;
}

}  // namespace xdet::trace
