#pragma once
// --stub NAME[=STATUS] and --stub-all-missing: a way past an import xdet does
// not implement. A stubbed call returns STATUS in r3 (default 0,
// STATUS_SUCCESS) without doing anything else, and is traced as
// import.call, kernel.call with "stubbed": true, kernel.return. Without a
// stub such a call still stops the run (exit 8). Stubs never replace an
// implemented export.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace xdet::kernel {

class Kernel;
struct Thread;

class ImportStubs {
 public:
  struct Stubbed {
    std::string module;
    std::string name;
    uint16_t ordinal = 0;
    uint32_t status = 0;
    uint64_t calls = 0;
  };

  // Parses "NAME" or "NAME=STATUS" (STATUS hex with 0x, or decimal) and
  // checks NAME against the xboxkrnl.exe and xam.xex export names. Throws
  // Error(kUsage) for an unknown or implemented export or a bad status.
  void add(const std::string& spec);
  void set_all_missing(bool on) { all_missing_ = on; }
  bool active() const { return all_missing_ || !by_name_.empty(); }

  // For an unimplemented import about to stop the run: if stubbed, sets r3,
  // emits kernel.call ("stubbed": true) and kernel.return, counts the call
  // and returns true.
  bool try_stub(Kernel& k, Thread& t, const char* module, const char* name, uint16_t ordinal);

  // Every stubbed export that was called, ordered by module then ordinal.
  std::vector<Stubbed> called() const;

 private:
  std::map<std::string, uint32_t> by_name_;
  bool all_missing_ = false;
  std::map<std::pair<std::string, uint16_t>, Stubbed> calls_;
};

}  // namespace xdet::kernel
