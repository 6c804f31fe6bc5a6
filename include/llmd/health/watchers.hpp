// What watches the replicas besides their requests, on one worker through its upstream client
// (TLS, proxy, keep-alive; the entry's headers and api_key): the active health checks (GET the
// `health_check` path every interval, jittered; a failing probe ejects, a passing one readmits)
// and the engines' metrics (GET the `metrics` path every interval; their queue and KV-cache
// gauges feed the routing). One probe and one scrape in flight per replica at a time.
#pragma once

#include <memory>

#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::health {

// The probes and scrapes of one pool's replicas, all on one worker. A reload replaces them: the
// old ones stop before their next round (one under way finishes, and what it found is dropped),
// the new pool's start, a replica that stays keeps its verdict and signals until its next round,
// and one that is no longer probed loses its verdict.
class watchers {
 public:
  explicit watchers(upstream::connection_pool& connections) : connections_(connections) {}
  ~watchers() { stop(); }
  watchers(const watchers&) = delete;
  watchers& operator=(const watchers&) = delete;

  // On the worker's thread: stops the running ones and starts those of `pool`'s replicas. `pool`
  // keeps alive whatever holds `targets` (both of one snapshot).
  void replace(const std::shared_ptr<router::backend_pool>& pool, const upstream::targets& targets);
  void stop();

 private:
  upstream::connection_pool& connections_;
  std::shared_ptr<bool> stopped_;  // shared with the running loops
};

}  // namespace llmd::health
