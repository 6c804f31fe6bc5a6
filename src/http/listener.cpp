#include "llmd/http/listener.hpp"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/socket_base.hpp>
#include <spdlog/spdlog.h>

#include "llmd/http/session.hpp"
#include "llmd/net/executor.hpp"

namespace llmd::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

using reuse_port = net::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr int accept_batch = 1024;

// Whether a second has passed since the last line `last` (shared by every worker) let through: a
// flood of connections, or of failing accepts, must not flood the log as well.
bool time_to_log(std::atomic<std::int64_t>& last) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  auto seen = last.load(std::memory_order_relaxed);
  return seen != now && last.compare_exchange_strong(seen, now, std::memory_order_relaxed);
}

std::atomic<std::int64_t> last_refusal_logged{0};
std::atomic<std::int64_t> last_accept_failure_logged{0};

}  // namespace

tcp_acceptor open_acceptor(net::io_context& io, const std::string& host, const std::string& port,
                           boost::system::error_code& ec) {
  tcp_acceptor acceptor(io);
  tcp_resolver resolver(io);
  auto results = resolver.resolve(host, port, tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) return acceptor;
  const tcp::endpoint endpoint = *results.begin();
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.set_option(reuse_port(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  return acceptor;
}

awaitable<void> accept_loop(tcp_acceptor& acceptor, handler& h, traffic& t) {
  const auto serve = [&](tcp_socket socket) {
    // Counted here, before the session exists, so that the cap holds whatever the session does;
    // the session gives it back.
    const auto cap = h.limits().max_connections;
    if (t.connections.fetch_add(1, std::memory_order_relaxed) >= cap) {
      t.connections.fetch_sub(1, std::memory_order_relaxed);
      h.connection_refused();
      if (time_to_log(last_refusal_logged)) {
        spdlog::warn("{} client connections are open (limits.max_connections): closing new ones as they come", cap);
      }
      return;  // the socket closes here
    }
    net::co_spawn(acceptor.get_executor(), run_session(std::move(socket), h, t), net::detached);
  };
  // For the synchronous accepts that drain the queue below: they must not block.
  boost::system::error_code ignored;
  acceptor.non_blocking(true, ignored);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == net::error::operation_aborted || ec == net::error::bad_descriptor) co_return;
    if (ec) {
      // Out of descriptors or similar: keep serving the connections we have, try again shortly.
      if (time_to_log(last_accept_failure_logged)) spdlog::warn("accept failed: {}", ec.message());
      steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    serve(std::move(socket));
    // Drain what else is queued: one accept per pass of a loop busy with thousands of streams
    // lets the listen queue overflow under a burst of connects, and the kernel drops them.
    boost::system::error_code more_ec;
    for (int i = 0; i < accept_batch && !more_ec; ++i) {
      tcp_socket more = acceptor.accept(more_ec);
      if (!more_ec) serve(std::move(more));
    }
  }
}

}  // namespace llmd::http
