#include "llmd/admin/backends.hpp"

#include <nlohmann/json.hpp>

#include "llmd/config/display.hpp"

namespace llmd::admin {

namespace {

using nlohmann::json;

// Milliseconds from now until `when`; 0 when it has passed.
long long ms_until(router::time_point when, router::time_point now) {
  return when > now ? std::chrono::duration_cast<std::chrono::milliseconds>(when - now).count() : 0;
}

std::string state_of(const router::replica& r, router::time_point now) {
  const auto s = r.health().snapshot();
  if (s.probe_failing) return "probe_failing";
  if (s.cooling_until > now) return "cooling_down";
  if (!s.ejected) return "healthy";
  return s.ejected_until > now ? "ejected" : "half_open";
}

json value_or_null(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// What the replica's engine last reported, and how long ago; null when it is not scraped.
json signals_json(const router::replica& r, router::time_point now) {
  if (!r.entry->metrics) return nullptr;
  const auto& signals = r.signals();
  const auto at = signals.last_read();
  const auto last = signals.last();
  return {{"waiting", value_or_null(last.waiting)},
          {"running", value_or_null(last.running)},
          {"kv_cache_usage", value_or_null(last.kv_usage)},
          {"age_ms", at ? json(std::chrono::duration_cast<std::chrono::milliseconds>(now - *at).count()) : json(nullptr)},
          {"fresh", r.fresh_signals(now).has_value()},
          {"scrape_failures", signals.failures()}};
}

json replica_json(const router::replica& r, const std::string& group, router::time_point now) {
  const auto s = r.health().snapshot();
  return {{"id", r.id},
          {"group", group},
          {"endpoint", config::displayed_endpoint(r.entry->endpoint)},
          {"proxy", r.entry->proxy ? json(config::displayed_proxy(*r.entry->proxy)) : json(nullptr)},
          {"state", state_of(r, now)},
          {"in_flight", r.in_flight().load()},
          {"max_concurrent", r.entry->max_concurrent},
          {"weight", r.entry->weight},
          {"ejected_for_ms", s.ejected ? ms_until(s.ejected_until, now) : 0},
          {"cooling_for_ms", ms_until(s.cooling_until, now)},
          {"consecutive_failures", s.consecutive_failures},
          {"ejections_in_a_row", s.ejections_in_a_row},
          {"ttfb_ewma_ms", s.ttfb_ewma_ms},
          {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
          {"signals", signals_json(r, now)}};
}

}  // namespace

std::string backends_json(const router::backend_pool& pool, router::time_point now) {
  json replicas = json::array();
  json groups = json::array();
  for (const auto& g : pool.groups()) {
    json chain = json::array();
    for (int c : g.chain) chain.push_back(pool.groups()[c].name);
    groups.push_back({{"name", g.name}, {"chain", std::move(chain)}});
    for (int index : g.replicas) replicas.push_back(replica_json(pool.replica_at(index), g.name, now));
  }
  return json{{"replicas", std::move(replicas)},
              {"groups", std::move(groups)},
              {"queue", {{"waiting", pool.queue().waiting()}, {"max_waiting", pool.settings().queue.max_waiting}}}}
      .dump();
}

}  // namespace llmd::admin
