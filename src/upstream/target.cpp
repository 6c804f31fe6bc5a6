#include "llmd/upstream/target.hpp"

#include "tls_client.hpp"

namespace llmd::upstream {

std::optional<targets> targets::make(const config::config& cfg, pool_directory& directory, std::string& error) {
  targets out;
  out.first_ = cfg.models.data();
  std::vector<const config::tls_settings*> made;  // the settings of each context, in order
  for (std::size_t i = 0; i < cfg.models.size(); ++i) {
    const auto& entry = cfg.models[i];
    target t{.url = &entry.url,
             .proxy = entry.proxy ? &*entry.proxy : nullptr,
             .tls = nullptr,
             .server_name = entry.tls.server_name.empty() ? entry.url.host : entry.tls.server_name,
             .pool = directory.of(entry),
             .entry = &entry};
    if (entry.url.tls()) {
      std::size_t k = 0;
      while (k < made.size() && !(*made[k] == entry.tls)) ++k;
      if (k == made.size()) {
        auto context = make_client_context(entry.tls, error);
        if (!context) {
          error = "models[" + std::to_string(i) + "].tls: " + error;
          return std::nullopt;
        }
        out.contexts_.push_back(std::move(context));
        made.push_back(&entry.tls);
      }
      t.tls = out.contexts_[k].get();
    }
    out.targets_.push_back(std::move(t));
  }
  return out;
}

std::vector<std::size_t> targets::pools() const {
  std::vector<std::size_t> out;
  for (const auto& t : targets_) out.push_back(t.pool.index);
  return out;
}

}  // namespace llmd::upstream
