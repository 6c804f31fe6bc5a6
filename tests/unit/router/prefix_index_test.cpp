#include "llmd/router/prefix_index.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace llmd::router {
namespace {

std::vector<std::size_t> matched(const prefix_index& index, const std::vector<std::uint64_t>& blocks,
                                 const std::vector<std::uint64_t>& replicas) {
  std::vector<std::size_t> out(replicas.size(), 99);
  index.match(blocks, replicas, out);
  return out;
}

TEST(prefix_index, a_replica_matches_the_leading_blocks_it_was_sent) {
  prefix_index index(1000);
  index.record(std::vector<std::uint64_t>{1, 2, 3}, 10);
  index.record(std::vector<std::uint64_t>{1, 2}, 20);
  EXPECT_EQ(matched(index, {1, 2, 3, 4}, {10, 20, 30}), (std::vector<std::size_t>{3, 2, 0}));
  // A miss at the first block is a miss for all, whatever comes after.
  EXPECT_EQ(matched(index, {9, 2, 3}, {10, 20}), (std::vector<std::size_t>{0, 0}));
  EXPECT_EQ(matched(index, {}, {10}), (std::vector<std::size_t>{0}));
}

TEST(prefix_index, remembers_the_most_recent_replicas_of_a_block) {
  prefix_index index(1000);
  for (std::uint64_t r = 1; r <= prefix_index::replicas_per_block + 1; ++r) {
    index.record(std::vector<std::uint64_t>{7}, r);
  }
  // The first one fell off; sending it again brings it back, pushing out the next oldest.
  EXPECT_EQ(matched(index, {7}, {1, 2, 5}), (std::vector<std::size_t>{0, 1, 1}));
  index.record(std::vector<std::uint64_t>{7}, 1);
  EXPECT_EQ(matched(index, {7}, {1, 2, 3}), (std::vector<std::size_t>{1, 0, 1}));
}

TEST(prefix_index, stays_within_its_bound_and_evicts_the_least_recently_used) {
  prefix_index index(1600);
  for (std::uint64_t b = 0; b < 20000; ++b) index.record(std::vector<std::uint64_t>{b}, 1);
  EXPECT_LE(index.size(), index.max_entries());
  EXPECT_GE(index.size(), index.max_entries() * 9 / 10);
  EXPECT_EQ(matched(index, {19999}, {1}), (std::vector<std::size_t>{1}));
  EXPECT_EQ(matched(index, {0}, {1}), (std::vector<std::size_t>{0}));
  // A block used again is kept over older ones.
  prefix_index small(32);  // two per shard
  small.record(std::vector<std::uint64_t>{0}, 1);
  for (std::uint64_t b = 1; b < 200; ++b) {
    small.record(std::vector<std::uint64_t>{0}, 1);
    small.record(std::vector<std::uint64_t>{b * 16}, 1);  // the same shard as block 0
  }
  EXPECT_EQ(matched(small, {0}, {1}), (std::vector<std::size_t>{1}));
}

}  // namespace
}  // namespace llmd::router
