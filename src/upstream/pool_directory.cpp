#include "llmd/upstream/pool_directory.hpp"

#include <algorithm>

namespace llmd::upstream {

pool_slot pool_directory::of(const config::model_entry& entry) {
  way key{.scheme = entry.url.scheme,
          .host = entry.url.host,
          .port = entry.url.port,
          .tls = entry.url.tls() ? std::optional(entry.tls) : std::nullopt,
          .proxy = entry.proxy};
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].key == key) return {i, pools_[i].counts.get(), &pools_[i].in_use};
  }
  auto& added = pools_.emplace_back(std::move(key), workers_);
  return {pools_.size() - 1, added.counts.get(), &added.in_use};
}

void pool_directory::serving(const std::vector<std::size_t>& used) {
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    pools_[i].in_use.store(std::find(used.begin(), used.end(), i) != used.end(), std::memory_order_relaxed);
  }
}

}  // namespace llmd::upstream
