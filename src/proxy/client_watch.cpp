#include "llmd/proxy/client_watch.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "llmd/net/executor.hpp"

namespace llmd::proxy {

namespace net = boost::asio;

namespace {

// Bytes a client may send ahead (pipelining) while its previous request is in flight.
constexpr std::size_t pipeline_limit = 64 * 1024;
constexpr std::size_t read_size = 4096;

}  // namespace

client_watch::client_watch(http::exchange& ex, cancel_state& cancel) : ex_(ex), cancel_(cancel) { arm(); }

// A read, not a readiness wait: Asio then skips the read attempt when nothing arrived since the
// session's last read exhausted the socket, and waits without re-arming epoll.
void client_watch::arm() {
  // Past the limit the client is not read: a disconnect then shows at the next write.
  if (ex_.client_buffer.size() >= pipeline_limit) return;
  pending_ = true;
  ex_.client.async_read_some(ex_.client_buffer.prepare(read_size),
                                      [this](const boost::system::error_code& ec, std::size_t n) { on_read(ec, n); });
}

void client_watch::on_read(const boost::system::error_code& ec, std::size_t n) {
  pending_ = false;
  ex_.client_buffer.commit(n);  // pipelined bytes are the session's, even when read as the watch stops
  if (stopping_ || ec == net::error::operation_aborted) return;
  if (!ec) {
    arm();
    return;
  }
  // End of stream or a reset.
  cancel_.client_gone = true;
  if (cancel_.upstream) cancel_.upstream->close();
  cancel_.stop.emit(net::cancellation_type::terminal);
}

awaitable<void> client_watch::stop() {
  stopping_ = true;
  if (pending_) {
    boost::system::error_code ignored;
    ex_.client.socket().cancel(ignored);
    // The aborted wait completes through the executor's queue; the session must not read the
    // socket before it has.
    const auto executor = co_await net::this_coro::executor;
    while (pending_) co_await net::post(executor, use_awaitable);
  }
}

}  // namespace llmd::proxy
