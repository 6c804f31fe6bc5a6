// A connection, plain TCP or TLS over TCP, with a deadline for the operations in progress, like
// beast::tcp_stream, but kept lazily: setting or clearing the deadline is a store, and one timer
// per connection wakes only when a deadline may have passed (tcp_stream arms and cancels a timer
// around every read and write, a tenth of the proxy's work per request). When the deadline has
// passed the socket is closed, so whatever operation is pending fails (a TLS one too, since TLS
// reads and writes are made of the socket's), and timed_out() tells that from other errors.
//
// The deadline runs until cleared, whether or not an operation is pending: set it before an
// operation and clear it (expires_never) after, where the connection may then sit idle.
//
// Plain or TLS is decided once per connection (start_tls) and read at each operation, so every
// caller (pool, relay, session, probes) keeps one code path for both.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "llmd/net/executor.hpp"

namespace llmd::net {

using tls_stream = boost::asio::ssl::stream<tcp_socket&>;

class timed_socket {
 public:
  using executor_type = io_executor;
  using clock = std::chrono::steady_clock;
  using lowest_layer_type = tcp_socket::lowest_layer_type;

  explicit timed_socket(tcp_socket socket);
  explicit timed_socket(const executor_type& executor);
  ~timed_socket();
  timed_socket(const timed_socket&) = delete;
  timed_socket& operator=(const timed_socket&) = delete;

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  tcp_socket& socket() noexcept { return state_->socket; }
  lowest_layer_type& lowest_layer() noexcept { return state_->socket.lowest_layer(); }

  // From now on reads and writes go through TLS with `context`; the handshake is the caller's
  // (tls()->async_handshake), under the deadline like any operation.
  tls_stream& start_tls(boost::asio::ssl::context& context);
  // The TLS layer, or null on a plain connection.
  tls_stream* tls() noexcept { return state_->tls ? &*state_->tls : nullptr; }

  void expires_after(clock::duration d) { expires_at(clock::now() + d); }
  void expires_at(clock::time_point t);
  void expires_never() noexcept { state_->deadline = clock::time_point::max(); }
  // A deadline passed and closed the socket; it stays closed.
  bool timed_out() const noexcept { return state_->timed_out; }
  // Ends whatever is pending at once (the socket is closed).
  void close() noexcept;

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto&& handler, state* s, const MutableBuffers& b) {
          if (s->tls) {
            s->tls->async_read_some(b, std::forward<decltype(handler)>(handler));
          } else {
            s->socket.async_read_some(b, std::forward<decltype(handler)>(handler));
          }
        },
        token, state_.get(), buffers);
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [](auto&& handler, state* s, const ConstBuffers& b) {
          if (s->tls) {
            s->tls->async_write_some(b, std::forward<decltype(handler)>(handler));
          } else {
            s->socket.async_write_some(b, std::forward<decltype(handler)>(handler));
          }
        },
        token, state_.get(), buffers);
  }

 private:
  // Shared with the timer's handler by a weak pointer, so a handler that runs after the socket
  // is gone finds nothing to touch.
  struct state {
    explicit state(tcp_socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    tcp_socket socket;
    std::optional<tls_stream> tls;  // over `socket`, which it refers to
    steady_timer timer;
    clock::time_point deadline = clock::time_point::max();
    clock::time_point armed_for = clock::time_point::max();  // when the pending wait ends; max: none
    unsigned generation = 0;                                  // of the pending wait
    bool timed_out = false;
  };

  static void arm(const std::shared_ptr<state>& s);

  std::shared_ptr<state> state_;
};

}  // namespace llmd::net
