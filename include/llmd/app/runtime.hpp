// One config as it runs: the config, the pool built from it (groups, chains, and replicas over
// their shared state), how to reach each entry, the model list, the front door's TLS context and
// the metric series. A snapshot never changes once built: a reload builds the next one beside it
// (taking over the state of what stays) and swaps it in. Every request holds the snapshot it
// started with until its end, so it finishes on the pool it began on.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "llmd/api/models.hpp"
#include "llmd/config/config.hpp"
#include "llmd/observe/gateway_metrics.hpp"
#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/pool_directory.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::app {

struct runtime {
  runtime(std::shared_ptr<const config::config> config, upstream::targets reach, const runtime* previous,
          std::shared_ptr<boost::asio::ssl::context> tls);

  std::shared_ptr<const config::config> cfg;
  upstream::targets targets;
  router::backend_pool pool;
  api::model_catalog catalog;
  std::shared_ptr<boost::asio::ssl::context> front_tls;  // null without listen_tls
  std::unique_ptr<observe::pool_series> series;           // set by build_runtime
};

// What every snapshot is built against, and outlives them all.
struct runtime_base {
  upstream::pool_directory& pools;
  observe::gateway_metrics& metrics;
};

// The snapshot of `cfg`, taking over from `previous` (null at start); null with `error` set when
// a TLS file does not load.
std::shared_ptr<runtime> build_runtime(std::shared_ptr<const config::config> cfg, const runtime* previous,
                                       runtime_base base, std::string& error);

// The pool of a snapshot, sharing the snapshot's ownership.
inline std::shared_ptr<router::backend_pool> pool_of(const std::shared_ptr<runtime>& rt) {
  return {rt, &rt->pool};
}

}  // namespace llmd::app
