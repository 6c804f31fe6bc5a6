#include "llmd/router/backend_pool.hpp"

#include <algorithm>

#include "llmd/router/chains.hpp"

namespace llmd::router {

backend_pool::backend_pool(std::shared_ptr<const config::config> cfg)
    : cfg_(std::move(cfg)), entry_count_(cfg_->models.size()), replicas_(new replica[entry_count_]) {
  const auto names = group_names(cfg_->models);
  auto chains = build_chains(cfg_->models);
  for (std::size_t g = 0; g < names.size(); ++g) groups_.push_back(group{names[g], {}, std::move(chains[g])});
  for (std::size_t i = 0; i < entry_count_; ++i) {
    const auto& entry = cfg_->models[i];
    auto g = std::find(names.begin(), names.end(), entry.name) - names.begin();
    replicas_[i].entry = &entry;
    replicas_[i].group = static_cast<int>(g);
    groups_[g].replicas.push_back(static_cast<int>(i));
  }
  for (const auto& grp : groups_) {
    for (std::size_t k = 0; k < grp.replicas.size(); ++k) {
      replicas_[grp.replicas[k]].id = grp.replicas.size() == 1 ? grp.name : grp.name + "#" + std::to_string(k);
    }
  }
}

std::optional<int> backend_pool::resolve(std::string_view model) const {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].name == model) return static_cast<int>(g);
  }
  for (std::size_t i = 0; i < entry_count_; ++i) {
    if (replicas_[i].entry->model && *replicas_[i].entry->model == model) return replicas_[i].group;
  }
  if (!cfg_->default_model) return std::nullopt;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    if (groups_[g].name == *cfg_->default_model) return static_cast<int>(g);
  }
  return std::nullopt;
}

lease backend_pool::try_acquire(int group) {
  // Re-pick on a lost race: another worker may take the last slot between load and CAS.
  for (;;) {
    replica* best = nullptr;
    double best_load = 0;
    int best_seen = 0;
    for (int index : groups_[group].replicas) {
      replica& r = replicas_[index];
      const int seen = r.in_flight.load(std::memory_order_acquire);
      if (seen >= r.entry->max_concurrent) continue;
      const double load = static_cast<double>(seen + 1) / r.entry->weight;
      if (!best || load < best_load) {
        best = &r;
        best_load = load;
        best_seen = seen;
      }
    }
    if (!best) return {};
    if (best->in_flight.compare_exchange_weak(best_seen, best_seen + 1, std::memory_order_acq_rel)) {
      return lease{slot_lease(&best->in_flight), best};
    }
  }
}

}  // namespace llmd::router
