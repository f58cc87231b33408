// Controllers: none by default; `--input SCRIPT` connects controller 0 and
// plays the script's per-frame states. A frame is 1/60 s of guest time, so
// what a title reads depends only on the guest work done before the read.
#include "kernel/title_state.h"
#include "kernel/xam/xam_exports.h"
#include "kernel/virtual_clock.h"

namespace xdet::kernel {

namespace {

using namespace xam;

constexpr uint32_t kUserAny = 0xFF;
constexpr uint64_t kNsPerFrame = 1'000'000'000ull / 60;

// Resolves the user index: 0-3, or 0xFF = any (the first connected pad).
bool connected(ExportCall& c, uint32_t user, uint32_t* error) {
  if (user == kUserAny) user = 0;
  if (user >= 4) {
    *error = kErrorBadArguments;
    return false;
  }
  if (user != 0 || !c.k.title().options().controller_connected) {
    *error = kErrorDeviceNotConnected;
    return false;
  }
  return true;
}

// The script line in force now (its index + 1 is the packet number), or null.
const InputFrame* current_frame(ExportCall& c, uint32_t* packet) {
  const auto& script = c.k.title().options().input;
  uint64_t frame = ns_from_units(c.k.now()) / kNsPerFrame;
  const InputFrame* cur = nullptr;
  *packet = 0;
  for (size_t i = 0; i < script.size() && script[i].frame <= frame; ++i) {
    cur = &script[i];
    *packet = static_cast<uint32_t>(i + 1);
  }
  return cur;
}

void write_gamepad(GuestMemory& mem, uint32_t a, const InputFrame& f) {
  mem.write16(a + 0, f.buttons);
  mem.write8(a + 2, f.left_trigger);
  mem.write8(a + 3, f.right_trigger);
  mem.write16(a + 4, static_cast<uint16_t>(f.thumb_lx));
  mem.write16(a + 6, static_cast<uint16_t>(f.thumb_ly));
  mem.write16(a + 8, static_cast<uint16_t>(f.thumb_rx));
  mem.write16(a + 10, static_cast<uint16_t>(f.thumb_ry));
}

// X_INPUT_CAPABILITIES (0x14): type, sub type, flags, gamepad (what it
// reports), vibration (motor resolution).
void xam_input_get_capabilities(ExportCall& c) {
  uint32_t err;
  if (!connected(c, c.arg(0), &err)) return c.ret(err);
  uint32_t caps = c.arg(2);
  if (!caps) return c.ret(kErrorBadArguments);
  c.mem().write8(caps + 0, 1);  // XINPUT_DEVTYPE_GAMEPAD
  c.mem().write8(caps + 1, 1);  // XINPUT_DEVSUBTYPE_GAMEPAD
  c.mem().write16(caps + 2, 0);
  InputFrame all{0, 0xF3FF, 0xFF, 0xFF, -64, -64, -64, -64};  // every button, full-resolution sticks
  write_gamepad(c.mem(), caps + 4, all);
  c.mem().write16(caps + 0x10, 0xFFFF);
  c.mem().write16(caps + 0x12, 0xFFFF);
  c.ret(kErrorSuccess);
}

// X_INPUT_STATE (0x10): packet number, gamepad.
void xam_input_get_state(ExportCall& c) {
  uint32_t err;
  if (!connected(c, c.arg(0), &err)) return c.ret(err);
  uint32_t state = c.arg(2);
  if (!state) return c.ret(kErrorBadArguments);
  uint32_t packet;
  const InputFrame* f = current_frame(c, &packet);
  InputFrame idle{};
  c.mem().write32(state, packet);
  write_gamepad(c.mem(), state + 4, f ? *f : idle);
  c.ret(kErrorSuccess);
}

void resolve_input(ExportCall& c) {
  uint32_t packet;
  current_frame(c, &packet);
  c.resolve("user", TraceValue::uinteger(c.arg(0)));
  c.resolve("frame", TraceValue::uinteger(ns_from_units(c.k.now()) / kNsPerFrame));
}

// (user, unknown, vibration*): two u16 motor speeds, kept for the run.
void xam_input_set_state(ExportCall& c) {
  uint32_t err;
  if (!connected(c, c.arg(0), &err)) return c.ret(err);
  if (!c.arg(2)) return c.ret(kErrorBadArguments);
  c.k.title().vibration_left = c.mem().read16(c.arg(2));
  c.k.title().vibration_right = c.mem().read16(c.arg(2) + 2);
  c.ret(kErrorSuccess);
}

// Keystrokes: each button that changed since the last keystroke read gives
// one key-down or key-up (lowest button bit first), from the script state in
// force now. XINPUT_KEYSTROKE: VirtualKey u16, Unicode u16, Flags u16,
// UserIndex u8, HidCode u8.
constexpr uint32_t kErrorEmpty = 4306;
constexpr uint16_t kKeyDown = 0x1, kKeyUp = 0x2;

uint16_t virtual_key(int bit) {
  static const uint16_t kKeys[16] = {0x5810, 0x5811, 0x5812, 0x5813, 0x5814, 0x5815, 0x5816, 0x5817,
                                     0x5805, 0x5804, 0,      0,      0x5800, 0x5801, 0x5802, 0x5803};
  return kKeys[bit];
}

void get_keystroke(ExportCall& c, uint32_t user, uint32_t out) {
  uint32_t err;
  if (!connected(c, user, &err)) return c.ret(err);
  if (!out) return c.ret(kErrorBadArguments);
  uint32_t packet;
  const InputFrame* f = current_frame(c, &packet);
  uint16_t now = f ? f->buttons : 0;
  uint16_t& seen = c.k.title().keystroke_buttons;
  uint16_t changed = static_cast<uint16_t>((now ^ seen) & 0xF3FF);
  if (!changed) return c.ret(kErrorEmpty);
  int bit = 0;
  while (!(changed >> bit & 1)) ++bit;
  bool down = now >> bit & 1;
  seen = static_cast<uint16_t>(seen ^ (1u << bit));
  c.mem().write16(out + 0, virtual_key(bit));
  c.mem().write16(out + 2, 0);
  c.mem().write16(out + 4, down ? kKeyDown : kKeyUp);
  c.mem().write8(out + 6, 0);
  c.mem().write8(out + 7, 0);
  c.ret(kErrorSuccess);
}

// (user, flags, keystroke*)
void xam_input_get_keystroke(ExportCall& c) { get_keystroke(c, c.arg(0), c.arg(2)); }

// (user_index*, flags, keystroke*): the user is read from and written back to *user_index.
void xam_input_get_keystroke_ex(ExportCall& c) {
  uint32_t puser = c.arg(0);
  if (!puser) return c.ret(kErrorBadArguments);
  uint32_t user = c.mem().read32(puser);
  get_keystroke(c, user, c.arg(2));
  if (static_cast<uint32_t>(c.t.ctx.gpr[3]) == kErrorSuccess) c.mem().write32(puser, 0);
}

const ExportInfo kExports[] = {
    {0x190, "XamInputGetCapabilities", 3, xam_input_get_capabilities},
    {0x191, "XamInputGetState", 3, xam_input_get_state, resolve_input},
    {0x192, "XamInputSetState", 3, xam_input_set_state},
    {0x193, "XamInputGetKeystroke", 3, xam_input_get_keystroke, nullptr, "no auto-repeat keystrokes"},
    {0x198, "XamInputGetKeystrokeEx", 3, xam_input_get_keystroke_ex, nullptr, "no auto-repeat keystrokes"},
};

}  // namespace

ExportTable xam_input_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
