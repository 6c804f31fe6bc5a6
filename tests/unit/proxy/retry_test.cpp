#include "llmd/proxy/retry.hpp"

#include <gtest/gtest.h>

namespace llmd::proxy {
namespace {

using namespace std::chrono_literals;
using config::duration;

TEST(retry, backoff_grows_exponentially_with_full_jitter_up_to_the_cap) {
  config::retry_policy p;
  p.backoff = 50ms;
  p.backoff_max = 300ms;
  EXPECT_EQ(backoff_delay(p, 1, 0.999999, std::nullopt), 49ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.5, std::nullopt), 50ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.5, std::nullopt), 100ms);
  EXPECT_EQ(backoff_delay(p, 4, 0.5, std::nullopt), 150ms);  // 400 ms capped at 300
  EXPECT_EQ(backoff_delay(p, 30, 0.5, std::nullopt), 150ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.0, std::nullopt), 0ms);
}

TEST(retry, retry_after_sets_a_floor_itself_capped) {
  config::retry_policy p;
  p.backoff = 50ms;
  p.backoff_max = 2s;
  EXPECT_EQ(backoff_delay(p, 1, 0.0, duration(1500)), 1500ms);
  EXPECT_EQ(backoff_delay(p, 1, 0.0, duration(60000)), 2s);
}

TEST(retry, retry_after_reads_seconds_and_http_dates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(parse_retry_after("7", now), duration(7000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), duration(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), duration(30000));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), duration(0));
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-3", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT junk", now), std::nullopt);
}

}  // namespace
}  // namespace llmd::proxy
