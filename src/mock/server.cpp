#include "server.hpp"

#include "session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <thread>
#include <vector>

namespace llmd::mock {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::optional<tcp::endpoint> resolve(asio::io_context& ioc, const std::string& host, std::uint16_t port,
                                     error_code& ec) {
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, port);
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return std::nullopt;
  return results.begin()->endpoint();
}

std::string to_string(const tcp::endpoint& e) {
  auto address = e.address().to_string();
  if (e.address().is_v6()) address = "[" + address + "]";
  return address + ":" + std::to_string(e.port());
}

// With several threads each connection gets a strand, so its coroutines never run concurrently.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, context& ctx, bool strands) {
  auto ex = acceptor.get_executor();
  asio::steady_timer backoff(ex);
  for (;;) {
    auto socket_ex = strands ? asio::any_io_executor(asio::make_strand(ex)) : ex;
    auto [ec, socket] = co_await acceptor.async_accept(socket_ex, use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Typically EMFILE: retrying at once would spin until a connection closes.
      spdlog::warn("accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(socket.get_executor(), run_session(std::move(socket), ctx), asio::detached);
  }
}

}  // namespace

int run_server(context& ctx) {
  const options& opts = ctx.opts;
  asio::io_context ioc(opts.threads);
  error_code ec;
  auto endpoint = resolve(ioc, opts.host, opts.port, ec);
  tcp::acceptor acceptor(ioc);
  if (endpoint) acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "llm-d-mock: cannot listen on %s:%u: %s\n", opts.host.c_str(), opts.port,
                 ec.message().c_str());
    return 1;
  }
  std::printf("llm-d-mock listening on %s\n", to_string(acceptor.local_endpoint()).c_str());
  std::fflush(stdout);

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&ioc](error_code, int) { ioc.stop(); });
  asio::co_spawn(ioc, accept_loop(acceptor, ctx, opts.threads > 1), asio::detached);

  std::vector<std::jthread> workers;
  for (int i = 1; i < opts.threads; ++i) workers.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  return 0;
}

}  // namespace llmd::mock
