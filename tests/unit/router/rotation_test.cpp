#include "llmd/router/rotation.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace llmd::router {
namespace {

// Whose turn each ticket of one cycle is: the member at distance 0.
std::vector<std::size_t> cycle(const rotation& r, std::size_t members) {
  std::vector<std::size_t> out;
  for (std::uint64_t t = 0; t < r.length(); ++t) {
    for (std::size_t m = 0; m < members; ++m) {
      if (r.distance(m, t) == 0) out.push_back(m);
    }
  }
  return out;
}

TEST(rotation, equal_weights_take_turns_one_after_another) {
  const std::vector<int> weights{1, 1, 1};
  const rotation r(weights);
  EXPECT_EQ(cycle(r, 3), (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(r.distance(2, 0), 2u);
  EXPECT_EQ(r.distance(0, 1), 2u);  // past the end of the cycle, round to the start
  EXPECT_EQ(r.distance(0, 3), 0u);
}

TEST(rotation, weights_share_the_turns_interleaved) {
  const std::vector<int> weights{3, 1};
  const rotation r(weights);
  const auto turns = cycle(r, 2);
  ASSERT_EQ(turns.size(), 4u);  // one turn per ticket
  EXPECT_EQ(std::count(turns.begin(), turns.end(), 0u), 3);
  EXPECT_EQ(turns, (std::vector<std::size_t>{0, 0, 1, 0}));
}

TEST(rotation, common_factors_and_huge_weights_keep_the_cycle_short) {
  const std::vector<int> scaled{300, 100};
  EXPECT_EQ(rotation(scaled).length(), 4u);
  const std::vector<int> huge{1000000, 999999, 1};
  const rotation r(huge);
  EXPECT_LE(r.length(), 4100u);
  const auto turns = cycle(r, 3);
  EXPECT_EQ(std::count(turns.begin(), turns.end(), 2u), 1);  // the smallest keeps a turn
  EXPECT_NEAR(static_cast<double>(std::count(turns.begin(), turns.end(), 0u)) /
                  static_cast<double>(std::count(turns.begin(), turns.end(), 1u)),
              1.0, 0.01);
}

TEST(rotation, every_member_has_a_turn_within_one_cycle_from_any_ticket) {
  const std::vector<int> weights{5, 2, 1};
  const rotation r(weights);
  for (std::uint64_t t = 0; t < 3 * r.length(); ++t) {
    for (std::size_t m = 0; m < weights.size(); ++m) EXPECT_LT(r.distance(m, t), r.length());
  }
}

}  // namespace
}  // namespace llmd::router
