#include "llmd/upstream/connection_pool.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <cerrno>

#include "llmd/net/executor.hpp"

namespace llmd::upstream {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr auto sweep_every = std::chrono::seconds(2);
// Longer than any server's keep-alive we know of would be pointless; shorter costs reconnects.
constexpr auto max_idle_time = std::chrono::seconds(60);

// A server that closed an idle keep-alive connection (uvicorn does after 5 s) leaves it readable
// with EOF; peeking catches that before a request is wasted on it. A connection idle for less
// than `trust_for` is used without the peek (a syscall per request under load): should the
// server have closed it anyway, the attempt fails without an answer and is made again on a
// fresh connection.
constexpr auto trust_for = std::chrono::seconds(1);
bool still_open(tcp_socket& s) {
  char byte;
  const auto n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

awaitable<acquired> connection_pool::acquire(const config::upstream_url& url, config::duration timeout, bool fresh) {
  if (!fresh) {
    if (auto it = idle_.find(key_of(url)); it != idle_.end()) {
      auto& list = it->second;
      const auto recent = std::chrono::steady_clock::now() - trust_for;
      while (!list.empty()) {
        const bool trusted = list.back().since >= recent;
        auto conn = std::move(list.back().conn);
        list.pop_back();
        if (trusted || still_open(conn->stream.socket())) {
          conn->reused = true;
          co_return acquired{{}, std::move(conn)};
        }
      }
    }
  }
  auto conn = std::make_unique<connection>(io_);
  tcp_resolver resolver(io_);
  auto [rec, endpoints] = co_await resolver.async_resolve(url.host, url.port, use_tuple);
  if (rec) co_return acquired{rec, nullptr};
  conn->stream.expires_after(timeout);
  auto [cec, ep] = co_await net::async_connect(conn->stream.socket(), endpoints, use_tuple);
  conn->stream.expires_never();
  if (cec) co_return acquired{cec, nullptr};
  conn->stream.socket().set_option(tcp::no_delay(true));
  co_return acquired{{}, std::move(conn)};
}

const std::string& connection_pool::key_of(const config::upstream_url& url) {
  key_.assign(url.host).append(1, ':').append(url.port);
  return key_;
}

void connection_pool::release(const config::upstream_url& url, connection_ptr conn) {
  auto& list = idle_[key_of(url)];
  if (list.size() >= max_idle_) return;
  conn->stream.expires_never();
  list.push_back({std::move(conn), std::chrono::steady_clock::now()});
  sweep_later();
}

void connection_pool::sweep_later() {
  if (sweeping_) return;
  sweeping_ = true;
  sweeper_.expires_after(sweep_every);
  sweeper_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // the pool is going away
    sweeping_ = false;
    sweep();
  });
}

void connection_pool::sweep() {
  const auto too_old = std::chrono::steady_clock::now() - max_idle_time;
  bool any_left = false;
  for (auto& [key, list] : idle_) {
    std::erase_if(list, [&](const idle_connection& c) {
      return c.since < too_old || !still_open(c.conn->stream.socket());
    });
    any_left = any_left || !list.empty();
  }
  if (any_left) sweep_later();
}

}  // namespace llmd::upstream
