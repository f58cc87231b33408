#pragma once
// The headless Xenos GPU as the CPU side observes it: the register page
// (MMIO at 0x7FC80000-0x7FCFFFFF) and a command processor (CP) that consumes
// PM4 packets from the primary ring buffer and indirect buffers in virtual
// time. Nothing is rendered; everything a title can observe from the CPU is
// real: register values, memory the CP writes (fences, scratch registers,
// the read-pointer write-back, event reports), interrupts and swaps.
//
// Time model (deterministic discrete events):
//  * A guest write of CP_RB_WPTR only records the new write pointer. The CP
//    starts consuming at the next `advance(now)` (the kernel calls it at
//    every scheduler check point: before each pick and at round starts).
//  * Each packet costs kPacketUnits + kDwordUnits per dword (header
//    included) of virtual time, on the CP's own clock; the packet takes
//    effect when that clock passes it, i.e. at the first check point at or
//    after its completion time. An idle CP's clock restarts at the kick.
//  * WAIT_REG_MEM stalls the CP until its condition holds at a check point.
//  * The ring read pointer is written back (big-endian, to the physical
//    write-back address) every 2^(block_size_log2+1) dwords consumed
//    (RB_BLKSZ quadwords) and whenever the CP catches up with the write
//    pointer, so after a kick the write-back equals the write pointer.
//
// All CP memory accesses use physical addresses (29 bits); the GPU is a
// little-endian device: values it stores are byte-swapped by the address's
// low two bits (0 none, 1 8in16, 2 8in32, 3 16in32) and then stored
// little-endian, so endian 2 gives the guest-natural big-endian word.
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "gpu/registers.h"
#include "memory/guest_memory.h"

namespace xdet::gpu {

inline constexpr uint64_t kNever = ~0ull;
// Virtual-time cost of a packet: 200 ns + 10 ns per dword (instruction
// units of 10 ns, as the kernel's virtual clock).
inline constexpr uint64_t kPacketUnits = 20;
inline constexpr uint64_t kDwordUnits = 1;
// Indirect buffers nest at most this deep (the console's CP has one level
// of indirection from the ring; a deeper chain is a malformed stream).
inline constexpr int kMaxIndirectDepth = 4;

struct SwapRecord {
  uint64_t frame = 0;          // 1-based frame number
  uint32_t front_buffer = 0;   // physical address
  uint32_t width = 0;
  uint32_t height = 0;
  uint32_t format = 0;         // texture format of fetch constant 0 (6 = k_8_8_8_8)
  uint64_t time = 0;           // virtual time units
};

// What the CP reports to the kernel (vblank and interrupt delivery live in
// the kernel, which owns the guest contexts that run callbacks).
class GpuListener {
 public:
  virtual ~GpuListener() = default;
  virtual void gpu_interrupt(uint32_t cpu, uint64_t time) = 0;
  virtual void gpu_swap(const SwapRecord& swap) = 0;
  // A fence-like write the CPU can wait on (MEM_WRITE, EVENT_WRITE_SHD,
  // scratch registers): physical address and the value as the guest reads it.
  virtual void gpu_fence(uint32_t opcode, uint32_t address, uint32_t value, uint64_t time) = 0;
  virtual void gpu_draw(uint32_t opcode, uint32_t index_count, uint64_t draws, uint64_t time) = 0;
  virtual void gpu_idle(uint32_t read_pointer, uint64_t packets, uint64_t time) = 0;
};

struct GpuConfig {
  uint32_t width = 1280;
  uint32_t height = 720;
  // Unknown packets: false = stop with a dump, true = skip and count them.
  bool lenient = false;
};

// A malformed or unknown command stream (exit 4, like a guest fault).
class GpuFault : public Error {
 public:
  explicit GpuFault(std::string message) : Error(ExitCode::kGuestFault, std::move(message)) {}
};

struct GpuStats {
  uint64_t packets = 0;
  uint64_t dwords = 0;
  uint64_t draws = 0;
  uint64_t swaps = 0;
  uint64_t interrupts = 0;
  uint64_t skipped_unknown = 0;  // --gpu-lenient
  uint64_t kicks = 0;
  uint64_t writebacks = 0;
  uint64_t shader_dwords = 0;    // IM_LOAD(_IMMEDIATE) microcode loaded
};

class CommandProcessor final : public MmioHandler {
 public:
  CommandProcessor(GuestMemory& mem, GpuConfig config);
  ~CommandProcessor() override;
  CommandProcessor(const CommandProcessor&) = delete;
  CommandProcessor& operator=(const CommandProcessor&) = delete;

