// rate_limit: a per-minute bucket as one time stamp, with an injected clock.
#include "llmd/proxy/rate_limit.hpp"

#include <gtest/gtest.h>

namespace llmd::proxy {
namespace {

using namespace std::chrono_literals;
using clock = rate_limit::clock;

const clock::time_point start = clock::time_point{} + 1h;

TEST(rate_limit, lets_a_minutes_worth_through_at_once_then_one_per_interval) {
  rate_limit limit;
  for (int i = 0; i < 60; ++i) ASSERT_EQ(limit.take(start, 60), std::nullopt) << i;
  const auto wait = limit.take(start, 60);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1s);
  EXPECT_EQ(limit.take(start + 999ms, 60), std::optional<clock::duration>(1ms));
  EXPECT_EQ(limit.take(start + 1s, 60), std::nullopt);
  EXPECT_TRUE(limit.take(start + 1s, 60));
}

TEST(rate_limit, refills_in_full_after_a_quiet_minute_and_no_further) {
  rate_limit limit;
  for (int i = 0; i < 10; ++i) ASSERT_EQ(limit.take(start, 10), std::nullopt);
  const auto later = start + 10min;
  for (int i = 0; i < 10; ++i) ASSERT_EQ(limit.take(later, 10), std::nullopt) << i;
  EXPECT_TRUE(limit.take(later, 10));
}

TEST(rate_limit, a_refused_take_takes_nothing) {
  rate_limit limit;
  ASSERT_EQ(limit.take(start, 100, 90), std::nullopt);
  EXPECT_EQ(limit.take(start, 100, 20), std::optional<clock::duration>(6s));  // 10 short: 6 s of refill
  EXPECT_EQ(limit.take(start, 100, 10), std::nullopt);
  EXPECT_TRUE(limit.take(start, 100, 1));
}

TEST(rate_limit, charges_into_debt_and_says_how_long_it_lasts) {
  rate_limit limit;
  EXPECT_EQ(limit.empty_for(start, 1000), std::nullopt);
  limit.charge(start, 1000, 999);
  EXPECT_EQ(limit.empty_for(start, 1000), std::nullopt);  // one token left
  limit.charge(start, 1000, 3000);                         // three minutes over
  const auto wait = limit.empty_for(start, 1000);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 3min);  // 3,999 taken of 1,000 a minute: one is back in three minutes
  EXPECT_TRUE(limit.empty_for(start + 3min - 1ms, 1000));
  EXPECT_EQ(limit.empty_for(start + 3min, 1000), std::nullopt);
}

TEST(rate_limit, keeps_how_empty_it_is_when_the_rate_changes) {
  rate_limit limit;
  for (int i = 0; i < 60; ++i) ASSERT_EQ(limit.take(start, 60), std::nullopt);
  // Empty at 60 a minute is empty at 120 a minute, refilling twice as fast.
  EXPECT_EQ(limit.take(start, 120), std::optional<clock::duration>(500ms));
  EXPECT_EQ(limit.take(start + 500ms, 120), std::nullopt);
}

TEST(rate_limit, retry_after_is_whole_seconds_rounded_up_and_never_zero) {
  EXPECT_EQ(retry_after_of(1ms), 1s);
  EXPECT_EQ(retry_after_of(0ms), 1s);
  EXPECT_EQ(retry_after_of(1001ms), 2s);
  EXPECT_EQ(retry_after_of(3s), 3s);
}

}  // namespace
}  // namespace llmd::proxy
