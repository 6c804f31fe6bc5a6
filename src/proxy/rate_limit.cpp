#include "llmd/proxy/rate_limit.hpp"

#include <algorithm>

namespace llmd::proxy {

namespace {

using std::chrono::nanoseconds;

constexpr std::int64_t minute = std::chrono::duration_cast<nanoseconds>(std::chrono::minutes(1)).count();
// An answer's tokens can't be more; the cap keeps cost times interval within 64 bits.
constexpr std::uint64_t max_cost = 100'000'000;

std::int64_t ticks(rate_limit::clock::time_point t) {
  return std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count();
}

// The bucket refills one unit every `interval` nanoseconds.
std::int64_t interval_of(std::uint64_t per_minute) { return minute / static_cast<std::int64_t>(std::max<std::uint64_t>(per_minute, 1)); }

std::int64_t spend(std::uint64_t cost, std::uint64_t per_minute) {
  return static_cast<std::int64_t>(std::min(cost, max_cost)) * interval_of(per_minute);
}

}  // namespace

std::optional<rate_limit::clock::duration> rate_limit::take(clock::time_point now, std::uint64_t per_minute,
                                                            std::uint64_t cost) {
  const auto at = ticks(now);
  auto full = full_at_.load(std::memory_order_relaxed);
  for (;;) {
    const auto next = std::max(full, at) + spend(cost, per_minute);
    if (next - at > minute) return nanoseconds(next - at - minute);
    if (full_at_.compare_exchange_weak(full, next, std::memory_order_relaxed)) return std::nullopt;
  }
}

std::optional<rate_limit::clock::duration> rate_limit::empty_for(clock::time_point now,
                                                                 std::uint64_t per_minute) const {
  const auto at = ticks(now);
  const auto next = std::max(full_at_.load(std::memory_order_relaxed), at) + interval_of(per_minute);
  if (next - at > minute) return nanoseconds(next - at - minute);
  return std::nullopt;
}

void rate_limit::charge(clock::time_point now, std::uint64_t per_minute, std::uint64_t cost) {
  const auto at = ticks(now);
  auto full = full_at_.load(std::memory_order_relaxed);
  while (!full_at_.compare_exchange_weak(full, std::max(full, at) + spend(cost, per_minute),
                                         std::memory_order_relaxed)) {
  }
}

std::chrono::seconds retry_after_of(rate_limit::clock::duration wait) {
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(wait));
}

}  // namespace llmd::proxy
