#pragma once
// The console's devices on virtual time: the headless GPU (register page,
// command processor, vblank, swaps), graphics interrupt delivery, and the
// XAudio render driver. Everything here is driven from the scheduler's
// check points (Kernel::expire_deadlines) and contributes its next event to
// Kernel::next_deadline, so it is a pure function of guest work.
//
// Guest callbacks run on kernel-owned guest contexts ("device contexts"):
// real guest threads (KTHREAD, KPCR, stack, handle; created when the title
// registers a callback) that never enter the ready queue. The scheduler asks
// `ready_context(cpu, round)` before every pick on a CPU, so a pending
// callback runs before any title thread on that CPU in that round.
//
//   context         CPU  created by                          callback(r3, r4)
//   gpu-interrupt   2    VdSetGraphicsInterruptCallback       (0 vblank | 1 CP interrupt, user data)
//   gpu-interrupt-N N    first INTERRUPT packet for CPU N     (1, user data)
//   audio           4    XAudioRegisterRenderDriverClient     (pointer to the client's argument cell)
//
// Interrupt callbacks run at DISPATCH_LEVEL (KPCR+0x18 = 2) with
// KPCR+0x150 (DPC active) = 1 and KPCR+0 (TLS pointer) = 0, as the console
// marks interrupt context; all three are restored when the callback returns.
// The audio callback runs at PASSIVE_LEVEL on an ordinary kernel thread.
// Device contexts belong to the system process (KTHREAD+0x84 points to a
// process block of type 2, X_PROCTYPE_SYSTEM).
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apu/xma_engine.h"
#include "gpu/command_processor.h"
#include "kernel/thread.h"

namespace xdet::kernel {

class Kernel;

inline constexpr uint32_t kDeviceReturnLr = 0xBCBCBCB8u;  // a callback returned to its device context
inline constexpr int kInterruptCpu = 2;                   // vblank interrupts (xenia: hardware thread 2)
inline constexpr int kAudioCpu = 4;                       // XAudio (hardware thread 4 on the console)
inline constexpr uint32_t kMaxAudioClients = 8;
inline constexpr uint32_t kAudioQueueFrames = 64;         // frames a client may have queued
inline constexpr uint32_t kAudioFrameSamples = 256;       // per channel
inline constexpr uint32_t kAudioChannels = 6;
inline constexpr uint32_t kAudioSampleRate = 48000;
inline constexpr uint32_t kAudioFrameBytes = kAudioFrameSamples * kAudioChannels * 4;

struct DeviceOptions {
  uint32_t width = 1280;
  uint32_t height = 720;
  uint32_t refresh_hz = 60;
  bool gpu_lenient = false;
  uint64_t max_frames = 0;       // 0 = no limit
  std::string dump_frames_dir;   // "" = no PNGs
  std::string audio_out;         // "" = no WAV
};

// Virtual time (instruction units) of the n-th event of a cadence of
// `num/den` seconds, n >= 0: floor(n * 1e8 * num / den).
constexpr uint64_t cadence_time(uint64_t n, uint64_t num, uint64_t den) { return n * 100'000'000ull * num / den; }

class DeviceState final : public gpu::GpuListener, public apu::XmaListener {
 public:
  explicit DeviceState(Kernel& k);
  ~DeviceState() override;
  DeviceState(const DeviceState&) = delete;
  DeviceState& operator=(const DeviceState&) = delete;

  gpu::CommandProcessor& gpu() { return *gpu_; }
  apu::XmaEngine& xma() { return *xma_; }
  // Guest (virtual) address of XMA context `index`; 0 without a context array.
  uint32_t xma_context_address(uint32_t index);
  const DeviceOptions& options() const { return options_; }

  // ---- scheduler interface ----
  uint64_t next_deadline() const;
  // Work that ends by itself (GPU packets, XMA subframes), without the
  // vblank and audio cadences.
  uint64_t next_work_deadline() const;
  void advance(uint64_t now);
  Thread* ready_context(int cpu, uint64_t round);
  bool is_context(const Thread& t) const;
  // A callback returned to kDeviceReturnLr: start the next or go idle.
  void callback_returned(Thread& t);
  // Set when the run must stop (frame limit reached, bad command stream).
  struct Stop {
    bool frame_limit = false;
    std::string message;
  };
  const std::optional<Stop>& stop() const { return stop_; }

