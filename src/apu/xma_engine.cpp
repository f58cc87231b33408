#include "apu/xma_engine.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "apu/xma_packets.h"

namespace xdet::apu {

namespace {
constexpr uint32_t kPhysicalViewBase = 0xA0000000;  // where the backing shows physical memory
constexpr uint32_t kPhysicalSize = 0x20000000;
constexpr uint32_t kNoOffset = ~0u;
constexpr uint32_t kMaxSilentFrames = 64;
}  // namespace

XmaEngine::XmaEngine(GuestMemory& mem, ArrayAllocator allocate_array)
    : mem_(mem), allocate_array_(std::move(allocate_array)), regs_(xreg::kLast - xreg::kFirst + 1, 0),
      ctx_(kContextCount) {}

XmaEngine::~XmaEngine() {
  if (mapped_) mem_.unmap_mmio(kXmaMmioBase, this);
}

void XmaEngine::map_registers() {
  mem_.map_mmio(kXmaMmioBase, kXmaMmioSize, this, "XMA registers");
  mapped_ = true;
}

uint32_t XmaEngine::context_array() {
  if (!array_ && allocate_array_) array_ = allocate_array_() & 0x1FFFFFFF;
  return array_;
}

uint8_t* XmaEngine::context_ptr(uint32_t index) {
  return mem_.translate(kPhysicalViewBase + context_array() + index * kContextBytes);
}

int XmaEngine::allocate_context() {
  if (!context_array()) return -1;
  for (uint32_t i = 0; i < kContextCount; ++i) {
    if (ctx_[i].allocated) continue;
    set_enabled(i, false);
    ctx_[i] = Context{};
    ctx_[i].allocated = true;
    return static_cast<int>(i);
  }
  return -1;
}

void XmaEngine::release_context(uint32_t index) {
  if (index >= kContextCount || !array_) return;
  std::memset(context_ptr(index), 0, kContextBytes);
  set_enabled(index, false);
  ctx_[index] = Context{};
}

std::optional<uint32_t> XmaEngine::index_of(uint32_t physical) const {
  physical &= 0x1FFFFFFF;
  if (!array_ || physical < array_) return std::nullopt;
  uint32_t off = physical - array_;
  if (off % kContextBytes || off / kContextBytes >= kContextCount) return std::nullopt;
  return off / kContextBytes;
}

void XmaEngine::enable(uint32_t index) {
  if (index >= kContextCount || !context_array()) return;
  ++stats_.kicks;
  set_enabled(index, true);
  if (listener_) listener_->xma_kick(index, "enable");
}

void XmaEngine::disable(uint32_t index) {
  if (index >= kContextCount) return;
  set_enabled(index, false);
  if (listener_) listener_->xma_kick(index, "disable");
}

void XmaEngine::clear(uint32_t index) {
  if (index >= kContextCount) return;
  Context& c = ctx_[index];
  if (c.decoder) c.decoder->reset();
  c.pcm.clear();
  c.pcm_pos = 0;
  c.drained = true;
  c.running = false;
  c.last_offset = c.last_buffer = kNoOffset;
  if (listener_) listener_->xma_kick(index, "clear");
}

// ---------------------------------------------------------------- time

uint64_t XmaEngine::due(const Context& c) const {
  return c.start + (c.written + 1) * kSubframeSamples * 100'000'000ull / c.rate;
}

void XmaEngine::set_enabled(uint32_t index, bool on) {
  Context& c = ctx_[index];
  if (c.enabled != on) enabled_count_ += on ? 1 : -1;
  c.enabled = on;
  if (!on) c.running = false;
}

uint64_t XmaEngine::next_event() const {
  uint64_t t = kNever;
  if (!array_) return t;
  for (const Context& c : ctx_) {
    if (c.enabled && c.running) t = std::min(t, due(c));
  }
  return t;
}

void XmaEngine::advance(uint64_t now, bool check_point) {
  if (!array_ || enabled_count_ == 0) return;
  for (uint32_t i = 0; i < kContextCount; ++i) {
    Context& c = ctx_[i];
    if (!c.enabled) continue;
    if (!c.running) {
      if (!check_point || !can_run(i)) continue;
      c.running = true;
      c.start = now;
      c.written = 0;
      c.rate = sample_rate_hz(XmaContextData::load(context_ptr(i)).sample_rate());
    }
    while (c.running && c.enabled && due(c) <= now) step(i, due(c));
  }
}

// ---------------------------------------------------------------- decoding

uint8_t* XmaEngine::phys(uint32_t address, uint32_t size, uint32_t index, const char* what) {
  address &= 0x1FFFFFFF;
  if (static_cast<uint64_t>(address) + size > kPhysicalSize) {
    XmaContextData d = XmaContextData::load(context_ptr(index));
    fail(index, d, XmaError::kBadPacket,
         fmt::format("{} at physical 0x{:08X} ({} bytes) is outside physical memory", what, address, size));
  }
  return mem_.translate(kPhysicalViewBase + address);
}

void XmaEngine::fail(uint32_t index, XmaContextData& d, XmaError code, const std::string& what) {
  d.set_error_status(static_cast<uint32_t>(code));
  d.set_error_set(1);
  d.store(context_ptr(index));
  set_enabled(index, false);
  throw XmaFault(fmt::format("XMA context {} (physical 0x{:08X}): {}", index, array_ + index * kContextBytes, what));
}

uint32_t XmaEngine::free_blocks(uint32_t index, const XmaContextData& d) {
  if (!d.output_buffer_valid()) return 0;
  uint32_t count = d.output_buffer_block_count(), w = d.output_buffer_write_offset(),
           r = d.output_buffer_read_offset();
  const uint32_t need = 2 * (d.is_stereo() + 1);
  if (count < need || w >= count || r >= count) {
    XmaContextData copy = d;
    fail(index, copy, XmaError::kBadReadOffset,
         fmt::format("output buffer of {} block(s) (write offset {}, read offset {}) cannot take a subframe of {} "
                     "blocks",
                     count, w, r, need));
  }
  if (w == r) return count;
  return (r + count - w) % count;
}

bool XmaEngine::can_run(uint32_t index) {
  Context& c = ctx_[index];
  XmaContextData d = XmaContextData::load(context_ptr(index));
  if (free_blocks(index, d) < 2 * (d.is_stereo() + 1)) return false;
  return c.pcm.size() > c.pcm_pos || d.input_valid(d.current_buffer()) || !c.drained;
}

void XmaEngine::buffer_done(uint32_t index, XmaContextData& d) {
  uint32_t b = d.current_buffer();
  d.set_input_valid(b, 0);
  d.set_current_buffer(b ^ 1);
  d.set_input_buffer_read_offset(kPacketHeaderBits);
  ++stats_.buffers;
  if (listener_) listener_->xma_buffer_done(index, b);
}

bool XmaEngine::fill(uint32_t index, XmaContextData& d, size_t need) {
  Context& c = ctx_[index];
  const uint32_t channels = d.is_stereo() + 1, rate = sample_rate_hz(d.sample_rate());
  if (!c.decoder) c.decoder = std::make_unique<FrameDecoder>();
  if (!c.decoder->open() || c.decoder->channels() != channels || c.decoder->rate() != rate) {
    std::string err = c.decoder->configure(channels, rate);
    if (!err.empty()) throw XmaFault(err);
    c.pcm.clear();
    c.pcm_pos = 0;
    c.drained = true;
  }
  uint32_t silent_frames = 0;  // frames decoded in this call that released no samples
  while (c.pcm.size() - c.pcm_pos < need) {
    const uint32_t b = d.current_buffer();
    // libavcodec holds back 4096 samples (8 frames); far more frames without
    // output is a loop of frames it rejects.
    if (silent_frames > kMaxSilentFrames) {
      fail(index, d, XmaError::kBadFrame,
           fmt::format("{} frames decoded without any audio (frames the decoder drops, read offset {} of input "
                       "buffer {})",
                       silent_frames, d.input_buffer_read_offset(), b));
    }
    if (!d.input_valid(b)) {
      if (!c.drained) {
        ++stats_.drains;
        std::string err = c.decoder->drain(c.pcm);
        c.drained = true;
        if (!err.empty()) fail(index, d, XmaError::kBadFrame, err);
        continue;
      }
      break;
    }
    XmaBuffer buf;
    buf.packets = d.input_packets(b);
    if (buf.packets == 0) {
      buffer_done(index, d);
      continue;
    }
    std::string where = fmt::format("input buffer {}", b);
    buf.data = phys(d.input_ptr(b), buf.packets * kPacketBytes, index, where.c_str());
    try {
      uint32_t start = resolve_frame_start(buf, d.input_buffer_read_offset());
      if (start == kBufferDone) {
        buffer_done(index, d);
        continue;
      }
      XmaFrame f = read_frame(buf, start);
      const size_t before = c.pcm.size();
      std::string err = c.decoder->decode(f.data.data(), f.bits, c.pcm);
      silent_frames = c.pcm.size() == before ? silent_frames + 1 : 0;
      if (!err.empty()) throw XmaStreamError(XmaError::kBadFrame, fmt::format("frame at bit {}: {}", start, err));
      c.drained = false;
      ++stats_.frames;
      if (listener_) listener_->xma_frame(index, b, start, f.bits);
      const uint32_t loops = d.loop_count();
      if (loops && (f.end_offset == d.loop_end() || f.next_offset == d.loop_end())) {
        if (loops != kLoopForever) d.set_loop_count(loops - 1);
        d.set_input_buffer_read_offset(std::max(d.loop_start(), kPacketHeaderBits));
        ++stats_.loops;
        if (listener_) listener_->xma_loop(index, d.loop_start(), d.loop_count());
      } else if (f.next_offset == kBufferDone) {
        buffer_done(index, d);
      } else {
        d.set_input_buffer_read_offset(f.next_offset);
      }
    } catch (const XmaStreamError& e) {
      fail(index, d, e.code(),
           fmt::format("input buffer {} (physical 0x{:08X}, {} packet(s)): {}", b, d.input_ptr(b) & 0x1FFFFFFF,
                       buf.packets, e.what()));
    }
  }
  c.last_offset = d.input_buffer_read_offset();
  c.last_buffer = d.current_buffer();
  size_t have = c.pcm.size() - c.pcm_pos;
  if (have == 0) return false;
  if (have < need) c.pcm.resize(c.pcm_pos + need, 0);  // the stream's end: a whole subframe
  return true;
}

void XmaEngine::step(uint32_t index, uint64_t) {
  Context& c = ctx_[index];
  uint8_t* cp = context_ptr(index);
  XmaContextData d = XmaContextData::load(cp);
  // The title moved the read position (a seek): what was decoded ahead is stale.
  if (c.last_offset != kNoOffset &&
      (d.input_buffer_read_offset() != c.last_offset || d.current_buffer() != c.last_buffer)) {
    if (c.decoder) c.decoder->reset();
    c.pcm.clear();
    c.pcm_pos = 0;
    c.drained = true;
  }
  const uint32_t channels = d.is_stereo() + 1, blocks = 2 * channels;
  const size_t need = static_cast<size_t>(kSubframeSamples) * channels;
  if (free_blocks(index, d) < blocks) {
    c.running = false;
    if (listener_) listener_->xma_stall(index, "output-full", d.output_buffer_write_offset(), c.written);
    return;
  }
  if (!fill(index, d, need)) {
    d.store(cp);
    c.running = false;
    if (listener_) listener_->xma_stall(index, "input-empty", d.output_buffer_write_offset(), c.written);
    return;
  }
  const uint32_t count = d.output_buffer_block_count();
  uint32_t w = d.output_buffer_write_offset();
  uint8_t* out = phys(d.output_buffer_ptr(), count * kOutputBlockBytes, index, "the output buffer");
  const uint32_t out_phys = d.output_buffer_ptr() & 0x1FFFFFFF;
  const int16_t* src = c.pcm.data() + c.pcm_pos;
  for (uint32_t blk = 0; blk < blocks; ++blk) {
    uint8_t* dst = out + w * kOutputBlockBytes;
    for (uint32_t s = 0; s < kOutputBlockBytes / 2; ++s) {
      uint16_t v = static_cast<uint16_t>(*src++);
      dst[2 * s] = static_cast<uint8_t>(v >> 8);
      dst[2 * s + 1] = static_cast<uint8_t>(v);
    }
    // Decoded code on any alias of these bytes is stale now.
    uint32_t p = out_phys + w * kOutputBlockBytes;
    mem_.invalidate_code(kPhysicalViewBase + p, kOutputBlockBytes);
    mem_.invalidate_code(0xC0000000 + p, kOutputBlockBytes);
    if (p >= 0x1000) mem_.invalidate_code(0xE0000000 + p - 0x1000, kOutputBlockBytes);
    w = (w + 1) % count;
  }
  c.pcm_pos += need;
  if (c.pcm_pos >= 8192) {
    c.pcm.erase(c.pcm.begin(), c.pcm.begin() + static_cast<std::ptrdiff_t>(c.pcm_pos));
    c.pcm_pos = 0;
  }
  d.set_output_buffer_write_offset(w);
  if (w == d.output_buffer_read_offset()) d.set_output_buffer_valid(0);  // full
  d.store(cp);
  ++c.written;
  ++stats_.subframes;
}

// ---------------------------------------------------------------- registers

uint64_t XmaEngine::mmio_read(uint32_t addr, uint32_t size) {
  const uint32_t index = (addr - kXmaMmioBase) >> 2;
  if (size != 4 || (addr & 3)) {
    throw GuestFault(AccessKind::kRead, addr, size, "XMA registers are read as aligned 32-bit words");
  }
  if (index < xreg::kFirst || index > xreg::kLast) {
    throw GuestFault(AccessKind::kRead, addr, size,
                     fmt::format("no XMA register 0x{:X} (the XMA block is 0x{:X}-0x{:X})", index, xreg::kFirst,
                                 xreg::kLast));
  }
  switch (index) {
    case xreg::kContextArrayAddress: return context_array();
    case xreg::kCurrentContextIndex: {
      // The context the hardware is working on: a lock that waits for it to
      // move on never waits long.
      uint32_t v = current_index_;
      current_index_ = (current_index_ + 1) % kContextCount;
      return v;
    }
    case xreg::kNextContextIndex: return current_index_;
    default: return regs_[index - xreg::kFirst];
  }
}

void XmaEngine::mmio_write(uint32_t addr, uint32_t size, uint64_t value) {
  const uint32_t index = (addr - kXmaMmioBase) >> 2;
  if (size != 4 || (addr & 3)) {
    throw GuestFault(AccessKind::kWrite, addr, size, "XMA registers are written as aligned 32-bit words");
  }
  if (index < xreg::kFirst || index > xreg::kLast) {
    throw GuestFault(AccessKind::kWrite, addr, size,
                     fmt::format("no XMA register 0x{:X} (the XMA block is 0x{:X}-0x{:X})", index, xreg::kFirst,
                                 xreg::kLast));
  }
  const uint32_t v = static_cast<uint32_t>(value);
  regs_[index - xreg::kFirst] = v;
  auto each = [&](uint32_t group_base, void (XmaEngine::*op)(uint32_t)) {
    if (index < group_base || index >= group_base + xreg::kGroups) return false;
    for (uint32_t bit = 0; bit < 32; ++bit) {
      if (v & (1u << bit)) (this->*op)((index - group_base) * 32 + bit);
    }
    return true;
  };
  if (each(xreg::kKick, &XmaEngine::enable)) return;
  if (each(xreg::kLock, &XmaEngine::disable)) return;
  each(xreg::kClear, &XmaEngine::clear);
}

}  // namespace xdet::apu
