// Active health checks: a failing probe ejects the replica, a passing one readmits it.
#include <spdlog/spdlog.h>

#include "every.hpp"
#include "fetch.hpp"
#include "loops.hpp"

namespace llmd::health {

namespace {

constexpr std::size_t probe_body_limit = 64 * 1024;

// "" when the probe passed, else why it failed.
awaitable<std::string> probe_once(upstream::connection_pool& connections, const upstream::target& target,
                                  const config::active_check& check, const std::string& head) {
  const auto got = co_await fetch(connections, target, head, check.timeout, probe_body_limit);
  if (!got.error.empty()) co_return "probe: " + got.error;
  if (got.status < 200 || got.status >= 300) co_return "probe: status " + std::to_string(got.status);
  co_return "";
}

}  // namespace

awaitable<void> probe_forever(std::shared_ptr<router::backend_pool> pool, int index,
                              upstream::connection_pool& connections, const upstream::target& target,
                              std::shared_ptr<const bool> stopped) {
  auto& backend = pool->replica_at(index);
  const auto& check = *backend.entry->health_check;
  const auto head = get_head(*backend.entry, check.path, "llm-d health check");
  bool was_passing = true;
  co_await every(
      check.interval, stopped, [&] { return probe_once(connections, target, check, head); },
      [&](const std::string& why) {
        const bool passing = why.empty();
        backend.health().probed(passing, why);
        if (passing && !was_passing) spdlog::info("{} readmitted: health check passes", backend.id);
        if (!passing && was_passing) spdlog::warn("{} ejected: {}", backend.id, why);
        was_passing = passing;
      });
}

}  // namespace llmd::health
