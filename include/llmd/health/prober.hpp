// Active health checks: for each replica with a `health_check`, GET its path every interval
// (spread by jitter, one probe in flight at a time); a failing probe ejects the replica, a
// passing one readmits it. Probes go through the worker's upstream client, as requests do (TLS,
// proxy, keep-alive), with the entry's headers and api_key.
#pragma once

#include "llmd/net/executor.hpp"
#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::health {

// Probes one replica until the executor stops, over `connections` (of the executor's worker).
awaitable<void> probe_forever(router::replica& backend, upstream::connection_pool& connections,
                              const upstream::target& target);

}  // namespace llmd::health
