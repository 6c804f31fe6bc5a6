#include "llmd/proxy/failures.hpp"

#include <gtest/gtest.h>

namespace llmd::proxy {
namespace {

using upstream::outcome;

using namespace std::chrono_literals;

failure tried(const std::string& backend, outcome o, unsigned status = 0,
              std::optional<config::duration> retry_after = std::nullopt) {
  return {backend, router::unavailable::none, o, status, retry_after};
}

failure full(const std::string& group) { return {group, router::unavailable::full, outcome::ok, 0, std::nullopt}; }
failure ejected(const std::string& group) {
  return {group, router::unavailable::unhealthy, outcome::ok, 0, std::nullopt};
}

TEST(failures, all_timeouts_are_504) {
  const auto e = summarize({tried("a", outcome::timeout_first_byte), tried("b", outcome::timeout_first_byte)}, "m");
  EXPECT_EQ(e.status, 504u);
  EXPECT_EQ(e.type, "timeout_error");
  EXPECT_EQ(e.code, "upstream_timeout");
}

TEST(failures, full_and_rate_limited_are_429_with_the_backends_retry_after) {
  const auto e = summarize({full("a"), tried("b", outcome::status_429, 429, 6500ms)}, "m");
  EXPECT_EQ(e.status, 429u);
  EXPECT_EQ(e.code, "rate_limit_exceeded");
  EXPECT_EQ(e.retry_after, "7");
  EXPECT_EQ(summarize({full("a")}, "m").retry_after, "1");
}

TEST(failures, anything_else_is_502_naming_every_backend) {
  const auto e = summarize({tried("a", outcome::connect_failed), full("b"), tried("c", outcome::status_5xx, 503),
                            tried("d", outcome::timeout_first_byte), ejected("e")},
                           "gpt", true);
  EXPECT_EQ(e.status, 502u);
  EXPECT_EQ(e.type, "api_error");
  EXPECT_EQ(e.message,
            "no backend could answer model 'gpt' (a: connection failed; b: all replicas at max_concurrent; "
            "c: server error status 503; d: no response before first_byte_timeout; e: all replicas ejected; "
            "retry budget exhausted)");
  EXPECT_TRUE(e.retry_after.empty());
}

TEST(failures, a_502_carries_the_retry_after_an_upstream_asked_for) {
  const auto e = summarize({tried("a", outcome::status_5xx, 503, 1s), tried("a", outcome::status_5xx, 503, 2s)}, "m");
  EXPECT_EQ(e.status, 502u);
  EXPECT_EQ(e.retry_after, "2");
}

TEST(failures, groups_cooling_down_are_backpressure) {
  const failure cooling{"a", router::unavailable::cooling, outcome::ok, 0, 3s};
  const auto e = summarize({cooling, full("b")}, "m");
  EXPECT_EQ(e.status, 429u);
  EXPECT_EQ(e.retry_after, "3");
  EXPECT_NE(e.message.find("a: all replicas cooling down after Retry-After"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace llmd::proxy
