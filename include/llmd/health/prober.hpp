// Active health checks: for each replica with a `health_check`, GET its path every interval
// (spread by jitter, one probe in flight at a time); a failing probe ejects the replica, a
// passing one readmits it. Probes go through the worker's upstream client, as requests do (TLS,
// proxy, keep-alive), with the entry's headers and api_key.
#pragma once

#include <memory>
#include <vector>

#include "llmd/net/executor.hpp"
#include "llmd/router/backend_pool.hpp"
#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/target.hpp"

namespace llmd::health {

// The probes of one pool's replicas, all on one worker. A reload replaces them: the old probes
// stop before their next probe (one under way finishes, and its verdict is dropped), the new
// pool's start, a replica that stays keeps its verdict until its next probe, and one that is no
// longer probed loses its verdict.
class probe_set {
 public:
  explicit probe_set(upstream::connection_pool& connections) : connections_(connections) {}
  ~probe_set() { stop(); }
  probe_set(const probe_set&) = delete;
  probe_set& operator=(const probe_set&) = delete;

  // On the worker's thread: stops the running probes and starts one per replica of `pool` with
  // a health_check. `pool` keeps alive whatever holds `targets` (both of one snapshot).
  void replace(const std::shared_ptr<router::backend_pool>& pool, const upstream::targets& targets);
  void stop();

 private:
  upstream::connection_pool& connections_;
  std::shared_ptr<bool> stopped_;  // shared with the running probes
};

}  // namespace llmd::health
