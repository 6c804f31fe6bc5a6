// A per-minute limit as GCRA (the generic cell rate algorithm): a token bucket of `per_minute`
// units that refills over a minute, kept as one time stamp, the moment it will be full again.
// Every operation is one compare-and-swap: no lock on the request path, shared by every worker.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace llmd::proxy {

class rate_limit {
 public:
  using clock = std::chrono::steady_clock;

  // Takes `cost` units now and gives nullopt, or takes nothing and says how long until the
  // bucket would hold them.
  std::optional<clock::duration> take(clock::time_point now, std::uint64_t per_minute, std::uint64_t cost = 1);
  // How long until the bucket holds a unit again; nullopt when it holds one now.
  std::optional<clock::duration> empty_for(clock::time_point now, std::uint64_t per_minute) const;
  // Takes `cost` units whatever the bucket holds, into debt if need be: for what is known only
  // once it has been spent (the tokens of an answer).
  void charge(clock::time_point now, std::uint64_t per_minute, std::uint64_t cost);

 private:
  std::atomic<std::int64_t> full_at_{0};  // nanoseconds of the clock's epoch
};

// Whole seconds for Retry-After: at least 1, rounded up.
std::chrono::seconds retry_after_of(rate_limit::clock::duration wait);

}  // namespace llmd::proxy
