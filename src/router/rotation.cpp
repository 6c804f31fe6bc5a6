#include "llmd/router/rotation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace llmd::router {

namespace {

// Longer cycles are scaled down to this many turns: weights keep their ratio within a turn.
constexpr std::int64_t longest_cycle = 4096;

std::vector<std::int64_t> cycle_weights(std::span<const int> weights) {
  std::int64_t common = 0;
  for (const int w : weights) common = std::gcd(common, static_cast<std::int64_t>(w));
  std::vector<std::int64_t> out;
  std::int64_t total = 0;
  for (const int w : weights) total += out.emplace_back(w / std::max<std::int64_t>(common, 1));
  if (total <= longest_cycle) return out;
  const double scale = static_cast<double>(longest_cycle) / static_cast<double>(total);
  for (auto& w : out) w = std::max<std::int64_t>(1, std::llround(static_cast<double>(w) * scale));
  return out;
}

}  // namespace

rotation::rotation(std::span<const int> weights) : turns_(weights.size()) {
  const auto w = cycle_weights(weights);
  const std::int64_t total = std::accumulate(w.begin(), w.end(), std::int64_t{0});
  length_ = static_cast<std::size_t>(total);
  // Smooth weighted round robin: each turn every member gains its weight, the richest takes the
  // turn and pays the total.
  std::vector<std::int64_t> current(w.size(), 0);
  for (std::size_t turn = 0; turn < length_; ++turn) {
    std::size_t richest = 0;
    for (std::size_t m = 0; m < w.size(); ++m) {
      current[m] += w[m];
      if (current[m] > current[richest]) richest = m;
    }
    current[richest] -= total;
    turns_[richest].push_back(static_cast<std::uint32_t>(turn));
  }
}

std::uint32_t rotation::distance(std::size_t member, std::uint64_t ticket) const {
  const auto& turns = turns_[member];
  const auto now = static_cast<std::uint32_t>(ticket % length_);
  const auto next = std::lower_bound(turns.begin(), turns.end(), now);
  if (next != turns.end()) return *next - now;
  return turns.front() + static_cast<std::uint32_t>(length_) - now;
}

}  // namespace llmd::router
