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

// Up to this many queued connections are taken at once after each accept (see accept_loop).
constexpr int accept_batch = 1024;

void start_session(tcp::socket socket, context& ctx) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto ex = socket.get_executor();
  asio::co_spawn(ex, run_session(std::move(socket), ctx), asio::detached);
}

// With several threads each connection gets a strand, so its coroutines never run concurrently.
// Each completed async_accept is followed by non-blocking accepts that empty the listen queue:
// under load an accept completion waits behind every other ready handler (thousands of streams'
// timers and writes), and one connection per turn lets a burst of connects overflow the queue,
// whose dropped SYNs the clients only retry after 1, 3, 7 s.
asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, context& ctx, bool strands) {
  auto ex = acceptor.get_executor();
  auto socket_executor = [&] { return strands ? asio::any_io_executor(asio::make_strand(ex)) : ex; };
  asio::steady_timer backoff(ex);
  error_code ec;
  acceptor.non_blocking(true, ec);
  for (;;) {
    auto [accept_ec, socket] = co_await acceptor.async_accept(socket_executor(), use_tuple);
    if (accept_ec == asio::error::operation_aborted) co_return;
    if (accept_ec) {
      // Typically EMFILE: retrying at once would spin until a connection closes.
      spdlog::warn("accept failed: {}", accept_ec.message());
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    start_session(std::move(socket), ctx);
    // would_block ends the batch; another error is reported by the next async_accept.
    for (int i = 0; i < accept_batch; ++i) {
      auto more = acceptor.accept(socket_executor(), ec);
      if (ec) break;
      start_session(std::move(more), ctx);
    }
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
