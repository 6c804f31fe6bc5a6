#include "llmd/metrics/histogram.hpp"

#include <algorithm>

namespace llmd::metrics {

histogram::histogram(std::span<const double> upper_bounds, std::size_t shards)
    : bounds_(upper_bounds),
      shards_(std::max<std::size_t>(shards, 1)),
      // the two sum words, then one bucket per bound and +Inf, rounded up to whole lines
      lines_per_shard_((first_bucket + bounds_.size() + 1 + 7) / 8),
      lines_(std::make_unique<detail::line[]>(shards_ * lines_per_shard_)) {}

std::uint64_t histogram::count() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t s = 0; s < shards_; ++s) {
    const std::size_t base = s * lines_per_shard_;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) total += slot(base, first_bucket + i).load(std::memory_order_relaxed);
  }
  return total;
}

double histogram::sum() const noexcept {
  __extension__ using u128 = unsigned __int128;
  u128 ns = 0;
  for (std::size_t s = 0; s < shards_; ++s) {
    const std::size_t base = s * lines_per_shard_;
    // Not one atomic read: a scrape within the nanoseconds between a wrap of the low word and
    // its carry (once per 584 years of observed time) would read 2^64 ns short.
    const std::uint64_t high = slot(base, sum_high).load(std::memory_order_relaxed);
    const std::uint64_t low = slot(base, sum_low).load(std::memory_order_relaxed);
    ns += (static_cast<u128>(high) << 64) + low;
  }
  return static_cast<double>(ns) / 1e9;
}

void histogram::bucket_counts(std::span<std::uint64_t> out) const noexcept {
  std::fill(out.begin(), out.end(), 0);
  const std::size_t n = std::min(out.size(), bounds_.size() + 1);
  for (std::size_t s = 0; s < shards_; ++s) {
    const std::size_t base = s * lines_per_shard_;
    for (std::size_t i = 0; i < n; ++i) out[i] += slot(base, first_bucket + i).load(std::memory_order_relaxed);
  }
}

}  // namespace llmd::metrics
