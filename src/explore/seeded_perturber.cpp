#include "explore/seeded_perturber.h"

#include <fmt/format.h>

namespace xdet::explore {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::string PerturbationProfile::describe() const {
  std::string s = fmt::format("cpu-order {}/16, slice-cut {}/16, call-preempt {}/64, jitter <= {} units", order_p_16,
                              budget_p_16, preempt_p_64, jitter_max);
  for (uint32_t i = 0; i < change_points; ++i) {
    s += fmt::format(", change point at pick {} for {} rounds", change_at[i], change_rounds[i]);
  }
  return s;
}

SeededPerturber::SeededPerturber(uint64_t seed, uint32_t quantum) : seed_(seed) {
  uint64_t h = mix64(seed ^ 0x5eed5eed5eed5eedull);
  auto next = [&h]() {
    h = mix64(h);
    return h;
  };
  static constexpr uint32_t kOrderP[] = {0, 4, 16};
  static constexpr uint32_t kBudgetP[] = {2, 8, 16};
  static constexpr uint32_t kPreemptP[] = {0, 4, 16};
  profile_.order_p_16 = kOrderP[next() % 3];
  profile_.budget_p_16 = kBudgetP[next() % 3];
  profile_.preempt_p_64 = kPreemptP[next() % 3];
  profile_.change_points = static_cast<uint32_t>(next() % 4);
  for (uint32_t i = 0; i < profile_.change_points; ++i) {
    profile_.change_at[i] = next() % kChangePointHorizon;
    profile_.change_rounds[i] = 1 + static_cast<uint32_t>(next() % 8);
  }
  const uint64_t kJitter[] = {0, quantum / 4, 2ull * quantum};
  profile_.jitter_max = kJitter[next() % 3];
}

uint64_t SeededPerturber::draw(Stream s) {
  return mix64(mix64(seed_ ^ (static_cast<uint64_t>(s) << 56)) ^ counters_[s]++);
}

void SeededPerturber::cpu_order(uint64_t, int order[kernel::kCpuCount]) {
  if (profile_.order_p_16 == 0 || draw(kOrder) % 16 >= profile_.order_p_16) return;
  for (int i = kernel::kCpuCount - 1; i > 0; --i) {
    int j = static_cast<int>(draw(kOrder) % static_cast<uint64_t>(i + 1));
    std::swap(order[i], order[j]);
  }
}

bool SeededPerturber::defer(const kernel::Thread& t, int, uint64_t round) {
  uint64_t pick = picks_++;
  for (const Demotion& d : demoted_) {
    if (d.tid == t.tid && round < d.until_round) return true;
  }
  for (uint32_t i = 0; i < profile_.change_points; ++i) {
    if (profile_.change_at[i] != pick) continue;
    demoted_.push_back({t.tid, round + profile_.change_rounds[i]});
    return true;
  }
  return false;
}

uint64_t SeededPerturber::slice_budget(const kernel::Thread&, int, uint64_t remaining) {
  if (remaining <= 1 || draw(kBudget) % 16 >= profile_.budget_p_16) return remaining;
  return 1 + draw(kBudget) % remaining;
}

bool SeededPerturber::preempt_after_call(const kernel::Thread&) {
  return profile_.preempt_p_64 != 0 && draw(kPreempt) % 64 < profile_.preempt_p_64;
}

uint64_t SeededPerturber::deadline_jitter(uint64_t) {
  if (profile_.jitter_max == 0) return 0;
  return draw(kJitter) % (profile_.jitter_max + 1);
}

}  // namespace xdet::explore
