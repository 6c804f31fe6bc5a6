#include "llmd/http/session.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/core/string.hpp>

#include <spdlog/spdlog.h>

#include "llmd/http/parse_error.hpp"
#include "llmd/net/executor.hpp"
#include "request_reader.hpp"

namespace llmd::http {

namespace net = boost::asio;
namespace bhttp = beast::http;

namespace {

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

// The connection accept_loop counted, given back when the session ends.
class connection_count {
 public:
  explicit connection_count(traffic& t) : t_(t) {}
  ~connection_count() { t_.connections.fetch_sub(1, std::memory_order_relaxed); }
  connection_count(const connection_count&) = delete;
  connection_count& operator=(const connection_count&) = delete;

 private:
  traffic& t_;
};

bool expects_continue(const request& req) {
  const auto expect = req.fields().find(bhttp::field::expect);
  return expect && beast::iequals(*expect, "100-continue");
}

// Answers a request turned away before its body was read, then the connection closes: the
// unread body (if any) makes the stream unusable for another request.
awaitable<void> turn_away(exchange& ex, handler& h, response res, std::string_view reason) {
  const auto status = res.result_int();
  res.keep_alive(false);
  co_await respond(ex, std::move(res));
  h.refused(ex, status, reason);
}

response too_large(const config::limits& limits) {
  return error_response(bhttp::status::payload_too_large,
                        {"request body exceeds the limit of " + std::to_string(limits.max_body_bytes) + " bytes",
                         "invalid_request_error", "request_too_large", ""});
}

// A head that does not parse or is too large.
response malformed(bool too_big) {
  return error_response(
      too_big ? bhttp::status::request_header_fields_too_large : bhttp::status::bad_request,
      {too_big ? "request header too large" : "malformed HTTP request", "invalid_request_error",
       too_big ? "header_too_large" : "bad_request", ""});
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
  const connection_count counted_connection(t);
  socket.set_option(net::ip::tcp::no_delay(true));
  boost::system::error_code no_peer;
  const auto peer = socket.remote_endpoint(no_peer);
  llmd::net::timed_socket stream(std::move(socket));
  // The connection keeps the context it began with, whatever a reload brings.
  const auto tls = h.front_tls();
  // A handshake that fails or stalls ends only this connection; it never reached a handler.
  if (tls && !co_await handshake(stream, *tls, h.limits().client_header_timeout)) co_return;
  beast::flat_buffer buffer;
  token_digests digests;
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
    request_parser parser(req, limits.max_headers);
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(limits.max_body_bytes);

    const auto hec = co_await read_head(stream, buffer, parser, limits);
    const auto received = std::chrono::steady_clock::now();
    if (hec) {
      // The parser may reach a first chunk's size while still reading the header.
      if (hec == bhttp::error::body_limit) {
        exchange ex{stream, peer, received, buffer, req, request_id_for(req), limits.client_send_timeout};
        co_await turn_away(ex, h, too_large(limits), "body_too_large");
      } else if (is_malformed(hec)) {  // a closed, reset or silent connection just ends
        request empty;
        exchange ex{stream, peer, received, buffer, empty, request_id_for(empty), limits.client_send_timeout};
        const bool too_big = hec == bhttp::error::header_limit;
        co_await turn_away(ex, h, malformed(too_big), too_big ? "header_too_large" : "bad_request");
      }
      break;
    }
    exchange ex{stream, peer, received, buffer, req, request_id_for(req), limits.client_send_timeout};
    ex.digests = &digests;
    if (auto refused = h.screen(ex)) {
      co_await turn_away(ex, h, std::move(refused->res), refused->reason);
      break;
    }

    const auto declared = parser.content_length();
    if (declared && *declared > limits.max_body_bytes) {
      co_await turn_away(ex, h, too_large(limits), "body_too_large");
      break;
    }
    // A large body is read in large pieces rather than small_read at a time.
    if (declared && *declared > buffer.capacity()) buffer.reserve(std::min<std::size_t>(*declared, large_read));
    if (!parser.is_done()) {
      if (expects_continue(req)) {
        static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.expires_after(limits.client_send_timeout);
        auto [cec, cn] = co_await net::async_write(stream, net::buffer(cont), use_tuple);
        if (cec) break;
      }
      const auto bec = co_await read_body(stream, buffer, parser, limits);
      if (bec == bhttp::error::body_limit) {
        co_await turn_away(ex, h, too_large(limits), "body_too_large");
        break;
      }
      // A body that breaks HTTP's framing (a bad chunk) is answered; a client gone or silent is not.
      if (is_malformed(bec)) co_await turn_away(ex, h, malformed(false), "bad_request");
      if (bec) break;
    }
    stream.expires_never();

    // Draining: this answer is the connection's last, and says so.
    const bool draining = t.draining.load(std::memory_order_relaxed);
    if (draining) req.keep_alive(false);
    const request_count counted(t);
    const bool keep = co_await h.handle(ex);
    if (!keep || draining) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp_socket::shutdown_send, ignored);
}

}  // namespace llmd::http