  // ---- video ----
  void set_interrupt_callback(uint32_t callback, uint32_t user_data);
  uint32_t interrupt_callback() const { return irq_callback_; }
  uint64_t frames() const { return frames_; }
  uint64_t vblanks() const { return vblanks_; }
  uint64_t interrupts_delivered() const { return interrupts_delivered_; }
  std::string finish_outputs();  // writes the WAV; returns an error or ""

  // ---- audio ----
  // Registers a render client; returns the driver handle (0x41550000|index)
  // or 0 when all 8 slots are taken.
  uint32_t register_audio_client(uint32_t callback, uint32_t callback_arg);
  bool unregister_audio_client(uint32_t driver);
  // Queues one frame (6 x 256 big-endian floats, channel-planar) read from
  // guest memory. False: unknown driver. Frames beyond the bounded queue are
  // dropped and counted.
  bool submit_audio_frame(uint32_t driver, uint32_t samples);
  uint64_t audio_callbacks() const { return audio_callbacks_; }
  uint64_t audio_frames_played() const { return frames_played_; }
  uint64_t audio_frames_dropped() const { return frames_dropped_; }

  // GpuListener
  void gpu_interrupt(uint32_t cpu, uint64_t time) override;
  void gpu_swap(const gpu::SwapRecord& swap) override;
  void gpu_fence(uint32_t opcode, uint32_t address, uint32_t value, uint64_t time) override;
  void gpu_draw(uint32_t opcode, uint32_t index_count, uint64_t draws, uint64_t time) override;
  void gpu_idle(uint32_t read_pointer, uint64_t packets, uint64_t time) override;
  // XmaListener
  void xma_kick(uint32_t context, const char* action) override;
  void xma_frame(uint32_t context, uint32_t buffer, uint32_t offset, uint32_t bits) override;
  void xma_buffer_done(uint32_t context, uint32_t buffer) override;
  void xma_loop(uint32_t context, uint32_t offset, uint32_t remaining) override;
  void xma_stall(uint32_t context, const char* reason, uint32_t write_offset, uint64_t subframes) override;

 private:
  struct Delivery {
    uint32_t pc;
    uint32_t r3;
    uint32_t r4;
  };
  struct Context {
    Thread* thread = nullptr;
    int cpu = 0;
    bool interrupt = false;       // DISPATCH_LEVEL, TLS pointer hidden
    bool in_callback = false;
    std::deque<Delivery> queue;
    uint32_t saved_tls = 0;
    uint8_t saved_irql = 0;
  };
  struct AudioClient {
    bool active = false;
    uint32_t callback = 0;
    uint32_t arg_cell = 0;        // guest cell holding the callback argument
    std::deque<std::vector<float>> frames;
  };
  Context* context_for(int cpu, bool interrupt, const char* name);
  void deliver(Context& c, const Delivery& d);
  void begin(Context& c);
  void run_vblank(uint64_t time);
  void run_audio_tick(uint64_t time);
  uint64_t next_vblank_time() const;
  uint64_t next_audio_time() const;
  bool audio_active() const;
  void dump_frame(const gpu::SwapRecord& swap);
  uint64_t event_time(uint64_t t) const;

  Kernel& k_;
  DeviceOptions options_;
  std::unique_ptr<gpu::CommandProcessor> gpu_;
  std::unique_ptr<apu::XmaEngine> xma_;
  uint32_t xma_array_ = 0;        // virtual address of the XMA context array
  std::vector<std::unique_ptr<Context>> contexts_;
  uint32_t system_process_ = 0;
  std::optional<Stop> stop_;

  uint32_t irq_callback_ = 0;
  uint32_t irq_user_data_ = 0;
  uint64_t vblank_index_ = 0;     // vblanks elapsed since boot (time-derived)
  uint64_t vblanks_ = 0;          // vblank callbacks delivered
  uint64_t interrupts_delivered_ = 0;
  uint64_t frames_ = 0;

  AudioClient audio_[kMaxAudioClients];
  uint64_t audio_index_ = 0;      // audio frame periods elapsed since boot
  uint64_t audio_callbacks_ = 0;
  uint64_t frames_played_ = 0;
  uint64_t frames_dropped_ = 0;
  std::vector<float> wav_;        // interleaved samples written to --audio-out
  bool dump_warned_ = false;
};

}  // namespace xdet::kernel
