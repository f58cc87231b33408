#include "cpu/harness/elf_image.h"

#include <cstdio>
#include <cstring>
#include <memory>

#include "base/byte_order.h"
#include "base/error.h"

namespace xdet::cpu {

std::span<const uint8_t> ElfImage::bytes(uint64_t offset, uint64_t size, const char* what) const {
  if (offset > data_.size() || size > data_.size() - offset) {
    throw_input_error("{}: {} at file offset 0x{:X} (size 0x{:X}) extends past the end of the file (size 0x{:X})",
                      name_, what, offset, size, data_.size());
  }
  return {data_.data() + offset, static_cast<size_t>(size)};
}

uint16_t ElfImage::u16(uint64_t off) const { return load_be16(bytes(off, 2, "field").data()); }
uint32_t ElfImage::u32(uint64_t off) const { return load_be32(bytes(off, 4, "field").data()); }
uint64_t ElfImage::u64(uint64_t off) const { return load_be64(bytes(off, 8, "field").data()); }

ElfImage ElfImage::load_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw_input_error("{}: cannot open: {}", path, std::strerror(errno));
  std::vector<uint8_t> data;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    data.insert(data.end(), buf, buf + n);
    if (data.size() > (1ull << 31)) throw_input_error("{}: file larger than 2 GiB", path);
  }
  return parse(std::move(data), path);
}

ElfImage ElfImage::parse(std::vector<uint8_t> bytes, std::string name) {
  ElfImage img;
  img.name_ = std::move(name);
  img.data_ = std::move(bytes);
  img.parse_headers();
  return img;
}

void ElfImage::parse_headers() {
  auto ident = bytes(0, 16, "ELF identification");
  if (std::memcmp(ident.data(), "\x7F" "ELF", 4) != 0) throw_input_error("{}: offset 0x0: not an ELF file (bad magic)", name_);
  if (ident[4] != 1 && ident[4] != 2) throw_input_error("{}: offset 0x4: bad ELF class {}", name_, ident[4]);
  is64_ = ident[4] == 2;
  if (ident[5] != 2) throw_input_error("{}: offset 0x5: not a big-endian ELF (data encoding {})", name_, ident[5]);
  machine_ = u16(18);
  if (machine_ != kEmPpc && machine_ != kEmPpc64) {
    throw_input_error("{}: offset 0x12: machine {} is not PowerPC", name_, machine_);
  }
  entry_ = addr(24);
  uint64_t phoff = is64_ ? u64(32) : u32(28);
  uint64_t shoff = is64_ ? u64(40) : u32(32);
  uint64_t base = is64_ ? 48 : 36;
  e_flags_ = u32(base);
  uint16_t phentsize = u16(base + 6), phnum = u16(base + 8);
  uint16_t shentsize = u16(base + 10), shnum = u16(base + 12), shstrndx = u16(base + 14);
  uint16_t want_ph = is64_ ? 56 : 32, want_sh = is64_ ? 64 : 40;
  if (phnum && phentsize < want_ph) throw_input_error("{}: offset 0x{:X}: program header size {} too small", name_, base + 6, phentsize);
  if (shnum && shentsize < want_sh) throw_input_error("{}: offset 0x{:X}: section header size {} too small", name_, base + 10, shentsize);
  bytes(phoff, static_cast<uint64_t>(phnum) * phentsize, "program header table");
  bytes(shoff, static_cast<uint64_t>(shnum) * shentsize, "section header table");

  for (uint16_t k = 0; k < phnum; ++k) {
    uint64_t o = phoff + static_cast<uint64_t>(k) * phentsize;
    ElfSegment s;
    s.type = u32(o);
    if (is64_) {
      s.flags = u32(o + 4);
      s.offset = u64(o + 8);
      s.vaddr = u64(o + 16);
      s.filesz = u64(o + 32);
      s.memsz = u64(o + 40);
    } else {
      s.offset = u32(o + 4);
      s.vaddr = u32(o + 8);
      s.filesz = u32(o + 16);
      s.memsz = u32(o + 20);
      s.flags = u32(o + 24);
    }
    if (s.type == kPtLoad) {
      // A bss-only segment (filesz 0) may carry any p_offset, even past the
      // end of the file (gcc emits such files); only file bytes are checked.
      if (s.filesz) bytes(s.offset, s.filesz, "PT_LOAD segment data");
      if (s.filesz > s.memsz) throw_input_error("{}: program header at offset 0x{:X}: filesz 0x{:X} > memsz 0x{:X}", name_, o, s.filesz, s.memsz);
      if (s.vaddr + s.memsz > (1ull << 32) || s.vaddr + s.memsz < s.vaddr) {
        throw_input_error("{}: program header at offset 0x{:X}: segment 0x{:X}+0x{:X} is outside the 32-bit address space", name_, o, s.vaddr, s.memsz);
      }
    }
    segments_.push_back(s);
  }

  std::vector<ElfSection> raw;
  for (uint16_t k = 0; k < shnum; ++k) {
    uint64_t o = shoff + static_cast<uint64_t>(k) * shentsize;
    ElfSection s;
    uint32_t name_off = u32(o);
    s.name = std::to_string(name_off);  // resolved below
    s.type = u32(o + 4);
    if (is64_) {
      s.flags = u64(o + 8);
      s.addr = u64(o + 16);
      s.offset = u64(o + 24);
      s.size = u64(o + 32);
      s.link = u32(o + 40);
    } else {
      s.flags = u32(o + 8);
      s.addr = u32(o + 12);
      s.offset = u32(o + 16);
      s.size = u32(o + 20);
      s.link = u32(o + 24);
    }
    if (s.type != 8 /*SHT_NOBITS*/ && s.type != 0) bytes(s.offset, s.size, "section data");
    raw.push_back(s);
  }
  auto cstr = [&](const ElfSection& strtab, uint64_t off) -> std::string {
    if (off >= strtab.size) throw_input_error("{}: string offset 0x{:X} outside string table at 0x{:X}", name_, off, strtab.offset);
    auto tab = bytes(strtab.offset, strtab.size, "string table");
    const char* p = reinterpret_cast<const char*>(tab.data()) + off;
    size_t max = static_cast<size_t>(strtab.size - off);
    size_t len = strnlen(p, max);
    if (len == max) throw_input_error("{}: unterminated string at file offset 0x{:X}", name_, strtab.offset + off);
    return std::string(p, len);
  };
  if (shnum && shstrndx < shnum) {
    for (auto& s : raw) s.name = cstr(raw[shstrndx], std::stoull(s.name));
  }
  sections_ = std::move(raw);

  for (const auto& s : sections_) {
    if (s.type != 2 /*SHT_SYMTAB*/) continue;
    if (s.link >= sections_.size()) throw_input_error("{}: section at offset 0x{:X}: bad string table link {}", name_, s.offset, s.link);
    const ElfSection& strtab = sections_[s.link];
    uint64_t entsize = is64_ ? 24 : 16;
    for (uint64_t o = s.offset; o + entsize <= s.offset + s.size; o += entsize) {
      ElfSymbol sym;
      uint32_t name_off = u32(o);
      if (is64_) {
        sym.info = bytes(o + 4, 1, "symbol")[0];
        sym.shndx = u16(o + 6);
        sym.value = u64(o + 8);
        sym.size = u64(o + 16);
      } else {
        sym.value = u32(o + 4);
        sym.size = u32(o + 8);
        sym.info = bytes(o + 12, 1, "symbol")[0];
        sym.shndx = u16(o + 14);
      }
      sym.name = cstr(strtab, name_off);
      symbols_.push_back(std::move(sym));
    }
  }
}

}  // namespace xdet::cpu
