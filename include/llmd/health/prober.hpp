// Active health checks: for each replica with a `health_check`, GET its path every interval
// (spread by jitter, one probe in flight at a time); a failing probe ejects the replica, a
// passing one readmits it.
#pragma once

#include "llmd/net/executor.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::health {

// Probes one replica until the executor stops.
awaitable<void> probe_forever(router::replica& backend);

}  // namespace llmd::health
