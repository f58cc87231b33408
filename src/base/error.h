#pragma once
// Errors and process exit codes shared by every layer.
//
// Each failure class has its own exit code so scripts can tell a malformed
// input from a guest fault from a wedge without parsing messages. `xdet diff`
// keeps the reference tool's codes (0 ok, 1 divergence, 2 bad input) instead.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace xdet {

enum class ExitCode : int {
  kOk = 0,
  kDivergence = 1,      // diff --validate-identical found a divergence
  kUsage = 2,           // bad command line (also diff's "bad input")
  kBadInput = 3,        // malformed input file (XEX, ELF, test file, trace)
  kGuestFault = 4,      // illegal instruction, unmapped/protected access
  kGuestTrap = 5,       // tw/twi/td/tdi trap taken
  kLimitReached = 6,    // --max-instructions / --max-guest-ms
  kWedge = 7,           // deadlock or livelock detected by the scheduler
  kUnimplemented = 8,   // unimplemented kernel import or system call
  kTestFailure = 9,     // ppc-test: at least one test failed
  kOutputError = 10,    // an output file (trace, exit state, report, XEX) cannot be written
  kTitleExitCode = 11,  // run --check-exit-code: the title exited with a nonzero code
  kOutputMismatch = 12, // run --expect-output: the guest's output differs
  kInternal = 70,       // a bug in xdet itself
  kInterrupted = 130,   // SIGINT/SIGTERM
};

inline int to_int(ExitCode c) { return static_cast<int>(c); }

// An error that knows which exit code it maps to.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// Malformed input: names the file and where in it.
class InputError : public Error {
 public:
  explicit InputError(std::string message) : Error(ExitCode::kBadInput, std::move(message)) {}
};

template <typename... Args>
[[noreturn]] void throw_input_error(fmt::format_string<Args...> f, Args&&... args) {
  throw InputError(fmt::format(f, std::forward<Args>(args)...));
}

// An output file that cannot be created or written: names the file and why.
class OutputError : public Error {
 public:
  explicit OutputError(std::string message) : Error(ExitCode::kOutputError, std::move(message)) {}
};

const char* exit_code_name(ExitCode code);

}  // namespace xdet
