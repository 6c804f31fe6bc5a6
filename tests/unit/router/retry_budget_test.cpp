#include "llmd/router/retry_budget.hpp"

#include <gtest/gtest.h>

namespace llmd::router {
namespace {

using namespace std::chrono_literals;

int retries_allowed(retry_budget& b, time_point now, int asked, const config::retry_budget& settings) {
  int granted = 0;
  for (int i = 0; i < asked; ++i) granted += b.try_retry(now, settings) ? 1 : 0;
  return granted;
}

TEST(retry_budget, retries_are_a_share_of_recent_requests_plus_a_floor) {
  retry_budget b;
  const auto now = clock::now();
  for (int i = 0; i < 50; ++i) b.request_started(now);
  EXPECT_EQ(retries_allowed(b, now, 100, {20, 3}), 13);  // 20% of 50, plus 3
}

TEST(retry_budget, new_settings_apply_to_the_window_so_far) {
  retry_budget b;
  const auto now = clock::now();
  for (int i = 0; i < 10; ++i) b.request_started(now);
  EXPECT_EQ(retries_allowed(b, now, 10, {10, 0}), 1);
  // A reload raises the share: the requests already counted allow more at once.
  EXPECT_EQ(retries_allowed(b, now, 10, {50, 0}), 4);
}

TEST(retry_budget, the_window_is_ten_seconds) {
  retry_budget b;
  const config::retry_budget half{50, 0};
  const auto now = clock::now();
  for (int i = 0; i < 10; ++i) b.request_started(now);
  EXPECT_EQ(retries_allowed(b, now, 10, half), 5);
  EXPECT_EQ(retries_allowed(b, now + 5s, 10, half), 0);
  // Eleven seconds on, those requests and retries have left the window.
  for (int i = 0; i < 4; ++i) b.request_started(now + 11s);
  EXPECT_EQ(retries_allowed(b, now + 11s, 10, half), 2);
}

TEST(retry_budget, zero_percent_and_no_floor_allows_no_retry) {
  retry_budget b;
  const auto now = clock::now();
  b.request_started(now);
  EXPECT_FALSE(b.try_retry(now, {0, 0}));
}

}  // namespace
}  // namespace llmd::router
