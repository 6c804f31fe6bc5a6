#include "llmd/router/backend_pool.hpp"

#include <algorithm>
#include <functional>
#include <boost/container/small_vector.hpp>
#include <utility>

#include "llmd/config/chains.hpp"
#include "llmd/config/parse.hpp"
#include "llmd/router/filter.hpp"

namespace llmd::router {

namespace {

bool contains(const std::vector<int>* list, int value) {
  return list && std::find(list->begin(), list->end(), value) != list->end();
}

// Sessions remembered, and how long one may be idle before it is forgotten.
constexpr std::size_t session_limit = 100000;
constexpr std::chrono::minutes session_idle{30};

// Most groups have a handful of replicas: a pick's candidates stay on the stack.
using candidates = boost::container::small_vector<candidate, 16>;

}  // namespace

std::optional<signal_values> replica::fresh_signals(time_point now) const {
  if (!entry->metrics) return std::nullopt;
  return signals().fresh(now, 3 * entry->metrics->interval);
}

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
      picker_(cfg_->routing),
      next_(new std::atomic<std::uint64_t>[cfg_->models.size()]()),
      budget_(previous ? previous->budget_ : std::make_shared<retry_budget>()),
      queue_(previous ? previous->queue_ : std::make_shared<wait_queue>()),
      prefixes_(previous && previous->cfg_->routing.prefix == cfg_->routing.prefix
                    ? previous->prefixes_
                    : std::make_shared<prefix_index>(cfg_->routing.prefix.max_entries)),
      sessions_(previous ? previous->sessions_ : std::make_shared<session_table>(session_limit, session_idle)) {
  const auto names = config::group_names(cfg_->models);
  auto chains = config::build_chains(cfg_->models);
  for (std::size_t g = 0; g < names.size(); ++g) groups_.push_back(group{names[g], {}, std::move(chains[g]), {}, {}});
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    const auto& entry = cfg_->models[i];
    auto g = std::find(names.begin(), names.end(), entry.name) - names.begin();
    replicas_[i].entry = &entry;
    replicas_[i].id = entry.id;
    replicas_[i].index = static_cast<int>(i);
    replicas_[i].group = static_cast<int>(g);
    replicas_[i].key = std::hash<std::string>{}(entry.id);
    replicas_[i].state = state_for(entry, previous);
    groups_[g].replicas.push_back(static_cast<int>(i));
  }
  for (auto& g : groups_) {
    for (int c : g.chain) {
      for (int index : groups_[c].replicas) g.chain_replicas.push_back(replicas_[index].state.get());
    }
    std::vector<int> weights;
    for (int index : g.replicas) weights.push_back(replicas_[index].entry->weight);
    g.turns = rotation(weights);
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

// The replica the session sticks to, when it is among the candidates, healthy, not full and
// neither tried by this request nor cooling down.
std::optional<std::reference_wrapper<const candidate>> backend_pool::sticky(std::span<const candidate> kept,
                                                                           std::uint64_t session,
                                                                           time_point now) const {
  if (!session) return std::nullopt;
  const auto replica = sessions_->replica_of(session, now);
  if (!replica) return std::nullopt;
  for (const auto& c : kept) {
    if (c.backend->key == *replica && c.admits == admission::open && !c.cooling && !c.tried) return c;
  }
  return std::nullopt;
}

pick backend_pool::try_acquire(int group, time_point now, const pick_options& options) {
  const auto& members = groups_[group].replicas;
  // Re-pick on a lost race: another worker may take the last slot or the trial meanwhile.
  for (;;) {
    candidates kept;
    bool any_admitted = false;
    pick waiting{.reason = unavailable::cooling, .cooling_until = time_point::max()};
    for (std::size_t m = 0; m < members.size(); ++m) {
      replica& r = replicas_[members[m]];
      const auto standing = r.health().peek(now);
      const candidate c{.backend = &r,
                        .member = m,
                        .seen = r.in_flight().load(std::memory_order_acquire),
                        .admits = options.ignore_health ? admission::open : standing.admits,
                        .cooling = standing.cooling(now),
                        .cooling_until = standing.cooling_until,
                        .tried = contains(options.avoid, r.index)};
      verdict v = verdict::keep;
      for (const auto* f : filters()) {
        if ((v = f->check(c, options)) != verdict::keep) break;
      }
      if (v != verdict::unhealthy && v != verdict::cooling) any_admitted = true;
      if (v == verdict::cooling && c.cooling_until < waiting.cooling_until) {
        waiting.next_up = &r;
        waiting.cooling_until = c.cooling_until;
      }
      if (v == verdict::keep) kept.push_back(c);
    }
    if (kept.empty()) {
      if (waiting.next_up) return waiting;
      return {.reason = any_admitted ? unavailable::full : unavailable::unhealthy};
    }
    const auto ticket = next_[group].fetch_add(1, std::memory_order_relaxed);
    const candidate& best = sticky(kept, options.hints.session, now).value_or(
        kept[picker_.best({*this, now, options.hints.prompt}, kept, groups_[group].turns, ticket)]);
    const bool trial = best.admits == admission::trial;
    if (trial && !best.backend->health().take_trial(now)) continue;
    int seen = best.seen;
    if (best.backend->in_flight().compare_exchange_strong(seen, seen + 1, std::memory_order_acq_rel)) {
      const auto& prompt = options.hints.prompt;
      const std::size_t matched = prompt.empty() ? 0 : prefixes_->record(prompt, best.backend->key);
      if (options.hints.session) sessions_->stick(options.hints.session, best.backend->key, now);
      return {.taken = lease(this, best.backend, trial, now), .cooling = best.cooling, .prefix_matched = matched};
    }
    if (trial) best.backend->health().give_back_trial(now);
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