  void set_listener(GpuListener* l) { listener_ = l; }
  // Maps the register page into guest memory.
  void map_registers();
  const GpuConfig& config() const { return config_; }

  // VdInitializeRingBuffer: ring at physical `base`, 2^(size_log2+3) bytes.
  void initialize_ring_buffer(uint32_t base, uint32_t size_log2);
  // VdEnableRingBufferRPtrWriteBack: physical address, RB_BLKSZ (log2 of
  // quadwords between write-backs).
  void enable_read_pointer_writeback(uint32_t address, uint32_t block_size_log2);
  // Vblank counter (EVENT_WRITE_SHD with initiator bit 31 writes it).
  void set_vblank_count(uint64_t n) { vblank_count_ = n; }

  // Runs every packet that completes at or before `now`. Throws GpuFault.
  void advance(uint64_t now);
  // Completion time of the next packet, kNever when idle or stalled.
  uint64_t next_event() const;
  bool busy() const { return running_; }

  uint32_t read_register(uint32_t index) const;
  void write_register(uint32_t index, uint32_t value);
  uint32_t read_pointer() const { return rptr_; }
  uint32_t write_pointer() const { return wptr_; }
  const GpuStats& stats() const { return stats_; }

  // MMIO (the CPU's view of the register page).
  uint64_t mmio_read(uint32_t addr, uint32_t size) override;
  void mmio_write(uint32_t addr, uint32_t size, uint64_t value) override;

  // Physical memory as the GPU sees it (bounds-checked, no page rights).
  uint32_t phys_read32_be(uint32_t phys) const;
  void phys_write32_be(uint32_t phys, uint32_t value);
  uint32_t phys_read32_le(uint32_t phys) const;
  void phys_write32_le(uint32_t phys, uint32_t value);
  const uint8_t* phys_ptr(uint32_t phys, uint32_t size) const;

 private:
  struct Source {
    bool ring = true;
    uint32_t address = 0;    // IB: physical address of the next dword
    uint32_t remaining = 0;  // IB: dwords left
  };
  enum class Step : uint8_t { kDone, kStall, kIdle };
  Step step(uint64_t now);
  uint32_t packet_dwords(uint32_t header) const;
  uint32_t source_dword(const Source& s, uint32_t i) const;
  void execute(uint32_t header, const uint32_t* d, uint32_t n, uint32_t packet_addr);
  void execute_type3(uint32_t header, const uint32_t* d, uint32_t n, uint32_t packet_addr);
  bool wait_satisfied() const;
  void write_back_read_pointer();
  void store_swapped(uint32_t address_with_endian, uint32_t value, uint32_t opcode);
  [[noreturn]] void bad_packet(const char* why, uint32_t header, const uint32_t* d, uint32_t n, uint32_t addr) const;
  uint32_t checked_phys(uint32_t phys, uint32_t size) const;
  void register_write_effects(uint32_t index, uint32_t value);

  GuestMemory& mem_;
  GpuConfig config_;
  GpuListener* listener_ = nullptr;
  bool mapped_ = false;
  std::vector<uint32_t> regs_;
  std::vector<uint32_t> packet_;  // reused packet buffer

  uint32_t ring_base_ = 0;
  uint32_t ring_dwords_ = 0;
  uint32_t rptr_ = 0;
  uint32_t wptr_ = 0;
  uint32_t writeback_addr_ = 0;
  uint32_t writeback_dwords_ = 0;   // 0 = only when idle
  uint32_t since_writeback_ = 0;

  bool running_ = false;
  uint64_t clock_ = 0;
  std::vector<Source> sources_;     // [0] = ring, then indirect buffers
  bool waiting_ = false;            // WAIT_REG_MEM stall
  uint32_t wait_[5] = {};
  uint64_t bin_mask_ = ~0ull;
  uint64_t bin_select_ = ~0ull;
  uint64_t vblank_count_ = 0;
  GpuStats stats_;
};

// Register-page fault text for an index outside the register file.
std::string invalid_register_message(uint32_t index);

}  // namespace xdet::gpu
