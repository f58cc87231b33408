// Exception dispatch end to end on hand-assembled programs with their own
// function tables: a language handler that continues execution, one that
// passes, and the bad inputs a title (or a corrupt image) can present: an
// unmapped handler, a prolog that reads unmapped memory, a garbage table, a
// walk that loops, an RtlUnwind target that is not on the stack. Each ends
// with exit 4 and a report naming the problem, never a host crash. Also the
// APC rundown at thread exit.
#include <cstdlib>
#include <string>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include "loader/pdata.h"
#include "xex_program.h"

namespace xdet::test {
namespace {

constexpr uint32_t kTable = kIat + 0x1000;
constexpr uint32_t kHandler = kCode;        // the language handler
constexpr uint32_t kMain = kCode + 0x10;    // PDATA_EH words at kCode + 8
constexpr uint16_t kDbgPrint = 3;
constexpr uint16_t kRtlRaiseException = 310;
constexpr uint16_t kRtlUnwind = 327;

std::string slurp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int run_xdet(const std::string& args, std::string* out) {
  std::string log = std::string(::testing::TempDir()) + "/xdet_seh_" + std::to_string(::getpid()) + ".log";
  int rc = std::system((std::string(XDET_BINARY) + " run " + args + " >" + log + " 2>&1").c_str());
  *out = slurp_file(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void stwu(Asm& a, int s, int16_t off, int ra) {
  a.word((37u << 26) | (s << 21) | (ra << 16) | static_cast<uint16_t>(off));
}
// The console compiler's prolog and epilog around a 64-byte frame.
void prolog(Asm& a) {
  a.mflr(12);
  a.stw(12, -8, 1);
  stwu(a, 1, -64, 1);
}
void epilog(Asm& a) {
  a.addi(1, 1, 64);
  a.lwz(12, -8, 1);
  a.mtlr(12);
  a.blr();
}

void set_table(Program& p, const std::vector<std::pair<uint32_t, uint32_t>>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    store_be32(&p.spec.image[kTable - kBase + 8 * i], entries[i].first);
    store_be32(&p.spec.image[kTable - kBase + 8 * i + 4], entries[i].second);
  }
  p.spec.exception_directory_rva = kTable - kBase;
  p.spec.exception_directory_size = static_cast<uint32_t>(8 * entries.size());
}

uint32_t record(Program& p, uint32_t code) {
  uint32_t r = p.data_cursor;
  p.data_cursor += 0x60;
  store_be32(&p.spec.image[r - kBase], code);
  return r;
}

// main: prolog; RtlRaiseException(E0000001); DbgPrint("continued"); return.
// handler (at kCode): r3 = disposition; blr. The handler words sit at kCode+8.
std::string build_raise(const std::string& name, uint16_t disposition, uint32_t handler_word) {
  Program p;
  p.spec.entry_point = kMain;
  uint32_t rec = record(p, 0xE0000001);
  uint32_t text = p.string("continued\n");
  Asm h(kHandler);
  h.li(3, static_cast<int16_t>(disposition));
  h.blr();
  p.place(h);
  store_be32(&p.spec.image[kCode + 8 - kBase], handler_word);
  store_be32(&p.spec.image[kCode + 12 - kBase], 0);
  Asm m(kMain);
  prolog(m);
  m.li32(3, rec);
  m.bl(p.thunk(kRtlRaiseException));
  m.li32(3, text);
  m.bl(p.thunk(kDbgPrint));
  m.li(3, 0);
  epilog(m);
  p.place(m);
  uint32_t len = (m.pc() - kMain) / 4;
  set_table(p, {{kMain, loader::encode_pdata_word(3, len, true)}});
  return p.write(name);
}

TEST(ExceptionDispatch, HandlerContinuesExecutionAfterTheRaise) {
  std::string out;
  std::string xex = build_raise("seh_continue.xex", 0, kHandler);
  EXPECT_EQ(run_xdet("--trace " + xex + ".jsonl " + xex, &out), 0) << out;
  EXPECT_NE(out.find("continued"), std::string::npos) << out;
  std::string trace = slurp_file(xex + ".jsonl");
  EXPECT_NE(trace.find("\"kind\":\"exception.handler\""), std::string::npos);
  EXPECT_NE(trace.find("\"outcome\":\"continue\""), std::string::npos);
}

TEST(ExceptionDispatch, HandlerThatPassesLeavesItUnhandled) {
  std::string out;
  std::string xex = build_raise("seh_pass.xex", 1, kHandler);
  EXPECT_EQ(run_xdet(xex, &out), 4) << out;
  EXPECT_EQ(out.find("continued"), std::string::npos) << out;
  EXPECT_NE(out.find("exception 0xe0000001 raised by tid 1"), std::string::npos) << out;
  EXPECT_NE(out.find("no handler took it"), std::string::npos) << out;
}

TEST(ExceptionDispatch, InvalidDispositionRaisesFromTheDispatcher) {
  std::string out;
  std::string xex = build_raise("seh_invalid.xex", 7, kHandler);
  EXPECT_EQ(run_xdet(xex, &out), 4) << out;
  EXPECT_NE(out.find("exception 0xc0000026 (a handler returned an invalid disposition)"), std::string::npos) << out;
}

// main: prolog; an undefined instruction word; DbgPrint("continued"); return.
// The handler (at kCode) moves the CONTEXT's Iar past the instruction and
// continues execution (disposition 0), or passes (1).
std::string build_illegal(const std::string& name, bool handled, bool with_table) {
  Program p;
  p.spec.entry_point = kMain;
  uint32_t text = p.string("continued\n");
  Asm h(kHandler);
  if (handled) {
    h.lwz(6, 8, 5);  // ContextRecord->Iar
    h.addi(6, 6, 4);
    h.stw(6, 8, 5);
  }
  h.li(3, handled ? 0 : 1);
  h.blr();
  p.place(h);
  store_be32(&p.spec.image[kCode + 0x20 - kBase], kHandler);
  store_be32(&p.spec.image[kCode + 0x24 - kBase], 0);
  uint32_t fn = kCode + 0x28;
  p.spec.entry_point = fn;
  Asm m(fn);
  prolog(m);
  m.word(0x00000000u);  // primary opcode 0: no instruction
  m.li32(3, text);
  m.bl(p.thunk(kDbgPrint));
  m.li(3, 0);
  epilog(m);
  p.place(m);
  if (with_table) set_table(p, {{fn, loader::encode_pdata_word(3, (m.pc() - fn) / 4, true)}});
  return p.write(name);
}

// An illegal instruction is STATUS_ILLEGAL_INSTRUCTION at the faulting
// instruction, handled identically by both CPU engines.
TEST(ExceptionDispatch, IllegalInstructionGoesToTheHandlerUnderBothEngines) {
  std::string xex = build_illegal("seh_illegal.xex", true, true);
  std::string out_jit, out_interp;
  ASSERT_EQ(run_xdet("--cpu jit --trace " + xex + ".jit.jsonl " + xex, &out_jit), 0) << out_jit;
  EXPECT_NE(out_jit.find("continued"), std::string::npos) << out_jit;
  ASSERT_EQ(run_xdet("--cpu interp --trace " + xex + ".interp.jsonl " + xex, &out_interp), 0) << out_interp;
  std::string trace = slurp_file(xex + ".jit.jsonl");
  EXPECT_NE(trace.find("\"code\":\"0xc000001d\""), std::string::npos) << trace;
  EXPECT_NE(trace.find("\"source\":\"fault\""), std::string::npos);
  EXPECT_NE(trace.find("\"address\":\"0x82001034\""), std::string::npos) << trace;  // the undefined word
  EXPECT_EQ(trace, slurp_file(xex + ".interp.jsonl"));
}

// With no handler taking it (one that passes, or no function table at all),
// the run stops with the fault's own report and exit 4, both engines alike.
TEST(ExceptionDispatch, UnhandledIllegalInstructionStopsWithTheFaultReport) {
  for (bool with_table : {true, false}) {
    std::string xex = build_illegal(with_table ? "seh_illegal_pass.xex" : "seh_illegal_none.xex", false, with_table);
    std::string out_jit, out_interp;
    EXPECT_EQ(run_xdet("--cpu jit " + xex, &out_jit), 4) << out_jit;
    EXPECT_NE(out_jit.find("illegal instruction 0x00000000 at PC 0x82001034"), std::string::npos) << out_jit;
    EXPECT_EQ(out_jit.find("continued"), std::string::npos) << out_jit;
    // The thread stopped at the faulting instruction, not in the handler.
    EXPECT_NE(out_jit.find("backtrace: 82001034"), std::string::npos) << out_jit;
    EXPECT_EQ(run_xdet("--cpu interp " + xex, &out_interp), 4) << out_interp;
    EXPECT_EQ(out_jit, out_interp);
  }
}

TEST(ExceptionDispatchBadInput, UnmappedHandlerIsReported) {
  std::string out;
  std::string xex = build_raise("seh_unmapped_handler.xex", 0, 0x00001000);
  EXPECT_EQ(run_xdet(xex, &out), 4) << out;
  EXPECT_NE(out.find("the language handler 00001000 of the function at 82001010"), std::string::npos) << out;
  EXPECT_NE(out.find("is not executable code"), std::string::npos) << out;
}

TEST(ExceptionDispatchBadInput, PrologThatCallsUnmappedMemoryIsReported) {
  // The entry's prolog (one word before the code that runs) is a `bl` into
  // unmapped memory: the unwinder follows it as a save helper and cannot read it.
  Program p;
  uint32_t fn = kCode + 0x100;
  p.spec.entry_point = fn + 4;
  uint32_t rec = record(p, 0xE0000002);
  Asm m(fn);
  m.bl(0x81001000);
  m.li32(3, rec);
  m.bl(p.thunk(kRtlRaiseException));
  m.blr();
  p.place(m);
  set_table(p, {{fn, loader::encode_pdata_word(1, (m.pc() - fn) / 4, false)}});
  std::string out;
  EXPECT_EQ(run_xdet(p.write("seh_bad_prolog.xex"), &out), 4) << out;
  EXPECT_NE(out.find("could not be dispatched: cannot read the prolog of the function at 82001100"),
            std::string::npos)
      << out;
}

TEST(ExceptionDispatchBadInput, GarbageFunctionTableGivesTheSameReportEveryRun) {
  Program p;
  p.spec.entry_point = kMain;
  uint32_t rec = record(p, 0xE0000003);
  Asm m(kMain);
  prolog(m);
  m.li32(3, rec);
  m.bl(p.thunk(kRtlRaiseException));
  epilog(m);
  p.place(m);
  std::vector<std::pair<uint32_t, uint32_t>> garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 64; ++i) {
    x = x * 1103515245u + 12345u;
    uint32_t begin = (i % 4 == 0) ? kMain - 0x40 + (x & 0xFC) : x;
    x = x * 1103515245u + 12345u;
    garbage.push_back({begin, x});
  }
  set_table(p, garbage);
  std::string xex = p.write("seh_garbage_table.xex");
  std::string out1, out2;
  EXPECT_EQ(run_xdet(xex, &out1), 4) << out1;
  EXPECT_NE(out1.find("exception 0xe0000003 raised by tid 1"), std::string::npos) << out1;
  EXPECT_EQ(run_xdet(xex, &out2), 4);
  EXPECT_EQ(out1, out2);
}

TEST(ExceptionDispatchBadInput, WalkThatLoopsIsBounded) {
  // A leaf with an entry calls RtlRaiseException with LR pointing back into
  // itself: every unwind step lands on the same frame.
  Program p;
  p.spec.entry_point = kMain;
  uint32_t rec = record(p, 0xE0000004);
  Asm m(kMain);
  m.li32(3, rec);
  m.li32(12, p.thunk(kRtlRaiseException));
  m.word(0x7D8903A6u);  // mtctr r12
  m.li32(0, kMain + 4);
  m.mtlr(0);
  m.word(0x4E800420u);  // bctr
  p.place(m);
  set_table(p, {{kMain, loader::encode_pdata_word(0, (m.pc() - kMain) / 4, false)}});
  std::string out;
  EXPECT_EQ(run_xdet(p.write("seh_loop.xex"), &out), 4) << out;
  EXPECT_NE(out.find("no handler took it: the walk passed 1024 frames"), std::string::npos) << out;
}

TEST(ExceptionDispatchBadInput, UnwindToAFrameNotOnTheStackIsReported) {
  Program p;
  p.spec.entry_point = kMain;
  Asm m(kMain);
  prolog(m);
  m.addi(3, 1, -0x100);  // below every live frame
  m.li32(4, kMain);
  m.li(5, 0);
  m.li(6, 0);
  m.bl(p.thunk(kRtlUnwind));
  epilog(m);
  p.place(m);
  set_table(p, {{kMain, loader::encode_pdata_word(3, (m.pc() - kMain) / 4, false)}});
  std::string out;
  EXPECT_EQ(run_xdet(p.write("seh_unwind_target.xex"), &out), 4) << out;
  EXPECT_NE(out.find("RtlUnwind(frame "), std::string::npos) << out;
  EXPECT_NE(out.find("bad stack: the frame"), std::string::npos) << out;
  EXPECT_NE(out.find("is above the target frame"), std::string::npos) << out;
}

// A kernel APC queued inside a critical region is still pending when the
// thread returns: its rundown routine runs on the exiting thread; its
// kernel and normal routines never do.
TEST(ApcRundown, ExitingThreadRunsTheRundownRoutineOfItsPendingKernelApc) {
  Program p;
  p.spec.entry_point = kMain;
  uint32_t apc = p.var();
  p.var();
  p.var();
  uint32_t rundown_text = p.string("rundown %08x\n"), kernel_text = p.string("kernel routine\n");
  uint32_t kernel_routine = kCode + 0x200, rundown_routine = kCode + 0x300;
  Asm k(kernel_routine);
  prolog(k);
  k.li32(3, kernel_text);
  k.bl(p.thunk(kDbgPrint));
  epilog(k);
  p.place(k);
  Asm r(rundown_routine);
  prolog(r);
  r.mr(4, 3);
  r.li32(3, rundown_text);
  r.bl(p.thunk(kDbgPrint));
  epilog(r);
  p.place(r);
  Asm m(kMain);
  prolog(m);
  m.bl(p.thunk(0x05F));  // KeEnterCriticalRegion
  m.li32(3, apc);
  m.lwz(4, 0x100, 13);   // KPCR -> current KTHREAD
  m.li32(5, kernel_routine);
  m.li32(6, rundown_routine);
  m.li32(7, kernel_routine);  // a normal routine: held back by the critical region
  m.li(8, 0);
  m.li(9, 0);
  m.bl(p.thunk(0x06D));  // KeInitializeApc
  m.li32(3, apc);
  m.li(4, 0);
  m.li(5, 0);
  m.li(6, 0);
  m.bl(p.thunk(0x07A));  // KeInsertQueueApc
  m.li(3, 0);
  epilog(m);
  p.place(m);
  std::string out;
  EXPECT_EQ(run_xdet(p.write("apc_rundown.xex"), &out), 0) << out;
  char expect[32];
  std::snprintf(expect, sizeof expect, "rundown %08x", apc);
  EXPECT_NE(out.find(expect), std::string::npos) << out;
  EXPECT_EQ(out.find("kernel routine"), std::string::npos) << out;
}

}  // namespace
}  // namespace xdet::test
