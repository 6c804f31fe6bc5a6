#include "llmd/router/replica_health.hpp"

#include <algorithm>

namespace llmd::router {

namespace {

// Weight of the newest sample in the time-to-first-byte average.
constexpr double ewma_alpha = 0.2;

}  // namespace

admission replica_health::peek_locked(time_point now) const {
  if (probe_failing_ || now < cooling_until_) return admission::closed;
  if (!ejected_) return admission::open;
  if (now < ejected_until_ || trial_taken_) return admission::closed;
  return admission::trial;
}

admission replica_health::peek(time_point now) const {
  std::lock_guard lock(mutex_);
  return peek_locked(now);
}

bool replica_health::take_trial(time_point now) {
  std::lock_guard lock(mutex_);
  if (peek_locked(now) != admission::trial) return false;
  trial_taken_ = true;
  return true;
}

void replica_health::succeeded(std::chrono::microseconds ttfb) {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  if (ejected_) {
    ejected_ = false;
    trial_taken_ = false;
    ejections_in_a_row_ = 0;
  }
  const double ms = static_cast<double>(ttfb.count()) / 1000.0;
  ttfb_ewma_ms_ = ttfb_ewma_ms_ == 0 ? ms : ewma_alpha * ms + (1 - ewma_alpha) * ttfb_ewma_ms_;
}

bool replica_health::failed(time_point now, const config::health_settings& settings, std::string_view why) {
  std::lock_guard lock(mutex_);
  last_error_ = why;
  if (!ejected_ && ++consecutive_failures_ < settings.failures_to_eject) return false;
  // A first ejection, or a failed trial: eject for a cooldown doubled for each ejection in a row.
  ejected_ = true;
  trial_taken_ = false;
  consecutive_failures_ = 0;
  auto cooldown = settings.cooldown;
  for (int i = 0; i < ejections_in_a_row_ && cooldown < settings.max_cooldown; ++i) cooldown *= 2;
  ejected_until_ = now + std::min(cooldown, settings.max_cooldown);
  ++ejections_in_a_row_;
  return true;
}

void replica_health::abandoned() {
  std::lock_guard lock(mutex_);
  trial_taken_ = false;
}

void replica_health::cool_down(time_point until) {
  std::lock_guard lock(mutex_);
  cooling_until_ = std::max(cooling_until_, until);
}

void replica_health::probed(bool passing, std::string_view why) {
  std::lock_guard lock(mutex_);
  probe_failing_ = !passing;
  if (!passing) {
    last_error_ = why;
    return;
  }
  ejected_ = false;
  trial_taken_ = false;
  consecutive_failures_ = 0;
  ejections_in_a_row_ = 0;
}

double replica_health::ttfb_ewma_ms() const {
  std::lock_guard lock(mutex_);
  return ttfb_ewma_ms_;
}

health_snapshot replica_health::snapshot() const {
  std::lock_guard lock(mutex_);
  return {ejected_,          probe_failing_,        ejected_until_, cooling_until_, consecutive_failures_,
          ejections_in_a_row_, ttfb_ewma_ms_, last_error_};
}

}  // namespace llmd::router
