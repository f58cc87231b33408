#include "kernel/title_state.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "base/error.h"
#include "kernel/kernel.h"
#include "loader/loader.h"

namespace xdet::kernel {

namespace {

// LDR_DATA_TABLE_ENTRY (xenia's X_LDR_DATA_TABLE_ENTRY, 0x64 bytes used).
namespace ldr {
constexpr uint32_t kInLoadOrderLinks = 0x00;
constexpr uint32_t kInMemoryOrderLinks = 0x08;
constexpr uint32_t kInInitOrderLinks = 0x10;
constexpr uint32_t kDllBase = 0x18;
constexpr uint32_t kImageBase = 0x1C;
constexpr uint32_t kImageSize = 0x20;
constexpr uint32_t kFullDllName = 0x24;
constexpr uint32_t kBaseDllName = 0x2C;
constexpr uint32_t kFlags = 0x34;
constexpr uint32_t kFullImageSize = 0x38;
constexpr uint32_t kEntryPoint = 0x3C;
constexpr uint32_t kLoadCount = 0x40;
constexpr uint32_t kCheckSum = 0x48;
constexpr uint32_t kTimeDateStamp = 0x50;
constexpr uint32_t kXexHeaderBase = 0x58;
constexpr uint32_t kSize = 0x80;  // entry + room for the name strings
constexpr uint32_t kNameBuffer = 0x68;
}  // namespace ldr

constexpr uint32_t kThunkSlots = 400;  // as many as the console's trampoline table
constexpr uint32_t kScLev2 = 0x44000042u;
constexpr uint32_t kBlr = 0x4E800020u;

uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

long parse_int(const std::string& tok, const std::string& where, long lo, long hi) {
  char* end = nullptr;
  long v = std::strtol(tok.c_str(), &end, 0);
  if (tok.empty() || !end || *end || v < lo || v > hi) {
    throw InputError(fmt::format("{}: '{}' is not a number in [{}, {}]", where, tok, lo, hi));
  }
  return v;
}

}  // namespace

std::vector<InputFrame> parse_input_script(const std::string& text, const std::string& name) {
  std::vector<InputFrame> out;
  std::istringstream in(text);
  int lineno = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineno;
    line = line.substr(0, line.find('#'));
    std::istringstream ls(line);
    std::vector<std::string> tok;
    for (std::string t; ls >> t;) tok.push_back(t);
    if (tok.empty()) continue;
    std::string where = fmt::format("{}:{}", name, lineno);
    if (tok.size() != 2 && tok.size() != 8) {
      throw InputError(where + ": expected FRAME BUTTONS [LT RT LX LY RX RY]");
    }
    InputFrame f;
    char* end = nullptr;
    unsigned long long fr = std::strtoull(tok[0].c_str(), &end, 0);
    if (!end || *end || tok[0][0] == '-') throw InputError(where + ": bad frame number '" + tok[0] + "'");
    f.frame = fr;
    if (!out.empty() && f.frame <= out.back().frame) throw InputError(where + ": frames must increase");
    f.buttons = static_cast<uint16_t>(parse_int(tok[1], where, 0, 0xFFFF));
    if (tok.size() == 8) {
      f.left_trigger = static_cast<uint8_t>(parse_int(tok[2], where, 0, 255));
      f.right_trigger = static_cast<uint8_t>(parse_int(tok[3], where, 0, 255));
      f.thumb_lx = static_cast<int16_t>(parse_int(tok[4], where, -32768, 32767));
      f.thumb_ly = static_cast<int16_t>(parse_int(tok[5], where, -32768, 32767));
      f.thumb_rx = static_cast<int16_t>(parse_int(tok[6], where, -32768, 32767));
      f.thumb_ry = static_cast<int16_t>(parse_int(tok[7], where, -32768, 32767));
    }
    out.push_back(f);
  }
  return out;
}

void TitleState::set_headers(const xex::XexFile& headers, const std::string& image_name) {
  headers_ = headers;
  have_headers_ = true;
  image_name_ = image_name;
}

uint32_t TitleState::system_flags() const {
  if (module_) return module_->system_flags;
  return have_headers_ ? headers_.system_flags.value_or(0) : 0;
}

std::string TitleState::command_line() const {
  std::string s = "\"" + image_name_ + "\"";
  if (!options_.command_line_args.empty()) s += " " + options_.command_line_args;
  return s;
}

