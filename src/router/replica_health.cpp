#include "llmd/router/replica_health.hpp"

#include <algorithm>

namespace llmd::router {

namespace {

using upstream::outcome;

// Weight of the newest sample in the time-to-first-byte average.
constexpr double ewma_alpha = 0.2;

enum class verdict { works, fails, none };

// What an attempt says of the replica itself.
verdict verdict_of(const attempt_report& r) {
  if (r.result == outcome::ok) return verdict::works;
  // The server is there and asks for time (Retry-After), or refused this request only.
  if (r.retry_after || r.result == outcome::status_429 || r.result == outcome::status_408) return verdict::none;
  return verdict::fails;
}

std::string failure_text(const attempt_report& r) {
  const std::string why(upstream::describe(r.result));
  return r.broke_mid_body ? "broke mid-response: " + why : why;
}

}  // namespace

admission replica_health::admits_locked(time_point now) const {
  if (probe_failing_) return admission::closed;
  if (!ejected_) return admission::open;
  if (now < ejected_until_ || trial_taken_) return admission::closed;
  return admission::trial;
}

standing replica_health::peek(time_point now) const {
  std::lock_guard lock(mutex_);
  return {admits_locked(now), cooling_until_};
}

bool replica_health::take_trial(time_point now) {
  std::lock_guard lock(mutex_);
  if (admits_locked(now) != admission::trial) return false;
  trial_taken_ = true;
  return true;
}

void replica_health::give_back_trial(time_point started) {
  std::lock_guard lock(mutex_);
  // A trial of an earlier ejection has nothing left to give back.
  if (ejected_ && started > ejected_at_) trial_taken_ = false;
}

health_change replica_health::report(const attempt_report& r, time_point now,
                                     const config::health_settings& settings) {
  std::lock_guard lock(mutex_);
  const auto seen = verdict_of(r);
  if (seen == verdict::works) {
    const double ms = static_cast<double>(r.ttfb.count()) / 1000.0;
    const double old = ttfb_ewma_ms_.load(std::memory_order_relaxed);
    ttfb_ewma_ms_.store(old == 0 ? ms : ewma_alpha * ms + (1 - ewma_alpha) * old, std::memory_order_relaxed);
  }
  if (seen == verdict::fails) last_error_ = failure_text(r);
  if (r.retry_after) cooling_until_ = std::max(cooling_until_, now + std::min(*r.retry_after, settings.max_cooldown));
  // The replica has been judged since this attempt began: what it says is old news.
  if (r.started <= ejected_at_) return {};

  const bool trial = ejected_ && r.trial;
  switch (seen) {
    case verdict::none:
      if (trial) trial_taken_ = false;
      return {};
    case verdict::works:
      consecutive_failures_ = 0;
      if (!ejected_) return {};
      // The trial, or a panic-mode attempt, got an answer.
      ejected_ = false;
      trial_taken_ = false;
      ejections_in_a_row_ = 0;
      return {health_change::kind::readmitted};
    case verdict::fails:
      if (ejected_) return trial ? eject_locked(now, settings) : health_change{};
      if (++consecutive_failures_ < settings.failures_to_eject) return {};
      return eject_locked(now, settings);
  }
  return {};
}

health_change replica_health::eject_locked(time_point now, const config::health_settings& settings) {
  auto cooldown = settings.cooldown;
  for (int i = 0; i < ejections_in_a_row_ && cooldown < settings.max_cooldown; ++i) cooldown *= 2;
  cooldown = std::min(cooldown, settings.max_cooldown);
  ejected_ = true;
  trial_taken_ = false;
  consecutive_failures_ = 0;
  ++ejections_in_a_row_;
  ejected_at_ = now;
  ejected_until_ = now + cooldown;
  return {health_change::kind::ejected, cooldown};
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

void replica_health::probes_stopped() {
  std::lock_guard lock(mutex_);
  probe_failing_ = false;
}

health_snapshot replica_health::snapshot() const {
  std::lock_guard lock(mutex_);
  return {.ejected = ejected_,
          .probe_failing = probe_failing_,
          .ejected_until = ejected_until_,
          .cooling_until = cooling_until_,
          .consecutive_failures = consecutive_failures_,
          .ejections_in_a_row = ejections_in_a_row_,
          .ttfb_ewma_ms = ttfb_ewma_ms(),
          .last_error = last_error_};
}

}  // namespace llmd::router
