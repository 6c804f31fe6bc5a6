#include "llmd/upstream/connection_pool.hpp"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <cerrno>

#include "tls_client.hpp"
#include "tunnel.hpp"

namespace llmd::upstream {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct connection_pool::pool {
  explicit pool(const pool_slot& slot, std::size_t worker) : counts(&slot.counts[worker]), in_use(*slot.in_use) {}
  std::vector<idle_connection> idle;
  tls_session session;
  connection_counts* counts;
  const std::atomic<bool>& in_use;  // false: the config now serving no longer uses it
  void idle_changed() { counts->idle.store(static_cast<int>(idle.size()), std::memory_order_relaxed); }
};

namespace {

constexpr auto sweep_every = std::chrono::seconds(2);
// Longer than any server's keep-alive we know of would be pointless; shorter costs reconnects.
constexpr auto max_idle_time = std::chrono::seconds(60);

// A server that closed an idle keep-alive connection (uvicorn does after 5 s) leaves it readable
// with EOF; peeking catches that before a request is wasted on it. Over TLS the peek sees the
// records the server sent before it closed (close_notify): an idle connection with anything
// to read is as unusable as a closed one, plain or TLS. Every reuse peeks, however recent the
// last answer: bytes a server sent after its answer (a Content-Length short of its body) would
// otherwise be read as the answer to the next request, one that may not even be the same
// client's.
bool still_open(tcp_socket& s) {
  char byte;
  const auto n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// `why` unless the timeout cut the step short.
acquired failed(outcome o, std::string why, const llmd::net::timed_socket& stream, std::string_view step) {
  if (stream.timed_out()) why = std::string(step) + " not done within connect_timeout";
  return {.conn = nullptr, .failure = o, .why = std::move(why)};
}

}  // namespace

connection_pool::connection_pool(net::io_context& io, std::size_t worker, std::size_t max_idle_per_pool)
    : io_(io), worker_(worker), max_idle_(max_idle_per_pool), sweeper_(io) {}

connection_pool::~connection_pool() = default;

connection_pool::pool& connection_pool::pool_of(const target& t) {
  const auto index = t.pool.index;
  if (index >= pools_.size()) pools_.resize(index + 1);
  if (!pools_[index]) pools_[index] = std::make_unique<pool>(t.pool, worker_);
  return *pools_[index];
}

awaitable<acquired> connection_pool::acquire(const target& t, config::duration timeout, bool fresh) {
  if (!fresh) {
    auto& p = pool_of(t);
    auto& list = p.idle;
    while (!list.empty()) {
      auto conn = std::move(list.back().conn);
      list.pop_back();
      p.idle_changed();
      if (still_open(conn->stream.socket())) {
        conn->reused = true;
        co_return acquired{.conn = std::move(conn), .failure = outcome::ok, .why = {}};
      }
    }
  }
  co_return co_await open(t, timeout);
}

awaitable<acquired> connection_pool::open(const target& t, config::duration timeout) {
  auto& p = pool_of(t);
  auto conn = std::make_unique<connection>(io_, p.counts);
  auto& stream = conn->stream;
  const auto& host = t.proxy ? t.proxy->host : t.url->host;
  const auto& port = t.proxy ? t.proxy->port : t.url->port;
  tcp_resolver resolver(io_);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, use_tuple);
  if (rec) co_return failed(outcome::connect_failed, "cannot resolve " + host + ": " + rec.message(), stream, "");
  stream.expires_after(timeout);
  auto [cec, ep] = co_await net::async_connect(stream.socket(), endpoints, use_tuple);
  if (cec) {
    const auto what = t.proxy ? "to the proxy: " : "";
    co_return failed(outcome::connect_failed, what + cec.message(), stream, "connect");
  }
  stream.socket().set_option(tcp::no_delay(true));
  if (t.proxy) {
    auto why = co_await open_tunnel(*conn, *t.url, *t.proxy);
    if (!why.empty()) co_return failed(outcome::connect_failed, std::move(why), stream, "proxy tunnel");
  }
  if (t.tls) {
    auto& tls = stream.start_tls(*t.tls);
    prepare_connection(tls.native_handle(), t.server_name, !t.entry->tls.insecure_skip_verify, p.session);
    auto [hec] = co_await tls.async_handshake(net::ssl::stream_base::client, use_tuple);
    if (hec) {
      co_return failed(outcome::tls_failed, handshake_failure(tls.native_handle(), hec), stream, "TLS handshake");
    }
  }
  stream.expires_never();
  co_return acquired{.conn = std::move(conn), .failure = outcome::ok, .why = {}};
}

void connection_pool::release(const target& t, connection_ptr conn) {
  auto& p = pool_of(t);
  if (p.idle.size() >= max_idle_ || !p.in_use.load(std::memory_order_relaxed)) return;
  conn->stream.expires_never();
  p.idle.push_back({std::move(conn), std::chrono::steady_clock::now()});
  p.idle_changed();
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
  for (auto& p : pools_) {
    if (!p) continue;
    const bool in_use = p->in_use.load(std::memory_order_relaxed);
    std::erase_if(p->idle, [&](const idle_connection& c) {
      return !in_use || c.since < too_old || !still_open(c.conn->stream.socket());
    });
    p->idle_changed();
    any_left = any_left || !p->idle.empty();
  }
  if (any_left) sweep_later();
}

}  // namespace llmd::upstream
