#pragma once
// Every xdet subcommand is `int run_<name>(int argc, char** argv)`, where
// argv[0] is the subcommand name. Each lives in its own cmd_<name>.cpp.

namespace xdet::app {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

int run_ppc_test(int argc, char** argv);
int run_run_elf(int argc, char** argv);
int run_inspect(int argc, char** argv);
int run_pack(int argc, char** argv);
int run_diff(int argc, char** argv);
int run_gen_traces(int argc, char** argv);
int run_run(int argc, char** argv);
int run_exports(int argc, char** argv);
int run_timeline(int argc, char** argv);
int run_db(int argc, char** argv);
int run_explore(int argc, char** argv);
int run_explain(int argc, char** argv);

}  // namespace xdet::app
