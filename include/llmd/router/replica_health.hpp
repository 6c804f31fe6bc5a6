// The health of one replica as llm-d sees it, shared by every worker.
//
// The proxy reports what each attempt came to and the prober each verdict; this object alone
// decides what follows, as Envoy's outlier detection does from putResult. Passive:
// failures_to_eject consecutive failures eject the replica for a cooldown that doubles with each
// ejection in a row; once it is over, a single trial request decides (half-open). One failure
// streak ejects once: outcomes of attempts that started before the ejection change nothing, and
// while the replica is ejected only its trial can eject it again (failures of panic-mode
// attempts don't). An upstream Retry-After cools the replica down, which is no ejection: it only
// makes the replica the last resort. Active probes eject and readmit too. Time is always passed
// in, so tests drive it without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "llmd/config/config.hpp"
#include "llmd/upstream/outcome.hpp"

namespace llmd::router {

using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

enum class admission {
  open,    // takes traffic
  trial,   // ejected, cooldown over, nobody is testing it yet: one request may try it
  closed,  // ejected with its cooldown running or its trial under way, or failing its probe
};

// What the replica's health says to a request picking a replica now.
struct standing {
  admission admits = admission::open;
  time_point cooling_until{};  // after a Retry-After: until then, take it only as the last resort

  bool cooling(time_point now) const { return now < cooling_until; }
};

// What one attempt on the replica came to, as the proxy saw it.
struct attempt_report {
  upstream::outcome result = upstream::outcome::ok;
  std::optional<config::duration> retry_after{};  // asked for by a 429 or 503 (upstream::honours_retry_after)
  std::chrono::microseconds ttfb{0};             // to the response header, when one came
  time_point started{};                          // when the replica was picked for the attempt
  bool trial = false;                            // the attempt was the replica's half-open trial
  bool broke_mid_body = false;                   // the header came, then the upstream broke or fell silent
};

// What a report changed, for the log.
struct health_change {
  enum class kind { none, ejected, readmitted };
  kind what = kind::none;
  config::duration cooldown{0};  // ejected: for how long
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
  standing peek(time_point now) const;
  // Claims the one trial of a half-open replica; false when another request got it first.
  bool take_trial(time_point now);
  // A trial that ends without a report (the client left, the slot was lost): free to take again.
  void give_back_trial(time_point started);

  health_change report(const attempt_report& r, time_point now, const config::health_settings& settings);
  // An active probe's verdict: a failing probe ejects until a passing one readmits.
  void probed(bool passing, std::string_view why);
  // The replica is no longer probed (a reload removed its health_check): no verdict stands.
  void probes_stopped();

  // Not ejected, not failing its probe: takes traffic now or soon (a Retry-After ends).
  bool usable(time_point now) const { return peek(now).admits != admission::closed; }
  double ttfb_ewma_ms() const { return ttfb_ewma_ms_.load(std::memory_order_relaxed); }
  health_snapshot snapshot() const;

 private:
  admission admits_locked(time_point now) const;
  health_change eject_locked(time_point now, const config::health_settings& settings);

  mutable std::mutex mutex_;
  bool ejected_ = false;
  bool trial_taken_ = false;
  bool probe_failing_ = false;
  int consecutive_failures_ = 0;
  int ejections_in_a_row_ = 0;
  time_point ejected_at_ = time_point::min();
  time_point ejected_until_{};
  time_point cooling_until_{};
  // Written under the mutex, read without it by every pick.
  std::atomic<double> ttfb_ewma_ms_{0};
  std::string last_error_;
};

}  // namespace llmd::router
