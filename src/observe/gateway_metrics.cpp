#include "llmd/observe/gateway_metrics.hpp"

#include <array>
#include <chrono>

#include "llmd/proxy/client_keys.hpp"

namespace llmd::observe {

namespace {

using proxy::record_clock;

constexpr unsigned status_slots_per_key = 1000;  // HTTP statuses are three digits

double seconds(record_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::uint64_t wall_clock_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// The series of one (model, backend) pair. Its request counters are found by (key, status)
// without a lock: a key's array of status slots is made when its first request ends.
struct pool_series::series {
  series(gateway_metrics& m, std::string model_label, std::string backend_label, std::size_t keys)
      : model(std::move(model_label)),
        backend(std::move(backend_label)),
        duration(m.duration_.with({model, backend})),
        ttfb(m.ttfb_.with({model, backend})),
        ttft(m.ttft_.with({model, backend})),
        prompt(m.tokens_.with({model, backend, "prompt"})),
        completion(m.tokens_.with({model, backend, "completion"})),
        by_key(keys + 1) {}
  ~series() {
    for (auto& statuses : by_key) delete[] statuses.load(std::memory_order_relaxed);
  }
  series(const series&) = delete;
  series& operator=(const series&) = delete;

  metrics::counter& requests(metrics::counter_family& family, unsigned status, const proxy::client* key) {
    auto* statuses = statuses_of(key ? static_cast<std::size_t>(key->index) + 1 : 0);
    const unsigned slot = status < status_slots_per_key ? status : 0;
    auto* known = statuses[slot].load(std::memory_order_acquire);
    if (known) return *known;
    auto& created = family.with({model, backend, std::to_string(slot), key ? std::string(key->name()) : "none"});
    statuses[slot].store(&created, std::memory_order_release);
    return created;
  }

  std::atomic<metrics::counter*>* statuses_of(std::size_t key) {
    auto* known = by_key[key].load(std::memory_order_acquire);
    if (known) return known;
    auto* made = new std::atomic<metrics::counter*>[status_slots_per_key]();
    if (by_key[key].compare_exchange_strong(known, made, std::memory_order_acq_rel)) return made;
    delete[] made;  // another worker's came first
    return known;
  }

  std::string model;
  std::string backend;
  metrics::histogram& duration;
  metrics::histogram& ttfb;
  metrics::histogram& ttft;
  metrics::counter& prompt;
  metrics::counter& completion;
  std::vector<std::atomic<std::atomic<metrics::counter*>*>> by_key;  // 0: no key, else key index + 1
};

pool_series::pool_series(gateway_metrics& metrics, const router::backend_pool& pool, std::size_t keys)
    : pool_(pool) {
  for (int i = 0; i < pool.replica_count(); ++i) {
    const auto& r = pool.replica_at(i);
    replicas_.push_back(std::make_unique<series>(metrics, pool.groups()[r.group].name, r.id, keys));
  }
  for (const auto& g : pool.groups()) groups_.push_back(std::make_unique<series>(metrics, g.name, "none", keys));
  none_ = std::make_unique<series>(metrics, "none", "none", keys);
}

pool_series::~pool_series() = default;

pool_series::series& pool_series::of(const proxy::request_record& r) const {
  if (r.served) return *replicas_[r.served->index];
  if (r.group >= 0) return *groups_[r.group];
  return *none_;
}

gateway_metrics::gateway_metrics(std::size_t workers, current_pool current)
    : current_(std::move(current)),
      registry_(workers),
      requests_(registry_.counter("llmd_requests_total",
                                  "Requests answered, by the group and replica that served and the client key",
                                  {"model", "backend", "status", "key"})),
      duration_(registry_.histogram("llmd_request_duration_seconds", "From the request's header to its last byte",
                                    {"model", "backend"}, metrics::latency_buckets())),
      ttfb_(registry_.histogram("llmd_time_to_first_byte_seconds", "From the request's header to the response's",
                                {"model", "backend"}, metrics::latency_buckets())),
      ttft_(registry_.histogram("llmd_time_to_first_token_seconds", "Streams: from the request to the first event",
                                {"model", "backend"}, metrics::latency_buckets())),
      tokens_(registry_.counter("llmd_tokens_total", "Tokens the upstreams reported in their usage",
                                {"model", "backend", "kind"})),
      overhead_(registry_
                    .histogram("llmd_overhead_seconds",
                               "Time llm-d itself added to a request: neither upstream, client, queue nor backoff", {},
                               metrics::overhead_buckets())
                    .with({})),
      queue_wait_(registry_
                      .histogram("llmd_queue_wait_seconds", "Time requests that queued waited for a slot", {},
                                 metrics::latency_buckets())
                      .with({})),
      retries_(registry_.counter("llmd_retries_total", "Attempts again within a group, by the failed replica and why",
                                 {"backend", "reason"})),
      fallbacks_(registry_.counter("llmd_fallbacks_total", "Requests that moved on to the next group of their chain",
                                   {"from", "to", "reason"})),
      rejected_(registry_.counter("llmd_rejected_total", "Requests llm-d refused before any backend", {"reason"})),
      refused_connections_(rejected_.with({"max_connections"})),
      reloads_(registry_.counter("llmd_config_reloads_total", "Config reloads tried", {"result"})),
      prefix_lookups_(registry_
                          .counter("llmd_prefix_lookups_total",
                                   "Requests whose prompt's blocks were looked up for prefix affinity", {})
                          .with({})),
      prefix_hits_(registry_
                       .counter("llmd_prefix_hits_total",
                                "Looked-up requests that went to a replica sent their leading block before", {})
                       .with({})),
      last_reload_success_(static_cast<double>(wall_clock_seconds())) {
  for (const auto reason : {"body_too_large", "header_too_large", "bad_request", "unknown_model", "queue_full",
                            "unauthorized", "model_not_allowed", "rate_limited"}) {
    rejected_.with({reason});
  }
  reloads_.with({"success"});
  reloads_.with({"failure"});
  registry_.collected("llmd_config_last_reload_success_timestamp_seconds",
                      "When the config now serving was loaded (Unix time)", metrics::kind::gauge, {},
                      [this](metrics::sample_writer& out) { out.write({}, last_reload_success_.load()); });
  registry_.collected("llmd_inflight_requests", "Requests holding a slot of the replica", metrics::kind::gauge,
                      {"backend"}, [this](metrics::sample_writer& out) {
                        const auto pool = current_();
                        for (int i = 0; i < pool->replica_count(); ++i) {
                          const auto& r = pool->replica_at(i);
                          out.write({r.id}, r.in_flight().load(std::memory_order_relaxed));
                        }
                      });
  registry_.collected("llmd_slots", "The replica's max_concurrent", metrics::kind::gauge, {"backend"},
                      [this](metrics::sample_writer& out) {
                        const auto pool = current_();
                        for (int i = 0; i < pool->replica_count(); ++i) {
                          const auto& r = pool->replica_at(i);
                          out.write({r.id}, r.entry->max_concurrent);
                        }
                      });
  registry_.collected("llmd_backend_up",
                      "1 when the replica takes new traffic now; 0 while ejected, failing probes or cooling down",
                      metrics::kind::gauge, {"backend"}, [this](metrics::sample_writer& out) {
                        const auto now = std::chrono::steady_clock::now();
                        const auto pool = current_();
                        for (int i = 0; i < pool->replica_count(); ++i) {
                          const auto& r = pool->replica_at(i);
                          const auto standing = r.health().peek(now);
                          out.write({r.id}, standing.admits == router::admission::open && !standing.cooling(now));
                        }
                      });
  registry_.collected("llmd_scrape_failures_total", "Scrapes of the replica's metrics that gave no signals",
                      metrics::kind::counter, {"backend"}, [this](metrics::sample_writer& out) {
                        const auto pool = current_();
                        for (int i = 0; i < pool->replica_count(); ++i) {
                          const auto& r = pool->replica_at(i);
                          if (r.entry->metrics) out.write({r.id}, static_cast<double>(r.signals().failures()));
                        }
                      });
  registry_.collected("llmd_queue_waiting", "Requests waiting for a slot", metrics::kind::gauge, {},
                      [this](metrics::sample_writer& out) { out.write({}, current_()->queue().waiting()); });
}

gateway_metrics::~gateway_metrics() = default;

std::unique_ptr<pool_series> gateway_metrics::series_for(const router::backend_pool& pool, std::size_t keys) {
  return std::unique_ptr<pool_series>(new pool_series(*this, pool, keys));
}

void gateway_metrics::record(const pool_series& series, const proxy::request_record& r) {
  auto& s = series.of(r);
  s.duration.observe(seconds(r.duration()));
  if (r.head_sent) s.ttfb.observe(seconds(*r.head_sent - r.received));
  if (r.first_token) s.ttft.observe(seconds(*r.first_token - r.received));
  if (r.prompt_tokens) s.prompt.add(*r.prompt_tokens);
  if (r.completion_tokens) s.completion.add(*r.completion_tokens);
  overhead_.observe(seconds(r.overhead()));
  if (r.queue_wait > record_clock::duration::zero()) queue_wait_.observe(seconds(r.queue_wait));
  if (!r.rejected.empty()) rejected_.with({r.rejected}).add();
  if (r.steps.size() > 1) count_steps(series.pool_, r);
  if (r.prompt_blocks > 0 && r.served) {
    prefix_lookups_.add();
    if (r.prefix_matched > 0) prefix_hits_.add();
  }
  // Last, so that a scrape (which reads llmd_requests_total first) that sees the request counted
  // sees the rest of it too.
  s.requests(requests_, r.status, r.key).add();
}

// An attempt after another in the same group is a retry of the replica that failed; the first
// attempt in another group is a fallback from the group before it, for the reason it gave.
void gateway_metrics::count_steps(const router::backend_pool& pool, const proxy::request_record& r) {
  const auto& groups = pool.groups();
  for (std::size_t i = 1; i < r.steps.size(); ++i) {
    const auto& before = r.steps[i - 1];
    const auto& step = r.steps[i];
    if (!step.backend) continue;
    if (step.group == before.group) {
      if (before.backend) retries_.with({before.backend->id, before.reason}).add();
    } else {
      fallbacks_.with({groups[before.group].name, groups[step.group].name, before.reason}).add();
    }
  }
}

void gateway_metrics::reloaded(bool ok) {
  reloads_.with({ok ? "success" : "failure"}).add();
  if (ok) last_reload_success_.store(static_cast<double>(wall_clock_seconds()));
}

}  // namespace llmd::observe
