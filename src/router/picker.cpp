#include "llmd/router/picker.hpp"

#include <boost/container/small_vector.hpp>
#include <cmath>

namespace llmd::router {

namespace {

// Totals closer than this are a tie.
constexpr double tie = 1e-9;

// Lower goes first: a trial, then replicas not tried yet, then tried ones; cooling ones after all.
int tier(const candidate& c) {
  return (c.cooling ? 4 : 0) + (c.tried ? 2 : 0) + (c.admits == admission::trial ? 0 : 1);
}

}  // namespace

picker::picker(const config::routing_settings& settings) {
  for (const auto& s : settings.scorers) scorers_.push_back({make_scorer(s.kind), s.weight});
}

std::size_t picker::best(const pick_context& ctx, std::span<const candidate> candidates, const rotation& turns,
                         std::uint64_t ticket) const {
  const std::size_t n = candidates.size();
  if (n == 1) return 0;
  boost::container::small_vector<double, 16> total(n, 0.0);
  boost::container::small_vector<double, 16> part(n);
  for (const auto& s : scorers_) {
    s.scores->score(ctx, candidates, part);
    for (std::size_t i = 0; i < n; ++i) total[i] += s.weight * part[i];
  }
  const auto turn_of = [&](std::size_t i) { return turns.distance(candidates[i].member, ticket); };
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i) {
    const int a = tier(candidates[i]);
    const int b = tier(candidates[best]);
    if (a != b) {
      if (a < b) best = i;
      continue;
    }
    if (std::abs(total[i] - total[best]) > tie) {
      if (total[i] > total[best]) best = i;
      continue;
    }
    if (turn_of(i) < turn_of(best)) best = i;
  }
  return best;
}

}  // namespace llmd::router
