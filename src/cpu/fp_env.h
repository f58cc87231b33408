#pragma once
// The host's floating-point rounding mode follows the guest's FPSCR[RN]
// while guest code runs, so every host double operation rounds the way the
// guest asked. Cpu::run installs the mode on entry and restores the host's on
// exit; the FPSCR-writing instructions update it immediately.
#include <cfenv>
#include <cstdint>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

namespace xdet::cpu {

// FPSCR[RN]: 0 nearest, 1 toward zero, 2 toward +inf, 3 toward -inf.
inline int host_rounding_for(uint32_t rn) {
  switch (rn & 3) {
    case 0: return FE_TONEAREST;
    case 1: return FE_TOWARDZERO;
    case 2: return FE_UPWARD;
    default: return FE_DOWNWARD;
  }
}

inline void set_host_rounding(uint32_t fpscr) { std::fesetround(host_rounding_for(fpscr & 3)); }

// Installs the guest's rounding mode for the duration of Cpu::run and makes
// sure the SSE flush-to-zero / denormals-are-zero modes are off (scalar
// PowerPC arithmetic is IEEE with denormals); restores the host's state.
class HostRoundingScope {
 public:
  explicit HostRoundingScope(uint32_t fpscr) : saved_(std::fegetround()) {
#if defined(__SSE__)
    saved_csr_ = _mm_getcsr();
    constexpr unsigned kFtzDaz = 0x8040;
    if (saved_csr_ & kFtzDaz) _mm_setcsr(saved_csr_ & ~kFtzDaz);
#endif
    int want = host_rounding_for(fpscr & 3);
    if (want != saved_) std::fesetround(want);
  }
  ~HostRoundingScope() {
    if (std::fegetround() != saved_) std::fesetround(saved_);
#if defined(__SSE__)
    if (_mm_getcsr() != saved_csr_) _mm_setcsr(saved_csr_);
#endif
  }
  HostRoundingScope(const HostRoundingScope&) = delete;
  HostRoundingScope& operator=(const HostRoundingScope&) = delete;

 private:
  int saved_;
#if defined(__SSE__)
  unsigned saved_csr_ = 0;
#endif
};

}  // namespace xdet::cpu
