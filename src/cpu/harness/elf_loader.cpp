#include "cpu/harness/elf_loader.h"

#include "base/error.h"

namespace xdet::cpu {

LoadedProgram load_elf_program(GuestMemory& mem, const ElfImage& elf) {
  LoadedProgram prog;
  prog.is64 = elf.is64();
  bool any = false;
  uint64_t stack_lo = kProgramStackBase, stack_hi = kProgramStackBase + kProgramStackSize;
  for (const ElfSegment& s : elf.segments()) {
    if (s.type != ElfImage::kPtLoad || s.memsz == 0) continue;
    any = true;
    uint64_t lo = s.vaddr & ~static_cast<uint64_t>(GuestMemory::kPageSize - 1);
    uint64_t hi = (s.vaddr + s.memsz + GuestMemory::kPageSize - 1) & ~static_cast<uint64_t>(GuestMemory::kPageSize - 1);
    if (lo < stack_hi && hi > stack_lo) {
      throw_input_error("{}: PT_LOAD segment 0x{:X}+0x{:X} overlaps the stack region 0x{:X}-0x{:X}", elf.name(),
                        s.vaddr, s.memsz, stack_lo, stack_hi);
    }
    if (lo < GuestMemory::kPageSize) {
      throw_input_error("{}: PT_LOAD segment at 0x{:X} maps the null page", elf.name(), s.vaddr);
    }
    uint8_t perms = 0;
    if (s.flags & 4) perms |= GuestMemory::kProtRead;
    if (s.flags & 2) perms |= GuestMemory::kProtWrite | GuestMemory::kProtRead;
    if (s.flags & 1) perms |= GuestMemory::kProtExec | GuestMemory::kProtRead;
    // Segments may share a page; keep the union of their permissions.
    for (uint64_t p = lo; p < hi; p += GuestMemory::kPageSize) {
      uint32_t a = static_cast<uint32_t>(p);
      mem.set_protection(a, GuestMemory::kPageSize, static_cast<uint8_t>(mem.protection(a) | perms | GuestMemory::kProtWrite));
    }
    std::span<const uint8_t> bytes;
    if (s.filesz) bytes = elf.bytes(s.offset, s.filesz, "PT_LOAD segment data");
    if (!bytes.empty()) mem.write_bytes(static_cast<uint32_t>(s.vaddr), bytes.data(), bytes.size());
    prog.image_end = std::max<uint32_t>(prog.image_end, static_cast<uint32_t>(hi));
  }
  if (!any) throw_input_error("{}: no PT_LOAD segments", elf.name());
  // Drop the temporary write permission from segments not marked writable.
  for (const ElfSegment& s : elf.segments()) {
    if (s.type != ElfImage::kPtLoad || s.memsz == 0 || (s.flags & 2)) continue;
    uint64_t lo = s.vaddr & ~static_cast<uint64_t>(GuestMemory::kPageSize - 1);
    uint64_t hi = (s.vaddr + s.memsz + GuestMemory::kPageSize - 1) & ~static_cast<uint64_t>(GuestMemory::kPageSize - 1);
    for (uint64_t p = lo; p < hi; p += GuestMemory::kPageSize) {
      uint32_t a = static_cast<uint32_t>(p);
      bool shared_writable = false;
      for (const ElfSegment& o : elf.segments()) {
        if (o.type == ElfImage::kPtLoad && (o.flags & 2) && o.vaddr < p + GuestMemory::kPageSize && o.vaddr + o.memsz > p) {
          shared_writable = true;
        }
      }
      if (!shared_writable) mem.set_protection(a, GuestMemory::kPageSize, mem.protection(a) & ~GuestMemory::kProtWrite);
    }
  }

  uint64_t entry = elf.entry();
  if (elf.is64() && elf.abi_version() != 2 && !mem.is_accessible(static_cast<uint32_t>(entry), 4, GuestMemory::kProtExec)) {
    // ELF64 ABI v1: e_entry points at a function descriptor {entry, toc, env}.
    if (entry > 0xFFFFFFF0ull || !mem.is_accessible(static_cast<uint32_t>(entry), 16, GuestMemory::kProtRead)) {
      throw_input_error("{}: entry function descriptor at 0x{:X} is not inside a loaded segment", elf.name(), entry);
    }
    prog.toc = mem.read64(static_cast<uint32_t>(entry) + 8);
    entry = mem.read64(static_cast<uint32_t>(entry));
  }
  if (entry > 0xFFFFFFFFull || !mem.is_accessible(static_cast<uint32_t>(entry), 4, GuestMemory::kProtExec)) {
    throw_input_error("{}: entry point 0x{:X} is not in an executable segment", elf.name(), entry);
  }
  prog.entry = static_cast<uint32_t>(entry);
  mem.set_protection(kProgramStackBase, kProgramStackSize, GuestMemory::kProtRW);
  prog.stack_top = kProgramStackBase + kProgramStackSize - 256;
  return prog;
}

void init_context_for_program(PpcContext& ctx, const LoadedProgram& prog) {
  ctx.pc = prog.entry;
  ctx.gpr[1] = prog.stack_top;
  ctx.gpr[2] = prog.toc;
  ctx.mode64 = prog.is64;
}

}  // namespace xdet::cpu
