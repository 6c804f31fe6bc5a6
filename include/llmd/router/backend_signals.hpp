// What a replica's engine last said of itself on its /metrics (vLLM's or SGLang's gauges), as
// the scraper stored it: read by the queue and kv_cache scorers, the prefix load guard and
// /admin/backends. Lock-free: a reader may see one value of one scrape beside another of the next.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "llmd/router/replica_health.hpp"

namespace llmd::router {

struct signal_values {
  std::optional<double> waiting{};   // requests queued in the engine
  std::optional<double> running{};   // requests it is running
  std::optional<double> kv_usage{};  // its KV cache in use, 0 to 1
  // Not the engine's: our requests in flight to it when its page was read, so that what it holds
  // beyond ours is counted from one moment (foreign_queue).
  std::optional<double> ours{};
  bool operator==(const signal_values&) const = default;
};

class backend_signals {
 public:
  void store(const signal_values& v, time_point at);
  void failed() { failures_.fetch_add(1, std::memory_order_relaxed); }

  // The last values, when read within `max_age` of `now`.
  std::optional<signal_values> fresh(time_point now, std::chrono::nanoseconds max_age) const;
  signal_values last() const;
  std::optional<time_point> last_read() const;
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> waiting_{-1};  // negative: absent
  std::atomic<double> running_{-1};
  std::atomic<double> kv_usage_{-1};
  std::atomic<double> ours_{-1};
  std::atomic<std::int64_t> at_{0};  // steady clock, nanoseconds; 0: never read
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace llmd::router
