#include "llmd/metrics/counter.hpp"

#include <algorithm>

namespace llmd::metrics {

counter::counter(std::size_t shards)
    : shards_(std::max<std::size_t>(shards, 1)), cells_(std::make_unique<detail::cell[]>(shards_)) {}

std::uint64_t counter::value() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t s = 0; s < shards_; ++s) total += cells_[s].value.load(std::memory_order_acquire);
  return total;
}

}  // namespace llmd::metrics
