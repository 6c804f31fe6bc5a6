#include "llmd/app/runtime.hpp"

#include "llmd/http/tls_server.hpp"

namespace llmd::app {

runtime::runtime(std::shared_ptr<const config::config> config, upstream::targets reach, const runtime* previous,
                 std::shared_ptr<boost::asio::ssl::context> tls)
    : cfg(std::move(config)),
      targets(std::move(reach)),
      pool(cfg, previous ? &previous->pool : nullptr),
      keys(*cfg, pool, previous ? &previous->keys : nullptr),
      catalog(*cfg),
      front_tls(std::move(tls)) {}

std::shared_ptr<runtime> build_runtime(std::shared_ptr<const config::config> cfg, const runtime* previous,
                                       runtime_base base, std::string& error) {
  auto reach = upstream::targets::make(*cfg, base.pools, error);
  if (!reach) return nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (cfg->listen_tls) {
    tls = http::make_server_context(*cfg->listen_tls, error);
    if (!tls) return nullptr;
  }
  auto rt = std::make_shared<runtime>(std::move(cfg), std::move(*reach), previous, std::move(tls));
  rt->series = base.metrics.series_for(rt->pool, rt->keys.all().size());
  return rt;
}

}  // namespace llmd::app
