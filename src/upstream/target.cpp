#include "llmd/upstream/target.hpp"

#include "tls_client.hpp"

namespace llmd::upstream {

namespace {

// What makes two entries' connections interchangeable.
bool same_connections(const config::model_entry& a, const config::model_entry& b) {
  return a.url.scheme == b.url.scheme && a.url.host == b.url.host && a.url.port == b.url.port &&
         (!a.url.tls() || a.tls == b.tls) && a.proxy == b.proxy;
}

}  // namespace

std::optional<targets> targets::make(const config::config& cfg, std::string& error) {
  targets out;
  out.first_ = cfg.models.data();
  std::vector<const config::tls_settings*> made;  // the settings of each context, in order
  for (std::size_t i = 0; i < cfg.models.size(); ++i) {
    const auto& entry = cfg.models[i];
    target t{.url = &entry.url,
             .proxy = entry.proxy ? &*entry.proxy : nullptr,
             .tls = nullptr,
             .server_name = entry.tls.server_name.empty() ? entry.url.host : entry.tls.server_name,
             .pool = out.pools_,
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
    for (std::size_t j = 0; j < i; ++j) {
      if (same_connections(cfg.models[j], entry)) {
        t.pool = out.targets_[j].pool;
        break;
      }
    }
    if (t.pool == out.pools_) ++out.pools_;
    out.targets_.push_back(std::move(t));
  }
  return out;
}

}  // namespace llmd::upstream
