// llm-d's own metrics (the llmd_* families of /metrics), written from each request's record at
// its end and from the pool's counters at each scrape.
//
// Label values come only from the config (group names, replica ids) and from fixed sets
// (statuses, outcome reasons), never from what a client sends. The series a request touches are
// found without a lock: each replica's are resolved once, and a status's counter is kept in an
// array once the first request with that status has created it.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "llmd/metrics/registry.hpp"
#include "llmd/proxy/request_record.hpp"
#include "llmd/router/backend_pool.hpp"

namespace llmd::observe {

class gateway_metrics {
 public:
  gateway_metrics(std::size_t workers, router::backend_pool& pool);
  ~gateway_metrics();

  // A request of the API (not /health, /metrics or /admin) ended.
  void record(const proxy::request_record& r);
  // A reload of the config was tried.
  void reloaded(bool ok);

  metrics::registry& registry() { return registry_; }
  std::string render() const { return registry_.render(); }

 private:
  struct series;
  series& series_of(const proxy::request_record& r);
  void count_steps(const proxy::request_record& r);

  router::backend_pool& pool_;
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
  metrics::counter_family& reloads_;
  std::atomic<double> last_reload_success_;
  std::vector<std::unique_ptr<series>> replicas_;  // by replica index
  std::vector<std::unique_ptr<series>> groups_;    // by group: requests no replica answered
  std::unique_ptr<series> none_;                   // requests no group took
};

}  // namespace llmd::observe
