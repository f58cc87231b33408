// xam.xex exports: console info, launch data, profiles, input scripts,
// notification listeners, UI answers with XOVERLAPPED completion,
// enumeration and XMsg.
#include <cstring>
#include <string>

#include "../export_call.h"
#include "../kernel_fixture.h"
#include "base/error.h"
#include "kernel/objects.h"
#include "kernel/title_state.h"
#include "kernel/virtual_clock.h"

namespace xdet::test {
namespace {

using namespace kernel;
constexpr KernelModule kXam = KernelModule::kXam;

struct XamExports : KernelFixture {
  Thread* t = nullptr;
  void SetUp() override {
    t = spawn();
    run_as(t);
  }
  uint32_t call(uint16_t ord, std::initializer_list<uint64_t> args) { return call_export(*k, *t, kXam, ord, args); }
  uint32_t buf(uint32_t n) { return data.allocate(n, 8); }
  uint32_t wide(const std::u16string& s) {
    uint32_t a = buf(static_cast<uint32_t>(2 * s.size() + 2));
    for (size_t i = 0; i <= s.size(); ++i) mem.write16(a + static_cast<uint32_t>(2 * i), i < s.size() ? s[i] : 0);
    return a;
  }
  uint32_t object_of(uint32_t handle) {
    uint32_t obj = 0;
    uint8_t type = 0;
    EXPECT_EQ(k->resolve_handle(*t, handle, &obj, &type), kStatusSuccess);
    return obj;
  }
  bool signalled(uint32_t handle) { return mem.read32(object_of(handle) + layout::kHeaderSignalState) != 0; }
};

TEST_F(XamExports, ConsoleInfoFollowsTheOptions) {
  EXPECT_EQ(call(0x3CB, {}), 6u);
  EXPECT_EQ(call(0x3CC, {}), 0xFFFFu);
  EXPECT_EQ(call(0x3CD, {}), 1u);
  k->title().options().av_pack = 3;
  k->title().options().game_region = 0x02FE;
  k->title().options().language = 5;
  EXPECT_EQ(call(0x3CB, {}), 3u);
  EXPECT_EQ(call(0x3CC, {}), 0x02FEu);
  EXPECT_EQ(call(0x3CD, {}), 5u);
  EXPECT_EQ(call(0x282, {}), 0x20FFFF80u);
  EXPECT_EQ(call(0x1A0, {0, 0}), 0u);
  EXPECT_FALSE(k->title().inactivity_processing);
  EXPECT_EQ(call(0x1A1, {}), 0u);
}

TEST_F(XamExports, LaunchDataRoundTrip) {
  uint32_t size = buf(4), b = buf(16);
  EXPECT_EQ(call(0x1A7, {size}), 1168u);
  EXPECT_EQ(mem.read32(size), 0u);
  EXPECT_EQ(call(0x1A8, {b, 16}), 1168u);
  mem.write32(b, 0xA1B2C3D4);
  EXPECT_EQ(call(0x1A6, {b, 4}), 0u);
  EXPECT_EQ(call(0x1A7, {size}), 0u);
  EXPECT_EQ(mem.read32(size), 4u);
  uint32_t out = buf(16);
  EXPECT_EQ(call(0x1A8, {out, 2}), 0u);  // truncated to the buffer
  EXPECT_EQ(mem.read16(out), 0xA1B2);
  EXPECT_EQ(mem.read16(out + 2), 0);
}

TEST_F(XamExports, OneOfflineProfileByDefault) {
  uint32_t name = buf(16), xuid = buf(8), info = buf(0x28);
  EXPECT_EQ(call(0x210, {0}), 1u);
  EXPECT_EQ(call(0x210, {1}), 0u);
  EXPECT_EQ(call(0x20E, {0, name, 16}), 0u);
  EXPECT_EQ(mem.read_cstring(name, 16), "xdet");
  EXPECT_EQ(call(0x20E, {0, name, 3}), 0u);
  EXPECT_EQ(mem.read_cstring(name, 16), "xd");
  EXPECT_EQ(call(0x20A, {0, 1, xuid}), 0u);
  EXPECT_EQ(mem.read64(xuid), 0xE000000000000001ull);
  EXPECT_EQ(call(0x20A, {0, 2, xuid}), 1317u);  // no online XUID offline
  EXPECT_EQ(call(0x20A, {4, 1, xuid}), 87u);
  EXPECT_EQ(call(0x227, {0, 0, info}), 0u);
  EXPECT_EQ(mem.read64(info), 0xE000000000000001ull);
  EXPECT_EQ(mem.read32(info + 0xC), 1u);
  EXPECT_EQ(mem.read_cstring(info + 0x18, 16), "xdet");
  EXPECT_EQ(call(0x20E, {2, name, 16}), 1317u);
}

TEST_F(XamExports, ProfileSettingsReadDefaultsAndWhatTheTitleWrote) {
  // Write an int32 and a blob.
  uint32_t w = buf(2 * 0x28), blob = buf(4);
  for (uint32_t i = 0; i < 0x50; i += 4) mem.write32(w + i, 0);
  mem.write32(w + 0x10, 0x10040038), mem.write32(w + 0x20, 77);               // int32 (type 1)
  mem.write32(w + 0x28 + 0x10, 0x63E83FFF), mem.write32(w + 0x28 + 0x20, 3);  // binary (type 6)
  mem.write32(w + 0x28 + 0x24, blob);
  mem.write32(blob, 0xABCDEF00);
  EXPECT_EQ(call(0x21A, {0x58440000, 0, 2, w, 0}), 0u);
  EXPECT_EQ(call(0x21A, {0x58440000, 1, 2, w, 0}), 1317u);

  uint32_t ids = buf(16), size = buf(4);
  mem.write32(ids, 0x10040003), mem.write32(ids + 4, 0x10040038), mem.write32(ids + 8, 0x63E83FFF);
  mem.write32(ids + 12, 0x10040099);
  mem.write32(size, 0);
  uint32_t sp = static_cast<uint32_t>(t->ctx.gpr[1]);
  mem.write32(sp + 0x54, 0);  // no overlapped
  EXPECT_EQ(call(0x219, {0x58440000, 0, 0, 0, 4, ids, size, 0}), 122u);
  uint32_t need = mem.read32(size);
  EXPECT_EQ(need, 8u + 4 * 0x28 + 3);
  uint32_t out = buf(need);
  EXPECT_EQ(call(0x219, {0x58440000, 0, 0, 0, 4, ids, size, out}), 0u);
  EXPECT_EQ(mem.read32(out), 4u);
  uint32_t e = mem.read32(out + 4);
  EXPECT_EQ(e, out + 8);
  EXPECT_EQ(mem.read32(e), 1u);  // vibration: system default, on
  EXPECT_EQ(mem.read32(e + 0x20), 1u);
  EXPECT_EQ(mem.read32(e + 0x28), 2u);  // written by the title
  EXPECT_EQ(mem.read32(e + 0x28 + 0x20), 77u);
  EXPECT_EQ(mem.read32(e + 0x50), 2u);
  EXPECT_EQ(mem.read32(e + 0x50 + 0x20), 3u);
  uint32_t data_at = mem.read32(e + 0x50 + 0x24);
  EXPECT_EQ(data_at, out + 8 + 4 * 0x28);
  EXPECT_EQ(mem.read8(data_at + 2), 0xEF);
  EXPECT_EQ(mem.read32(e + 0x78), 0u);  // never set: no value
  EXPECT_EQ(mem.read32(e + 0x78 + 0x10), 0x10040099u);
}

TEST_F(XamExports, NoProfile) {
  k->title().options().profile_signed_in = false;
  uint32_t name = buf(16), xuid = buf(8), info = buf(0x28);
  EXPECT_EQ(call(0x210, {0}), 0u);
  EXPECT_EQ(call(0x20E, {0, name, 16}), 1317u);
  EXPECT_EQ(call(0x20A, {0, 1, xuid}), 1317u);
  EXPECT_EQ(call(0x227, {0, 0, info}), 1317u);
}

TEST_F(XamExports, InputScriptPlaysPerFrameFromVirtualTime) {
  uint32_t st = buf(16), caps = buf(0x14);
  EXPECT_EQ(call(0x191, {0, 0, st}), 1167u);
  EXPECT_EQ(call(0x190, {0, 1, caps}), 1167u);
  k->title().options().controller_connected = true;
  k->title().options().input = parse_input_script("# test\n1 0x1000\n3 0x0020 10 20 -100 100 0 -32768\n", "pad");
  k->set_now(0);
  EXPECT_EQ(call(0x191, {0, 0, st}), 0u);
  EXPECT_EQ(mem.read32(st), 0u);  // before the first line: idle
  EXPECT_EQ(mem.read16(st + 4), 0);
  k->set_now(units_from_ms(17));  // frame 1
  EXPECT_EQ(call(0x191, {0xFF, 0, st}), 0u);
  EXPECT_EQ(mem.read32(st), 1u);
  EXPECT_EQ(mem.read16(st + 4), 0x1000);
  k->set_now(units_from_ms(60));  // frame 3
  EXPECT_EQ(call(0x191, {0, 0, st}), 0u);
  EXPECT_EQ(mem.read32(st), 2u);
  EXPECT_EQ(mem.read16(st + 4), 0x0020);
  EXPECT_EQ(mem.read8(st + 6), 10);
  EXPECT_EQ(static_cast<int16_t>(mem.read16(st + 8)), -100);
  EXPECT_EQ(static_cast<int16_t>(mem.read16(st + 14)), -32768);
  EXPECT_EQ(call(0x191, {1, 0, st}), 1167u);
  EXPECT_EQ(call(0x191, {4, 0, st}), 160u);
  EXPECT_EQ(call(0x190, {0, 1, caps}), 0u);
  EXPECT_EQ(mem.read8(caps), 1);
  uint32_t vib = buf(4);
  mem.write16(vib, 1000), mem.write16(vib + 2, 2000);
  EXPECT_EQ(call(0x192, {0, 0, vib}), 0u);
  EXPECT_EQ(k->title().vibration_right, 2000);
}

TEST_F(XamExports, KeystrokesFollowButtonChanges) {
  uint32_t ks = buf(8);
  EXPECT_EQ(call(0x193, {0, 0, ks}), 1167u);
  k->title().options().controller_connected = true;
  k->title().options().input = parse_input_script("0 0\n1 0x1010\n2 0x0010\n", "pad");
  k->set_now(0);
  EXPECT_EQ(call(0x193, {0, 0, ks}), 4306u);  // nothing pressed yet
  k->set_now(units_from_ms(20));              // frame 1: START and A down
  EXPECT_EQ(call(0x193, {0, 0, ks}), 0u);
  EXPECT_EQ(mem.read16(ks), 0x5814);  // VK_PAD_START (bit 4) first
  EXPECT_EQ(mem.read16(ks + 4), 1);
  EXPECT_EQ(call(0x193, {0, 0, ks}), 0u);
  EXPECT_EQ(mem.read16(ks), 0x5800);  // VK_PAD_A
  EXPECT_EQ(call(0x193, {0, 0, ks}), 4306u);
  k->set_now(units_from_ms(40));  // frame 2: A up
  uint32_t user = buf(4);
  mem.write32(user, 0xFF);
  EXPECT_EQ(call(0x198, {user, 0, ks}), 0u);
  EXPECT_EQ(mem.read16(ks), 0x5800);
  EXPECT_EQ(mem.read16(ks + 4), 2);
  EXPECT_EQ(mem.read32(user), 0u);
}

TEST_F(XamExports, InputScriptErrorsNameTheLine) {
  EXPECT_THROW(parse_input_script("0 0x1\n0 0x2\n", "s"), InputError);
  EXPECT_THROW(parse_input_script("0 0x10000\n", "s"), InputError);
  EXPECT_THROW(parse_input_script("0 1 2\n", "s"), InputError);
  try {
    parse_input_script("0 0\n\n# c\n5 x\n", "pad.txt");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("pad.txt:4"), std::string::npos) << e.what();
  }
}

TEST_F(XamExports, GuideScreensOpenAndCloseAndFeaturesAreOff) {
  uint32_t id = buf(4), param = buf(4);
  uint32_t sys = call(0x28A, {0x1});
  while (call(0x28B, {sys, 0, id, param})) {
  }
  for (uint16_t ord : {0x2BF, 0x2C4, 0x2C5, 0x2C7, 0x2D5}) {
    EXPECT_EQ(call(ord, {0, 0, 0, 0}), 0u) << ord;
    ASSERT_EQ(call(0x28B, {sys, 0, id, param}), 1u);
    EXPECT_EQ(mem.read32(id), 9u);
    EXPECT_EQ(mem.read32(param), 1u);
    ASSERT_EQ(call(0x28B, {sys, 0, id, param}), 1u);
    EXPECT_EQ(mem.read32(param), 0u);
    EXPECT_EQ(call(0x2EC, {}), 0u);
  }
  EXPECT_EQ(call(0x2BF, {7}), 87u);
  EXPECT_EQ(call(0x200, {1}), 0u);
}

TEST_F(XamExports, BootNotificationsGoToTheFirstSystemListenerOnly) {
  uint32_t id = buf(4), param = buf(4);
  uint32_t live = call(0x28A, {0x2});  // Live area only: not the boot set
  ASSERT_NE(live, 0u);
  EXPECT_FALSE(signalled(live));
  uint32_t sys = call(0x28A, {0x1});
  EXPECT_TRUE(signalled(sys));
  std::vector<std::pair<uint32_t, uint32_t>> got;
  while (call(0x28B, {sys, 0, id, param})) got.emplace_back(mem.read32(id), mem.read32(param));
  std::vector<std::pair<uint32_t, uint32_t>> want = {{9, 1}, {9, 0}, {10, 1}, {10, 1}};
  EXPECT_EQ(got, want);
  EXPECT_FALSE(signalled(sys));
  uint32_t later = call(0x28A, {0x1});
  EXPECT_EQ(call(0x28B, {later, 0, id, param}), 0u);
  EXPECT_EQ(call(0x28B, {live, 0, id, param}), 0u);
  EXPECT_EQ(call(0x28B, {0xDEAD, 0, id, param}), 0u);
}

TEST_F(XamExports, MessageBoxAnswersTheFocusedButtonAndCompletesTheOverlapped) {
  uint32_t listener = call(0x28A, {0x1});
  uint32_t id = buf(4), param = buf(4);
  while (call(0x28B, {listener, 0, id, param})) {
  }
  uint32_t ev = 0;
  ASSERT_EQ(k->create_event(*t, &ev, 0, false), kStatusSuccess);
  uint32_t ov = buf(0x1C), result = buf(4);
  for (uint32_t i = 0; i < 0x1C; i += 4) mem.write32(ov + i, 0xCCCCCCCC);
  mem.write32(ov + 0xC, ev);
  // (user, title, text, nbuttons, buttons, focus, flags, presult) + overlapped as stack argument 9.
  mem.write32(static_cast<uint32_t>(t->ctx.gpr[1]) + 0x54, ov);
  EXPECT_EQ(call(0x2CA, {0, wide(u"T"), wide(u"Q"), 3, buf(12), 2, 0, result}), 997u);
  EXPECT_EQ(mem.read32(result), 2u);
  EXPECT_EQ(mem.read32(ov), 0u);
  EXPECT_EQ(mem.read32(ov + 0x18), 0u);
  EXPECT_TRUE(signalled(ev));
  uint32_t len = buf(4);
  EXPECT_EQ(call(0x1FB, {ov, len, 1}), 0u);
  EXPECT_EQ(call(0x2EC, {}), 0u);
  EXPECT_EQ(call(0x28B, {listener, 0, id, param}), 1u);
  EXPECT_EQ(mem.read32(id), 9u);
  EXPECT_EQ(mem.read32(param), 1u);
  EXPECT_EQ(call(0x28B, {listener, 0, id, param}), 1u);
  EXPECT_EQ(mem.read32(param), 0u);
  // Synchronously (no overlapped): the result itself.
  mem.write32(static_cast<uint32_t>(t->ctx.gpr[1]) + 0x54, 0);
  EXPECT_EQ(call(0x2CA, {0, wide(u"T"), wide(u"Q"), 2, buf(8), 7, 0, result}), 0u);
  EXPECT_EQ(mem.read32(result), 0u);  // focus out of range: the first button
}

TEST_F(XamExports, KeyboardAnswersTheDefaultText) {
  uint32_t out = buf(16);
  EXPECT_EQ(call(0x2C1, {0, 0, wide(u"Hello"), wide(u"t"), wide(u"d"), out, 4, 0}), 0u);
  EXPECT_EQ(mem.read16(out), 'H');
  EXPECT_EQ(mem.read16(out + 4), 'l');
  EXPECT_EQ(mem.read16(out + 6), 0);
}

TEST_F(XamExports, ContentEnumerationIsEmptyAndXMsgFindsNoApp) {
  uint32_t size = buf(4), handle = buf(4), items = buf(0x134 * 2), count = buf(4);
  EXPECT_EQ(call(0x25C, {0, 1, 1, 0, 2, size, handle}), 0u);
  EXPECT_EQ(mem.read32(size), 2u * 0x134);
  EXPECT_EQ(call(0x250, {mem.read32(handle), 0, items, 2 * 0x134, count, 0}), 18u);
  EXPECT_EQ(mem.read32(count), 0u);
  EXPECT_EQ(call(0x250, {0x12345, 0, items, 2 * 0x134, count, 0}), 6u);
  EXPECT_EQ(call(0x1F4, {0xFE, 0x0B0001, 0, 0}), 0x80070490u);
}

TEST_F(XamExports, NetworkIsAConsoleWithoutACable) {
  uint32_t wsa = buf(0x190), addr = buf(36), rnd = buf(8);
  mem.write32(wsa + 0x18C, 0x12345678);  // the vendor-info pointer stays as the title left it
  EXPECT_EQ(call(0x003, {1, 2, 1, 6}), 0xFFFFFFFFu);  // socket before WSAStartup
  EXPECT_EQ(call(0x01B, {}), 10093u);                 // WSANOTINITIALISED
  EXPECT_EQ(call(0x001, {1, 0x0202, wsa}), 0u);
  EXPECT_EQ(mem.read16(wsa), 0x0202);
  EXPECT_EQ(mem.read16(wsa + 2), 0x0202);
  EXPECT_EQ(mem.read32(wsa + 0x18C), 0x12345678u);
  EXPECT_EQ(call(0x033, {1, 0}), 0u);
  EXPECT_EQ(call(0x04B, {1}), 0u);  // no link
  mem.write32(addr, 0xFFFFFFFF);
  EXPECT_EQ(call(0x049, {1, addr}), 1u);  // XNET_GET_XNADDR_NONE
  EXPECT_EQ(mem.read32(addr), 0u);
  EXPECT_EQ(call(0x003, {1, 2, 1, 6}), 0xFFFFFFFFu);
  EXPECT_EQ(call(0x01B, {}), 10050u);  // WSAENETDOWN
  EXPECT_EQ(call(0x00C, {1, 5, 0, 16}), 0xFFFFFFFFu);
  EXPECT_EQ(call(0x01B, {}), 10038u);  // WSAENOTSOCK
  EXPECT_EQ(call(0x01C, {42}), 0u);
  EXPECT_EQ(call(0x01B, {}), 42u);
  // The last error is per thread.
  Thread* other = spawn();
  EXPECT_EQ(call_export(*k, *other, kXam, 0x01B, {}), 0u);
  // inet_addr: BSD forms, network order (= the big-endian value).
  auto inet = [&](const char* text) {
    uint32_t a = buf(32);
    mem.write_bytes(a, text, static_cast<uint32_t>(strlen(text) + 1));
    return call(0x01A, {a});
  };
  EXPECT_EQ(inet("192.168.1.20"), 0xC0A80114u);
  EXPECT_EQ(inet("10.1"), 0x0A000001u);
  EXPECT_EQ(inet("0x7f.1"), 0x7F000001u);
  EXPECT_EQ(inet("010.0.0.1"), 0x08000001u);
  EXPECT_EQ(inet("1.2.3.256"), 0xFFFFFFFFu);
  EXPECT_EQ(inet("1.2.3.4.5"), 0xFFFFFFFFu);
  EXPECT_EQ(inet("1..2"), 0xFFFFFFFFu);
  EXPECT_EQ(inet("09"), 0xFFFFFFFFu);
  EXPECT_EQ(inet(""), 0xFFFFFFFFu);
  // WSA events are manual-reset events.
  uint32_t ev = call(0x01D, {});
  ASSERT_NE(ev, 0u);
  EXPECT_EQ(call(0x01F, {ev}), 1u);
  EXPECT_TRUE(signalled(ev));
  EXPECT_TRUE(signalled(ev));
  EXPECT_EQ(call(0x020, {ev}), 1u);
  EXPECT_FALSE(signalled(ev));
  EXPECT_EQ(call(0x01E, {ev}), 1u);
  EXPECT_EQ(call(0x01F, {ev}), 0u);
  // XNetRandom follows the run's seed.
  EXPECT_EQ(call(0x035, {1, rnd, 8}), 0u);
  uint64_t first = mem.read64(rnd);
  EXPECT_EQ(call(0x035, {1, rnd, 8}), 0u);
  EXPECT_NE(mem.read64(rnd), first);
  EXPECT_EQ(call(0x034, {1}), 0u);
  EXPECT_EQ(call(0x034, {1}), 10093u);
  EXPECT_EQ(call(0x002, {1}), 0u);
  EXPECT_EQ(call(0x002, {1}), 0xFFFFFFFFu);
}

TEST_F(XamExports, OfflineProfileHasNoLivePrivileges) {
  uint32_t result = buf(4), index = buf(4);
  mem.write32(result, 7);
  EXPECT_EQ(call(0x212, {0, 254, result}), 0u);
  EXPECT_EQ(mem.read32(result), 0u);
  EXPECT_EQ(call(0x212, {1, 254, result}), 1317u);
  EXPECT_EQ(call(0x221, {0}), 0u);
  EXPECT_EQ(call(0x21B, {0}), 0u);
  EXPECT_EQ(call(0x211, {0xE000000000000001ull, 0, index}), 0u);
  EXPECT_EQ(mem.read32(index), 0u);
  EXPECT_EQ(call(0x211, {0xE000000000000002ull, 0, index}), 1317u);
}

TEST_F(XamExports, TaskScheduleRunsTheCallbackOnItsOwnThread) {
  uint32_t handle = buf(4);
  size_t before = k->threads().size();
  EXPECT_EQ(call(0x1AF, {0x82001000, 0x1234, 0, handle}), 0u);
  ASSERT_EQ(k->threads().size(), before + 1);
  const Thread& task = *k->threads().back();
  EXPECT_EQ(task.ctx.pc, 0x82001000u);
  EXPECT_EQ(task.ctx.gpr[3], 0x1234u);
  EXPECT_EQ(call(0x1B3, {}), 0u);
  EXPECT_EQ(call(0x1B1, {mem.read32(handle)}), 1u);
  EXPECT_EQ(call(0x1B1, {mem.read32(handle)}), 0u);
  EXPECT_EQ(call(0x1AF, {0, 0, 0, handle}), 0xC000000Du);
}

TEST_F(XamExports, TerminateTitleEndsEveryThread) {
  spawn();
  call_export(*k, *t, kXam, 0x1A9, {});
  EXPECT_EQ(k->live_thread_count(), 0u);
}

}  // namespace
}  // namespace xdet::test
