// When to try again: exponential backoff with full jitter, and an upstream's Retry-After.
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
// do), and never less than the upstream's Retry-After, itself capped at backoff_max.
config::duration backoff_delay(const config::retry_policy& policy, int n, double unit,
                               std::optional<config::duration> retry_after);

}  // namespace llmd::proxy
