#include "gpu/command_processor.h"

#include <algorithm>

#include <fmt/format.h>

namespace xdet::gpu {

namespace {
constexpr uint32_t kPhysicalSize = 512u << 20;
constexpr uint32_t kPhysicalViewBase = 0xA0000000;  // where the backing shows physical memory

uint32_t gpu_swap(uint32_t v, uint32_t endian) {
  switch (endian & 3) {
    case 1: return ((v & 0xFF00FF00u) >> 8) | ((v & 0x00FF00FFu) << 8);
    case 2: return __builtin_bswap32(v);
    case 3: return (v >> 16) | (v << 16);
    default: return v;
  }
}

bool compare(uint32_t function, uint32_t value, uint32_t ref) {
  switch (function & 7) {
    case 0: return false;
    case 1: return value < ref;
    case 2: return value <= ref;
    case 3: return value == ref;
    case 4: return value != ref;
    case 5: return value >= ref;
    case 6: return value > ref;
    default: return true;
  }
}
}  // namespace

const char* register_name(uint32_t index) {
  switch (index) {
    case reg::kCpRbBase: return "CP_RB_BASE";
    case reg::kCpRbCntl: return "CP_RB_CNTL";
    case reg::kCpRbRptrAddr: return "CP_RB_RPTR_ADDR";
    case reg::kCpRbRptr: return "CP_RB_RPTR";
    case reg::kCpRbWptr: return "CP_RB_WPTR";
    case reg::kScratchUmsk: return "SCRATCH_UMSK";
    case reg::kScratchAddr: return "SCRATCH_ADDR";
    case reg::kWaitUntil: return "WAIT_UNTIL";
    case reg::kRbEdramTiming: return "RB_EDRAM_TIMING";
    case reg::kRbBcControl: return "RB_BC_CONTROL";
    case reg::kD1ModeVCounter: return "D1MODE_V_COUNTER";
    case reg::kInterruptStatus: return "INTERRUPT_STATUS";
    case reg::kD1ModeViewportSize: return "D1MODE_VIEWPORT_SIZE";
    case reg::kVgtEventInitiator: return "VGT_EVENT_INITIATOR";
    case reg::kVgtDrawInitiator: return "VGT_DRAW_INITIATOR";
    case reg::kRbSampleCountAddr: return "RB_SAMPLE_COUNT_ADDR";
    default: break;
  }
  if (index >= reg::kScratchReg0 && index <= reg::kScratchReg7) return "SCRATCH_REG";
  if (index >= reg::kAluConstantBase && index < reg::kFetchConstantBase) return "ALU_CONSTANT";
  if (index >= reg::kFetchConstantBase && index < reg::kBoolConstantBase) return "FETCH_CONSTANT";
  if (index >= reg::kBoolConstantBase && index < reg::kLoopConstantBase) return "BOOL_CONSTANT";
  if (index >= reg::kLoopConstantBase && index < kRegisterCount) return "LOOP_CONSTANT";
  return "";
}

const char* pm4::opcode_name(uint32_t op) {
  switch (op) {
    case kNop: return "NOP";
    case kRegRmw: return "REG_RMW";
    case kDrawIndx: return "DRAW_INDX";
    case kWaitForIdle: return "WAIT_FOR_IDLE";
    case kImLoad: return "IM_LOAD";
    case kImLoadImmediate: return "IM_LOAD_IMMEDIATE";
    case kSetConstant: return "SET_CONSTANT";
    case kLoadAluConstant: return "LOAD_ALU_CONSTANT";
    case kDrawIndx2: return "DRAW_INDX_2";
    case kIndirectBufferPfd: return "INDIRECT_BUFFER_PFD";
    case kInvalidateState: return "INVALIDATE_STATE";
    case kWaitRegMem: return "WAIT_REG_MEM";
    case kMemWrite: return "MEM_WRITE";
    case kRegToMem: return "REG_TO_MEM";
    case kIndirectBuffer: return "INDIRECT_BUFFER";
    case kCondWrite: return "COND_WRITE";
    case kEventWrite: return "EVENT_WRITE";
    case kMeInit: return "ME_INIT";
    case kSetBinMask: return "SET_BIN_MASK";
    case kSetBinSelect: return "SET_BIN_SELECT";
    case kInterrupt: return "INTERRUPT";
    case kSetConstant2: return "SET_CONSTANT2";
    case kSetShaderConstants: return "SET_SHADER_CONSTANTS";
    case kEventWriteShd: return "EVENT_WRITE_SHD";
    case kEventWriteExt: return "EVENT_WRITE_EXT";
    case kEventWriteZpd: return "EVENT_WRITE_ZPD";
    case kContextUpdate: return "CONTEXT_UPDATE";
    case kSetBinMaskLo: return "SET_BIN_MASK_LO";
    case kSetBinMaskHi: return "SET_BIN_MASK_HI";
    case kSetBinSelectLo: return "SET_BIN_SELECT_LO";
    case kSetBinSelectHi: return "SET_BIN_SELECT_HI";
    case kXeSwap: return "XE_SWAP";
    default: return nullptr;
  }
}

std::string invalid_register_message(uint32_t index) {
  return fmt::format("no GPU register 0x{:04X} (the register file ends at 0x{:04X})", index, kRegisterCount - 1);
}

CommandProcessor::CommandProcessor(GuestMemory& mem, GpuConfig config)
    : mem_(mem), config_(config), regs_(kRegisterCount, 0) {
  packet_.reserve(1024);
  sources_.reserve(kMaxIndirectDepth + 1);
  sources_.push_back(Source{});
  regs_[reg::kRbEdramTiming] = 0x08100748;
  regs_[reg::kRbBcControl] = 0x0000200E;
}

CommandProcessor::~CommandProcessor() {
  if (mapped_) mem_.unmap_mmio(kGpuMmioBase, this);
}

void CommandProcessor::map_registers() {
  mem_.map_mmio(kGpuMmioBase, kGpuMmioSize, this, "gpu");
  mapped_ = true;
}

// ---------------------------------------------------------------- memory

uint32_t CommandProcessor::checked_phys(uint32_t phys, uint32_t size) const {
  phys &= 0x1FFFFFFF;
  if (static_cast<uint64_t>(phys) + size > kPhysicalSize) {
    throw GpuFault(fmt::format("GPU access of {} byte(s) at physical 0x{:08X} is outside physical memory", size, phys));
  }
  return phys;
}

const uint8_t* CommandProcessor::phys_ptr(uint32_t phys, uint32_t size) const {
  return mem_.translate(kPhysicalViewBase + checked_phys(phys, size));
}

uint32_t CommandProcessor::phys_read32_be(uint32_t phys) const { return load_be32(phys_ptr(phys, 4)); }
uint32_t CommandProcessor::phys_read32_le(uint32_t phys) const { return __builtin_bswap32(load_be32(phys_ptr(phys, 4))); }

void CommandProcessor::phys_write32_be(uint32_t phys, uint32_t value) {
  uint32_t p = checked_phys(phys, 4);
  store_be32(mem_.translate(kPhysicalViewBase + p), value);
  // Decoded code on any alias of these bytes is stale now.
  mem_.invalidate_code(kPhysicalViewBase + p, 4);
  mem_.invalidate_code(0xC0000000 + p, 4);
  if (p >= 0x1000) mem_.invalidate_code(0xE0000000 + p - 0x1000, 4);
}

void CommandProcessor::phys_write32_le(uint32_t phys, uint32_t value) { phys_write32_be(phys, __builtin_bswap32(value)); }

void CommandProcessor::store_swapped(uint32_t address_with_endian, uint32_t value, uint32_t opcode) {
  uint32_t address = address_with_endian & ~3u;
  uint32_t stored = gpu_swap(value, address_with_endian & 3);
  phys_write32_le(address, stored);
  if (listener_) listener_->gpu_fence(opcode, address & 0x1FFFFFFF, phys_read32_be(address), clock_);
}

// ---------------------------------------------------------------- registers

uint32_t CommandProcessor::read_register(uint32_t index) const {
  switch (index) {
    case reg::kCpRbRptr: return rptr_;
    case reg::kCpRbWptr: return wptr_;
    case reg::kD1ModeVCounter: return config_.height;  // in vblank, as the CPU usually finds it
    case reg::kInterruptStatus: return 1;                // vblank
    case reg::kD1ModeViewportSize: return (config_.width << 16) | config_.height;
    default: return regs_[index];
  }
}

void CommandProcessor::write_register(uint32_t index, uint32_t value) {
  regs_[index] = value;
  register_write_effects(index, value);
}

void CommandProcessor::register_write_effects(uint32_t index, uint32_t value) {
  switch (index) {
    case reg::kCpRbBase:
      ring_base_ = value & 0x1FFFFFFF;
      break;
    case reg::kCpRbCntl: {
      uint32_t size_log2 = value & 0x3F;
      ring_dwords_ = size_log2 < 26 ? 1u << (size_log2 + 1) : 0;
      uint32_t blk = (value >> 8) & 0x3F;
      writeback_dwords_ = blk < 26 ? 1u << (blk + 1) : 0;
      break;
    }
    case reg::kCpRbRptrAddr:
      writeback_addr_ = value & 0x1FFFFFFF;
      break;
    case reg::kCpRbWptr:
      wptr_ = ring_dwords_ ? value % ring_dwords_ : 0;
      ++stats_.kicks;
      break;
    default:
      if (index >= reg::kScratchReg0 && index <= reg::kScratchReg7) {
        uint32_t n = index - reg::kScratchReg0;
        if (regs_[reg::kScratchUmsk] & (1u << n)) {
          uint32_t addr = regs_[reg::kScratchAddr] + 4 * n;
          phys_write32_be(addr, value);
          if (listener_) listener_->gpu_fence(0, addr & 0x1FFFFFFF, value, clock_);
        }
      }
      break;
  }
}

void CommandProcessor::initialize_ring_buffer(uint32_t base, uint32_t size_log2) {
  write_register(reg::kCpRbBase, base);
  write_register(reg::kCpRbCntl, (regs_[reg::kCpRbCntl] & ~0x3Fu) | (size_log2 & 0x3F));
  rptr_ = 0;
  wptr_ = 0;
  since_writeback_ = 0;
  running_ = false;
  waiting_ = false;
  sources_.resize(1);
}

void CommandProcessor::enable_read_pointer_writeback(uint32_t address, uint32_t block_size_log2) {
  write_register(reg::kCpRbRptrAddr, address);
  write_register(reg::kCpRbCntl, (regs_[reg::kCpRbCntl] & ~0x3F00u) | ((block_size_log2 & 0x3F) << 8));
}

uint64_t CommandProcessor::mmio_read(uint32_t addr, uint32_t size) {
  uint32_t index = (addr - kGpuMmioBase) >> 2;
  if (size != 4 || (addr & 3)) {
    throw GuestFault(AccessKind::kRead, addr, size, "GPU registers are read as aligned 32-bit words");
  }
  if (index >= kRegisterCount) throw GuestFault(AccessKind::kRead, addr, size, invalid_register_message(index));
  return read_register(index);
}

void CommandProcessor::mmio_write(uint32_t addr, uint32_t size, uint64_t value) {
  uint32_t index = (addr - kGpuMmioBase) >> 2;
  if (size != 4 || (addr & 3)) {
    throw GuestFault(AccessKind::kWrite, addr, size, "GPU registers are written as aligned 32-bit words");
  }
  if (index >= kRegisterCount) throw GuestFault(AccessKind::kWrite, addr, size, invalid_register_message(index));
  write_register(index, static_cast<uint32_t>(value));
}

// ---------------------------------------------------------------- packets

uint32_t CommandProcessor::packet_dwords(uint32_t header) const {
  switch (header >> 30) {
    case 0: return ((header >> 16) & 0x3FFF) + 2;
    case 1: return 3;
    case 2: return 1;
    default: return ((header >> 16) & 0x3FFF) + 2;
  }
}

uint32_t CommandProcessor::source_dword(const Source& s, uint32_t i) const {
  if (s.ring) return phys_read32_be(ring_base_ + 4 * ((rptr_ + i) % ring_dwords_));
  return phys_read32_be(s.address + 4 * i);
}

void CommandProcessor::bad_packet(const char* why, uint32_t header, const uint32_t* d, uint32_t n,
                                  uint32_t addr) const {
  std::string dump;
  uint32_t shown = std::min<uint32_t>(n, 16);
  for (uint32_t i = 0; i < shown; ++i) dump += fmt::format(" {:08X}", d[i]);
  if (shown < n) dump += fmt::format(" ... ({} dwords)", n);
  throw GpuFault(fmt::format("GPU command processor: {} at physical 0x{:08X} ({}): header {:08X}, payload:{}", why,
                             addr, sources_.back().ring ? "ring buffer" : "indirect buffer", header,
                             dump.empty() ? " (none)" : dump));
}

CommandProcessor::Step CommandProcessor::step(uint64_t now) {
  if (waiting_) {
    if (!wait_satisfied()) return Step::kStall;
    waiting_ = false;
    clock_ = std::max(clock_, now);
  }
  Source& src = sources_.back();
  uint32_t available;
  uint32_t packet_addr;
  if (src.ring) {
    if (ring_dwords_ == 0 || rptr_ == wptr_) return Step::kIdle;
    available = (wptr_ + ring_dwords_ - rptr_) % ring_dwords_;
    packet_addr = ring_base_ + 4 * rptr_;
  } else {
    if (src.remaining == 0) {
      sources_.pop_back();
      return Step::kDone;
    }
    available = src.remaining;
    packet_addr = src.address;
  }
  uint32_t header = source_dword(src, 0);
  uint32_t n = packet_dwords(header);
  if (n > available) {
    if (src.ring) return Step::kIdle;  // the rest of the packet is not submitted yet
    packet_.assign(1, header);
    bad_packet("packet runs past the end of its indirect buffer", header, packet_.data(), 1, packet_addr);
  }
  uint64_t cost = kPacketUnits + kDwordUnits * n;
  if (clock_ + cost > now) return Step::kStall;
  clock_ += cost;
  packet_.resize(n);
  for (uint32_t i = 0; i < n; ++i) packet_[i] = source_dword(src, i);
  if (src.ring) {
    rptr_ = (rptr_ + n) % ring_dwords_;
    since_writeback_ += n;
    if (writeback_dwords_ && since_writeback_ >= writeback_dwords_) write_back_read_pointer();
  } else {
    src.address += 4 * n;
    src.remaining -= n;
  }
  ++stats_.packets;
  stats_.dwords += n;
  execute(header, packet_.data() + 1, n - 1, packet_addr);
  return Step::kDone;
}

void CommandProcessor::write_back_read_pointer() {
  since_writeback_ = 0;
  if (!writeback_addr_) return;
  phys_write32_be(writeback_addr_, rptr_);
  ++stats_.writebacks;
}

void CommandProcessor::advance(uint64_t now) {
  if (!running_) {
    if (ring_dwords_ == 0 || rptr_ == wptr_) return;
    running_ = true;
    clock_ = std::max(clock_, now);
  }
  for (;;) {
    Step s = step(now);
    if (s == Step::kStall) return;
    if (s == Step::kIdle) {
      if (sources_.size() > 1) continue;
      write_back_read_pointer();
      running_ = false;
      if (listener_) listener_->gpu_idle(rptr_, stats_.packets, clock_);
      return;
    }
  }
}

uint64_t CommandProcessor::next_event() const {
  if (!running_ || waiting_) return kNever;
  const Source& src = sources_.back();
  uint32_t header;
  if (src.ring) {
    if (ring_dwords_ == 0 || rptr_ == wptr_) return clock_;
    header = source_dword(src, 0);
  } else {
    if (src.remaining == 0) return clock_;
    header = source_dword(src, 0);
  }
  return clock_ + kPacketUnits + kDwordUnits * packet_dwords(header);
}

bool CommandProcessor::wait_satisfied() const {
  uint32_t info = wait_[0], poll = wait_[1], ref = wait_[2], mask = wait_[3];
  uint32_t value;
  if (info & 0x10) value = gpu_swap(phys_read32_le(poll & ~3u), poll & 3);
  else value = read_register((poll & 0x7FFF) < kRegisterCount ? poll & 0x7FFF : 0);
  return compare(info, value & mask, ref);
}

void CommandProcessor::execute(uint32_t header, const uint32_t* d, uint32_t n, uint32_t packet_addr) {
  switch (header >> 30) {
    case 0: {
      uint32_t base = header & 0x7FFF;
      bool write_one = header & 0x8000;
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t index = write_one ? base : base + i;
        if (index >= kRegisterCount) bad_packet(invalid_register_message(index).c_str(), header, d, n, packet_addr);
        write_register(index, d[i]);
      }
      return;
    }
    case 1: {
      uint32_t r1 = header & 0x7FF, r2 = (header >> 11) & 0x7FF;
      write_register(r1, d[0]);
      write_register(r2, d[1]);
      return;
    }
    case 2:
      return;
    default:
      execute_type3(header, d, n, packet_addr);
      return;
  }
}

