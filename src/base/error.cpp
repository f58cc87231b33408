#include "base/error.h"

namespace xdet {

const char* exit_code_name(ExitCode code) {
  switch (code) {
    case ExitCode::kOk: return "ok";
    case ExitCode::kDivergence: return "divergence";
    case ExitCode::kUsage: return "usage";
    case ExitCode::kBadInput: return "bad-input";
    case ExitCode::kGuestFault: return "guest-fault";
    case ExitCode::kGuestTrap: return "guest-trap";
    case ExitCode::kLimitReached: return "limit-reached";
    case ExitCode::kWedge: return "wedge";
    case ExitCode::kUnimplemented: return "unimplemented";
    case ExitCode::kTestFailure: return "test-failure";
    case ExitCode::kOutputError: return "output-error";
    case ExitCode::kTitleExitCode: return "title-exit-code";
    case ExitCode::kOutputMismatch: return "output-mismatch";
    case ExitCode::kInternal: return "internal";
    case ExitCode::kInterrupted: return "interrupted";
  }
  return "unknown";
}

}  // namespace xdet
