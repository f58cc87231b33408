#pragma once
// Guest symbols for printing PCs as `function+0xoff`: from the ELF the guest
// SDK keeps beside each XEX (NAME.elf next to NAME.xex), from an ELF given
// with --symbols, or from an `nm`-style map ("ADDRESS [TYPE] NAME" per line).
// Lookups are binary searches over a sorted table, so the app and the kernel
// can symbolize any number of PCs in reports.
#include <cstdint>
#include <string>
#include <vector>

namespace xdet {
class GuestMemory;
}

namespace xdet::loader {

struct Symbol {
  uint32_t address = 0;
  uint32_t size = 0;  // 0: unknown (extends to the next symbol)
  std::string name;
};

class SymbolTable {
 public:
  // Function (and, from maps, text) symbols of an ELF file's bytes.
  static SymbolTable from_elf_bytes(std::vector<uint8_t> bytes, const std::string& name);
  // An ELF file or an nm-style map. Throws InputError naming file and line.
  static SymbolTable load_file(const std::string& path);
  // NAME.elf beside NAME.xex, if it exists; an empty table otherwise (a bad
  // ELF there is ignored: it is a convenience, not an input).
  static SymbolTable beside_xex(const std::string& xex_path);

  void add(uint32_t address, uint32_t size, std::string name);
  // Merges `other` in (its entries win at equal addresses).
  void merge(const SymbolTable& other);

  bool empty() const { return symbols_.empty(); }
  size_t size() const { return symbols_.size(); }
  // The symbol covering `address`, or nullptr.
  const Symbol* find(uint32_t address) const;
  // "name+0x1c" ("name" at offset 0), or "" when no symbol covers it.
  std::string describe(uint32_t address) const;
  // "0x82001030 (name+0x1c)" or "0x82001030".
  std::string describe_pc(uint32_t address) const;

 private:
  void sort();
  std::vector<Symbol> symbols_;  // sorted by address, unique addresses
};

// A back-chain walk of a guest stack: frame 0 is `pc`, frame 1 is `lr` when
// the thread is in a leaf that has not saved it yet (the saved LR slot in the
// first back-chain frame differs), then the saved LR of each frame reached
// through the back chain at 0(r1) (the caller's LR save word is 4(r1) of the
// caller's frame on 32-bit PowerPC). Stops at an unreadable or non-increasing
// back chain, a zero LR, or `max_frames`.
// `symbols` (may be null) keeps a stale LR that points into the PC's own
// function out of the list.
std::vector<uint32_t> walk_back_chain(const GuestMemory& mem, uint32_t pc, uint32_t lr, uint32_t sp,
                                      const SymbolTable* symbols, size_t max_frames = 32);

}  // namespace xdet::loader
