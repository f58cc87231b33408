// The exception dispatcher and the virtual unwinder on random images: a
// function table (sorted or not, entries of any prolog and function length,
// with or without a language handler), code built from prolog and epilogue
// instructions and raw words, a stack of random back chains, return
// addresses and garbage, and random language-handler behaviour (every
// disposition, RtlUnwind to a live or a bogus frame, an exception raised
// inside the handler). Dispatch must end in a handler call, a resume or a
// stop report - never a crash, a hang, a host exception other than the
// GuestFault the runner catches, or a sanitizer report.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel/guest_heap.h"
#include "kernel/kernel.h"
#include "kernel/title_state.h"
#include "loader/loader.h"
#include "loader/pdata.h"

using namespace xdet;
using namespace xdet::kernel;

namespace {

constexpr uint32_t kImage = 0x82000000;
constexpr uint32_t kImageSize = 0x10000;
constexpr uint32_t kTable = kImage + 0x1000;   // up to 0x200 entries
constexpr uint32_t kRecord = kImage + 0x2000;  // a raise's EXCEPTION_RECORD
constexpr uint32_t kCode = kImage + 0x4000;
constexpr uint32_t kCodeSize = 0x8000;
// A well-formed language handler with an entry: mflr r12; stw r12,-8(r1);
// stwu r1,-0x60(r1); nop; (call site) nop; addi r1,r1,0x60; lwz r12,-8(r1);
// mtlr r12; blr. Its frame leads back to the dispatcher's callback frame.
constexpr uint32_t kHandlerFn = kCode + kCodeSize - 0x40;

// The input's bytes, then (so that short inputs still build full tables,
// code and stacks) a stream generated from a hash of the whole input.
struct Reader {
  const uint8_t* p;
  size_t n;
  uint32_t tail;
  Reader(const uint8_t* data, size_t size) : p(data), n(size), tail(2166136261u) {
    for (size_t i = 0; i < size; ++i) tail = (tail ^ data[i]) * 16777619u;
  }
  uint8_t u8() {
    if (n) return --n, *p++;
    tail = tail * 1664525u + 1013904223u;
    return static_cast<uint8_t>(tail >> 24);
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() << 8 | u8()); }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
    return v;
  }
};

struct Lcg {
  uint32_t s;
  uint32_t next() {
    s = s * 1664525u + 1013904223u;
    return s >> 8;
  }
};

uint32_t d_form(uint32_t op, uint32_t rt, uint32_t ra, int32_t d) {
  return (op << 26) | (rt << 21) | (ra << 16) | (static_cast<uint32_t>(d) & 0xFFFF);
}

// A prolog- or epilogue-shaped instruction, or a raw word.
uint32_t code_word(Lcg& g, uint32_t pc) {
  uint32_t r = g.next();
  uint32_t reg = 12 + (r >> 4) % 20, off = (r >> 9) % 64;
  switch (r % 16) {
    case 0: return 0x7D8802A6u;                                            // mflr r12
    case 1: return d_form(36, 12, 1, -8);                                  // stw r12,-8(r1)
    case 2: return d_form(37, 1, 1, -static_cast<int32_t>(16 + 8 * off));  // stwu r1,-N(r1)
    case 3: return d_form(36, reg, 1, -static_cast<int32_t>(8 + 4 * off)); // stw rX,-N(r1)
    case 4: return d_form(54, reg, 1, -static_cast<int32_t>(8 + 8 * off)); // stfd
    case 5: return d_form(47, reg, 1, -static_cast<int32_t>(4 * off));     // stmw
    case 6: return d_form(62, reg, 1, -static_cast<int32_t>(8 + 8 * off)); // std
    case 7: return d_form(32, reg, 1, -static_cast<int32_t>(4 + 4 * off)); // lwz
    case 8: return d_form(14, 1, 1, static_cast<int32_t>(16 + 8 * off));   // addi r1,r1,N
    case 9: return 0x4E800020u;                                            // blr
    case 10: return 0x7D8803A6u;                                           // mtlr r12
    case 11: {                                                             // bl / b into the code
      uint32_t target = kCode + 4 * ((r >> 5) % (kCodeSize / 4));
      return (18u << 26) | ((target - pc) & 0x03FFFFFCu) | ((r >> 4) & 1);
    }
    case 12: return 0x7C21616Eu;                                           // stwux r1,r1,r12
    case 13: return d_form(14, 12, 1, -static_cast<int32_t>(8 * off));     // addi r12,r1,-N
    case 14: return 0x60000000u;                                           // nop
    default: return g.next() << 8 | (r & 0xFF);
  }
}

