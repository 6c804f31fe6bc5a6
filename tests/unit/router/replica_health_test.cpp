#include "llmd/router/replica_health.hpp"

#include <gtest/gtest.h>

namespace llmd::router {
namespace {

using namespace std::chrono_literals;
using upstream::outcome;

const time_point t0 = clock::now();

config::health_settings settings() {
  config::health_settings s;
  s.failures_to_eject = 3;
  s.cooldown = 10s;
  s.max_cooldown = 35s;
  return s;
}

attempt_report failure(time_point started, outcome result = outcome::status_5xx) {
  return {.result = result, .started = started};
}

attempt_report success(time_point started) { return {.result = outcome::ok, .ttfb = 5ms, .started = started}; }

attempt_report trial(attempt_report r) {
  r.trial = true;
  return r;
}

using kind = health_change::kind;

// Three failures of attempts that started at t0, reported at t0 + 1s: ejected from then for 10s.
void eject(replica_health& h) {
  for (int i = 0; i < 3; ++i) h.report(failure(t0), t0 + 1s, settings());
  ASSERT_TRUE(h.snapshot().ejected);
}

TEST(replica_health, consecutive_failures_eject_and_a_success_resets_the_count) {
  replica_health h;
  EXPECT_EQ(h.report(failure(t0, outcome::reset), t0, settings()).what, kind::none);
  EXPECT_EQ(h.report(failure(t0, outcome::reset), t0, settings()).what, kind::none);
  h.report(success(t0), t0, settings());
  h.report(failure(t0, outcome::reset), t0, settings());
  h.report(failure(t0, outcome::reset), t0, settings());
  EXPECT_EQ(h.peek(t0).admits, admission::open);
  const auto change = h.report(failure(t0), t0, settings());
  EXPECT_EQ(change.what, kind::ejected);
  EXPECT_EQ(change.cooldown, 10s);
  EXPECT_EQ(h.peek(t0 + 9s).admits, admission::closed);
  EXPECT_EQ(h.snapshot().last_error, "server error status");
}

TEST(replica_health, ejects_once_for_concurrent_failures_crossing_the_threshold) {
  replica_health h;
  // Five attempts in flight at once all fail: the third ejects, the others are of the same streak.
  int ejections = 0;
  for (int i = 0; i < 5; ++i) {
    if (h.report(failure(t0), t0 + 1s + i * 1ms, settings()).what == kind::ejected) ++ejections;
  }
  EXPECT_EQ(ejections, 1);
  const auto s = h.snapshot();
  EXPECT_EQ(s.ejections_in_a_row, 1);
  EXPECT_EQ(s.ejected_until, t0 + 1s + 2ms + 10s);
}

TEST(replica_health, outcomes_of_attempts_that_started_before_the_ejection_change_nothing) {
  replica_health h;
  eject(h);
  const auto until = h.snapshot().ejected_until;
  // A success of an attempt picked before the ejection does not readmit.
  EXPECT_EQ(h.report(success(t0 + 500ms), t0 + 2s, settings()).what, kind::none);
  EXPECT_TRUE(h.snapshot().ejected);
  // Nor does a failure that arrives once the cooldown is over eject again or lengthen it.
  EXPECT_EQ(h.report(trial(failure(t0 + 900ms)), t0 + 12s, settings()).what, kind::none);
  EXPECT_EQ(h.snapshot().ejected_until, until);
  EXPECT_EQ(h.peek(t0 + 12s).admits, admission::trial);
}

TEST(replica_health, failures_in_panic_mode_do_not_lengthen_the_cooldown) {
  replica_health h;
  eject(h);
  const auto until = h.snapshot().ejected_until;
  // Attempts sent to the ejected replica because its whole chain was down.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.report(failure(t0 + 2s), t0 + 3s, settings()).what, kind::none);
  EXPECT_EQ(h.snapshot().ejected_until, until);
  EXPECT_EQ(h.snapshot().ejections_in_a_row, 1);
  // One that gets an answer readmits it.
  EXPECT_EQ(h.report(success(t0 + 4s), t0 + 5s, settings()).what, kind::readmitted);
  EXPECT_EQ(h.peek(t0 + 5s).admits, admission::open);
}

TEST(replica_health, after_the_cooldown_exactly_one_trial_decides) {
  replica_health h;
  eject(h);
  EXPECT_FALSE(h.take_trial(t0 + 10s));  // cooldown not over yet
  EXPECT_EQ(h.peek(t0 + 11s).admits, admission::trial);
  EXPECT_TRUE(h.take_trial(t0 + 11s));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(h.take_trial(t0 + 11s));
  EXPECT_EQ(h.peek(t0 + 11s).admits, admission::closed);
  EXPECT_EQ(h.report(trial(success(t0 + 11s)), t0 + 12s, settings()).what, kind::readmitted);
  EXPECT_EQ(h.peek(t0 + 12s).admits, admission::open);
  EXPECT_EQ(h.snapshot().ejections_in_a_row, 0);
}

TEST(replica_health, failed_trials_double_the_cooldown_up_to_the_cap) {
  replica_health h;
  eject(h);
  for (auto expected : {20s, 35s, 35s}) {
    const auto now = h.snapshot().ejected_until;
    ASSERT_TRUE(h.take_trial(now));
    const auto change = h.report(trial(failure(now, outcome::reset)), now + 1ms, settings());
    EXPECT_EQ(change.what, kind::ejected);
    EXPECT_EQ(change.cooldown, expected);
    EXPECT_EQ(h.snapshot().ejected_until - (now + 1ms), expected);
  }
}

TEST(replica_health, a_trial_given_back_can_be_taken_again_but_not_one_of_an_earlier_ejection) {
  replica_health h;
  eject(h);
  ASSERT_TRUE(h.take_trial(t0 + 11s));
  h.give_back_trial(t0 + 11s);  // its client left
  ASSERT_TRUE(h.take_trial(t0 + 11s));
  // That trial fails and ejects again; a trial still running from before gives nothing back.
  h.report(trial(failure(t0 + 11s)), t0 + 12s, settings());
  ASSERT_TRUE(h.take_trial(t0 + 40s));
  h.give_back_trial(t0 + 11s);
  EXPECT_FALSE(h.take_trial(t0 + 40s));
}

TEST(replica_health, retry_after_cools_down_without_ejecting) {
  replica_health h;
  attempt_report limited{.result = outcome::status_429, .retry_after = 3s, .started = t0};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.report(limited, t0, settings()).what, kind::none);
  const auto s = h.peek(t0 + 2s);
  EXPECT_EQ(s.admits, admission::open);
  EXPECT_TRUE(s.cooling(t0 + 2s));
  EXPECT_FALSE(s.cooling(t0 + 3s));
  EXPECT_FALSE(h.snapshot().ejected);
  EXPECT_EQ(h.snapshot().consecutive_failures, 0);
  // A 503 asking for a day is held to max_cooldown.
  h.report({.result = outcome::status_5xx, .retry_after = 24h, .started = t0}, t0, settings());
  EXPECT_EQ(h.snapshot().cooling_until, t0 + 35s);
}

TEST(replica_health, a_trial_answered_with_retry_after_gives_the_trial_back) {
  replica_health h;
  eject(h);
  ASSERT_TRUE(h.take_trial(t0 + 11s));
  h.report(trial({.result = outcome::status_5xx, .retry_after = 1s, .started = t0 + 11s}), t0 + 11s, settings());
  const auto s = h.peek(t0 + 12s);
  EXPECT_EQ(s.admits, admission::trial);
  EXPECT_FALSE(s.cooling(t0 + 12s));
}

TEST(replica_health, rate_limits_without_retry_after_neither_count_nor_reset_failures) {
  replica_health h;
  h.report(failure(t0), t0, settings());
  h.report(failure(t0), t0, settings());
  h.report({.result = outcome::status_429, .started = t0}, t0, settings());
  h.report({.result = outcome::status_408, .started = t0}, t0, settings());
  EXPECT_EQ(h.snapshot().consecutive_failures, 2);
  EXPECT_EQ(h.report(failure(t0), t0, settings()).what, kind::ejected);
}

TEST(replica_health, a_stream_that_breaks_is_a_failure_that_says_so) {
  replica_health h;
  h.report({.result = outcome::timeout_idle, .started = t0, .broke_mid_body = true}, t0, settings());
  EXPECT_EQ(h.snapshot().consecutive_failures, 1);
  EXPECT_EQ(h.snapshot().last_error, "broke mid-response: silent past idle_timeout");
}

TEST(replica_health, probes_eject_and_readmit) {
  replica_health h;
  h.probed(false, "probe status 503");
  EXPECT_EQ(h.peek(t0).admits, admission::closed);
  EXPECT_TRUE(h.snapshot().probe_failing);
  h.probed(true, "");
  EXPECT_EQ(h.peek(t0).admits, admission::open);
  eject(h);
  h.probed(true, "");  // a passing probe also ends a passive ejection
  EXPECT_EQ(h.peek(t0 + 2s).admits, admission::open);
}

TEST(replica_health, time_to_first_byte_is_an_ewma) {
  replica_health h;
  EXPECT_EQ(h.ttfb_ewma_ms(), 0);
  h.report({.result = outcome::ok, .ttfb = 100ms, .started = t0}, t0, settings());
  EXPECT_DOUBLE_EQ(h.ttfb_ewma_ms(), 100);
  h.report({.result = outcome::ok, .ttfb = 200ms, .started = t0}, t0, settings());
  EXPECT_DOUBLE_EQ(h.ttfb_ewma_ms(), 120);
}

}  // namespace
}  // namespace llmd::router
