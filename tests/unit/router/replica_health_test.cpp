#include "llmd/router/replica_health.hpp"

#include <gtest/gtest.h>

namespace llmd::router {
namespace {

using namespace std::chrono_literals;

const time_point t0 = clock::now();

config::health_settings settings() {
  config::health_settings s;
  s.failures_to_eject = 3;
  s.cooldown = 10s;
  s.max_cooldown = 35s;
  return s;
}

TEST(replica_health, consecutive_failures_eject_and_a_success_resets_the_count) {
  replica_health h;
  EXPECT_FALSE(h.failed(t0, settings(), "reset"));
  EXPECT_FALSE(h.failed(t0, settings(), "reset"));
  h.succeeded(std::chrono::milliseconds(5));
  EXPECT_FALSE(h.failed(t0, settings(), "reset"));
  EXPECT_FALSE(h.failed(t0, settings(), "reset"));
  EXPECT_EQ(h.peek(t0), admission::open);
  EXPECT_TRUE(h.failed(t0, settings(), "status 500"));
  EXPECT_EQ(h.peek(t0 + 9s), admission::closed);
  EXPECT_EQ(h.snapshot().last_error, "status 500");
}

TEST(replica_health, after_the_cooldown_one_trial_decides) {
  replica_health h;
  for (int i = 0; i < 3; ++i) h.failed(t0, settings(), "reset");
  EXPECT_EQ(h.peek(t0 + 10s), admission::trial);
  EXPECT_TRUE(h.take_trial(t0 + 10s));
  EXPECT_FALSE(h.take_trial(t0 + 10s));  // one trial at a time
  EXPECT_EQ(h.peek(t0 + 10s), admission::closed);
  h.succeeded(std::chrono::milliseconds(5));
  EXPECT_EQ(h.peek(t0 + 10s), admission::open);
  EXPECT_FALSE(h.snapshot().ejected);
}

TEST(replica_health, failed_trials_double_the_cooldown_up_to_the_cap) {
  replica_health h;
  for (int i = 0; i < 3; ++i) h.failed(t0, settings(), "reset");
  auto now = t0;
  for (auto expected : {20s, 35s, 35s}) {
    now = h.snapshot().ejected_until;
    ASSERT_TRUE(h.take_trial(now));
    EXPECT_TRUE(h.failed(now, settings(), "reset"));
    EXPECT_EQ(h.snapshot().ejected_until - now, expected);
  }
}

TEST(replica_health, an_abandoned_trial_can_be_taken_again) {
  replica_health h;
  for (int i = 0; i < 3; ++i) h.failed(t0, settings(), "reset");
  ASSERT_TRUE(h.take_trial(t0 + 10s));
  h.abandoned();
  EXPECT_TRUE(h.take_trial(t0 + 10s));
}

TEST(replica_health, retry_after_cools_down_without_ejecting) {
  replica_health h;
  h.cool_down(t0 + 3s);
  EXPECT_EQ(h.peek(t0 + 2s), admission::closed);
  EXPECT_EQ(h.peek(t0 + 3s), admission::open);
  EXPECT_FALSE(h.snapshot().ejected);
}

TEST(replica_health, probes_eject_and_readmit) {
  replica_health h;
  h.probed(false, "probe status 503");
  EXPECT_EQ(h.peek(t0), admission::closed);
  EXPECT_TRUE(h.snapshot().probe_failing);
  h.probed(true, "");
  EXPECT_EQ(h.peek(t0), admission::open);
  for (int i = 0; i < 3; ++i) h.failed(t0, settings(), "reset");
  h.probed(true, "");  // a passing probe also ends a passive ejection
  EXPECT_EQ(h.peek(t0), admission::open);
}

TEST(replica_health, time_to_first_byte_is_an_ewma) {
  replica_health h;
  EXPECT_EQ(h.ttfb_ewma_ms(), 0);
  h.succeeded(std::chrono::milliseconds(100));
  EXPECT_DOUBLE_EQ(h.ttfb_ewma_ms(), 100);
  h.succeeded(std::chrono::milliseconds(200));
  EXPECT_DOUBLE_EQ(h.ttfb_ewma_ms(), 120);
}

}  // namespace
}  // namespace llmd::router
