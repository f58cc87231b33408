#include "kernel/devices/devices.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "gpu/frame_dump.h"
#include "kernel/kernel.h"

namespace xdet::kernel {

namespace {
constexpr uint32_t kAudioDriverTag = 0x41550000u;  // 'AU'
constexpr uint32_t kContextStackSize = 128 * 1024; // as the console's kernel threads
constexpr uint8_t kSystemProcessType = 2;
}  // namespace

DeviceState::DeviceState(Kernel& k) : k_(k), options_(k.config().devices) {
  gpu::GpuConfig cfg;
  cfg.width = options_.width;
  cfg.height = options_.height;
  cfg.lenient = options_.gpu_lenient;
  gpu_ = std::make_unique<gpu::CommandProcessor>(k.memory(), cfg);
  gpu_->set_listener(this);
  gpu_->map_registers();
  // The XMA context array: physical memory from the system heap, allocated
  // when a title first uses XMA (so titles without XMA see the same heap).
  xma_ = std::make_unique<apu::XmaEngine>(k.memory(), [this]() -> uint32_t {
    MemoryMap* map = k_.memory_map();
    if (!map) return 0;
    uint32_t v = map->system_alloc(apu::kContextCount * apu::kContextBytes, 256, true);
    if (!v) return 0;
    xma_array_ = v;
    return map->physical_address(v);
  });
  xma_->set_listener(this);
  xma_->map_registers();
}

uint32_t DeviceState::xma_context_address(uint32_t index) {
  if (!xma_->context_array() || index >= apu::kContextCount) return 0;
  return xma_array_ + index * apu::kContextBytes;
}

DeviceState::~DeviceState() = default;

// ---------------------------------------------------------------- time

uint64_t DeviceState::next_vblank_time() const { return cadence_time(vblank_index_ + 1, 1, options_.refresh_hz); }
uint64_t DeviceState::next_audio_time() const {
  return cadence_time(audio_index_ + 1, kAudioFrameSamples, kAudioSampleRate);
}
bool DeviceState::audio_active() const {
  for (const AudioClient& c : audio_) {
    if (c.active) return true;
  }
  return false;
}

uint64_t DeviceState::next_deadline() const {
  if (stop_) return kNever;
  uint64_t d = gpu_->next_event();
  // Without a callback nobody can observe a vblank: it does not keep an
  // otherwise idle process alive (deadlock detection stays intact).
  if (irq_callback_) d = std::min(d, next_vblank_time());
  if (audio_active()) d = std::min(d, next_audio_time());
  d = std::min(d, xma_->next_event());
  return d;
}

uint64_t DeviceState::next_work_deadline() const {
  if (stop_) return kNever;
  return std::min(gpu_->next_event(), xma_->next_event());
}

void DeviceState::advance(uint64_t now) {
  if (stop_) return;
  try {
    bool was_running = gpu_->busy();
    for (;;) {
      uint64_t tv = next_vblank_time();
      uint64_t ta = next_audio_time();
      uint64_t t_other = std::min(tv, ta);
      if (was_running) gpu_->advance(std::min(now, t_other));
      // XMA subframes due before a vblank or audio tick are written before
      // its callback runs (ties: XMA first).
      xma_->advance(std::min(now, t_other), false);
      if (stop_ || t_other > now) break;
      if (tv <= ta) run_vblank(tv);
      else run_audio_tick(ta);
    }
    if (!stop_) gpu_->advance(now);
    if (!stop_) xma_->advance(now, true);
  } catch (const apu::XmaFault& f) {
    stop_ = Stop{false, f.what()};
  } catch (const gpu::GpuFault& f) {
    stop_ = Stop{false, f.what()};
  } catch (const GuestFault& f) {
    stop_ = Stop{false, fmt::format("GPU command processor: {}", f.what())};
  }
}

void DeviceState::run_vblank(uint64_t time) {
  (void)time;
  ++vblank_index_;
  gpu_->set_vblank_count(vblank_index_);
  if (!irq_callback_) return;
  ++vblanks_;
  k_.emit(nullptr, TraceKind::kGpuVblank,
          {{"vblank", TraceValue::uinteger(vblank_index_)}, {"frames", TraceValue::uinteger(frames_)}});
  if (Context* c = context_for(kInterruptCpu, true, "gpu-interrupt")) deliver(*c, {irq_callback_, 0, irq_user_data_});
}

void DeviceState::run_audio_tick(uint64_t time) {
  (void)time;
  ++audio_index_;
  for (uint32_t i = 0; i < kMaxAudioClients; ++i) {
    AudioClient& a = audio_[i];
    if (!a.active) continue;
    // The hardware pulls the oldest queued frame (silence when none), then
    // asks the client for the next one.
    uint32_t queued_before = static_cast<uint32_t>(a.frames.size());
    if (!a.frames.empty()) {
      if (!options_.audio_out.empty()) {
        const std::vector<float>& f = a.frames.front();
        for (uint32_t s = 0; s < kAudioFrameSamples; ++s) {
          for (uint32_t ch = 0; ch < kAudioChannels; ++ch) wav_.push_back(f[ch * kAudioFrameSamples + s]);
        }
      }
      a.frames.pop_front();
      ++frames_played_;
    }
    ++audio_callbacks_;
    k_.emit(nullptr, TraceKind::kAudioCallback,
            {{"driver", TraceValue::hex32(kAudioDriverTag | i)},
             {"callback", TraceValue::uinteger(audio_callbacks_)},
             {"queued", TraceValue::uinteger(queued_before)}});
    if (Context* c = context_for(kAudioCpu, false, "audio")) deliver(*c, {a.callback, a.arg_cell, 0});
  }
}

// ---------------------------------------------------------------- contexts

DeviceState::Context* DeviceState::context_for(int cpu, bool interrupt, const char* name) {
  for (auto& c : contexts_) {
    if (c->cpu == cpu && c->interrupt == interrupt) return c->thread->state == ThreadState::kTerminated ? nullptr : c.get();
  }
  GuestMemory& mem = k_.memory();
  if (!system_process_) {
    system_process_ = k_.pool().allocate(layout::kProcessSize, 16);
    if (!system_process_) return nullptr;
    mem.write8(system_process_ + layout::kProcessType, kSystemProcessType);
  }
  ThreadParams p;
  p.stack_size = kContextStackSize;
  p.creation_flags = kCreateSuspended | (1u << (24 + cpu));
  p.priority = kMaxPriority;
  p.name = interrupt && cpu != kInterruptCpu ? fmt::format("{}-{}", name, cpu) : std::string(name);
  Thread* t = k_.create_thread(nullptr, p, nullptr);
  if (!t) return nullptr;
  t->device_context = true;
  t->suspend_count = 0;
  mem.write8(t->kthread + layout::kThreadSuspendCount, 0);
  mem.write32(t->kthread + layout::kThreadProcess, system_process_);
  t->state = ThreadState::kWaiting;
  t->wait = WaitState{};
  t->wait.is_delay = true;
  auto c = std::make_unique<Context>();
  c->thread = t;
  c->cpu = cpu;
  c->interrupt = interrupt;
  contexts_.push_back(std::move(c));
  return contexts_.back().get();
}

bool DeviceState::is_context(const Thread& t) const { return t.device_context; }

void DeviceState::deliver(Context& c, const Delivery& d) {
  c.queue.push_back(d);
  Thread& t = *c.thread;
  if (!c.in_callback && t.state == ThreadState::kWaiting) t.state = ThreadState::kReady;
}

void DeviceState::begin(Context& c) {
  Delivery d = c.queue.front();
  c.queue.pop_front();
  Thread& t = *c.thread;
  GuestMemory& mem = k_.memory();
  for (int r = 0; r < 13; ++r) t.ctx.gpr[r] = 0;
  t.ctx.gpr[1] = t.stack_base - kInitialStackAdjust;
  t.ctx.gpr[3] = d.r3;
  t.ctx.gpr[4] = d.r4;
  t.ctx.gpr[13] = t.kpcr;
  t.ctx.lr = kDeviceReturnLr;
  t.ctx.pc = d.pc;
  if (c.interrupt) {
    c.saved_tls = mem.read32(t.kpcr + layout::kPcrTls);
    c.saved_irql = mem.read8(t.kpcr + layout::kPcrIrql);
    mem.write32(t.kpcr + layout::kPcrTls, 0);
    mem.write8(t.kpcr + layout::kPcrIrql, kDispatchLevel);
    mem.write32(t.kpcr + layout::kPcrDpcActive, 1);
    ++interrupts_delivered_;
    k_.emit(nullptr, TraceKind::kGpuInterrupt,
            {{"source", TraceValue::uinteger(d.r3)}, {"cpu", TraceValue::uinteger(static_cast<uint64_t>(c.cpu))},
             {"tid", TraceValue::uinteger(t.tid)}});
  }
  c.in_callback = true;
}

Thread* DeviceState::ready_context(int cpu, uint64_t round) {
  for (auto& cp : contexts_) {
    Context& c = *cp;
    Thread& t = *c.thread;
    if (c.cpu != cpu || t.state != ThreadState::kReady || t.suspend_count) continue;
    if (t.ever_ran && t.last_run_round >= round) continue;
    if (!c.in_callback) {
      if (c.queue.empty()) continue;
      begin(c);
    }
    return &t;
  }
  return nullptr;
}

void DeviceState::callback_returned(Thread& t) {
  for (auto& cp : contexts_) {
    Context& c = *cp;
    if (c.thread != &t) continue;
    GuestMemory& mem = k_.memory();
    if (c.interrupt) {
      mem.write32(t.kpcr + layout::kPcrTls, c.saved_tls);
      mem.write8(t.kpcr + layout::kPcrIrql, c.saved_irql);
      mem.write32(t.kpcr + layout::kPcrDpcActive, 0);
    }
    c.in_callback = false;
    if (!c.queue.empty()) {
      begin(c);
    } else {
      t.state = ThreadState::kWaiting;
      t.wait = WaitState{};
      t.wait.is_delay = true;
    }
    return;
  }
}

// ---------------------------------------------------------------- video

void DeviceState::set_interrupt_callback(uint32_t callback, uint32_t user_data) {
  irq_callback_ = callback;
  irq_user_data_ = user_data;
  // Vblanks that passed without a callback are not replayed.
  vblank_index_ = std::max<uint64_t>(vblank_index_, k_.now() * options_.refresh_hz / 100'000'000ull);
  if (callback) context_for(kInterruptCpu, true, "gpu-interrupt");
}

void DeviceState::gpu_interrupt(uint32_t cpu, uint64_t) {
  if (!irq_callback_) return;
  if (Context* c = context_for(static_cast<int>(cpu), true, "gpu-interrupt")) deliver(*c, {irq_callback_, 1, irq_user_data_});
}

void DeviceState::gpu_swap(const gpu::SwapRecord& swap) {
  frames_ = swap.frame;
  k_.emit(nullptr, TraceKind::kGpuSwap,
          {{"frame", TraceValue::uinteger(swap.frame)},
           {"front_buffer", TraceValue::hex32(swap.front_buffer)},
           {"width", TraceValue::uinteger(swap.width)},
           {"height", TraceValue::uinteger(swap.height)}});
  if (!options_.dump_frames_dir.empty()) dump_frame(swap);
  if (options_.max_frames && frames_ >= options_.max_frames) {
    stop_ = Stop{true, fmt::format("frame limit reached ({} frames)", frames_)};
  }
}

void DeviceState::dump_frame(const gpu::SwapRecord& swap) {
  constexpr uint32_t k8888 = 6;  // k_8_8_8_8
  if (swap.format != k8888 || !swap.width || !swap.height || swap.width > 8192 || swap.height > 8192) {
    if (!dump_warned_) {
      std::fprintf(stderr, "xdet run: --dump-frames: frame %llu is not a 32-bit 8888 surface (format %u, %ux%u); "
                   "not written\n", static_cast<unsigned long long>(swap.frame), swap.format, swap.width, swap.height);
      dump_warned_ = true;
    }
    return;
  }
  const uint8_t* src = gpu_->phys_ptr(swap.front_buffer, gpu::tiled_surface_size(swap.width, swap.height));
  std::vector<uint32_t> argb = gpu::detile_8888(src, swap.width, swap.height);
  std::string path = fmt::format("{}/frame-{:06d}.png", options_.dump_frames_dir, swap.frame);
  std::string error;
  if (!gpu::write_png_argb(path, argb, swap.width, swap.height, &error)) {
    stop_ = Stop{false, "--dump-frames: " + error};
  }
}

void DeviceState::gpu_fence(uint32_t opcode, uint32_t address, uint32_t value, uint64_t) {
  const char* op = opcode ? gpu::pm4::opcode_name(opcode) : "SCRATCH_REG";
  k_.emit(nullptr, TraceKind::kGpuFence,
          {{"packet", TraceValue::string(op ? op : "?")},
           {"address", TraceValue::hex32(address)},
           {"value", TraceValue::hex32(value)}});
}

void DeviceState::gpu_draw(uint32_t opcode, uint32_t index_count, uint64_t draws, uint64_t) {
  k_.emit(nullptr, TraceKind::kGpuDraw,
          {{"packet", TraceValue::string(gpu::pm4::opcode_name(opcode))},
           {"index_count", TraceValue::uinteger(index_count)},
           {"draws", TraceValue::uinteger(draws)}});
}

void DeviceState::gpu_idle(uint32_t read_pointer, uint64_t packets, uint64_t) {
  k_.emit(nullptr, TraceKind::kGpuIdle,
          {{"read_pointer", TraceValue::uinteger(read_pointer)}, {"packets", TraceValue::uinteger(packets)}});
}

// ---------------------------------------------------------------- XMA

void DeviceState::xma_kick(uint32_t context, const char* action) {
  k_.emit(nullptr, TraceKind::kXmaKick,
          {{"context", TraceValue::uinteger(context)}, {"action", TraceValue::string(action)}});
}

void DeviceState::xma_frame(uint32_t context, uint32_t buffer, uint32_t offset, uint32_t bits) {
  k_.emit(nullptr, TraceKind::kXmaFrame,
          {{"context", TraceValue::uinteger(context)},
           {"buffer", TraceValue::uinteger(buffer)},
           {"offset", TraceValue::uinteger(offset)},
           {"bits", TraceValue::uinteger(bits)}});
}

void DeviceState::xma_buffer_done(uint32_t context, uint32_t buffer) {
  k_.emit(nullptr, TraceKind::kXmaBuffer,
          {{"context", TraceValue::uinteger(context)}, {"buffer", TraceValue::uinteger(buffer)}});
}

void DeviceState::xma_loop(uint32_t context, uint32_t offset, uint32_t remaining) {
  k_.emit(nullptr, TraceKind::kXmaLoop,
          {{"context", TraceValue::uinteger(context)},
           {"offset", TraceValue::uinteger(offset)},
           {"remaining", TraceValue::uinteger(remaining)}});
}

void DeviceState::xma_stall(uint32_t context, const char* reason, uint32_t write_offset, uint64_t subframes) {
  k_.emit(nullptr, TraceKind::kXmaStall,
          {{"context", TraceValue::uinteger(context)},
           {"reason", TraceValue::string(reason)},
           {"write_offset", TraceValue::uinteger(write_offset)},
           {"subframes", TraceValue::uinteger(subframes)}});
}

// ---------------------------------------------------------------- audio

uint32_t DeviceState::register_audio_client(uint32_t callback, uint32_t callback_arg) {
  for (uint32_t i = 0; i < kMaxAudioClients; ++i) {
    AudioClient& a = audio_[i];
    if (a.active) continue;
    if (!a.arg_cell) {
      a.arg_cell = k_.pool().allocate(4, 4);
      if (!a.arg_cell) return 0;
    }
    k_.memory().write32(a.arg_cell, callback_arg);
    if (!context_for(kAudioCpu, false, "audio")) return 0;
    if (!audio_active()) audio_index_ = std::max<uint64_t>(audio_index_, k_.now() * kAudioSampleRate / (100'000'000ull * kAudioFrameSamples));
    a.active = true;
    a.callback = callback;
    a.frames.clear();
    return kAudioDriverTag | i;
  }
  return 0;
}

bool DeviceState::unregister_audio_client(uint32_t driver) {
  if ((driver & 0xFFFF0000u) != kAudioDriverTag || (driver & 0xFFFF) >= kMaxAudioClients) return false;
  AudioClient& a = audio_[driver & 0xFFFF];
  if (!a.active) return false;
  a.active = false;
  a.frames.clear();
  return true;
}

bool DeviceState::submit_audio_frame(uint32_t driver, uint32_t samples) {
  if ((driver & 0xFFFF0000u) != kAudioDriverTag || (driver & 0xFFFF) >= kMaxAudioClients) return false;
  AudioClient& a = audio_[driver & 0xFFFF];
  if (!a.active) return false;
  std::vector<float> frame(kAudioFrameSamples * kAudioChannels);
  const uint8_t* p = k_.memory().checked_ptr(samples, kAudioFrameBytes, AccessKind::kRead);
  for (size_t i = 0; i < frame.size(); ++i) {
    uint32_t bits = load_be32(p + 4 * i);
    std::memcpy(&frame[i], &bits, 4);
  }
  if (a.frames.size() >= kAudioQueueFrames) {
    ++frames_dropped_;
    return true;
  }
  a.frames.push_back(std::move(frame));
  return true;
}

std::string DeviceState::finish_outputs() {
  if (options_.audio_out.empty()) return {};
  // 32-bit IEEE float WAV (format 3), 6 channels, 48 kHz, little-endian.
  std::vector<uint8_t> out;
  auto u32 = [&](uint32_t v) { for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i))); };
  auto u16 = [&](uint16_t v) { out.push_back(static_cast<uint8_t>(v)); out.push_back(static_cast<uint8_t>(v >> 8)); };
  auto tag = [&](const char* t) { out.insert(out.end(), t, t + 4); };
  uint32_t data_bytes = static_cast<uint32_t>(wav_.size() * 4);
  tag("RIFF");
  u32(4 + 26 + 12 + 8 + data_bytes);
  tag("WAVE");
  tag("fmt ");
  u32(18);
  u16(3);
  u16(kAudioChannels);
  u32(kAudioSampleRate);
  u32(kAudioSampleRate * kAudioChannels * 4);
  u16(kAudioChannels * 4);
  u16(32);
  u16(0);
  tag("fact");
  u32(4);
  u32(static_cast<uint32_t>(wav_.size() / kAudioChannels));
  tag("data");
  u32(data_bytes);
  for (float f : wav_) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    u32(bits);
  }
  FILE* f = std::fopen(options_.audio_out.c_str(), "wb");
  if (!f) return options_.audio_out + ": " + std::strerror(errno);
  bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return options_.audio_out + ": write failed";
  return {};
}

}  // namespace xdet::kernel
