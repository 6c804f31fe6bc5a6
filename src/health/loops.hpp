// What runs for each replica on the monitoring worker, until `stopped`: its probe (health_check)
// and its scrape (metrics). `pool` keeps the replica and its target alive.
#pragma once

#include <memory>

#include "llmd/net/executor.hpp"
#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::health {

awaitable<void> probe_forever(std::shared_ptr<router::backend_pool> pool, int index,
                              upstream::connection_pool& connections, const upstream::target& target,
                              std::shared_ptr<const bool> stopped);

awaitable<void> scrape_forever(std::shared_ptr<router::backend_pool> pool, int index,
                               upstream::connection_pool& connections, const upstream::target& target,
                               std::shared_ptr<const bool> stopped);

}  // namespace llmd::health
