// The health of one replica as llm-d sees it, shared by every worker.
//
// Passive: consecutive failures eject the replica for a cooldown that doubles with each ejection
// in a row; once the cooldown is over, a single trial request decides (half-open). Active probes
// eject and readmit too. An upstream Retry-After cools the replica down for that long. Time is
// always passed in, so tests drive it without sleeping.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::router {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

enum class admission {
  open,    // takes traffic
  trial,   // ejected, cooldown over, nobody is testing it yet: one request may try it
  closed,  // ejected, cooling down after a Retry-After, failing its probe, or under trial
};

struct health_snapshot {
  bool ejected = false;
  bool probe_failing = false;
  time_point ejected_until{};
  time_point cooling_until{};
  int consecutive_failures = 0;
  int ejections_in_a_row = 0;
  double ttfb_ewma_ms = 0;  // 0 before the first response
  std::string last_error;
};

class replica_health {
 public:
  admission peek(time_point now) const;
  // Claims the one trial of a half-open replica; false when another request got it first.
  bool take_trial(time_point now);

  // A response header arrived after ttfb: the replica works (ends a trial, clears failures).
  void succeeded(std::chrono::microseconds ttfb);
  // A failure that speaks of the replica (refused, reset, timeout, 5xx, malformed). Returns true
  // when this failure ejected it.
  bool failed(time_point now, const config::health_settings& settings, std::string_view why);
  // The request ended without a verdict (the client left): a trial it held is free again.
  void abandoned();
  // Retry-After from a 429 or 503: no traffic until then.
  void cool_down(time_point until);
  // An active probe's verdict: a failing probe ejects until a passing one readmits.
  void probed(bool passing, std::string_view why);

  bool usable(time_point now) const { return peek(now) != admission::closed; }
  double ttfb_ewma_ms() const;
  health_snapshot snapshot() const;

 private:
  admission peek_locked(time_point now) const;

  mutable std::mutex mutex_;
  bool ejected_ = false;
  bool trial_taken_ = false;
  bool probe_failing_ = false;
  int consecutive_failures_ = 0;
  int ejections_in_a_row_ = 0;
  time_point ejected_until_{};
  time_point cooling_until_{};
  double ttfb_ewma_ms_ = 0;
  std::string last_error_;
};

}  // namespace llmd::router
