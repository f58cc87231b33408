#pragma once
// Why a run stopped where it did, from its exit state and trace: the
// wait-for graph at the stop (thread -> object -> possible signallers), its
// cycles, starved threads and who took their CPU, waits that can never be
// satisfied, livelock spinners with their loop disassembled, and the wait
// chains that tie them together. Rendered as text, JSON or Graphviz dot.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explain/inputs.h"

namespace xdet::explain {

// Guest code to disassemble spinners with (the XEX image), optional.
class CodeImage {
 public:
  virtual ~CodeImage() = default;
  // False when `address` is outside the image.
  virtual bool read_word(uint32_t address, uint32_t* word) const = 0;
};

struct WaitEdge {
  uint32_t tid = 0;
  WaitObjectState object;
  std::vector<uint32_t> signalers;     // from the exit state, else from the trace's signal history
  bool signalers_from_history = false;
  uint64_t creator_tid = 0;
  bool has_creator = false;
};

struct Starvation {
  uint32_t tid = 0;
  uint64_t rounds = 0;                 // rounds ready without running
  bool never_ran = false;
  std::vector<uint32_t> taken_by;      // higher-priority threads sharing its CPUs that kept running
};

struct Spinner {
  uint32_t tid = 0;
  uint32_t pc = 0;
  bool have_code = false;
  uint32_t function_start = 0, function_end = 0;  // heuristic: between the surrounding blr's
  uint32_t loop_start = 0, loop_end = 0;          // the innermost backward branch around pc
  std::vector<std::pair<uint32_t, std::string>> loop;  // address, disassembly
};

struct Explanation {
  ExitStateFile state;
  uint64_t trace_events = 0;
  uint64_t starved_rounds = 8;
  std::vector<WaitEdge> edges;
  std::vector<std::vector<uint32_t>> cycles;       // tids, each cycle once
  std::vector<Starvation> starved;
  std::vector<uint32_t> blocked_forever;          // tids
  std::vector<Spinner> spinners;
  std::vector<std::string> chains;                // human-readable wait chains
  std::vector<std::string> notes;                 // per-thread context from the trace
};

Explanation explain(const ExitStateFile& state, const TraceFacts& facts, const CodeImage* code, uint64_t starved_rounds);

std::string render_text(const Explanation& e);
std::string render_json(const Explanation& e);
std::string render_dot(const Explanation& e);

}  // namespace xdet::explain
