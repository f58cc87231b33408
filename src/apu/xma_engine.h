#pragma once
// The XMA decoder hardware as a title observes it: 320 contexts of 64 bytes
// in physical memory (xma_context_data.h), the register page at 0x7FEA0000
// (context array address, kick / lock / clear registers), and decoding in
// virtual time.
//
// Time model (deterministic, driven from the scheduler's check points like
// the GPU's command processor):
//  * A kicked (enabled) context starts at the first check point after the
//    kick, or after it stalled, at the first check point at which it can go
//    on (output space and input, see below).
//  * It then writes one subframe of 256 samples per channel (16-bit
//    big-endian PCM, interleaved when stereo: 2 blocks of 256 bytes mono, 4
//    stereo) to the output ring every 256 / sample-rate seconds of virtual
//    time: subframe n of a run completes at start + floor(n * 256 * 1e8 /
//    rate) units. Decoding itself costs no time; the output pace is the
//    console's playback rate.
//  * Before a subframe is written the context is read from guest memory; it
//    stalls ("output-full") when the output buffer is not valid or has less
//    free space than a subframe, and ("input-empty") when no decoded samples
//    are left and the current input buffer is not valid. Writing the block
//    that meets the read offset clears output-valid (the ring is full).
//  * Frames are taken from the current input buffer at the input read
//    offset; a consumed buffer clears its valid bit, the context switches to
//    the other buffer at bit 32. A frame that ends at the loop end (loop
//    count > 0) jumps to the loop start (255 loops forever, else the count
//    is decremented). When the current buffer runs dry the decoder is
//    drained: the samples libavcodec still holds come out, padded with zeros
//    to a whole subframe.
//  * A bad packet, frame or read offset sets the context's error status,
//    disables it and throws XmaFault with the context, buffer and bit named.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apu/xma_context_data.h"
#include "apu/xma_decoder.h"
#include "base/error.h"
#include "memory/guest_memory.h"

namespace xdet::apu {

inline constexpr uint32_t kXmaMmioBase = 0x7FEA0000;
inline constexpr uint32_t kXmaMmioSize = 0x10000;
inline constexpr uint64_t kNever = ~0ull;

// Register indices (byte offset / 4) on the page; groups of ten registers,
// bit b of register g names context 32 * g + b.
namespace xreg {
inline constexpr uint32_t kFirst = 0x600;               // the XMA block is 0x600-0x6FF
inline constexpr uint32_t kLast = 0x6FF;
inline constexpr uint32_t kContextArrayAddress = 0x600; // physical address of the 320 contexts
inline constexpr uint32_t kCurrentContextIndex = 0x606; // rotates on every read
inline constexpr uint32_t kNextContextIndex = 0x607;
inline constexpr uint32_t kKick = 0x650;                // enable
inline constexpr uint32_t kLock = 0x690;                // disable
inline constexpr uint32_t kClear = 0x6A0;               // reset
inline constexpr uint32_t kGroups = 10;
}  // namespace xreg

class XmaFault : public Error {
 public:
  explicit XmaFault(std::string message) : Error(ExitCode::kGuestFault, std::move(message)) {}
};

class XmaListener {
 public:
  virtual ~XmaListener() = default;
  virtual void xma_kick(uint32_t context, const char* action) = 0;
  virtual void xma_frame(uint32_t context, uint32_t buffer, uint32_t offset, uint32_t bits) = 0;
  virtual void xma_buffer_done(uint32_t context, uint32_t buffer) = 0;
  virtual void xma_loop(uint32_t context, uint32_t offset, uint32_t remaining) = 0;
  virtual void xma_stall(uint32_t context, const char* reason, uint32_t write_offset, uint64_t subframes) = 0;
};

struct XmaStats {
  uint64_t kicks = 0;
  uint64_t frames = 0;
  uint64_t subframes = 0;
  uint64_t buffers = 0;
  uint64_t loops = 0;
  uint64_t drains = 0;
};

class XmaEngine final : public MmioHandler {
 public:
  // Returns the physical address of a zero-filled array of 320 contexts
  // (256-byte aligned), 0 when there is no memory. Called once, on first use.
  using ArrayAllocator = std::function<uint32_t()>;
  XmaEngine(GuestMemory& mem, ArrayAllocator allocate_array);
  ~XmaEngine() override;
  XmaEngine(const XmaEngine&) = delete;
  XmaEngine& operator=(const XmaEngine&) = delete;

  void map_registers();
  void set_listener(XmaListener* l) { listener_ = l; }

  // Physical address of the context array (allocated on first use), 0 if none.
  uint32_t context_array();
  // XMACreateContext / XMAReleaseContext: hardware index or -1 when all are taken.
  int allocate_context();
  void release_context(uint32_t index);
  bool allocated(uint32_t index) const { return index < kContextCount && ctx_[index].allocated; }
  // Hardware index of the context at `physical`, if it is one.
  std::optional<uint32_t> index_of(uint32_t physical) const;
  uint8_t* context_ptr(uint32_t index);

  void enable(uint32_t index);
  void disable(uint32_t index);
  // Drops the host-side state (decoder, undelivered samples); guest memory
  // is left as it is.
  void clear(uint32_t index);
  bool enabled(uint32_t index) const { return index < kContextCount && ctx_[index].enabled; }

  // Runs every subframe due at or before `now`; `now` is a scheduler check
  // point when `check_point` is set (stalled contexts that can go on start
  // a run there). Throws XmaFault.
  void advance(uint64_t now, bool check_point = true);
  // Completion time of the next subframe of a running context, kNever if none.
  uint64_t next_event() const;
  const XmaStats& stats() const { return stats_; }

  uint64_t mmio_read(uint32_t addr, uint32_t size) override;
  void mmio_write(uint32_t addr, uint32_t size, uint64_t value) override;

 private:
  struct Context {
    bool allocated = false;
    bool enabled = false;
    bool running = false;
    uint64_t start = 0;          // virtual time the current run started
    uint64_t written = 0;        // subframes written in this run
    uint32_t rate = 48000;       // of this run
    std::unique_ptr<FrameDecoder> decoder;
    std::vector<int16_t> pcm;    // decoded, not yet written (interleaved)
    size_t pcm_pos = 0;
    bool drained = true;         // nothing decoded since the last drain
    uint32_t last_offset = ~0u;  // read offset / buffer as last stored here
    uint32_t last_buffer = ~0u;
  };
  bool can_run(uint32_t index);
  void step(uint32_t index, uint64_t time);
  // Tops up the undelivered samples to `need`; false if it could not.
  bool fill(uint32_t index, XmaContextData& d, size_t need);
  void buffer_done(uint32_t index, XmaContextData& d);
  [[noreturn]] void fail(uint32_t index, XmaContextData& d, XmaError code, const std::string& what);
  uint32_t free_blocks(uint32_t index, const XmaContextData& d);
  uint8_t* phys(uint32_t address, uint32_t size, uint32_t index, const char* what);
  uint64_t due(const Context& c) const;
  void set_enabled(uint32_t index, bool on);

  GuestMemory& mem_;
  ArrayAllocator allocate_array_;
  XmaListener* listener_ = nullptr;
  bool mapped_ = false;
  uint32_t array_ = 0;
  std::vector<uint32_t> regs_;
  uint32_t current_index_ = 0;
  int enabled_count_ = 0;
  std::vector<Context> ctx_;
  XmaStats stats_;
};

}  // namespace xdet::apu