void CommandProcessor::execute_type3(uint32_t header, const uint32_t* d, uint32_t n, uint32_t packet_addr) {
  uint32_t op = (header >> 8) & 0x7F;
  if ((header & 1) && (bin_mask_ & bin_select_) == 0) return;  // predicated off for this bin
  auto need = [&](uint32_t k) {
    if (n < k) bad_packet(fmt::format("{} needs {} payload dwords", pm4::opcode_name(op), k).c_str(), header, d, n,
                          packet_addr);
  };
  auto constant_base = [&](uint32_t type) -> uint32_t {
    switch (type) {
      case 0: return reg::kAluConstantBase;
      case 1: return reg::kFetchConstantBase;
      case 2: return reg::kBoolConstantBase;
      case 3: return reg::kLoopConstantBase;
      case 4: return reg::kContextRegisterBase;
      default: bad_packet("unknown constant type", header, d, n, packet_addr);
    }
  };
  auto write_range = [&](uint32_t first, const uint32_t* v, uint32_t count) {
    if (static_cast<uint64_t>(first) + count > kRegisterCount) {
      bad_packet("constant range outside the register file", header, d, n, packet_addr);
    }
    for (uint32_t i = 0; i < count; ++i) write_register(first + i, v[i]);
  };
  switch (op) {
    case pm4::kMeInit:
    case pm4::kNop:
    case pm4::kWaitForIdle:
    case pm4::kInvalidateState:
    case pm4::kContextUpdate:
      return;
    case pm4::kInterrupt: {
      need(1);
      for (uint32_t cpu = 0; cpu < 6; ++cpu) {
        if (d[0] & (1u << cpu)) {
          ++stats_.interrupts;
          if (listener_) listener_->gpu_interrupt(cpu, clock_);
        }
      }
      return;
    }
    case pm4::kXeSwap: {
      need(4);
      if (d[0] != pm4::kSwapSignature) bad_packet("swap packet without the 'SWAP' signature", header, d, n, packet_addr);
      SwapRecord s;
      s.frame = ++stats_.swaps;
      s.front_buffer = d[1] & 0x1FFFFFFF;
      s.width = d[2];
      s.height = d[3];
      s.format = regs_[reg::kFetchConstantBase + 1] & 0x3F;
      s.time = clock_;
      if (listener_) listener_->gpu_swap(s);
      return;
    }
    case pm4::kIndirectBuffer:
    case pm4::kIndirectBufferPfd: {
      need(2);
      if (static_cast<int>(sources_.size()) > kMaxIndirectDepth) {
        bad_packet("indirect buffers nested too deep", header, d, n, packet_addr);
      }
      Source ib;
      ib.ring = false;
      ib.address = d[0] & 0x1FFFFFFF;
      ib.remaining = d[1] & 0xFFFFF;
      checked_phys(ib.address, ib.remaining * 4);
      sources_.push_back(ib);
      return;
    }
    case pm4::kWaitRegMem: {
      need(5);
      std::copy(d, d + 5, wait_);
      if (!wait_satisfied()) waiting_ = true;
      return;
    }
    case pm4::kRegRmw: {
      need(3);
      uint32_t r = d[0] & 0x1FFF;
      uint32_t value = regs_[r];
      uint32_t and_mask = (d[0] >> 31) ? regs_[d[1] & 0x1FFF] : d[1];
      uint32_t or_mask = ((d[0] >> 30) & 1) ? regs_[d[2] & 0x1FFF] : d[2];
      write_register(r, (value & and_mask) | or_mask);
      return;
    }
    case pm4::kRegToMem: {
      need(2);
      uint32_t r = d[0] & 0x7FFF;
      if (r >= kRegisterCount) bad_packet(invalid_register_message(r).c_str(), header, d, n, packet_addr);
      store_swapped(d[1], read_register(r), op);
      return;
    }
    case pm4::kMemWrite: {
      need(2);
      uint32_t address = d[0] & ~3u;
      for (uint32_t i = 1; i < n; ++i) store_swapped((address + 4 * (i - 1)) | (d[0] & 3), d[i], op);
      return;
    }
    case pm4::kCondWrite: {
      need(6);
      uint32_t info = d[0], poll = d[1];
      uint32_t value;
      if (info & 0x10) value = gpu_swap(phys_read32_le(poll & ~3u), poll & 3);
      else value = read_register((poll & 0x7FFF) < kRegisterCount ? poll & 0x7FFF : 0);
      if (compare(info, value & d[3], d[2])) {
        if (info & 0x100) store_swapped(d[4], d[5], op);
        else if ((d[4] & 0x7FFF) < kRegisterCount) write_register(d[4] & 0x7FFF, d[5]);
        else bad_packet(invalid_register_message(d[4] & 0x7FFF).c_str(), header, d, n, packet_addr);
      }
      return;
    }
    case pm4::kEventWrite:
      need(1);
      write_register(reg::kVgtEventInitiator, d[0] & 0x3F);
      return;
    case pm4::kEventWriteShd: {
      need(3);
      write_register(reg::kVgtEventInitiator, d[0] & 0x3F);
      uint32_t value = (d[0] >> 31) ? static_cast<uint32_t>(vblank_count_) : d[2];
      store_swapped(d[1], value, op);
      return;
    }
    case pm4::kEventWriteExt: {
      need(2);
      write_register(reg::kVgtEventInitiator, d[0] & 0x3F);
      // Screen extents of what was drawn since the last report: headless,
      // so the whole render target (min x, max x, min y, max y, min z, max z)
      // as big-endian 16-bit values.
      const uint16_t extents[6] = {0, static_cast<uint16_t>(config_.width), 0,
                                   static_cast<uint16_t>(config_.height), 0, 1};
      uint32_t a = checked_phys(d[1] & ~3u, 12);
      for (int i = 0; i < 3; ++i) {
        phys_write32_be(a + 4 * i, (static_cast<uint32_t>(extents[2 * i]) << 16) | extents[2 * i + 1]);
      }
      if (listener_) listener_->gpu_fence(op, a, 0, clock_);
      return;
    }
    case pm4::kEventWriteZpd: {
      need(1);
      write_register(reg::kVgtEventInitiator, d[0] & 0x3F);
      // Occlusion query report: nothing is rasterised, so every counter of
      // the 8-dword sample-count block (little-endian) is zero.
      uint32_t a = regs_[reg::kRbSampleCountAddr] & 0x1FFFFFFF;
      if (a) {
        for (uint32_t i = 0; i < 8; ++i) phys_write32_le(a + 4 * i, 0);
        if (listener_) listener_->gpu_fence(op, a, 0, clock_);
      }
      return;
    }
    case pm4::kDrawIndx:
    case pm4::kDrawIndx2: {
      uint32_t initiator_index = op == pm4::kDrawIndx ? 1 : 0;
      need(initiator_index + 1);
      uint32_t initiator = d[initiator_index];
      write_register(reg::kVgtDrawInitiator, initiator);
      ++stats_.draws;
      if (listener_) listener_->gpu_draw(op, initiator >> 16, stats_.draws, clock_);
      return;
    }
    case pm4::kSetConstant: {
      need(1);
      write_range(constant_base((d[0] >> 16) & 0xFF) + (d[0] & 0x7FF), d + 1, n - 1);
      return;
    }
    case pm4::kSetConstant2:
    case pm4::kSetShaderConstants:
      need(1);
      write_range(d[0] & 0xFFFF, d + 1, n - 1);
      return;
    case pm4::kLoadAluConstant: {
      need(3);
      uint32_t address = d[0] & 0x3FFFFFFF;
      uint32_t first = constant_base((d[1] >> 16) & 0xFF) + (d[1] & 0x7FF);
      uint32_t count = d[2] & 0xFFF;
      if (static_cast<uint64_t>(first) + count > kRegisterCount) {
        bad_packet("constant range outside the register file", header, d, n, packet_addr);
      }
      for (uint32_t i = 0; i < count; ++i) write_register(first + i, phys_read32_be(address + 4 * i));
      return;
    }
    case pm4::kImLoad: {
      need(2);
      uint32_t size = d[1] & 0xFFFF;
      checked_phys(d[0] & ~3u, size * 4);
      stats_.shader_dwords += size;
      return;
    }
    case pm4::kImLoadImmediate: {
      need(2);
      uint32_t size = d[1] & 0xFFFF;
      if (size > n - 2) bad_packet("IM_LOAD_IMMEDIATE longer than its packet", header, d, n, packet_addr);
      stats_.shader_dwords += size;
      return;
    }
    case pm4::kSetBinMaskLo: need(1); bin_mask_ = (bin_mask_ & ~0xFFFFFFFFull) | d[0]; return;
    case pm4::kSetBinMaskHi: need(1); bin_mask_ = (bin_mask_ & 0xFFFFFFFFull) | (uint64_t{d[0]} << 32); return;
    case pm4::kSetBinSelectLo: need(1); bin_select_ = (bin_select_ & ~0xFFFFFFFFull) | d[0]; return;
    case pm4::kSetBinSelectHi: need(1); bin_select_ = (bin_select_ & 0xFFFFFFFFull) | (uint64_t{d[0]} << 32); return;
    case pm4::kSetBinMask: need(2); bin_mask_ = (uint64_t{d[0]} << 32) | d[1]; return;
    case pm4::kSetBinSelect: need(2); bin_select_ = (uint64_t{d[0]} << 32) | d[1]; return;
    default:
      if (config_.lenient) {
        ++stats_.skipped_unknown;
        return;
      }
      bad_packet(fmt::format("unknown type-3 opcode 0x{:02X}", op).c_str(), header, d, n, packet_addr);
  }
}

}  // namespace xdet::gpu
