// A TCP socket with a deadline for the operations in progress, like beast::tcp_stream, but kept
// lazily: setting or clearing the deadline is a store, and one timer per connection wakes only
// when a deadline may have passed (tcp_stream arms and cancels a timer around every read and
// write, a tenth of the proxy's work per request). When the deadline has passed the socket is
// closed, so whatever operation is pending fails, and timed_out() tells that from other errors.
//
// The deadline runs until cleared, whether or not an operation is pending: set it before an
// operation and clear it (expires_never) after, where the connection may then sit idle.
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "llmd/net/executor.hpp"

namespace llmd::net {

class timed_socket {
 public:
  using executor_type = io_executor;
  using clock = std::chrono::steady_clock;

  explicit timed_socket(tcp_socket socket);
  explicit timed_socket(const executor_type& executor);
  ~timed_socket();
  timed_socket(const timed_socket&) = delete;
  timed_socket& operator=(const timed_socket&) = delete;

  executor_type get_executor() noexcept { return state_->socket.get_executor(); }
  tcp_socket& socket() noexcept { return state_->socket; }

  void expires_after(clock::duration d) { expires_at(clock::now() + d); }
  void expires_at(clock::time_point t);
  void expires_never() noexcept { state_->deadline = clock::time_point::max(); }
  // A deadline passed and closed the socket; it stays closed.
  bool timed_out() const noexcept { return state_->timed_out; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return state_->socket.async_read_some(buffers, std::forward<Token>(token));
  }
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return state_->socket.async_write_some(buffers, std::forward<Token>(token));
  }

 private:
  // Shared with the timer's handler by a weak pointer, so a handler that runs after the socket
  // is gone finds nothing to touch.
  struct state {
    explicit state(tcp_socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
    tcp_socket socket;
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
