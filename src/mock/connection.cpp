#include "connection.hpp"

#include "tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>

#include "llmd/net/write_all.hpp"

namespace llmd::mock {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t header_limit = 64 * 1024;
constexpr std::uint64_t body_limit = 64 * 1024 * 1024;
// Beyond this many pipelined bytes the peer is no longer read until the response is done.
constexpr std::size_t max_pipelined = 256 * 1024;
constexpr std::size_t read_chunk = 4096;
// A connection's read buffer is given back after a request larger than this.
constexpr std::size_t kept_capacity = 64 * 1024;
// For a peer that does not read: close_notify is a few bytes into an empty socket buffer.
constexpr auto close_notify_timeout = std::chrono::seconds(1);

asio::awaitable<bool> cancellation_requested() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

// Work inside unless_peer_leaves reports cancellation as error codes, not exceptions.
asio::awaitable<outcome> without_throwing(asio::awaitable<outcome> work) {
  co_await asio::this_coro::throw_if_cancelled(false);
  co_return co_await std::move(work);
}

}  // namespace

connection::connection(tcp::socket socket, asio::ssl::context* tls)
    : stream_(std::move(socket), tls), timer_(stream_.get_executor()) {}

asio::awaitable<error_code> connection::handshake(duration within) {
  using namespace asio::experimental::awaitable_operators;
  auto& tls = *stream_.tls();
  timer_.expires_after(within);
  auto result =
      co_await (tls.async_handshake(asio::ssl::stream_base::server, use_tuple) || timer_.async_wait(use_tuple));
  if (result.index() == 1) co_return asio::error::timed_out;
  auto [ec] = std::get<0>(result);
  if (!ec) tls_ = describe_tls(tls.native_handle());
  co_return ec;
}

asio::awaitable<error_code> connection::read_request(request& out) {
  if (buffer_.size() == 0 && buffer_.capacity() > kept_capacity) buffer_.shrink_to_fit();
  http::request_parser<http::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(body_limit);
  auto [ec, n] = co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
  if (ec) co_return ec;
  if (!parser.is_done()) {
    if (boost::beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      out_ = "HTTP/1.1 100 Continue\r\n\r\n";
      if (auto write_ec = co_await write_out()) co_return write_ec;
    }
    std::tie(ec, n) = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    if (ec) co_return ec;
  }
  out = parser.release();
  co_return error_code{};
}

asio::awaitable<error_code> connection::write(const response& res) {
  auto [ec, n] = co_await http::async_write(stream_, res, use_tuple);
  co_return ec;
}

asio::awaitable<error_code> connection::write_head(response_head& head) {
  chunked_ = head.chunked();
  http::response_serializer<http::empty_body> serializer(head);
  auto [ec, n] = co_await http::async_write_header(stream_, serializer, use_tuple);
  co_return ec;
}

asio::awaitable<error_code> connection::write_chunk(std::string_view data) {
  out_.clear();
  if (chunked_) {
    char size[16];
    auto end = std::to_chars(size, size + sizeof size, data.size(), 16).ptr;
    out_.append(size, end).append("\r\n").append(data).append("\r\n");
  } else {
    out_.append(data);
  }
  co_return co_await write_out();
}

asio::awaitable<error_code> connection::write_last_chunk() {
  if (!chunked_) co_return error_code{};
  out_ = "0\r\n\r\n";
  co_return co_await write_out();
}

asio::awaitable<error_code> connection::write_raw(std::string_view data) {
  auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(data), use_tuple);
  co_return ec;
}

asio::awaitable<error_code> connection::write_out() {
  std::size_t sent = 0;
  if (!secure()) {
    // Usually the socket buffer has room for the whole event: one non-blocking send, without
    // the trip through the scheduler of an asynchronous write (about a fifth of the mock's CPU
    // time per streamed event with thousands of streams).
    error_code ec;
    sent = llmd::net::send_now(stream_.socket(), asio::buffer(out_), ec);
    if (ec || sent == out_.size()) co_return ec;
  }
  auto [write_ec, n] = co_await asio::async_write(stream_, asio::buffer(out_) + sent, use_tuple);
  co_return write_ec;
}

asio::awaitable<error_code> connection::sleep(duration d) {
  // A cancellation that arrived while this coroutine was between operations would otherwise
  // be missed by the new wait.
  if (co_await cancellation_requested()) co_return asio::error::operation_aborted;
  if (d <= duration::zero()) {
    // No wait, but a turn for the other connections, which write_out's direct sends never give.
    co_await asio::post(stream_.get_executor(), asio::use_awaitable);
    bool cancelled = co_await cancellation_requested();  // not inside ?: (GCC 12)
    co_return cancelled ? asio::error::operation_aborted : error_code{};
  }
  if (d == forever)
    timer_.expires_at(asio::steady_timer::time_point::max());
  else
    timer_.expires_after(d);
  auto [ec] = co_await timer_.async_wait(use_tuple);
  co_return ec;
}

asio::awaitable<outcome> connection::unless_peer_leaves(asio::awaitable<outcome> work) {
  using namespace asio::experimental::awaitable_operators;
  auto result = co_await (without_throwing(std::move(work)) || watch_peer());
  co_return result.index() == 0 ? std::get<0>(result) : outcome::cancelled;
}

asio::awaitable<void> connection::watch_peer() {
  co_await asio::this_coro::throw_if_cancelled(false);
  while (buffer_.size() < max_pipelined) {
    if (co_await cancellation_requested()) co_return;
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(read_chunk), use_tuple);
    buffer_.commit(n);
    if (ec) co_return;
  }
  // Enough is buffered: stop reading (a departure is then seen by the writes) until cancelled.
  asio::steady_timer idle(stream_.get_executor(), asio::steady_timer::time_point::max());
  if (!co_await cancellation_requested()) co_await idle.async_wait(use_tuple);
}

void connection::abort() {
  error_code ec;
  stream_.socket().set_option(asio::socket_base::linger(true, 0), ec);
  stream_.socket().close(ec);
}

asio::awaitable<void> connection::close() {
  tcp::socket& socket = stream_.socket();
  if (!socket.is_open()) co_return;
  if (auto* tls = stream_.tls()) {
    // Send close_notify without waiting for the peer's: marked as received, the peer's is not
    // read. A connection not shut down so would lose its session to OpenSSL's cleanup.
    SSL* ssl = tls->native_handle();
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
    using namespace asio::experimental::awaitable_operators;
    timer_.expires_after(close_notify_timeout);
    co_await (tls->async_shutdown(use_tuple) || timer_.async_wait(use_tuple));
  }
  error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

}  // namespace llmd::mock
