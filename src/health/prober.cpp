#include "llmd/health/prober.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <random>
#include <spdlog/spdlog.h>

#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"

namespace llmd::health {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t probe_body_limit = 64 * 1024;

double unit_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// "" when the probe passed, else why it failed.
awaitable<std::string> probe_once(const config::upstream_url& url, const config::active_check& check) {
  const auto executor = co_await net::this_coro::executor;
  llmd::net::timed_socket stream(executor);
  stream.expires_after(check.timeout);
  const auto failure = [&stream](const boost::system::error_code& ec) {
    return stream.timed_out() ? std::string("probe: no answer within timeout") : "probe: " + ec.message();
  };
  tcp_resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
  if (rec) co_return "probe: cannot resolve " + url.host;
  auto [cec, ep] = co_await net::async_connect(stream.socket(), endpoints, use_tuple);
  if (cec) co_return failure(cec);
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, check.path, 11};
  req.set(bhttp::field::host, url.host);
  req.set(bhttp::field::user_agent, "llm-d health check");
  req.keep_alive(false);
  auto [wec, wn] = co_await bhttp::async_write(stream, req, use_tuple);
  if (wec) co_return failure(wec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(probe_body_limit);
  auto [hec, hn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
  if (hec) co_return failure(hec);
  const unsigned status = parser.get().result_int();
  if (status < 200 || status >= 300) co_return "probe: status " + std::to_string(status);
  co_return "";
}

}  // namespace

awaitable<void> probe_forever(router::replica& backend) {
  const auto& check = *backend.entry->health_check;
  const auto executor = co_await net::this_coro::executor;
  steady_timer pause(executor);
  // Start at a random point of the first interval, so replicas are not probed in lockstep.
  pause.expires_after(std::chrono::duration_cast<config::duration>(check.interval * unit_random()));
  co_await pause.async_wait(use_tuple);
  bool was_passing = true;
  for (;;) {
    const auto why = co_await probe_once(backend.entry->url, check);
    const bool passing = why.empty();
    backend.health.probed(passing, why);
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
