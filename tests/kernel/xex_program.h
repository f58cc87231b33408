#pragma once
// Hand-assembled test programs packed into XEX files with the loader's
// writer (shared by the kernel's end-to-end tests).
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "base/byte_order.h"
#include "loader/xex2_format.h"
#include "loader/xex2_writer.h"

namespace xdet::test {
namespace {

constexpr uint32_t kBase = 0x82000000;
constexpr uint32_t kCode = 0x82001000;
constexpr uint32_t kThunks = 0x82008000;
constexpr uint32_t kIat = 0x82010000;
constexpr uint32_t kData = 0x82020000;

// A tiny PowerPC assembler: enough for call sequences and loops.
class Asm {
 public:
  explicit Asm(uint32_t origin) : pc_(origin) {}
  uint32_t pc() const { return pc_; }
  void word(uint32_t w) {
    words_.push_back({pc_, w});
    pc_ += 4;
  }
  void li(int d, int16_t v) { word((14u << 26) | (d << 21) | static_cast<uint16_t>(v)); }
  void lis(int d, uint16_t v) { word((15u << 26) | (d << 21) | v); }
  void ori(int a, int s, uint16_t v) { word((24u << 26) | (s << 21) | (a << 16) | v); }
  void li32(int d, uint32_t v) {
    lis(d, static_cast<uint16_t>(v >> 16));
    ori(d, d, static_cast<uint16_t>(v));
  }
  void mr(int a, int s) { word((31u << 26) | (s << 21) | (a << 16) | (s << 11) | (444u << 1)); }
  void lwz(int d, int16_t off, int a) { word((32u << 26) | (d << 21) | (a << 16) | static_cast<uint16_t>(off)); }
  void stw(int s, int16_t off, int a) { word((36u << 26) | (s << 21) | (a << 16) | static_cast<uint16_t>(off)); }
  void mflr(int d) { word(0x7C0802A6u | (d << 21)); }
  void mtlr(int s) { word(0x7C0803A6u | (s << 21)); }
  void blr() { word(0x4E800020u); }
  void bl(uint32_t target) { word((18u << 26) | ((target - pc_) & 0x03FFFFFCu) | 1); }
  void b(uint32_t target) { word((18u << 26) | ((target - pc_) & 0x03FFFFFCu)); }
  void cmpwi(int a, int16_t v) { word((11u << 26) | (a << 16) | static_cast<uint16_t>(v)); }
  void addi(int d, int a, int16_t v) { word((14u << 26) | (d << 21) | (a << 16) | static_cast<uint16_t>(v)); }
  void bne(uint32_t target) { word((16u << 26) | (4u << 21) | (2u << 16) | ((target - pc_) & 0xFFFCu)); }
  void beq(uint32_t target) { word((16u << 26) | (12u << 21) | (2u << 16) | ((target - pc_) & 0xFFFCu)); }
  const std::vector<std::pair<uint32_t, uint32_t>>& words() const { return words_; }

 private:
  uint32_t pc_;
  std::vector<std::pair<uint32_t, uint32_t>> words_;
};

struct Program {
  xex::XexBuildSpec spec;
  std::map<uint16_t, uint32_t> thunks;  // ordinal -> thunk address
  uint32_t data_cursor = kData;

  Program() {
    spec.image_base = kBase;
    spec.entry_point = kCode;
    spec.image.assign(0x30000, 0);
    spec.runs = {{1, xex::kSectionCode}, {1, xex::kSectionReadOnlyData}, {1, xex::kSectionData}};
    spec.sections = {{".text", 0x82001000, 0xF000, 0x60000020},
                     {".rdata", kIat, 0x10000, 0x40000040},
                     {".data", kData, 0x10000, 0xC0000040}};
    spec.default_stack_size = 0x10000;
    spec.title_id = 0x58440077;
  }
  uint32_t thunk(uint16_t ordinal) {
    auto it = thunks.find(ordinal);
    if (it != thunks.end()) return it->second;
    uint32_t addr = kThunks + 16 * static_cast<uint32_t>(thunks.size());
    spec.imports.push_back({"xboxkrnl.exe", ordinal, kIat + 4 * static_cast<uint32_t>(thunks.size()), addr});
    thunks[ordinal] = addr;
    return addr;
  }
  // A variable import: returns the IAT slot address.
  uint32_t variable(uint16_t ordinal) {
    uint32_t slot = kIat + 0x800 + 4 * static_cast<uint32_t>(variables++);
    spec.imports.push_back({"xboxkrnl.exe", ordinal, slot, 0});
    return slot;
  }
  int variables = 0;
  uint32_t string(const std::string& s) {
    uint32_t a = data_cursor;
    std::memcpy(&spec.image[a - kBase], s.c_str(), s.size() + 1);
    data_cursor += (static_cast<uint32_t>(s.size()) + 16) & ~15u;
    return a;
  }
  uint32_t var() {
    uint32_t a = data_cursor;
    data_cursor += 16;
    return a;
  }
  void place(const Asm& a) {
    for (auto [pc, w] : a.words()) store_be32(&spec.image[pc - kBase], w);
  }
  std::string write(const std::string& name) {
    std::string path = std::string(::testing::TempDir()) + "/xdet_" + std::to_string(::getpid()) + "_" + name;
    std::vector<uint8_t> bytes = xex::build_xex(spec);
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return path;
  }
};

}  // namespace
}  // namespace xdet::test
