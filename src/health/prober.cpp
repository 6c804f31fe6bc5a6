// Active health checks: a failing probe ejects the replica, a passing one readmits it.
#include <boost/asio/this_coro.hpp>
#include <random>
#include <spdlog/spdlog.h>

#include "fetch.hpp"
#include "loops.hpp"

namespace llmd::health {

namespace net = boost::asio;

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

double unit_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

awaitable<void> probe_forever(std::shared_ptr<router::backend_pool> pool, int index,
                              upstream::connection_pool& connections, const upstream::target& target,
                              std::shared_ptr<const bool> stopped) {
  auto& backend = pool->replica_at(index);
  const auto& check = *backend.entry->health_check;
  const auto head = get_head(*backend.entry, check.path, "llm-d health check");
  const auto executor = co_await net::this_coro::executor;
  steady_timer pause(executor);
  pause.expires_after(std::chrono::duration_cast<config::duration>(check.interval * unit_random()));
  co_await pause.async_wait(use_tuple);
  bool was_passing = true;
  while (!*stopped) {
    const auto why = co_await probe_once(connections, target, check, head);
    if (*stopped) break;
    const bool passing = why.empty();
    backend.health().probed(passing, why);
    if (passing != was_passing) {
      if (passing) {
        spdlog::info("{} readmitted: health check passes", backend.id);
      } else {
        spdlog::warn("{} ejected: {}", backend.id, why);
      }
    }
    was_passing = passing;
    pause.expires_after(std::chrono::duration_cast<config::duration>(check.interval * (0.9 + 0.2 * unit_random())));
    co_await pause.async_wait(use_tuple);
  }
}

}  // namespace llmd::health
