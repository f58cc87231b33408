#pragma once
// A bounds-checked reader for big-endian PowerPC ELF files (ELF32 and ELF64):
// header, program headers, section headers and the symbol table. The one ELF
// reader of xdet: `xdet run-elf`, `xdet pack` (loader/elf_to_xex), guest
// symbols (loader/symbols) and the ppc-test runner. Every malformed
// structure throws InputError naming the file and the byte offset.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace xdet::cpu {

struct ElfSegment {
  uint32_t type;
  uint32_t flags;  // PF_X=1, PF_W=2, PF_R=4
  uint64_t offset;
  uint64_t vaddr;
  uint64_t filesz;
  uint64_t memsz;
};

struct ElfSection {
  std::string name;
  uint32_t type;
  uint64_t flags;
  uint64_t addr;
  uint64_t offset;
  uint64_t size;
  uint32_t link;
};

struct ElfSymbol {
  std::string name;
  uint64_t value;
  uint64_t size = 0;
  uint16_t shndx;
  uint8_t info;
};

class ElfImage {
 public:
  static constexpr uint32_t kPtLoad = 1;
  static constexpr uint16_t kEmPpc = 20;
  static constexpr uint16_t kEmPpc64 = 21;

  // Parses `bytes` (kept inside the image). `name` is used in error messages.
  static ElfImage parse(std::vector<uint8_t> bytes, std::string name);
  static ElfImage load_file(const std::string& path);

  bool is64() const { return is64_; }
  uint16_t machine() const { return machine_; }
  uint64_t entry() const { return entry_; }
  uint32_t abi_version() const { return e_flags_ & 3; }  // ELF64 PPC: 1 = function descriptors
  const std::vector<ElfSegment>& segments() const { return segments_; }
  const std::vector<ElfSection>& sections() const { return sections_; }
  const std::vector<ElfSymbol>& symbols() const { return symbols_; }
  // File bytes [offset, offset+size); throws InputError if out of range.
  std::span<const uint8_t> bytes(uint64_t offset, uint64_t size, const char* what) const;
  const std::string& name() const { return name_; }

 private:
  void parse_headers();
  uint16_t u16(uint64_t off) const;
  uint32_t u32(uint64_t off) const;
  uint64_t u64(uint64_t off) const;
  uint64_t addr(uint64_t off) const { return is64_ ? u64(off) : u32(off); }

  std::string name_;
  std::vector<uint8_t> data_;
  bool is64_ = false;
  uint16_t machine_ = 0;
  uint32_t e_flags_ = 0;
  uint64_t entry_ = 0;
  std::vector<ElfSegment> segments_;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;
};

}  // namespace xdet::cpu
