#pragma once
// Xenos GPU register indices (dword index = (guest address - 0x7FC80000) / 4)
// and PM4 packet opcodes the command processor interprets. Numbers are the
// console's (AMD Yamato/Xenos register map).
#include <cstdint>

namespace xdet::gpu {

// The register page as the CPU sees it.
inline constexpr uint32_t kGpuMmioBase = 0x7FC80000;
inline constexpr uint32_t kGpuMmioSize = 0x00080000;  // 0x7FC80000-0x7FCFFFFF
// The register file: control registers, then the shader constant file
// (ALU 0x4000, fetch 0x4800, bool 0x4900, loop 0x4908) ending at 0x5002.
inline constexpr uint32_t kRegisterCount = 0x5003;

namespace reg {
inline constexpr uint32_t kCpRbBase = 0x01C0;
inline constexpr uint32_t kCpRbCntl = 0x01C1;
inline constexpr uint32_t kCpRbRptrAddr = 0x01C3;
inline constexpr uint32_t kCpRbRptr = 0x01C4;
inline constexpr uint32_t kCpRbWptr = 0x01C5;
inline constexpr uint32_t kScratchUmsk = 0x01DC;
inline constexpr uint32_t kScratchAddr = 0x01DD;
inline constexpr uint32_t kScratchReg0 = 0x0578;
inline constexpr uint32_t kScratchReg7 = 0x057F;
inline constexpr uint32_t kWaitUntil = 0x05C8;
inline constexpr uint32_t kRbEdramTiming = 0x0F00;
inline constexpr uint32_t kRbBcControl = 0x0F01;
inline constexpr uint32_t kD1ModeVCounter = 0x194C;
inline constexpr uint32_t kInterruptStatus = 0x1951;
inline constexpr uint32_t kD1ModeViewportSize = 0x1961;
inline constexpr uint32_t kVgtEventInitiator = 0x21F9;
inline constexpr uint32_t kVgtDrawInitiator = 0x21FC;
inline constexpr uint32_t kRbSampleCountAddr = 0x2325;
inline constexpr uint32_t kAluConstantBase = 0x4000;
inline constexpr uint32_t kFetchConstantBase = 0x4800;
inline constexpr uint32_t kBoolConstantBase = 0x4900;
inline constexpr uint32_t kLoopConstantBase = 0x4908;
inline constexpr uint32_t kContextRegisterBase = 0x2000;
}  // namespace reg

// Name of a register for reports ("" when it has none we know).
const char* register_name(uint32_t index);

namespace pm4 {
inline constexpr uint32_t kNop = 0x10;
inline constexpr uint32_t kRegRmw = 0x21;
inline constexpr uint32_t kDrawIndx = 0x22;
inline constexpr uint32_t kWaitForIdle = 0x26;
inline constexpr uint32_t kImLoad = 0x27;
inline constexpr uint32_t kImLoadImmediate = 0x2B;
inline constexpr uint32_t kSetConstant = 0x2D;
inline constexpr uint32_t kLoadAluConstant = 0x2F;
inline constexpr uint32_t kDrawIndx2 = 0x36;
inline constexpr uint32_t kIndirectBufferPfd = 0x37;
inline constexpr uint32_t kInvalidateState = 0x3B;
inline constexpr uint32_t kWaitRegMem = 0x3C;
inline constexpr uint32_t kMemWrite = 0x3D;
inline constexpr uint32_t kRegToMem = 0x3E;
inline constexpr uint32_t kIndirectBuffer = 0x3F;
inline constexpr uint32_t kCondWrite = 0x45;
inline constexpr uint32_t kEventWrite = 0x46;
inline constexpr uint32_t kMeInit = 0x48;
inline constexpr uint32_t kSetBinMask = 0x50;
inline constexpr uint32_t kSetBinSelect = 0x51;
inline constexpr uint32_t kInterrupt = 0x54;
inline constexpr uint32_t kSetConstant2 = 0x55;
inline constexpr uint32_t kSetShaderConstants = 0x56;
inline constexpr uint32_t kEventWriteShd = 0x58;
inline constexpr uint32_t kEventWriteExt = 0x5A;
inline constexpr uint32_t kEventWriteZpd = 0x5B;
inline constexpr uint32_t kContextUpdate = 0x5E;
inline constexpr uint32_t kSetBinMaskLo = 0x60;
inline constexpr uint32_t kSetBinMaskHi = 0x61;
inline constexpr uint32_t kSetBinSelectLo = 0x62;
inline constexpr uint32_t kSetBinSelectHi = 0x63;
// The swap packet VdSwap writes into the ring (the kernel's own opcode, as
// on xenia; payload 'SWAP', front buffer physical address, width, height).
inline constexpr uint32_t kXeSwap = 0x64;
inline constexpr uint32_t kSwapSignature = 0x53574150;  // 'SWAP'

const char* opcode_name(uint32_t opcode);

constexpr uint32_t type0(uint32_t first_register, uint32_t count) {
  return ((count - 1) << 16) | first_register;
}
constexpr uint32_t type2() { return 0x80000000u; }
constexpr uint32_t type3(uint32_t opcode, uint32_t count) {
  return 0xC0000000u | ((count - 1) << 16) | (opcode << 8);
}
}  // namespace pm4

}  // namespace xdet::gpu
