#include "llmd/health/watchers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "loops.hpp"

namespace llmd::health {

namespace net = boost::asio;

void watchers::replace(const std::shared_ptr<router::backend_pool>& pool, const upstream::targets& targets) {
  stop();
  stopped_ = std::make_shared<bool>(false);
  for (int i = 0; i < pool->replica_count(); ++i) {
    const auto& entry = *pool->replica_at(i).entry;
    const auto& target = targets.of(entry);
    if (entry.metrics) {
      net::co_spawn(connections_.executor(), scrape_forever(pool, i, connections_, target, stopped_), net::detached);
    }
    // No probe reports after stop() (they run on this thread): a verdict left now stays unless cleared.
    if (!entry.health_check) {
      pool->replica_at(i).health().probes_stopped();
      continue;
    }
    net::co_spawn(connections_.executor(), probe_forever(pool, i, connections_, target, stopped_), net::detached);
  }
}

void watchers::stop() {
  if (stopped_) *stopped_ = true;
  stopped_.reset();
}

}  // namespace llmd::health
