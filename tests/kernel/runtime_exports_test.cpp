// xboxkrnl module/runtime exports: Xex*, RtlImageXexHeaderField,
// ExGetXConfigSetting, title termination, Rtl strings and time fields,
// sprintf, XeCrypt.
#include <cstring>
#include <string>

#include "export_call.h"
#include "kernel/title_state.h"
#include "kernel_fixture.h"
#include "loader/loader.h"

namespace xdet::test {
namespace {

using namespace kernel;
constexpr KernelModule kKrnl = KernelModule::kXboxkrnl;

struct RuntimeExports : KernelFixture {
  Thread* t = nullptr;
  void SetUp() override {
    t = spawn();
    run_as(t);
  }
  uint32_t call(uint16_t ord, std::initializer_list<uint64_t> args) { return call_export(*k, *t, kKrnl, ord, args); }
  uint32_t put_string(const std::string& s) {
    uint32_t a = data.allocate(static_cast<uint32_t>(s.size() + 1), 4);
    mem.write_bytes(a, s.data(), static_cast<uint32_t>(s.size()));
    mem.write8(a + static_cast<uint32_t>(s.size()), 0);
    return a;
  }
  std::string hex(uint32_t a, uint32_t n) {
    std::string s;
    for (uint32_t i = 0; i < n; ++i) s += fmt::format("{:02x}", mem.read8(a + i));
    return s;
  }
};

TEST_F(RuntimeExports, PrivilegesComeFromTheSystemFlags) {
  xex::XexFile headers;
  headers.system_flags = 0x80000401u;
  k->title().set_headers(headers, "t.xex");
  EXPECT_EQ(call(404, {0}), 1u);
  EXPECT_EQ(call(404, {10}), 1u);
  EXPECT_EQ(call(404, {31}), 1u);
  EXPECT_EQ(call(404, {1}), 0u);
  EXPECT_EQ(call(404, {32}), 0u);
}

TEST_F(RuntimeExports, ModuleHandlesAndProcedureThunks) {
  k->title().set_headers(xex::XexFile{}, "game.xex");
  uint32_t out = data.allocate(4, 4);
  EXPECT_EQ(call(405, {0, out}), kStatusSuccess);
  uint32_t self = mem.read32(out);
  EXPECT_NE(self, 0u);
  EXPECT_EQ(call(405, {put_string("GAME.XEX"), out}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out), self);
  EXPECT_EQ(call(405, {put_string("xam.xex"), out}), kStatusSuccess);
  uint32_t xam = mem.read32(out);
  EXPECT_EQ(call(405, {put_string("xboxkrnl.exe"), out}), kStatusSuccess);
  uint32_t krnl = mem.read32(out);
  EXPECT_NE(xam, krnl);
  EXPECT_EQ(call(405, {put_string("other.dll"), out}), 0xC0000135u);

  // Thunks: `sc 2; blr`, one per (module, ordinal), mapped back by address.
  EXPECT_EQ(call(407, {krnl, 309, out}), kStatusSuccess);
  uint32_t thunk = mem.read32(out);
  EXPECT_EQ(mem.read32(thunk), 0x44000042u);
  EXPECT_EQ(mem.read32(thunk + 4), 0x4E800020u);
  auto back = k->title().find_thunk(thunk);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first, kKrnl);
  EXPECT_EQ(back->second, 309);
  EXPECT_EQ(call(407, {xam, put_string("XGetAVPack"), out}), kStatusSuccess);
  uint32_t xthunk = mem.read32(out);
  EXPECT_NE(xthunk, thunk);
  EXPECT_EQ(k->title().find_thunk(xthunk)->second, 0x3CB);
  EXPECT_EQ(k->title().find_thunk(xthunk)->first, KernelModule::kXam);
  EXPECT_EQ(call(407, {krnl, 309, out}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out), thunk);
  EXPECT_EQ(call(407, {krnl, 0x7FF, out}), 0xC0000262u);
  EXPECT_EQ(call(407, {xam, put_string("NoSuch"), out}), 0xC0000263u);
  // A variable export resolves to the variable itself.
  EXPECT_EQ(call(407, {krnl, 0x156, out}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out), k->kernel_variable(0x156));
}

TEST_F(RuntimeExports, ModuleSectionsAreTheXexResources) {
  loader::LoadedModule m;
  m.name = "game.xex";
  m.header_block.assign(0x40, 0);
  m.xex.resources.push_back({"strings", 0x82100000, 0x40});
  m.xex.resources.push_back({"media123", 0x82200000, 0x1000});
  k->title().set_headers(m.xex, "game.xex");
  k->title().bind_module(*k, m);
  uint32_t out = data.allocate(8, 4), self = data.allocate(4, 4);
  ASSERT_EQ(call(405, {0, self}), kStatusSuccess);
  EXPECT_EQ(call(406, {mem.read32(self), put_string("media123"), out, out + 4}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out), 0x82200000u);
  EXPECT_EQ(mem.read32(out + 4), 0x1000u);
  EXPECT_EQ(call(406, {0, put_string("strings"), out, out + 4}), kStatusSuccess);
  EXPECT_EQ(mem.read32(out), 0x82100000u);
  EXPECT_EQ(call(406, {0, put_string("Strings"), out, out + 4}), 0xC0000225u);
  EXPECT_EQ(call(406, {0x1234, put_string("strings"), out, out + 4}), kStatusInvalidHandle);
  // The LDR entry points at the guest copy of the headers.
  EXPECT_EQ(mem.read32(mem.read32(self) + 0x58), k->title().header_copy());
}

TEST_F(RuntimeExports, XexHeaderFieldsByKeyKind) {
  uint32_t h = data.allocate(0x100, 16);
  mem.write32(h + 0x14, 3);
  mem.write32(h + 0x18, 0x00010100), mem.write32(h + 0x1C, 0x82001234);  // inline value
  mem.write32(h + 0x20, 0x00030001), mem.write32(h + 0x24, 0x00000042);  // value field itself
  mem.write32(h + 0x28, 0x00040006), mem.write32(h + 0x2C, 0x00000080);  // offset
  EXPECT_EQ(call(299, {h, 0x00010100}), 0x82001234u);
  EXPECT_EQ(call(299, {h, 0x00030001}), h + 0x24);
  EXPECT_EQ(call(299, {h, 0x00040006}), h + 0x80);
  EXPECT_EQ(call(299, {h, 0x00020200}), 0u);
  EXPECT_EQ(call(299, {0, 0x00010100}), 0u);
}

TEST_F(RuntimeExports, XConfigDefaultsOptionsAndErrors) {
  uint32_t buf = data.allocate(8, 4), req = data.allocate(4, 4);
  EXPECT_EQ(call(16, {3, 9, buf, 4, req}), kStatusSuccess);
  EXPECT_EQ(mem.read32(buf), 1u);
  EXPECT_EQ(mem.read16(req), 4);
  EXPECT_EQ(call(16, {2, 2, buf, 4, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(buf), 0x1000u);
  k->title().options().language = 3;
  k->title().options().widescreen = true;
  EXPECT_EQ(call(16, {3, 9, buf, 4, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(buf), 3u);
  EXPECT_EQ(call(16, {3, 10, buf, 4, 0}), kStatusSuccess);
  EXPECT_EQ(mem.read32(buf), 0x00050000u);
  EXPECT_EQ(call(16, {3, 9, buf, 3, 0}), 0xC0000023u);
  EXPECT_EQ(call(16, {3, 9, 0, 4, 0}), 0xC00000F1u);
  EXPECT_EQ(call(16, {3, 9, 0, 0, req}), kStatusSuccess);  // size query
  EXPECT_EQ(call(16, {7, 9, buf, 4, 0}), 0xC00000EFu);
  EXPECT_EQ(call(16, {3, 0x55, buf, 4, 0}), 0xC00000F0u);
}

TEST_F(RuntimeExports, HalReturnToFirmwareEndsEveryThread) {
  Thread* other = spawn();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(k->live_thread_count(), 2u);
  call_export(*k, *t, kKrnl, 40, {1});
  EXPECT_EQ(k->live_thread_count(), 0u);
  EXPECT_EQ(other->state, ThreadState::kTerminated);
  EXPECT_EQ(t->state, ThreadState::kTerminated);
}

TEST_F(RuntimeExports, TerminationRunsTheNotificationRoutinesOnTheCaller) {
  Thread* other = spawn();
  uint32_t a = data.allocate(16, 4), b = data.allocate(16, 4);
  mem.write32(a, 0x82001000), mem.write32(a + 4, 1);
  mem.write32(b, 0x82002000), mem.write32(b + 4, 7);
  call(21, {a, 1});
  call(21, {b, 1});
  call_export(*k, *t, kKrnl, 40, {3});
  EXPECT_EQ(other->state, ThreadState::kTerminated);
  ASSERT_NE(t->state, ThreadState::kTerminated);
  // The caller continues in a stub: b (priority 7) first, then a, then the
  // return sentinel with r3 = 3.
  uint32_t pc = t->ctx.pc;
  EXPECT_EQ(mem.read32(pc), 0x3D808200u);       // lis r12, 0x8200
  EXPECT_EQ(mem.read32(pc + 4), 0x618C2000u);   // ori r12, r12, 0x2000
  EXPECT_EQ(mem.read32(pc + 12), 0x4E800421u);  // bctrl
  EXPECT_EQ(mem.read32(pc + 20), 0x618C1000u);
  EXPECT_EQ(mem.read32(pc + 32), 0x3C600000u);  // lis r3, 0
  EXPECT_EQ(mem.read32(pc + 36), 0x60630003u);  // ori r3, r3, 3
  EXPECT_EQ(mem.read32(pc + 52), 0x4E800420u);  // bctr to the sentinel
  EXPECT_TRUE(k->title().terminate_registrations().empty());
}

TEST_F(RuntimeExports, StringsAndConversions) {
  uint32_t s = data.allocate(8, 4);
  uint32_t src = put_string("hello!");
  call(300, {s, src});
  EXPECT_EQ(mem.read16(s), 6);
  EXPECT_EQ(mem.read16(s + 2), 7);
  EXPECT_EQ(mem.read32(s + 4), src);
  call(300, {s, 0});
  EXPECT_EQ(mem.read16(s), 0);
  EXPECT_EQ(mem.read16(s + 2), 0);

  uint32_t w = data.allocate(32, 4), written = data.allocate(4, 4);
  EXPECT_EQ(call(307, {w, 8, written, src, 6}), kStatusSuccess);  // room for 4 units
  EXPECT_EQ(mem.read32(written), 8u);
  EXPECT_EQ(mem.read16(w + 6), 'l');
  uint32_t n = data.allocate(8, 4);
  EXPECT_EQ(call(323, {n, 8, written, w, 8}), kStatusSuccess);
  EXPECT_EQ(mem.read32(written), 4u);
  EXPECT_EQ(mem.read_cstring(n, 4), "hell");

  EXPECT_EQ(call(309, {0xC0000034}), 2u);
  EXPECT_EQ(call(309, {0x00000103}), 997u);
  EXPECT_EQ(call(309, {0x80070005}), 5u);
  EXPECT_EQ(call(309, {0xC0001234}), 317u);
}

TEST_F(RuntimeExports, TimeFieldsRoundTripAndRejectBadDates) {
  uint32_t f = data.allocate(16, 4), tm = data.allocate(8, 8);
  // 1601-01-01 is a Monday; 2000-02-29 exists; 1900-02-29 does not.
  mem.write64(tm, 0);
  call(320, {tm, f});
  EXPECT_EQ(mem.read16(f), 1601);
  EXPECT_EQ(mem.read16(f + 14), 1);
  for (uint64_t t100 : {0ull, 125911584000000000ull /* 2000-01-01 */, 130000000000000000ull, 128000000012345678ull}) {
    mem.write64(tm, t100);
    call(320, {tm, f});
    mem.write64(tm, 1);
    EXPECT_EQ(call(319, {f, tm}), 1u);
    EXPECT_EQ(mem.read64(tm), t100 / 10000 * 10000) << t100;  // milliseconds precision
  }
  mem.write64(tm, 125911584000000000ull);
  call(320, {tm, f});
  EXPECT_EQ(mem.read16(f), 2000);
  EXPECT_EQ(mem.read16(f + 2), 1);
  EXPECT_EQ(mem.read16(f + 4), 1);
  EXPECT_EQ(mem.read16(f + 14), 6);  // Saturday
  mem.write16(f, 1900), mem.write16(f + 2, 2), mem.write16(f + 4, 29);
  EXPECT_EQ(call(319, {f, tm}), 0u);
  mem.write16(f, 2000);
  EXPECT_EQ(call(319, {f, tm}), 1u);
}

TEST_F(RuntimeExports, WideSprintfFloatsAndCounts) {
  auto wide = [&](const std::u16string& text) {
    uint32_t a = data.allocate(static_cast<uint32_t>(2 * text.size() + 2), 4);
    for (size_t i = 0; i <= text.size(); ++i) mem.write16(a + static_cast<uint32_t>(2 * i), i < text.size() ? text[i] : 0);
    return a;
  };
  auto read_wide = [&](uint32_t a) {
    std::u16string out;
    for (uint32_t i = 0;; i += 2) {
      uint16_t u = mem.read16(a + i);
      if (!u) return out;
      out.push_back(u);
    }
  };
  uint64_t pi_bits;
  double pi = 3.14159;
  std::memcpy(&pi_bits, &pi, 8);
  uint32_t buf = data.allocate(128, 4);
  // swprintf: %s is a wide string, %S and %hs narrow ones.
  EXPECT_EQ(call(0x13E, {buf, wide(u"%s|%S|%hs|%d|%.2f|%c"), wide(u"w\u00e9"), put_string("n"), put_string("h"), 42,
                         pi_bits, 0x263A}),
            16u);
  EXPECT_EQ(read_wide(buf), u"w\u00e9|n|h|42|3.14|\u263a");
  // _snwprintf truncates without a terminator and returns -1.
  for (uint32_t i = 0; i < 16; i += 2) mem.write16(buf + i, '#');
  EXPECT_EQ(call(0x13D, {buf, 3, wide(u"%d"), 12345}), 0xFFFFFFFFu);
  EXPECT_EQ(mem.read16(buf + 4), '3');
  EXPECT_EQ(mem.read16(buf + 6), '#');
  // Narrow sprintf with floats, %S (wide) and width/precision on strings.
  EXPECT_EQ(call(315, {buf, put_string("%5.1f|%e|%S|%-4s|%.2s"), pi_bits, pi_bits, wide(u"ab\u263a"), put_string("x"),
                       put_string("xyz")}),
            30u);
  EXPECT_EQ(mem.read_cstring(buf, 128), "  3.1|3.141590e+00|ab?|x   |xy");
  // _scprintf / _scwprintf count without writing; the v* forms read 8-byte slots.
  EXPECT_EQ(call(0x139, {put_string("%d-%d"), 10, 200}), 6u);
  EXPECT_EQ(call(0x13C, {wide(u"%ls!"), wide(u"abc")}), 4u);
  uint32_t va = data.allocate(16, 8);
  mem.write64(va, 7);
  mem.write64(va + 8, wide(u"z"));
  EXPECT_EQ(call(0x151, {buf, wide(u"%u%s"), va}), 2u);
  EXPECT_EQ(read_wide(buf), u"7z");
  EXPECT_EQ(call(0x150, {buf, 1, wide(u"%u%s"), va}), 0xFFFFFFFFu);
  EXPECT_EQ(call(0x14C, {put_string("%u"), va}), 1u);
  EXPECT_EQ(call(0x14F, {wide(u"%u%s"), va}), 2u);
}

TEST_F(RuntimeExports, CountedStringsConvertCopyAppendCompareAndFree) {
  uint32_t ansi = data.allocate(8, 4), uni = data.allocate(8, 4), out = data.allocate(8, 4);
  call(300, {ansi, put_string("Caf\xe9")});
  // Allocating conversion: pool buffer, terminated, then freed.
  mem.write32(uni + 4, 0);
  EXPECT_EQ(call(0x114, {uni, ansi, 1}), kStatusSuccess);
  EXPECT_EQ(mem.read16(uni), 8);
  EXPECT_EQ(mem.read16(uni + 2), 10);
  uint32_t ubuf = mem.read32(uni + 4);
  ASSERT_NE(ubuf, 0u);
  EXPECT_EQ(mem.read16(ubuf + 6), 0xE9);
  EXPECT_EQ(mem.read16(ubuf + 8), 0);
  // Into a caller buffer that is too small: BUFFER_OVERFLOW.
  uint32_t small = data.allocate(4, 4);
  mem.write16(out, 0), mem.write16(out + 2, 4), mem.write32(out + 4, small);
  EXPECT_EQ(call(0x114, {out, ansi, 0}), kStatusBufferOverflow);
  // And back, allocating.
  uint32_t back = data.allocate(8, 4);
  EXPECT_EQ(call(0x142, {back, uni, 1}), kStatusSuccess);
  EXPECT_EQ(mem.read16(back), 4);
  EXPECT_EQ(mem.read_cstring(mem.read32(back + 4), 8), "Caf\xe9");
  // Compare: case-insensitive equal, case-sensitive not, length breaks ties.
  uint32_t upper = data.allocate(8, 4);
  call(300, {upper, put_string("CAF\xc9")});
  EXPECT_NE(call(0x11C, {ansi, upper, 0}), 0u);
  EXPECT_EQ(call(0x11C, {ansi, upper, 1}), 0u);
  uint32_t shorter = data.allocate(8, 4);
  call(300, {shorter, put_string("Ca")});
  EXPECT_GT(static_cast<int32_t>(call(0x11C, {ansi, shorter, 0})), 0);
  EXPECT_LT(static_cast<int32_t>(call(0x11C, {shorter, ansi, 0})), 0);
  // Append to a bounded unicode string, then copy it.
  uint32_t dst = data.allocate(8, 4), dbuf = data.allocate(12, 4);
  mem.write16(dst, 0), mem.write16(dst + 2, 12), mem.write32(dst + 4, dbuf);
  EXPECT_EQ(call(0x116, {dst, uni}), kStatusSuccess);
  EXPECT_EQ(mem.read16(dst), 8);
  EXPECT_EQ(mem.read16(dbuf + 8), 0);  // terminated: room was left
  EXPECT_EQ(call(0x116, {dst, uni}), kStatusBufferTooSmall);
  uint32_t tail = data.allocate(4, 4);
  mem.write16(tail, '!'), mem.write16(tail + 2, 0);
  EXPECT_EQ(call(0x117, {dst, tail}), kStatusSuccess);
  EXPECT_EQ(mem.read16(dst), 10);
  EXPECT_EQ(mem.read16(dbuf + 8), '!');
  uint32_t copy = data.allocate(8, 4), cbuf = data.allocate(6, 4);
  mem.write16(copy, 0), mem.write16(copy + 2, 6), mem.write32(copy + 4, cbuf);
  call(0x122, {copy, dst});
  EXPECT_EQ(mem.read16(copy), 6);  // truncated to MaximumLength
  EXPECT_EQ(mem.read16(cbuf + 4), 'f');
  EXPECT_EQ(call(0x11E, {uni, dst, 0}), static_cast<uint32_t>(-1));  // shorter
  // Case mapping and sizes.
  EXPECT_EQ(call(0x149, {0xE9}), 0xC9u);
  EXPECT_EQ(call(0x124, {0xC9}), 0xE9u);
  EXPECT_EQ(call(0x149, {0x263A}), 0x263Au);
  uint32_t size = data.allocate(4, 4);
  EXPECT_EQ(call(0x134, {size, 0, 5}), kStatusSuccess);
  EXPECT_EQ(mem.read32(size), 10u);
  EXPECT_EQ(call(0x144, {size, 0, 10}), kStatusSuccess);
  EXPECT_EQ(mem.read32(size), 5u);
  // RtlCreateUnicodeString copies into the pool; the free calls zero the struct.
  uint32_t made = data.allocate(8, 4);
  EXPECT_EQ(call(0x123, {made, tail}), 1u);
  EXPECT_EQ(mem.read16(made), 2);
  EXPECT_NE(mem.read32(made + 4), tail);
  call(0x128, {made});
  call(0x128, {uni});
  call(0x127, {back});
  EXPECT_EQ(mem.read32(uni + 4), 0u);
  EXPECT_EQ(mem.read32(back + 4), 0u);
  EXPECT_EQ(mem.read16(back + 2), 0);
}

TEST_F(RuntimeExports, SprintfFamily) {
  uint32_t buf = data.allocate(64, 4);
  EXPECT_EQ(call(315, {buf, put_string("%s=%d/%x"), put_string("n"), static_cast<uint32_t>(-5), 255}), 7u);
  EXPECT_EQ(mem.read_cstring(buf, 64), "n=-5/ff");
  for (uint32_t i = 0; i < 16; ++i) mem.write8(buf + i, '#');
  EXPECT_EQ(call(314, {buf, 3, put_string("%d"), 12345}), 0xFFFFFFFFu);
  EXPECT_EQ(mem.read8(buf + 2), '3');
  EXPECT_EQ(mem.read8(buf + 3), '#');
  EXPECT_EQ(call(314, {buf, 8, put_string("%d"), 12345}), 5u);
  EXPECT_EQ(mem.read_cstring(buf, 64), "12345");
  uint32_t va = data.allocate(16, 8);
  mem.write64(va, 9);
  mem.write64(va + 8, put_string("x"));
  EXPECT_EQ(call(333, {buf, 64, put_string("%u%s"), va}), 2u);
  EXPECT_EQ(mem.read_cstring(buf, 64), "9x");
}

TEST_F(RuntimeExports, ShaStreamingMatchesOneShotAtEveryBoundary) {
  std::string msg;
  for (int i = 0; i < 300; ++i) msg.push_back(static_cast<char>('a' + i % 26));
  uint32_t m = put_string(msg), st = data.allocate(0x70, 8), out = data.allocate(32, 4), ref = data.allocate(32, 4);
  call(402, {m, static_cast<uint32_t>(msg.size()), 0, 0, 0, 0, ref, 20});
  for (uint32_t split : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 128u, 299u}) {
    call(399, {st});
    call(400, {st, m, split});
    call(400, {st, m + split, static_cast<uint32_t>(msg.size()) - split});
    call(401, {st, out, 20});
    EXPECT_EQ(hex(out, 20), hex(ref, 20)) << split;
  }
  call(402, {put_string("abc"), 3, 0, 0, 0, 0, out, 20});
  EXPECT_EQ(hex(out, 20), "a9993e364706816aba3e25717850c26c9cd0d89d");
  call(784, {st});
  call(785, {st, put_string("ab"), 2});
  call(785, {st, put_string("c"), 1});
  call(786, {st, out, 32});
  EXPECT_EQ(hex(out, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  call(787, {put_string("abc"), 3, 0, 0, 0, 0, ref, 16});  // truncated output
  EXPECT_EQ(hex(ref, 16), hex(out, 16));
}

TEST_F(RuntimeExports, AesMatchesFips197AndCbcChainsTheFeed) {
  uint32_t st = data.allocate(0x160, 16), key = data.allocate(16, 4), blk = data.allocate(64, 16);
  for (uint32_t i = 0; i < 16; ++i) mem.write8(key + i, static_cast<uint8_t>(i));
  call(345, {st, key});
  EXPECT_EQ(hex(st, 16), "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(hex(st + 0xA0, 16), "13111d7fe3944a17f307a78b4d2b30c5");  // round key 10
  for (uint32_t i = 0; i < 16; ++i) mem.write8(blk + i, static_cast<uint8_t>(i * 0x11));
  call(346, {st, blk, blk + 16, 1});
  EXPECT_EQ(hex(blk + 16, 16), "69c4e0d86a7b0430d8cdb78070b4c55a");
  call(346, {st, blk + 16, blk + 32, 0});
  EXPECT_EQ(hex(blk + 32, 16), hex(blk, 16));
  // CBC over two blocks in one call equals two one-block calls (feed chains).
  uint32_t iv = data.allocate(16, 4), iv2 = data.allocate(16, 4), a = data.allocate(32, 16), b = data.allocate(32, 16);
  for (uint32_t i = 0; i < 16; ++i) mem.write8(iv + i, 0xA0), mem.write8(iv2 + i, 0xA0);
  for (uint32_t i = 0; i < 32; ++i) mem.write8(blk + i, static_cast<uint8_t>(3 * i));
  call(347, {st, blk, 32, a, iv, 1});
  call(347, {st, blk, 16, b, iv2, 1});
  call(347, {st, blk + 16, 16, b + 16, iv2, 1});
  EXPECT_EQ(hex(a, 32), hex(b, 32));
  EXPECT_EQ(hex(iv, 16), hex(a + 16, 16));
  for (uint32_t i = 0; i < 16; ++i) mem.write8(iv + i, 0xA0);
  call(347, {st, a, 32, b, iv, 0});
  EXPECT_EQ(hex(b, 32), hex(blk, 32));
}

TEST_F(RuntimeExports, RandomIsASeededDeterministicStream) {
  auto draw = [&](uint64_t seed) {
    GuestMemory m2;
    RangeHeap pool2{m2, 0x00100000, 0x00F00000};
    RangeStackAllocator stacks2{m2, 0x70000000, 0x0F000000};
    Kernel k2(m2, pool2, stacks2);
    k2.title().options().seed = seed;
    ThreadParams p;
    p.entry_pc = 0x82001000;
    Thread* th = k2.create_thread(nullptr, p, nullptr);
    k2.set_current(th);
    uint32_t out = pool2.allocate(16, 8);
    EXPECT_EQ(call_export(k2, *th, kKrnl, 394, {out, 16}), kStatusSuccess);
    std::string s;
    for (uint32_t i = 0; i < 16; ++i) s += fmt::format("{:02x}", m2.read8(out + i));
    return s;
  };
  EXPECT_EQ(draw(1), draw(1));
  EXPECT_NE(draw(1), draw(2));
  EXPECT_NE(draw(1).substr(0, 16), draw(1).substr(16));
}

TEST_F(RuntimeExports, UnimplementedImportsNameModuleOrdinalAndCaller) {
  DispatchResult r;
  call_export(*k, *t, KernelModule::kXam, 0x1A4, {0}, &r);  // XamLoaderLaunchTitle
  EXPECT_EQ(r.status, DispatchStatus::kUnimplemented);
  EXPECT_NE(r.message.find("xam.xex!XamLoaderLaunchTitle (ordinal 420) called from 82012340"), std::string::npos)
      << r.message;
  call_export(*k, *t, kKrnl, 425, {0}, &r);  // RtlImageNtHeader
  EXPECT_EQ(r.status, DispatchStatus::kUnimplemented);
  EXPECT_NE(r.message.find("xboxkrnl.exe!RtlImageNtHeader (ordinal 425)"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace xdet::test
