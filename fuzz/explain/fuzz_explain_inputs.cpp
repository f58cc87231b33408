// Fuzzes what `xdet explain` reads: the exit-thread-state.json and the
// trace, then the analysis and its three renderings. Input: the exit state,
// a line "====", then the trace. Properties beyond "no crash/UB/leak": a bad
// file is an InputError (exit 3) and nothing else; the JSON rendering is
// valid JSON.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "base/error.h"
#include "common_memfd.h"
#include "explain/explain.h"
#include "explain/inputs.h"

namespace {

// Guest code for the spinner disassembly: words cycled from the input
// around the usual image base, nothing elsewhere.
class FuzzCode final : public xdet::explain::CodeImage {
 public:
  explicit FuzzCode(std::string_view bytes) : bytes_(bytes) {}
  bool read_word(uint32_t address, uint32_t* word) const override {
    if (bytes_.size() < 4 || address < 0x82000000u || address >= 0x82010000u) return false;
    size_t at = (address - 0x82000000u) % (bytes_.size() - 3);
    *word = (uint32_t{static_cast<uint8_t>(bytes_[at])} << 24) | (uint32_t{static_cast<uint8_t>(bytes_[at + 1])} << 16) |
            (uint32_t{static_cast<uint8_t>(bytes_[at + 2])} << 8) | static_cast<uint8_t>(bytes_[at + 3]);
    return true;
  }

 private:
  std::string_view bytes_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto [state_text, trace_text] = xdet::fuzz::split_input(in, "\n====\n");
  xdet::fuzz::MemFile state_file(state_text), trace_file(trace_text);
  if (!state_file.ok() || !trace_file.ok()) return 0;
  xdet::explain::ExitStateFile state;
  xdet::explain::TraceFacts facts;
  try {
    state = xdet::explain::read_exit_state(state_file.path());
  } catch (const xdet::InputError&) {
    state = {};
  }
  try {
    facts = xdet::explain::read_trace_facts(trace_file.path());
  } catch (const xdet::InputError&) {
    facts = {};
  }
  FuzzCode code(in);
  xdet::explain::Explanation e = xdet::explain::explain(state, facts, &code, 1 + size % 16);
  (void)xdet::explain::render_text(e);
  (void)xdet::explain::render_dot(e);
  std::string json = xdet::explain::render_json(e);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) {
    std::fprintf(stderr, "explain --json wrote invalid JSON:\n%s\n", json.c_str());
    std::abort();
  }
  return 0;
}
