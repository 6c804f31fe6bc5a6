// llm-d's own metrics (the llmd_* families of /metrics), written from each request's record at
// its end and from the pool's counters at each scrape.
//
// Label values come only from the config (group names, replica ids, client key names) and from
// fixed sets (statuses, outcome reasons), never from what a client sends. The series a request
// touches are found without a lock: each replica's are resolved once, and a (key, status)
// counter is kept in an array once the first request with that key and status has created it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llmd/metrics/registry.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::observe {

class gateway_metrics;

// The series the requests of one pool are counted in.
class pool_series {
 public:
  ~pool_series();
  pool_series(const pool_series&) = delete;
  pool_series& operator=(const pool_series&) = delete;

 private:
  friend class gateway_metrics;
  struct series;
  pool_series(gateway_metrics& metrics, const router::backend_pool& pool, std::size_t keys);
  series& of(const proxy::request_record& r) const;

  const router::backend_pool& pool_;
  std::vector<std::unique_ptr<series>> replicas_;  // by replica index
  std::vector<std::unique_ptr<series>> groups_;    // by group: requests no replica answered
  std::unique_ptr<series> none_;                   // requests no group took
};

class gateway_metrics {
 public:
  // `current` gives the pool now serving, for the gauges read at each scrape.
  using current_pool = std::function<std::shared_ptr<const router::backend_pool>()>;
  gateway_metrics(std::size_t workers, current_pool current);
  ~gateway_metrics();

  // The series of `pool`'s requests, for a config with `keys` client keys; made once per config,
  // on the thread that builds configs.
  std::unique_ptr<pool_series> series_for(const router::backend_pool& pool, std::size_t keys);

  // A request of the API (not /health, /metrics or /admin) ended; `series` is of the pool it
  // started on.
  void record(const pool_series& series, const proxy::request_record& r);
  // A reload of the config was tried.
  void reloaded(bool ok);
  // A client connection was closed as it came (limits.max_connections).
  void refused_connection() { refused_connections_.add(); }

  metrics::registry& registry() { return registry_; }
  std::string render() const { return registry_.render(); }

 private:
  friend class pool_series;
  void count_steps(const router::backend_pool& pool, const proxy::request_record& r);

  current_pool current_;
  metrics::registry registry_;
  metrics::counter_family& requests_;
  metrics::histogram_family& duration_;
  metrics::histogram_family& ttfb_;
  metrics::histogram_family& ttft_;
  metrics::counter_family& tokens_;
  metrics::histogram& overhead_;
  metrics::histogram& queue_wait_;
  metrics::counter_family& retries_;
  metrics::counter_family& fallbacks_;
  metrics::counter_family& rejected_;
  metrics::counter& refused_connections_;
  metrics::counter_family& reloads_;
  metrics::counter& prefix_lookups_;
  metrics::counter& prefix_hits_;
  std::atomic<double> last_reload_success_;
};

}  // namespace llmd::observe
