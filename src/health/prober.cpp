#include "llmd/health/prober.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <random>
#include <tuple>
#include <spdlog/spdlog.h>

#include "llmd/config/display.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/write_all.hpp"

namespace llmd::health {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t probe_body_limit = 64 * 1024;

double unit_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// The probe as the entry's requests go: its Host, its own headers and its key, so a cloud API's
// probe path authenticates like a request.
std::string probe_head(const config::model_entry& entry, const std::string& path) {
  std::string out = "GET " + path + " HTTP/1.1\r\nHost: ";
  config::append_host(out, entry.url);
  out += "\r\nUser-Agent: llm-d health check\r\n";
  for (const auto& h : entry.headers) out += h.name + ": " + h.value + "\r\n";
  if (entry.api_key) out += "Authorization: Bearer " + *entry.api_key + "\r\n";
  out += "\r\n";
  return out;
}

// "" when the probe passed, else why it failed. A pooled connection the server closed meanwhile
// is no verdict on the server: the probe is then made again on a fresh one.
awaitable<std::string> probe_once(upstream::connection_pool& connections, const upstream::target& target,
                                  const config::active_check& check, const std::string& head) {
  const auto deadline = std::chrono::steady_clock::now() + check.timeout;
  for (bool fresh = false;; fresh = true) {
    auto got = co_await connections.acquire(target, check.timeout, fresh);
    if (!got.conn) co_return "probe: " + got.why;
    auto& conn = *got.conn;
    conn.stream.expires_at(deadline);
    boost::system::error_code ec = co_await llmd::net::write_all(conn.stream, net::buffer(head));
    conn.buffer.clear();
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(probe_body_limit);
    if (!ec) std::tie(ec, std::ignore) = co_await bhttp::async_read(conn.stream, conn.buffer, parser, use_tuple);
    if (ec) {
      if (conn.stream.timed_out()) co_return "probe: no answer within timeout";
      if (conn.reused && !fresh && !parser.got_some()) continue;
      co_return "probe: " + ec.message();
    }
    conn.stream.expires_never();
    const unsigned status = parser.get().result_int();
    if (parser.get().keep_alive() && conn.buffer.size() == 0) connections.release(target, std::move(got.conn));
    if (status < 200 || status >= 300) co_return "probe: status " + std::to_string(status);
    co_return "";
  }
}

// Probes one replica until `stopped`; `pool` keeps the replica and its target alive.
awaitable<void> probe_forever(std::shared_ptr<router::backend_pool> pool, int index,
                              upstream::connection_pool& connections, const upstream::target& target,
                              std::shared_ptr<const bool> stopped) {
  auto& backend = pool->replica_at(index);
  const auto& check = *backend.entry->health_check;
  const auto head = probe_head(*backend.entry, check.path);
  const auto executor = co_await net::this_coro::executor;
  steady_timer pause(executor);
  // Start at a random point of the first interval, so replicas are not probed in lockstep.
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

}  // namespace

void probe_set::replace(const std::shared_ptr<router::backend_pool>& pool, const upstream::targets& targets) {
  stop();
  stopped_ = std::make_shared<bool>(false);
  for (int i = 0; i < pool->replica_count(); ++i) {
    const auto& entry = *pool->replica_at(i).entry;
    // No probe reports after stop() (they run on this thread): a verdict left now stays unless cleared.
    if (!entry.health_check) {
      pool->replica_at(i).health().probes_stopped();
      continue;
    }
    net::co_spawn(connections_.executor(), probe_forever(pool, i, connections_, targets.of(entry), stopped_),
                  net::detached);
  }
}

void probe_set::stop() {
  if (stopped_) *stopped_ = true;
  stopped_.reset();
}

}  // namespace llmd::health