uint32_t TitleState::ldr_entry(Kernel& k) {
  if (ldr_entry_) return ldr_entry_;
  ldr_entry_ = k.pool().allocate(ldr::kSize + 2 * 256, 16);
  if (!ldr_entry_) return 0;
  GuestMemory& mem = k.memory();
  // A one-entry load-order list: the links point at themselves.
  for (uint32_t off : {ldr::kInLoadOrderLinks, ldr::kInMemoryOrderLinks, ldr::kInInitOrderLinks}) {
    mem.write32(ldr_entry_ + off, ldr_entry_ + off);
    mem.write32(ldr_entry_ + off + 4, ldr_entry_ + off);
  }
  mem.write16(ldr_entry_ + ldr::kLoadCount, 1);
  // Full and base name: UTF-16 image name.
  std::string name = image_name_.substr(0, 255);
  uint32_t buf = ldr_entry_ + ldr::kNameBuffer + 0x18;
  for (size_t i = 0; i < name.size(); ++i) mem.write16(buf + static_cast<uint32_t>(2 * i), static_cast<uint8_t>(name[i]));
  for (uint32_t off : {ldr::kFullDllName, ldr::kBaseDllName}) {
    mem.write16(ldr_entry_ + off, static_cast<uint16_t>(2 * name.size()));
    mem.write16(ldr_entry_ + off + 2, static_cast<uint16_t>(2 * name.size() + 2));
    mem.write32(ldr_entry_ + off + 4, buf);
  }
  if (have_headers_) {
    mem.write32(ldr_entry_ + ldr::kDllBase, headers_.image_base());
    mem.write32(ldr_entry_ + ldr::kImageBase, headers_.image_base());
    mem.write32(ldr_entry_ + ldr::kImageSize, headers_.security.image_size);
    mem.write32(ldr_entry_ + ldr::kFullImageSize, headers_.security.image_size);
    mem.write32(ldr_entry_ + ldr::kEntryPoint, headers_.entry_point.value_or(0));
    mem.write32(ldr_entry_ + ldr::kFlags, headers_.module_flags);
    if (headers_.checksum_timestamp) {
      mem.write32(ldr_entry_ + ldr::kCheckSum, (*headers_.checksum_timestamp)[0]);
      mem.write32(ldr_entry_ + ldr::kTimeDateStamp, (*headers_.checksum_timestamp)[1]);
    }
  }
  mem.write32(ldr_entry_ + ldr::kXexHeaderBase, header_copy_);
  return ldr_entry_;
}

void TitleState::bind_module(Kernel& k, const loader::LoadedModule& module) {
  module_ = &module;
  if (!module.header_block.empty()) {
    uint32_t size = static_cast<uint32_t>(module.header_block.size());
    header_copy_ = k.pool().allocate(size, 16);
    if (header_copy_) k.memory().write_bytes(header_copy_, module.header_block.data(), size);
  }
  uint32_t e = ldr_entry(k);
  if (e) {
    k.memory().write32(e + ldr::kXexHeaderBase, header_copy_);
    k.memory().write32(e + ldr::kImageSize, module.image_size);
    k.memory().write32(e + ldr::kFullImageSize, module.full_image_size);
  }
}

uint32_t TitleState::variable(Kernel& k, uint16_t ordinal) {
  GuestMemory& mem = k.memory();
  switch (ordinal) {
    case 0x193: {  // XexExecutableModuleHandle: a cell holding the LDR entry pointer
      if (!module_handle_var_) {
        module_handle_var_ = k.pool().allocate(4, 16);
        if (module_handle_var_) mem.write32(module_handle_var_, ldr_entry(k));
      }
      return module_handle_var_;
    }
    case 0x1AE: {  // ExLoadedCommandLine: the characters themselves
      if (!command_line_var_) {
        std::string cl = command_line();
        uint32_t size = std::max<uint32_t>(static_cast<uint32_t>(cl.size()) + 1, 256);
        command_line_var_ = k.pool().allocate(size, 16);
        if (command_line_var_) mem.write_bytes(command_line_var_, cl.data(), static_cast<uint32_t>(cl.size()));
      }
      return command_line_var_;
    }
    case 0x1AF: {  // ExLoadedImageName: 256 characters
      if (!image_name_var_) {
        std::string path = "\\Device\\Cdrom0\\" + image_name_;
        path = path.substr(0, 255);
        image_name_var_ = k.pool().allocate(256, 16);
        if (image_name_var_) mem.write_bytes(image_name_var_, path.data(), static_cast<uint32_t>(path.size()));
      }
      return image_name_var_;
    }
    default:
      return 0;
  }
}

