#pragma once
// Calls one export the way the CPU runner does (arguments in r3.., LR = the
// call site; arguments after the eighth in the caller's frame) and returns r3.
#include <initializer_list>

#include <gtest/gtest.h>

#include "kernel/exports/exports.h"

namespace xdet::test {

inline uint32_t call_export(kernel::Kernel& k, kernel::Thread& t, kernel::KernelModule m, uint16_t ordinal,
                            std::initializer_list<uint64_t> args, kernel::DispatchResult* out = nullptr) {
  int i = 0;
  for (uint64_t a : args) {
    // Arguments after the eighth go to the caller's frame, where ExportCall::arg reads them.
    if (i < 8) t.ctx.gpr[3 + i] = a;
    else k.memory().write32(static_cast<uint32_t>(t.ctx.gpr[1]) + 0x54 + 8 * (i - 8), static_cast<uint32_t>(a));
    ++i;
  }
  t.ctx.lr = 0x82012340;
  kernel::DispatchResult r = kernel::dispatch_export(k, t, m, ordinal, 0x82008000 + 16u * ordinal);
  if (out) *out = r;
  else EXPECT_EQ(r.status, kernel::DispatchStatus::kDone) << r.message;
  return static_cast<uint32_t>(t.ctx.gpr[3]);
}

}  // namespace xdet::test