void write_headers(GuestMemory& mem, uint32_t table_rva, uint32_t table_size) {
  mem.write8(kImage, 'M');
  mem.write8(kImage + 1, 'Z');
  auto le32 = [&](uint32_t a, uint32_t v) {
    for (int i = 0; i < 4; ++i) mem.write8(a + i, static_cast<uint8_t>(v >> (8 * i)));
  };
  le32(kImage + 0x3C, 0x80);
  le32(kImage + 0x80, 0x00004550);
  uint32_t opt = kImage + 0x80 + 24;
  le32(opt + 92, 16);
  le32(opt + 96 + 3 * 8, table_rva);
  le32(opt + 96 + 3 * 8 + 4, table_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static GuestMemory* mem = new GuestMemory();
  Reader in(data, size);
  mem->set_protection(kImage, kImageSize, GuestMemory::kProtRW);
  mem->fill(kImage, 0, kImageSize);

  // The function table: sorted entries (or, now and then, raw words).
  uint8_t shape = in.u8();
  uint32_t count = 1 + shape % 48;
  std::vector<std::pair<uint32_t, uint32_t>> entries;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t begin = kCode + 4 * (in.u16() % ((kCodeSize - 0x40) / 4));
    uint32_t prolog = in.u8() % 10, length = 1 + in.u8() % 80;
    bool handler = in.u8() & 1;
    entries.push_back({begin, loader::encode_pdata_word(prolog, length, handler)});
  }
  entries.push_back({kHandlerFn, loader::encode_pdata_word(3, 9, false)});
  if (!(shape & 0x80)) std::sort(entries.begin(), entries.end());
  for (size_t i = 0; i < entries.size(); ++i) {
    mem->write32(kTable + 8 * static_cast<uint32_t>(i), entries[i].first);
    mem->write32(kTable + 8 * static_cast<uint32_t>(i) + 4, entries[i].second);
  }
  uint32_t table_size = 8 * static_cast<uint32_t>(entries.size());
  if ((shape & 0x60) == 0x60) table_size = in.u32() % 0x20000;  // may reach past the image
  write_headers(*mem, kTable - kImage, table_size);

  // Code: generated instructions, then the entries' handler words, then
  // words the input places directly.
  Lcg g{in.u32()};
  for (uint32_t pc = kCode; pc < kCode + kCodeSize; pc += 4) mem->write32(pc, code_word(g, pc));
  for (const auto& e : entries) {
    if (!(e.second >> 31) || e.first < kCode + 8) continue;
    uint8_t h = in.u8();
    uint32_t handler = h < 200 ? kHandlerFn : (h < 230 ? kCode + 4 * (in.u16() % (kCodeSize / 4)) : in.u32());
    mem->write32(e.first - 8, handler);
    mem->write32(e.first - 4, in.u32());
  }
  for (int i = in.u8() % 32; i > 0; --i) {
    uint32_t at = kCode + 4 * (in.u16() % (kCodeSize / 4));
    mem->write32(at, in.u32());
  }
  const uint32_t handler_code[] = {0x7D8802A6u, d_form(36, 12, 1, -8), d_form(37, 1, 1, -0x60), 0x60000000u,
                                   0x60000000u, d_form(14, 1, 1, 0x60), d_form(32, 12, 1, -8),  0x7D8803A6u,
                                   0x4E800020u};
  for (uint32_t i = 0; i < 9; ++i) mem->write32(kHandlerFn + 4 * i, handler_code[i]);
  mem->write32(kRecord, in.u32());
  mem->write32(kRecord + 4, in.u8() & 1);
  mem->write32(kRecord + 0x10, in.u8());
  mem->set_protection(kImage, kCode - kImage, GuestMemory::kProtRW);
  mem->set_protection(kCode, kCodeSize, GuestMemory::kProtRead | GuestMemory::kProtExec);

  RangeHeap pool(*mem, 0x00100000, 0x00F00000);
  RangeStackAllocator stacks(*mem, 0x70000000, 0x02000000);
  Kernel k(*mem, pool, stacks);
  k.set_debug_output([](std::string_view) {});
  loader::LoadedModule module;
  module.name = "fuzz.xex";
  module.image_base = kImage;
  module.image_size = kImageSize;
  k.title().bind_module(k, module);
  ThreadParams params;
  params.entry_pc = kCode;
  Thread* t = k.create_thread(nullptr, params, nullptr);
  if (!t) return 0;
  k.ready_queue().remove(t);
  t->state = ThreadState::kRunning;
  k.set_current(t);

  // The stack: back chains, return addresses into the code, garbage.
  uint32_t sp = (t->stack_base - 0x200 - 8 * (in.u16() % 0x400)) & ~7u;
  for (uint32_t a = std::max(t->stack_limit, sp - 0x800); a + 4 <= t->stack_base; a += 4) {
    uint32_t r = g.next();
    uint32_t v = r % 3 == 0   ? kCode + 4 * ((r >> 2) % (kCodeSize / 4))
                 : r % 3 == 1 ? std::min<uint32_t>(t->stack_base, a + 8 * ((r >> 2) % 64))
                              : g.next() << 8;
    mem->write32(a, v);
  }
  t->ctx.gpr[1] = sp;
  for (int r = 2; r < 32; ++r) t->ctx.gpr[r] = g.next();
  t->ctx.lr = kCode + 4 * (in.u16() % (kCodeSize / 4));

  Kernel::ExceptionStart start;
  start.from_fault = in.u8() & 1;
  start.control_pc = kCode + 4 * (in.u16() % (kCodeSize / 4));
  if (start.from_fault) {
    start.code = in.u32();
    start.address = start.control_pc;
    start.param_count = 2;
    start.params[0] = in.u8() % 9;
    start.params[1] = in.u32();
  } else {
    start.record = kRecord;
  }
  start.unhandled_report = "unhandled";
  try {
    k.dispatch_exception(*t, start);
    // While a language handler "runs", the input decides what it does.
    for (int step = 0; step < 48 && t->fatal_stop.empty() && !t->callbacks.empty(); ++step) {
      const CallbackFrame& top = t->callbacks.back();
      if (top.kind != CallbackKind::kExceptionHandler || t->exceptions.empty()) break;
      uint8_t action = in.u8();
      if (action < 160) {
        t->ctx.gpr[3] = action < 150 ? action % 3 : in.u32();  // the disposition
        k.callback_returned(*t);
        continue;
      }
      // The handler's prolog ran (if the callback is the well-formed one),
      // then it calls RtlUnwind or raises from its call site.
      uint32_t entry_sp = static_cast<uint32_t>(t->ctx.gpr[1]);
      mem->write32(entry_sp - 8, static_cast<uint32_t>(t->ctx.lr));
      t->ctx.gpr[1] = entry_sp - 0x60;
      mem->write32(entry_sp - 0x60, entry_sp);
      t->ctx.lr = kHandlerFn + 16;
      const ExceptionDispatch& d = t->exceptions.back();
      if (action < 220) {
        uint8_t pick = in.u8();
        uint32_t target = pick < 128 ? d.establisher : pick < 200 ? 0 : in.u32();
        uint32_t target_ip = kCode + 4 * (in.u16() % (kCodeSize / 4));
        k.unwind_to(*t, target, target_ip, (pick & 1) ? d.record : 0, in.u32());
      } else {
        Kernel::ExceptionStart nested;
        nested.record = kRecord;
        nested.control_pc = kHandlerFn + 16;
        nested.unhandled_report = "nested";
        k.dispatch_exception(*t, nested);
      }
    }
  } catch (const GuestFault&) {
    // The runner turns this into a guest-fault stop (unwritable stack).
  }
  k.set_current(nullptr);
  return 0;
}
