#include "llmd/net/timed_socket.hpp"

namespace llmd::net {

timed_socket::timed_socket(tcp_socket socket) : state_(std::make_shared<state>(std::move(socket))) {}

timed_socket::timed_socket(const executor_type& executor) : timed_socket(tcp_socket(executor)) {}

timed_socket::~timed_socket() {
  // OpenSSL forgets the session of a connection freed before its shutdown began, so the next
  // connection could not resume it: a connection closed without an error is marked as shut
  // down (sending nothing, as the peer may be gone). Fatal TLS errors have spoiled the session
  // already and stay spoiled.
  if (state_->tls) SSL_set_shutdown(state_->tls->native_handle(), SSL_SENT_SHUTDOWN);
  close();
}

void timed_socket::close() noexcept {
  boost::system::error_code ignored;
  state_->socket.close(ignored);
}

tls_stream& timed_socket::start_tls(boost::asio::ssl::context& context) {
  return state_->tls.emplace(state_->socket, context);
}

void timed_socket::expires_at(clock::time_point t) {
  state_->deadline = t;
  // A pending wait that ends no later than the new deadline re-checks it when it ends, and no
  // deadline needs no wait.
  if (state_->armed_for <= t) return;
  arm(state_);
}

void timed_socket::arm(const std::shared_ptr<state>& s) {
  s->armed_for = s->deadline;
  const unsigned generation = ++s->generation;
  // Re-aiming the timer cancels the wait it replaces; that handler sees a newer generation.
  s->timer.expires_at(s->deadline);
  s->timer.async_wait([weak = std::weak_ptr<state>(s), generation](const boost::system::error_code& ec) {
    const auto s = weak.lock();
    if (!s || ec || generation != s->generation) return;
    s->armed_for = clock::time_point::max();
    if (s->deadline == clock::time_point::max()) return;
    if (clock::now() < s->deadline) {
      arm(s);
      return;
    }
    s->timed_out = true;
    boost::system::error_code ignored;
    s->socket.close(ignored);
  });
}

}  // namespace llmd::net
