// The model pool at run time: groups of replicas, their fallback chains, their slots and health.
//
// A backend_pool is one immutable view of one config, shared by every worker thread; a reload
// builds a new one beside it. What a replica is at run time (slots in use, health) lives in its
// replica_state, which a new pool takes over from the previous one for every replica that stays
// (same group name and endpoint), as it takes over the wait queue and the retry budget: requests
// on the old pool and on the new one count against the same slots.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llmd/config/config.hpp"
#include "llmd/router/backend_signals.hpp"
#include "llmd/router/candidate.hpp"
#include "llmd/router/picker.hpp"
#include "llmd/router/prefix_index.hpp"
#include "llmd/router/session_table.hpp"
#include "llmd/router/replica_health.hpp"
#include "llmd/router/retry_budget.hpp"
#include "llmd/router/wait_queue.hpp"

namespace llmd::router {

// A replica's life across reloads: what every pool that holds the replica shares.
struct replica_state {
  std::atomic<int> in_flight{0};
  replica_health health;
  backend_signals signals;
};

// A replica as one pool sees it: its entry in that pool's config, over its shared state.
struct replica {
  const config::model_entry* entry = nullptr;
  std::string id;  // entry->id: what x-llmd-backend says, stable across config edits
  int index = -1;
  int group = -1;
  std::uint64_t key = 0;  // the id's hash, which the prefix index knows the replica by
  std::shared_ptr<replica_state> state;
  std::atomic<int>& in_flight() const { return state->in_flight; }
  replica_health& health() const { return state->health; }
  backend_signals& signals() const { return state->signals; }
  // Its engine's signals when fresh: scraped within three intervals; nullopt when not scraped.
  std::optional<signal_values> fresh_signals(time_point now) const;
};

struct group {
  std::string name;
  std::vector<int> replicas;  // indices into backend_pool::replica_at
  std::vector<int> chain;     // group indices: this group first, then its fallbacks
  // The replicas of every group of the chain: a slot freed on any of them may serve a request
  // of this group that waits in the queue.
  std::vector<const replica_state*> chain_replicas;
  rotation turns;  // by weight, for replicas the scores leave tied
};

class backend_pool;

// A held slot of one replica, given back when the lease dies: on success, error, timeout,
// cancellation or exception alike, so a slot can never leak. A freed slot wakes a waiter. A
// half-open trial the lease holds and never reported on is given back with it.
class lease {
 public:
  lease() = default;
  lease(backend_pool* pool, replica* backend, bool trial, time_point started)
      : pool_(pool), backend_(backend), trial_(trial), started_(started) {}
  lease(lease&& other) noexcept;
  lease& operator=(lease&& other) noexcept;
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  ~lease() { release(); }

  explicit operator bool() const { return backend_ != nullptr; }
  replica* backend() const { return backend_; }
  // This request decides whether an ejected replica comes back (half-open).
  bool trial() const { return trial_; }
  // Tells the replica's health what the attempt came to; the lease adds whether it was the trial
  // and when it started. A later report (a break mid-body) no longer speaks for the trial.
  health_change report(attempt_report r, time_point now);
  void release();

 private:
  backend_pool* pool_ = nullptr;
  replica* backend_ = nullptr;
  bool trial_ = false;
  time_point started_{};
};

// Why try_acquire found nothing.
enum class unavailable {
  none,
  full,       // every admitted replica is at max_concurrent
  cooling,    // the others aside, replicas that asked by Retry-After to be left alone for now
  unhealthy,  // ejected or failing their probes
};

// The reason as a metric label and in the access log.
constexpr std::string_view label(unavailable u) {
  switch (u) {
    case unavailable::none: return "";
    case unavailable::full: return "full";
    case unavailable::cooling: return "cooling";
    case unavailable::unhealthy: return "unhealthy";
  }
  return "unknown";
}

struct pick {
  lease taken{};
  bool cooling = false;  // the replica taken is cooling down: it was the last resort
  unavailable reason = unavailable::none;
  // reason cooling: the replica whose cooldown ends first, and when.
  const replica* next_up = nullptr;
  time_point cooling_until{};
  std::size_t prefix_matched = 0;  // leading prompt blocks the replica taken had been sent before
};

class backend_pool {
 public:
  // `previous`, the pool now serving, hands over the state of the replicas that stay, the wait
  // queue and the retry budget (which take this config's settings); null at start.
  explicit backend_pool(std::shared_ptr<const config::config> cfg, const backend_pool* previous = nullptr);

  const config::config& settings() const { return *cfg_; }
  const std::vector<group>& groups() const { return groups_; }
  replica& replica_at(int index) { return replicas_[index]; }
  const replica& replica_at(int index) const { return replicas_[index]; }
  int replica_count() const { return static_cast<int>(replicas_.size()); }

  // The group a request's `model` goes to: a group name, else the group of an entry whose
  // `model` it is, else default_model; nullopt when none applies.
  std::optional<int> resolve(std::string_view model) const;
  std::optional<int> group_named(std::string_view name) const;

  // A free slot on the best replica of `group`, as routing ranks them (filters, scorers, picker):
  // a half-open replica's trial first; replicas in options.avoid only when no other one is free,
  // cooling ones (with options.take_cooling) only when nothing else is.
  pick try_acquire(int group, time_point now, const pick_options& options = {});

  // Whether some replica of these groups takes traffic (full or cooling down or not): false means
  // panic mode.
  bool any_admitted(const std::vector<int>& groups, time_point now) const;
  // Whether some replica of the pool takes traffic: /ready.
  bool any_usable(time_point now) const;

  retry_budget& budget() { return *budget_; }
  wait_queue& queue() const { return *queue_; }
  prefix_index& prefixes() const { return *prefixes_; }

 private:
  friend class lease;
  std::optional<std::reference_wrapper<const candidate>> sticky(std::span<const candidate> kept, std::uint64_t session,
                                                                time_point now) const;

  std::shared_ptr<const config::config> cfg_;
  std::vector<replica> replicas_;
  std::vector<group> groups_;
  picker picker_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> next_;  // per group: its next turn in the rotation
  std::shared_ptr<retry_budget> budget_;
  std::shared_ptr<wait_queue> queue_;
  std::shared_ptr<prefix_index> prefixes_;
  std::shared_ptr<session_table> sessions_;
};

}  // namespace llmd::router
