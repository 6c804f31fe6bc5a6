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
  EXPECT_EQ(backoff_delay(p, 1, 0.999999), 49ms);
  EXPECT_EQ(backoff_delay(p, 2, 0.5), 50ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.5), 100ms);
  EXPECT_EQ(backoff_delay(p, 4, 0.5), 150ms);  // 400 ms capped at 300
  EXPECT_EQ(backoff_delay(p, 30, 0.5), 150ms);
  EXPECT_EQ(backoff_delay(p, 3, 0.0), 0ms);
}

TEST(retry, a_pause_for_a_cooling_replica_ends_with_its_cooldown_or_at_backoff_max) {
  config::retry_policy p;
  p.backoff_max = 2s;
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(cooling_pause_end(p, now, now + 1500ms), now + 1500ms);
  EXPECT_EQ(cooling_pause_end(p, now, now + 60s), now + 2s);
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
