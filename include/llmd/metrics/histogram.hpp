// A histogram of durations in seconds, split into per-shard cells like `counter`: an observation
// finds its bucket by a linear scan of the upper bounds (a value equal to a bound counts in that
// bucket) and makes two relaxed atomic adds on the calling thread's own cache lines, the bucket
// and the sum. The count is the sum of the buckets, so a scrape always sees `_count` equal to
// the `+Inf` bucket.
//
// The sum is kept as an integer of nanoseconds, so adding to it is a plain atomic add: each
// observation is rounded to the nearest nanosecond; negative and NaN observations add nothing to
// the sum (they are still counted, NaN in the +Inf bucket); one observation adds at most 1e10 s.
// Each shard's sum is 128 bits (a carry word bumped when the low word wraps, every 584 years of
// observed time), so it does not overflow in practice.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "llmd/metrics/shard.hpp"

namespace llmd::metrics {

namespace detail {
struct alignas(64) line {
  std::atomic<std::uint64_t> slot[8]{};
};
}  // namespace detail

class histogram {
 public:
  // `upper_bounds` (strictly increasing, finite, without +Inf) must outlive the histogram; a
  // histogram_family owns its bounds for its series.
  histogram(std::span<const double> upper_bounds, std::size_t shards);
  histogram(const histogram&) = delete;
  histogram& operator=(const histogram&) = delete;

  void observe(double seconds) noexcept {
    const std::size_t n = bounds_.size();
    std::size_t i = 0;
    while (i < n && !(seconds <= bounds_[i])) ++i;  // NaN falls through to +Inf
    const std::size_t base = write_shard(shards_) * lines_per_shard_;
    slot(base, first_bucket + i).fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t ns = to_nanoseconds(seconds);
    if (ns == 0) return;
    const std::uint64_t before = slot(base, sum_low).fetch_add(ns, std::memory_order_relaxed);
    if (before + ns < before) slot(base, sum_high).fetch_add(1, std::memory_order_relaxed);
  }

  std::uint64_t count() const noexcept;
  double sum() const noexcept;  // seconds

  std::span<const double> upper_bounds() const noexcept { return bounds_; }
  // Observations per bucket (not cumulative), summed over shards: upper_bounds().size() + 1
  // values, the last one for +Inf. `out` must have that size.
  void bucket_counts(std::span<std::uint64_t> out) const noexcept;

 private:
  static constexpr std::size_t sum_low = 0;
  static constexpr std::size_t sum_high = 1;
  static constexpr std::size_t first_bucket = 2;

  static std::uint64_t to_nanoseconds(double seconds) noexcept {
    if (!(seconds > 0)) return 0;
    if (seconds >= 1e10) return 10'000'000'000'000'000'000u;
    return static_cast<std::uint64_t>(seconds * 1e9 + 0.5);
  }
  std::atomic<std::uint64_t>& slot(std::size_t base, std::size_t k) const noexcept {
    return lines_[base + k / 8].slot[k % 8];
  }

  std::span<const double> bounds_;
  std::size_t shards_;
  std::size_t lines_per_shard_;
  std::unique_ptr<detail::line[]> lines_;
};

}  // namespace llmd::metrics
