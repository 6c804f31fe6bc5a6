#include "llmd/metrics/counter.hpp"

#include <gtest/gtest.h>

#include "shard_scope.hpp"

namespace llmd::metrics {
namespace {

TEST(counter, starts_at_zero_and_adds) {
  counter c(4);
  EXPECT_EQ(c.value(), 0u);
  c.add();
  c.add(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(counter, sums_the_shards) {
  counter c(3);
  for (std::size_t shard = 0; shard < 3; ++shard) {
    shard_scope scope(shard);
    c.add(shard + 1);
  }
  c.add(10);  // no shard: shard 0
  EXPECT_EQ(c.value(), 1u + 2u + 3u + 10u);
}

TEST(counter, a_shard_beyond_the_count_writes_shard_zero) {
  counter c(2);
  shard_scope scope(7);
  c.add(5);
  EXPECT_EQ(c.value(), 5u);
}

TEST(counter, zero_shards_is_one) {
  counter c(0);
  shard_scope scope(0);
  c.add();
  EXPECT_EQ(c.value(), 1u);
}

TEST(counter, cells_are_cache_lines_apart) {
  static_assert(sizeof(detail::cell) == 64 && alignof(detail::cell) == 64);
  SUCCEED();
}

}  // namespace
}  // namespace llmd::metrics
