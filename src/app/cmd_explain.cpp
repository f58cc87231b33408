// xdet explain TRACE: why a run stopped where it did (wait-for graph,
// cycles, starvation, waits that can never end, livelock spinners, wait
// chains), from the trace and the exit-thread-state.json beside it.
#include <cstdio>
#include <fstream>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "base/error.h"
#include "base/output_file.h"
#include "explain/explain.h"
#include "loader/loader.h"
#include "memory/guest_memory.h"
#include "memory/memory_map.h"
#include "trace/trace_reader.h"

namespace xdet::app {
namespace {

class XexCode final : public explain::CodeImage {
 public:
  explicit XexCode(const std::string& path) {
    std::vector<uint8_t> data = loader::read_file(path);
    module_ = loader::load_xex(map_, data, path);
  }
  bool read_word(uint32_t address, uint32_t* word) const override {
    if (address % 4 || address < module_.image_base || address - module_.image_base + 4 > module_.image_size) return false;
    *word = mem_.read32(address);
    return true;
  }

 private:
  mutable GuestMemory mem_;
  MemoryMap map_{mem_};
  loader::LoadedModule module_;
};

}  // namespace

int run_explain(int argc, char** argv) {
  std::string trace_path, exit_path, xex, out_path;
  bool json = false, dot = false;
  uint64_t starved_rounds = 8;
  CLI::App app{"Explains where a run stopped: the wait-for graph at the stop (thread -> object -> possible\n"
               "signallers, with semantic ids and handles), cycles (deadlock), starved threads and who took their\n"
               "CPU, waits that can never end, livelock spinners (PC, function, loop disassembly with --xex) and\n"
               "the wait chains. Reads TRACE and the exit-thread-state.json beside it.",
               "xdet explain"};
  app.option_defaults()->always_capture_default();
  app.add_option("trace", trace_path, "the schema-v1 JSONL trace of the run")->required()->check(CLI::ExistingFile);
  app.add_option("--exit-state", exit_path, "the run's exit state (default: NAME.exit-thread-state.json beside the trace NAME.jsonl)");
  app.add_option("--xex", xex, "the title, to disassemble spinning threads' loops")->check(CLI::ExistingFile);
  app.add_option("--starved-rounds", starved_rounds, "ready threads not run for N rounds count as starved")
      ->check(kNonNegative & CLI::Range(uint64_t{1}, UINT64_MAX));
  auto* json_opt = app.add_flag("--json", json, "machine-readable output");
  app.add_flag("--dot", dot, "Graphviz dot of the wait-for graph")->excludes(json_opt);
  app.add_option("-o,--output", out_path, "write to FILE instead of stdout");
  if (auto rc = parse_cli(app, "explain", argc, argv)) return *rc;
  if (exit_path.empty()) exit_path = trace::default_exit_state_path(trace_path);

  explain::ExitStateFile state = explain::read_exit_state(exit_path);
  explain::TraceFacts facts = explain::read_trace_facts(trace_path);
  std::unique_ptr<XexCode> code;
  if (!xex.empty()) code = std::make_unique<XexCode>(xex);
  explain::Explanation e = explain::explain(state, facts, code.get(), starved_rounds);
  std::string text = json ? explain::render_json(e) : dot ? explain::render_dot(e) : explain::render_text(e);
  if (out_path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    write_output_file(out_path, text.data(), text.size(), "explanation");
  }
  return 0;
}

}  // namespace xdet::app
