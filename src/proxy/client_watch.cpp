#include "llmd/proxy/client_watch.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace llmd::proxy {

namespace net = boost::asio;

namespace {

// Bytes a client may send ahead (pipelining) while its previous request is in flight.
constexpr std::size_t pipeline_limit = 64 * 1024;

}  // namespace

// Reads once before waiting: the socket reports readiness by edge, and an end of stream that
// arrived before the watch began would otherwise never be reported.
client_watch::client_watch(http::exchange& ex, cancel_state& cancel) : ex_(ex), cancel_(cancel) { on_readable({}); }

void client_watch::arm() {
  // Past the limit the client is not read: a disconnect then shows at the next write.
  if (ex_.client_buffer.size() >= pipeline_limit) return;
  pending_ = true;
  ex_.client.socket().async_wait(net::socket_base::wait_read,
                                 [this](const boost::system::error_code& ec) { on_readable(ec); });
}

void client_watch::on_readable(const boost::system::error_code& wait_error) {
  pending_ = false;
  if (stopping_ || wait_error == net::error::operation_aborted) return;
  bool gone = bool(wait_error);
  const int fd = ex_.client.socket().native_handle();
  while (!gone && ex_.client_buffer.size() < pipeline_limit) {
    const auto space = ex_.client_buffer.prepare(4096);
    const auto n = ::recv(fd, space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) {
      ex_.client_buffer.commit(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    gone = true;  // end of stream or a reset
  }
  if (!gone) {
    arm();
    return;
  }
  cancel_.client_gone = true;
  boost::system::error_code ignored;
  if (cancel_.upstream) cancel_.upstream->socket().close(ignored);
  cancel_.stop.emit(net::cancellation_type::terminal);
}

net::awaitable<void> client_watch::stop() {
  stopping_ = true;
  if (pending_) {
    boost::system::error_code ignored;
    ex_.client.socket().cancel(ignored);
    // The aborted wait completes through the executor's queue; the session must not read the
    // socket before it has.
    const auto executor = co_await net::this_coro::executor;
    while (pending_) co_await net::post(executor, net::use_awaitable);
  }
}

}  // namespace llmd::proxy
