// When to try again: exponential backoff with full jitter, and how long to wait for a replica
// that asked by Retry-After to be left alone.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::proxy {

// Retry-After as delta-seconds ("7") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), as a
// wait from `now`; nullopt when absent or malformed. A date in the past is a zero wait.
std::optional<config::duration> parse_retry_after(std::string_view value,
                                                  std::chrono::system_clock::time_point now);

// The wait before the n-th retry on a replica already tried (n >= 1): uniform in
// [0, min(backoff_max, backoff * 2^(n-1))] for `unit` in [0, 1) (full jitter, as AWS and Envoy
// do).
config::duration backoff_delay(const config::retry_policy& policy, int n, double unit);

// When a request that only a replica cooling down after a Retry-After can answer goes there
// anyway: when the cooldown ends, but never more than backoff_max after `now`.
std::chrono::steady_clock::time_point cooling_pause_end(const config::retry_policy& policy,
                                                        std::chrono::steady_clock::time_point now,
                                                        std::chrono::steady_clock::time_point cooling_until);

}  // namespace llmd::proxy
