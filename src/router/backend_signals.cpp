#include "llmd/router/backend_signals.hpp"

namespace llmd::router {

namespace {

double stored(const std::optional<double>& v) { return v && *v >= 0 ? *v : -1; }
std::optional<double> loaded(const std::atomic<double>& v) {
  const double x = v.load(std::memory_order_relaxed);
  return x >= 0 ? std::optional<double>(x) : std::nullopt;
}

}  // namespace

void backend_signals::store(const signal_values& v, time_point at) {
  waiting_.store(stored(v.waiting), std::memory_order_relaxed);
  running_.store(stored(v.running), std::memory_order_relaxed);
  kv_usage_.store(stored(v.kv_usage), std::memory_order_relaxed);
  ours_.store(stored(v.ours), std::memory_order_relaxed);
  at_.store(at.time_since_epoch().count(), std::memory_order_release);
}

std::optional<signal_values> backend_signals::fresh(time_point now, std::chrono::nanoseconds max_age) const {
  const auto at = last_read();
  if (!at || now - *at > max_age) return std::nullopt;
  return last();
}

signal_values backend_signals::last() const { return {loaded(waiting_), loaded(running_), loaded(kv_usage_), loaded(ours_)}; }

std::optional<time_point> backend_signals::last_read() const {
  const auto at = at_.load(std::memory_order_acquire);
  if (at == 0) return std::nullopt;
  return time_point(time_point::duration(at));
}

}  // namespace llmd::router
