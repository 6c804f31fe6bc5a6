#include "llmd/http/session.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/core/string.hpp>

#include "llmd/http/parse_error.hpp"
#include "llmd/net/executor.hpp"
#include <spdlog/spdlog.h>

namespace llmd::http {

namespace net = boost::asio;
namespace bhttp = beast::http;

namespace {

constexpr std::size_t header_limit = 64 * 1024;
constexpr std::size_t small_read = 4 * 1024;
constexpr std::size_t large_read = 64 * 1024;  // Beast reads at most this much at once anyway

// Counts a request as in flight for its lifetime.
class request_count {
 public:
  explicit request_count(traffic& t) : t_(t) { t_.requests.fetch_add(1, std::memory_order_relaxed); }
  ~request_count() { t_.requests.fetch_sub(1, std::memory_order_relaxed); }
  request_count(const request_count&) = delete;
  request_count& operator=(const request_count&) = delete;

 private:
  traffic& t_;
};

bool expects_continue(const request& req) {
  const auto expect = req.fields().find(bhttp::field::expect);
  return expect && beast::iequals(*expect, "100-continue");
}

// What the session needs to answer a request it refuses itself.
struct refusal_context {
  llmd::net::timed_socket& stream;
  const net::ip::tcp::endpoint& peer;
  std::chrono::steady_clock::time_point received;
  handler& h;
  config::duration timeout;
};

// Answers a request the session itself rejects, then the connection closes: its unread body
// (if any) makes the stream unusable for another request.
awaitable<void> reject(const refusal_context& c, request& req, bhttp::status status, std::string_view reason,
                       const openai_error& e) {
  beast::flat_buffer unused;
  exchange ex{c.stream, c.peer, c.received, unused, req, request_id_for(req), c.timeout};
  auto res = error_response(status, e);
  res.keep_alive(false);
  co_await respond(ex, std::move(res));
  c.h.refused(ex, static_cast<unsigned>(status), reason);
}

awaitable<void> reject_too_large(const refusal_context& c, request& req, const config::limits& limits) {
  co_await reject(c, req, bhttp::status::payload_too_large, "body_too_large",
                  {"request body exceeds the limit of " + std::to_string(limits.max_body_bytes) + " bytes",
                   "invalid_request_error", "request_too_large", ""});
}

awaitable<bool> handshake(llmd::net::timed_socket& stream, net::ssl::context& tls, config::duration timeout) {
  stream.expires_after(timeout);
  auto [ec] = co_await stream.start_tls(tls).async_handshake(net::ssl::stream_base::server, use_tuple);
  stream.expires_never();
  if (ec) spdlog::debug("TLS handshake from a client failed: {}", stream.timed_out() ? "timed out" : ec.message());
  co_return !ec;
}

}  // namespace

awaitable<void> run_session(tcp_socket socket, handler& h, traffic& t) {
  socket.set_option(net::ip::tcp::no_delay(true));
  boost::system::error_code no_peer;
  const auto peer = socket.remote_endpoint(no_peer);
  llmd::net::timed_socket stream(std::move(socket));
  // The connection keeps the context it began with, whatever a reload brings.
  const auto tls = h.front_tls();
  // A handshake that fails or stalls ends only this connection; it never reached a handler.
  if (tls && !co_await handshake(stream, *tls, h.limits().client_header_timeout)) co_return;
  beast::flat_buffer buffer;
  // Reads take what the buffer has room for: 512 bytes (the default) splits a typical request.
  buffer.reserve(small_read);
  request req;
  for (;;) {
    // A connection idle between requests keeps no more than small buffers.
    if (buffer.size() == 0 && buffer.capacity() > small_read) {
      buffer.shrink_to_fit();
      buffer.reserve(small_read);
    }
    req.clear(large_read);
    const auto limits = h.limits();
    request_parser parser(req);
    parser.header_limit(header_limit);
    parser.body_limit(limits.max_body_bytes);

    stream.expires_after(limits.client_idle_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    const refusal_context refusing{stream, peer, std::chrono::steady_clock::now(), h, limits.client_header_timeout};
    if (hec) {
      // The parser may reach a first chunk's size while still reading the header.
      if (hec == bhttp::error::body_limit) {
        co_await reject_too_large(refusing, req, limits);
      } else if (is_malformed(hec)) {  // a closed, reset or silent connection just ends
        request empty;
        const bool too_big = hec == bhttp::error::header_limit;
        co_await reject(refusing, empty,
                        too_big ? bhttp::status::request_header_fields_too_large : bhttp::status::bad_request,
                        too_big ? "header_too_large" : "bad_request",
                        {too_big ? "request header too large" : "malformed HTTP request", "invalid_request_error",
                         too_big ? "header_too_large" : "bad_request", ""});
      }
      break;
    }

    const auto declared = parser.content_length();
    if (declared && *declared > limits.max_body_bytes) {
      co_await reject_too_large(refusing, req, limits);
      break;
    }
    stream.expires_at(refusing.received + limits.client_header_timeout);
    // A large body is read in large pieces rather than small_read at a time.
    if (declared && *declared > buffer.capacity()) buffer.reserve(std::min<std::size_t>(*declared, large_read));
    if (!parser.is_done()) {
      if (expects_continue(req)) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        auto [cec, cn] = co_await net::async_write(stream, net::buffer(cont), use_tuple);
        if (cec) break;
      }
      auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      if (bec == bhttp::error::body_limit) {
        co_await reject_too_large(refusing, req, limits);
        break;
      }
      if (bec) break;
    }
    stream.expires_never();

    // Draining: this answer is the connection's last, and says so.
    const bool draining = t.draining.load(std::memory_order_relaxed);
    if (draining) req.keep_alive(false);
    exchange ex{stream, peer, refusing.received, buffer, req, request_id_for(req), limits.client_header_timeout};
    const request_count counted(t);
    const bool keep = co_await h.handle(ex);
    if (!keep || draining) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp_socket::shutdown_send, ignored);
}

}  // namespace llmd::http
