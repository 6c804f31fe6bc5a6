#include "llmd/router/retry_budget.hpp"

namespace llmd::router {

retry_budget::second& retry_budget::slot(time_point now) {
  const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto& s = seconds_[static_cast<std::size_t>(epoch % window_seconds)];
  if (s.epoch != epoch) s = second{epoch, 0, 0};
  return s;
}

void retry_budget::request_started(time_point now) {
  std::lock_guard lock(mutex_);
  ++slot(now).requests;
}

bool retry_budget::try_retry(time_point now, const config::retry_budget& settings) {
  std::lock_guard lock(mutex_);
  auto& current = slot(now);
  const auto oldest = current.epoch - window_seconds + 1;
  std::int64_t requests = 0;
  std::int64_t retries = 0;
  for (const auto& s : seconds_) {
    if (s.epoch >= oldest) {
      requests += s.requests;
      retries += s.retries;
    }
  }
  const double allowed = settings.percent / 100.0 * static_cast<double>(requests) + settings.min_retries;
  if (static_cast<double>(retries) >= allowed) return false;
  ++current.retries;
  return true;
}

}  // namespace llmd::router
