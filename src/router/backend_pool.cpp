#include "llmd/router/backend_pool.hpp"

#include <algorithm>
#include <utility>

#include "llmd/config/chains.hpp"
#include "llmd/config/parse.hpp"

namespace llmd::router {

namespace {

// How much busier a slow replica counts when choosing where a new request goes.
constexpr double slow_penalty = 4.0;
// Below this difference in time to first byte, a replica is not slow whatever the ratio: a new
// connection's handshake alone can triple a sub-millisecond time.
constexpr double slow_margin_ms = 20.0;

bool contains(const std::vector<int>* list, int value) {
  return list && std::find(list->begin(), list->end(), value) != list->end();
}

}  // namespace

lease::lease(lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      backend_(std::exchange(other.backend_, nullptr)),
      trial_(std::exchange(other.trial_, false)),
      started_(other.started_) {}

lease& lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = std::exchange(other.pool_, nullptr);
    backend_ = std::exchange(other.backend_, nullptr);
    trial_ = std::exchange(other.trial_, false);
    started_ = other.started_;
  }
  return *this;
}

health_change lease::report(attempt_report r, time_point now) {
  r.trial = std::exchange(trial_, false);
  r.started = started_;
  return backend_->health().report(r, now, pool_->settings().health);
}

void lease::release() {
  if (!backend_) return;
  auto* freed = std::exchange(backend_, nullptr);
  if (std::exchange(trial_, false)) freed->health().give_back_trial(started_);
  freed->in_flight().fetch_sub(1, std::memory_order_acq_rel);
  pool_->queue_->slot_freed(freed->state.get());
}

namespace {

// The state of the previous pool's replica that `entry` continues, else a fresh one.
std::shared_ptr<replica_state> state_for(const config::model_entry& entry, const backend_pool* previous) {
  if (previous) {
    for (int i = 0; i < previous->replica_count(); ++i) {
      const auto& before = previous->replica_at(i);
      if (config::same_replica(*before.entry, entry)) return before.state;
    }
  }
  return std::make_shared<replica_state>();
}

}  // namespace

backend_pool::backend_pool(std::shared_ptr<const config::config> cfg, const backend_pool* previous)
    : cfg_(std::move(cfg)),
      replicas_(cfg_->models.size()),
      next_(new std::atomic<unsigned>[cfg_->models.size()]()),
      budget_(previous ? previous->budget_ : std::make_shared<retry_budget>()),
      queue_(previous ? previous->queue_ : std::make_shared<wait_queue>()) {
  const auto names = config::group_names(cfg_->models);
  auto chains = config::build_chains(cfg_->models);
  for (std::size_t g = 0; g < names.size(); ++g) groups_.push_back(group{names[g], {}, std::move(chains[g]), {}});
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    const auto& entry = cfg_->models[i];
    auto g = std::find(names.begin(), names.end(), entry.name) - names.begin();
    replicas_[i].entry = &entry;
    replicas_[i].id = entry.id;
    replicas_[i].index = static_cast<int>(i);
    replicas_[i].group = static_cast<int>(g);
    replicas_[i].state = state_for(entry, previous);
    groups_[g].replicas.push_back(static_cast<int>(i));
  }
  for (auto& g : groups_) {
    for (int c : g.chain) {
      for (int index : groups_[c].replicas) g.chain_replicas.push_back(replicas_[index].state.get());
    }
  }
}

std::optional<int> backend_pool::group_named(std::string_view name) const {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].name == name) return static_cast<int>(g);
  }
  return std::nullopt;
}

std::optional<int> backend_pool::resolve(std::string_view model) const {
  if (auto g = group_named(model)) return g;
  for (const auto& r : replicas_) {
    if (r.entry->model && *r.entry->model == model) return r.group;
  }
  if (!cfg_->default_model) return std::nullopt;
  return group_named(*cfg_->default_model);
}

bool backend_pool::is_slow(const replica& r) const {
  const double own = r.health().ttfb_ewma_ms();
  if (own == 0) return false;
  double others = 0;
  int counted = 0;
  for (int index : groups_[r.group].replicas) {
    if (index == r.index) continue;
    if (const double ewma = replicas_[index].health().ttfb_ewma_ms(); ewma > 0) {
      others += ewma;
      ++counted;
    }
  }
  if (counted == 0) return false;
  const double typical = others / counted;
  return own > r.entry->slow_factor * typical && own > typical + slow_margin_ms;
}

pick backend_pool::try_acquire(int group, time_point now, const pick_options& options) {
  // Re-pick on a lost race: another worker may take the last slot or the trial meanwhile.
  for (;;) {
    replica* best = nullptr;
    double best_score = 0;
    int best_seen = 0;
    bool best_trial = false;
    bool best_cooling = false;
    bool any_admitted = false;
    pick waiting{.reason = unavailable::cooling, .cooling_until = time_point::max()};
    const auto& members = groups_[group].replicas;
    const auto start = next_[group].fetch_add(1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < members.size(); ++k) {
      const int index = members[(start + k) % members.size()];
      replica& r = replicas_[index];
      const auto standing = r.health().peek(now);
      const auto admits = options.ignore_health ? admission::open : standing.admits;
      if (admits == admission::closed) continue;
      const bool cooling = standing.cooling(now);
      if (cooling && !options.take_cooling) {
        if (standing.cooling_until < waiting.cooling_until) {
          waiting.next_up = &r;
          waiting.cooling_until = standing.cooling_until;
        }
        continue;
      }
      any_admitted = true;
      const int seen = r.in_flight().load(std::memory_order_acquire);
      if (seen >= r.entry->max_concurrent) continue;
      const bool trial = admits == admission::trial;
      double score = static_cast<double>(seen + 1) / r.entry->weight;
      if (is_slow(r)) score *= slow_penalty;
      // Order: a trial first, then replicas not tried yet, then tried ones, then cooling ones.
      if (trial) score = -1;
      if (contains(options.avoid, index)) score += 1e9;
      if (cooling) score += 2e9;
      if (!best || score < best_score) {
        best = &r;
        best_score = score;
        best_seen = seen;
        best_trial = trial;
        best_cooling = cooling;
      }
    }
    if (!best) {
      if (waiting.next_up) return waiting;
      return {.reason = any_admitted ? unavailable::full : unavailable::unhealthy};
    }
    if (best_trial && !best->health().take_trial(now)) continue;
    if (best->in_flight().compare_exchange_weak(best_seen, best_seen + 1, std::memory_order_acq_rel)) {
      return {.taken = lease(this, best, best_trial, now), .cooling = best_cooling};
    }
    if (best_trial) best->health().give_back_trial(now);
  }
}

bool backend_pool::any_admitted(const std::vector<int>& groups, time_point now) const {
  for (int g : groups) {
    for (int index : groups_[g].replicas) {
      if (replicas_[index].health().usable(now)) return true;
    }
  }
  return false;
}

bool backend_pool::any_usable(time_point now) const {
  for (const auto& r : replicas_) {
    if (r.health().usable(now)) return true;
  }
  return false;
}

}  // namespace llmd::router