uint32_t TitleState::kernel_module_handle(Kernel& k, exports::KernelModule m) {
  uint32_t& h = kernel_handles_[m == exports::KernelModule::kXam ? 1 : 0];
  if (h) return h;
  h = k.pool().allocate(ldr::kSize, 16);
  if (!h) return 0;
  GuestMemory& mem = k.memory();
  for (uint32_t off : {ldr::kInLoadOrderLinks, ldr::kInMemoryOrderLinks, ldr::kInInitOrderLinks}) {
    mem.write32(h + off, h + off);
    mem.write32(h + off + 4, h + off);
  }
  mem.write16(h + ldr::kLoadCount, 1);
  std::string name = exports::library_file_name(m);
  uint32_t buf = h + ldr::kNameBuffer;
  for (size_t i = 0; i < name.size(); ++i) mem.write16(buf + static_cast<uint32_t>(2 * i), static_cast<uint8_t>(name[i]));
  for (uint32_t off : {ldr::kFullDllName, ldr::kBaseDllName}) {
    mem.write16(h + off, static_cast<uint16_t>(2 * name.size()));
    mem.write16(h + off + 2, static_cast<uint16_t>(2 * name.size() + 2));
    mem.write32(h + off + 4, buf);
  }
  return h;
}

std::optional<exports::KernelModule> TitleState::kernel_module_for_handle(uint32_t handle) const {
  if (!handle) return std::nullopt;
  if (handle == kernel_handles_[0]) return exports::KernelModule::kXboxkrnl;
  if (handle == kernel_handles_[1]) return exports::KernelModule::kXam;
  return std::nullopt;
}

uint32_t TitleState::procedure_thunk(Kernel& k, exports::KernelModule m, uint16_t ordinal) {
  auto key = std::make_pair(m, ordinal);
  if (auto it = thunks_.find(key); it != thunks_.end()) return it->second;
  if (thunks_.size() >= kThunkSlots) return 0;
  if (!thunk_page_) {
    // The console's trampoline area (read-only, executable) when the memory
    // map is there; otherwise (unit tests) a pool block made executable.
    MemoryMap* map = k.memory_map();
    thunk_page_ = map ? map->allocate_kernel_trampolines() : k.pool().allocate(kThunkSlots * 8, 0x1000);
    if (!thunk_page_) return 0;
    GuestMemory& mem = k.memory();
    uint8_t* host = mem.translate(thunk_page_);
    // Every slot is written once, before any of it can run.
    for (uint32_t i = 0; i < kThunkSlots; ++i) {
      for (int b = 0; b < 4; ++b) {
        host[8 * i + b] = static_cast<uint8_t>(kScLev2 >> (24 - 8 * b));
        host[8 * i + 4 + b] = static_cast<uint8_t>(kBlr >> (24 - 8 * b));
      }
    }
    if (!map) mem.update_protection(thunk_page_, kThunkSlots * 8, GuestMemory::kProtRWX);
    mem.invalidate_code(thunk_page_, kThunkSlots * 8);
  }
  uint32_t a = thunk_page_ + 8 * static_cast<uint32_t>(thunks_.size());
  thunks_[key] = a;
  thunk_at_[a] = key;
  return a;
}

std::optional<std::pair<exports::KernelModule, uint16_t>> TitleState::find_thunk(uint32_t address) const {
  auto it = thunk_at_.find(address);
  if (it == thunk_at_.end()) return std::nullopt;
  return it->second;
}

uint32_t TitleState::code_block(Kernel& k, const std::vector<uint32_t>& words) {
  uint32_t size = static_cast<uint32_t>(words.size() * 4);
  // A whole page of its own, so making it executable touches nothing else.
  uint32_t a = k.pool().allocate((size + 0xFFF) & ~0xFFFu, 0x1000);
  if (!a) return 0;
  GuestMemory& mem = k.memory();
  for (size_t i = 0; i < words.size(); ++i) mem.write32(a + static_cast<uint32_t>(4 * i), words[i]);
  mem.update_protection(a, (size + 0xFFF) & ~0xFFFu, GuestMemory::kProtRWX);
  mem.invalidate_code(a, size);
  return a;
}

void TitleState::random_bytes(uint8_t* out, size_t n) {
  if (!random_seeded_) {
    random_state_ = options_.seed ^ 0x5844455452414E44ull;  // "XDETRAND"
    random_seeded_ = true;
  }
  while (n) {
    uint64_t v = splitmix64(&random_state_);
    for (int i = 0; i < 8 && n; ++i, --n) *out++ = static_cast<uint8_t>(v >> (56 - 8 * i));
  }
}

}  // namespace xdet::kernel
