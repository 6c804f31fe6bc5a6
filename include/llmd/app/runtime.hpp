// One config as it runs: the config, the pool built from it (groups, chains, and replicas over
// their shared state), how to reach each entry, the client keys, the model list, the front door's TLS context and
// the metric series. A snapshot never changes once built: a reload builds the next one beside it
// (taking over the state of what stays) and swaps it in. Every request holds the snapshot it
// started with until its end, so it finishes on the pool it began on.
#pragma once

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "llmd/api/models.hpp"
#include "llmd/config/config.hpp"
#include "llmd/observe/gateway_metrics.hpp"
#include "llmd/proxy/client_keys.hpp"
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
  proxy::client_keys keys;
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

// The snapshot new requests start on, behind one atomic pointer. Readers on the request path go
// through a runtime_view, which costs them one load of the generation, not the pointer's lock
// (GCC 12's atomic<shared_ptr> is not lock-free).
class runtime_slot {
 public:
  // Every request that starts once this returns starts on `next`.
  void publish(std::shared_ptr<runtime> next) {
    current_.store(std::move(next));
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::shared_ptr<runtime> load() const { return current_.load(); }
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  std::atomic<std::shared_ptr<runtime>> current_;
  std::atomic<std::uint64_t> generation_{0};
};

// One thread's copy of the slot's snapshot, taken again when the generation has moved.
class runtime_view {
 public:
  explicit runtime_view(const runtime_slot& slot) : slot_(slot), seen_(slot.generation()), current_(slot.load()) {}
  const std::shared_ptr<runtime>& current() {
    if (const auto now = slot_.generation(); now != seen_) {
      seen_ = now;
      current_ = slot_.load();
    }
    return current_;
  }

 private:
  const runtime_slot& slot_;
  std::uint64_t seen_;
  std::shared_ptr<runtime> current_;
};

// The pool of a snapshot, sharing the snapshot's ownership.
inline std::shared_ptr<router::backend_pool> pool_of(const std::shared_ptr<runtime>& rt) {
  return {rt, &rt->pool};
}

}  // namespace llmd::app
