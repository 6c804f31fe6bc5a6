#include "llmd/metrics/histogram.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>
#include <vector>

#include "shard_scope.hpp"

namespace llmd::metrics {
namespace {

std::vector<std::uint64_t> buckets_of(const histogram& h) {
  std::vector<std::uint64_t> out(h.upper_bounds().size() + 1);
  h.bucket_counts(out);
  return out;
}

TEST(histogram, a_value_equal_to_a_bound_counts_in_that_bucket) {
  const std::vector<double> bounds{0.1, 1, 10};
  histogram h(bounds, 2);
  h.observe(0.1);
  h.observe(1);
  h.observe(1.0000001);
  h.observe(10);
  h.observe(10.5);
  h.observe(0);
  EXPECT_EQ(buckets_of(h), (std::vector<std::uint64_t>{2, 1, 2, 1}));
  EXPECT_EQ(h.count(), 6u);
}

TEST(histogram, sums_to_the_nanosecond) {
  const std::vector<double> bounds{1};
  histogram h(bounds, 2);
  h.observe(0.1);
  h.observe(0.2);
  {
    shard_scope scope(1);
    h.observe(1.5);
    h.observe(0.000000001);
  }
  EXPECT_EQ(h.sum(), 1.800000001);
  EXPECT_EQ(h.count(), 4u);
}

TEST(histogram, nan_and_negative_values_are_counted_but_add_nothing_to_the_sum) {
  const std::vector<double> bounds{1};
  histogram h(bounds, 1);
  h.observe(std::numeric_limits<double>::quiet_NaN());
  h.observe(-3);
  h.observe(std::numeric_limits<double>::infinity());
  h.observe(2);
  EXPECT_EQ(buckets_of(h), (std::vector<std::uint64_t>{1, 3}));  // -3 ≤ 1; NaN, +Inf and 2 in +Inf
  EXPECT_NEAR(h.sum(), 1e10 + 2, 1e-5);  // +Inf adds the cap of one observation, 1e10 s
}

TEST(histogram, the_sum_carries_past_64_bits) {
  const std::vector<double> bounds{};
  histogram h(bounds, 1);
  // 2^64 ns is about 1.8e10 s; each observation adds at most 1e10 s.
  for (int i = 0; i < 4; ++i) h.observe(1e10);
  EXPECT_EQ(h.sum(), 4e10);
  EXPECT_EQ(h.count(), 4u);
}

TEST(histogram, without_bounds_has_only_the_inf_bucket) {
  const std::vector<double> bounds{};
  histogram h(bounds, 1);
  h.observe(3);
  EXPECT_EQ(buckets_of(h), (std::vector<std::uint64_t>{1}));
}

TEST(histogram, many_bounds_span_several_cache_lines) {
  std::vector<double> bounds;
  for (int i = 1; i <= 20; ++i) bounds.push_back(i);
  histogram h(bounds, 3);
  for (std::size_t shard = 0; shard < 3; ++shard) {
    shard_scope scope(shard);
    for (int i = 1; i <= 21; ++i) h.observe(i);
  }
  EXPECT_EQ(buckets_of(h), std::vector<std::uint64_t>(21, 3));
  EXPECT_EQ(h.count(), 63u);
  EXPECT_EQ(h.sum(), 3 * (21 * 22 / 2));
}

}  // namespace
}  // namespace llmd::metrics
