#include "trace/stop_signal.h"

namespace xdet::trace {

namespace {
volatile std::sig_atomic_t g_stop = 0;
extern "C" void xdet_on_stop_signal(int) { g_stop = 1; }
}  // namespace

volatile std::sig_atomic_t& stop_flag() { return g_stop; }

const volatile std::sig_atomic_t* install_stop_signal_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = xdet_on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_stop;
}

}  // namespace xdet::trace
