#pragma once
// XEX2 container constants (shared/spec/xex2-format.md). All container fields
// are big-endian; the embedded PE headers are little-endian.
#include <cstdint>

namespace xdet::xex {

inline constexpr uint32_t kMagicXex2 = 0x58455832;  // 'XEX2'
inline constexpr uint32_t kMagicXex1 = 0x58455831;  // 'XEX1'
inline constexpr uint32_t kMainHeaderSize = 0x18;

// module_flags
inline constexpr uint32_t kModuleTitle = 0x01;
inline constexpr uint32_t kModuleExportsToTitle = 0x02;
inline constexpr uint32_t kModuleSystemDebugger = 0x04;
inline constexpr uint32_t kModuleDll = 0x08;
inline constexpr uint32_t kModulePatch = 0x10;
inline constexpr uint32_t kModulePatchFull = 0x20;
inline constexpr uint32_t kModulePatchDelta = 0x40;
inline constexpr uint32_t kModuleUserMode = 0x80;

// Optional header keys.
inline constexpr uint32_t kHeaderResourceInfo = 0x000002FF;
inline constexpr uint32_t kHeaderFileFormatInfo = 0x000003FF;
inline constexpr uint32_t kHeaderDeltaPatchDescriptor = 0x000005FF;
inline constexpr uint32_t kHeaderBaseReference = 0x00000405;
inline constexpr uint32_t kHeaderBoundingPath = 0x000080FF;
inline constexpr uint32_t kHeaderDeviceId = 0x00008105;
inline constexpr uint32_t kHeaderOriginalBaseAddress = 0x00010001;
inline constexpr uint32_t kHeaderEntryPoint = 0x00010100;
inline constexpr uint32_t kHeaderImageBaseAddress = 0x00010201;
inline constexpr uint32_t kHeaderImportLibraries = 0x000103FF;
inline constexpr uint32_t kHeaderChecksumTimestamp = 0x00018002;
inline constexpr uint32_t kHeaderEnabledForCallcap = 0x00018102;
inline constexpr uint32_t kHeaderEnabledForFastcap = 0x00018200;
inline constexpr uint32_t kHeaderOriginalPeName = 0x000183FF;
inline constexpr uint32_t kHeaderStaticLibraries = 0x000200FF;
inline constexpr uint32_t kHeaderTlsInfo = 0x00020104;
inline constexpr uint32_t kHeaderDefaultStackSize = 0x00020200;
inline constexpr uint32_t kHeaderDefaultFilesystemCacheSize = 0x00020301;
inline constexpr uint32_t kHeaderDefaultHeapSize = 0x00020401;
inline constexpr uint32_t kHeaderPageHeapSizeAndFlags = 0x00028002;
inline constexpr uint32_t kHeaderSystemFlags = 0x00030000;
inline constexpr uint32_t kHeaderExecutionInfo = 0x00040006;
inline constexpr uint32_t kHeaderTitleWorkspaceSize = 0x00040201;
inline constexpr uint32_t kHeaderGameRatings = 0x00040310;
inline constexpr uint32_t kHeaderLanKey = 0x00040404;
inline constexpr uint32_t kHeaderXbox360Logo = 0x000405FF;
inline constexpr uint32_t kHeaderMultidiscMediaIds = 0x000406FF;
inline constexpr uint32_t kHeaderAlternateTitleIds = 0x000407FF;
inline constexpr uint32_t kHeaderAdditionalTitleMemory = 0x00040801;
inline constexpr uint32_t kHeaderExportsByName = 0x00E10402;

// Name of a known optional-header key, or nullptr.
const char* header_key_name(uint32_t key);

// FILE_FORMAT_INFO
inline constexpr uint16_t kEncryptionNone = 0;
inline constexpr uint16_t kEncryptionNormal = 1;
inline constexpr uint16_t kCompressionNone = 0;
inline constexpr uint16_t kCompressionBasic = 1;
inline constexpr uint16_t kCompressionNormal = 2;
inline constexpr uint16_t kCompressionDelta = 3;

// Security info (XEX2) field offsets.
inline constexpr uint32_t kSecHeaderSize = 0x000;
inline constexpr uint32_t kSecImageSize = 0x004;
inline constexpr uint32_t kSecRsaSignature = 0x008;
inline constexpr uint32_t kSecUnknownLength = 0x108;
inline constexpr uint32_t kSecImageFlags = 0x10C;
inline constexpr uint32_t kSecLoadAddress = 0x110;
inline constexpr uint32_t kSecSectionDigest = 0x114;
inline constexpr uint32_t kSecImportTableCount = 0x128;
inline constexpr uint32_t kSecImportTableDigest = 0x12C;
inline constexpr uint32_t kSecXgd2MediaId = 0x140;
inline constexpr uint32_t kSecAesKey = 0x150;
inline constexpr uint32_t kSecExportTable = 0x160;
inline constexpr uint32_t kSecHeaderDigest = 0x164;
inline constexpr uint32_t kSecRegion = 0x178;
inline constexpr uint32_t kSecAllowedMediaTypes = 0x17C;
inline constexpr uint32_t kSecPageDescriptorCount = 0x180;
inline constexpr uint32_t kSecPageDescriptors = 0x184;
inline constexpr uint32_t kPageDescriptorSize = 24;

// Page descriptor section types.
inline constexpr uint8_t kSectionCode = 1;
inline constexpr uint8_t kSectionData = 2;
inline constexpr uint8_t kSectionReadOnlyData = 3;

inline constexpr uint32_t kImageFlag4kbPages = 0x10000000;

// Import record types (bits 31..24 of the record word).
inline constexpr uint8_t kImportVariable = 0;
inline constexpr uint8_t kImportFunction = 1;

// What the loader writes into import records (xex2-format.md §6).
inline constexpr uint32_t kThunkSyscall = 0x44000042;  // sc LEV=2
inline constexpr uint32_t kThunkBlr = 0x4E800020;
inline constexpr uint32_t kThunkNop = 0x60000000;
inline constexpr uint32_t kUnresolvedVariable = 0xF00DF00D;
inline constexpr uint32_t kFunctionInVariableSlot = 0xDEADC0DE;
// Unimplemented kernel variable: 0xD000BEEF with bits 27..16 = ordinal & 0xFFF.
inline constexpr uint32_t unimplemented_variable_value(uint16_t ordinal) {
  return 0xD000BEEFu | (uint32_t{ordinal & 0xFFFu} << 16);
}

// Master keys for the session key (xex2-format.md §5).
inline constexpr uint8_t kRetailKey[16] = {0x20, 0xB1, 0x85, 0xA5, 0x9D, 0x28, 0xFD, 0xC3,
                                           0x40, 0x58, 0x3F, 0xBB, 0x08, 0x96, 0xBF, 0x91};
inline constexpr uint8_t kDevkitKey[16] = {};

// PE (little-endian) constants.
inline constexpr uint16_t kPeDosMagic = 0x5A4D;
inline constexpr uint32_t kPeSignature = 0x00004550;  // "PE\0\0"
inline constexpr uint16_t kPeMachinePowerPcBe = 0x01F2;
inline constexpr uint16_t kPeCharacteristic32BitMachine = 0x0100;
inline constexpr uint16_t kPeCharacteristicExecutable = 0x0002;
inline constexpr uint16_t kPeOptionalHeaderSize = 0xE0;
inline constexpr uint16_t kPeOptionalMagicPe32 = 0x10B;
inline constexpr uint16_t kPeSubsystemXbox = 14;

}  // namespace xdet::xex
