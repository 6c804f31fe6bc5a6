#include "llmd/http/listener.hpp"

#include <sys/socket.h>

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
      spdlog::warn("accept failed: {}", ec.message());
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
