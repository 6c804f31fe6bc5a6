// Envoy's retry budget, over time: the retries of the last 10 seconds may not exceed a
// percentage of the requests of those seconds plus a small floor, so a failing fleet gets a
// bounded trickle of retries instead of a storm. Shared by every worker, and kept across reloads
// (which may change its settings).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "llmd/config/config.hpp"
#include "llmd/router/replica_health.hpp"

namespace llmd::router {

class retry_budget {
 public:
  void request_started(time_point now);
  // Claims one retry if the budget allows it now.
  bool try_retry(time_point now, const config::retry_budget& settings);

 private:
  static constexpr int window_seconds = 10;
  struct second {
    std::int64_t epoch = -1;  // which second this slot counts
    std::int64_t requests = 0;
    std::int64_t retries = 0;
  };

  second& slot(time_point now);

  std::mutex mutex_;
  std::array<second, window_seconds> seconds_{};
};

}  // namespace llmd::router
