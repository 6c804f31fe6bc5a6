#include "llmd/upstream/pool_directory.hpp"

namespace llmd::upstream {

pool_slot pool_directory::of(const config::model_entry& entry) {
  way key{.scheme = entry.url.scheme,
          .host = entry.url.host,
          .port = entry.url.port,
          .tls = entry.url.tls() ? std::optional(entry.tls) : std::nullopt,
          .proxy = entry.proxy};
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    if (pools_[i].key == key) return {i, pools_[i].counts.get()};
  }
  auto& added = pools_.emplace_back(pool{std::move(key), std::make_unique<connection_counts[]>(workers_)});
  return {pools_.size() - 1, added.counts.get()};
}

}  // namespace llmd::upstream
