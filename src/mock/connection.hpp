// One client connection, over plain TCP or TLS: HTTP/1.1 reads and writes, and watching the
// peer while a response is being produced so that a departing client is noticed at once.
#pragma once

#include "parse.hpp"
#include "peer_stream.hpp"
#include "stats.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace llmd::mock {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;
using response_head = http::response<http::empty_body>;

inline constexpr duration forever = duration::max();

class connection {
 public:
  // `tls` null: plain TCP; otherwise handshake() comes first.
  connection(tcp::socket socket, asio::ssl::context* tls);

  bool secure() const { return stream_.secure(); }
  // The server side of the TLS handshake, given up after `within`. Then tls() describes it.
  asio::awaitable<error_code> handshake(duration within);
  const std::optional<tls_info>& tls() const { return tls_; }

  // Answers "Expect: 100-continue" before reading the body.
  asio::awaitable<error_code> read_request(request& out);
  asio::awaitable<error_code> write(const response& res);
  // Only the headers: of a stream (chunked when head.chunked()) or of a body sent with write_raw.
  asio::awaitable<error_code> write_head(response_head& head);
  // One HTTP chunk of a stream (the bare data when the head was not chunked).
  asio::awaitable<error_code> write_chunk(std::string_view data);
  asio::awaitable<error_code> write_last_chunk();
  asio::awaitable<error_code> write_raw(std::string_view data);
  // Returns operation_aborted at once when the enclosing unless_peer_leaves is ending. A zero
  // duration does not wait but lets the other connections run.
  asio::awaitable<error_code> sleep(duration d);

  // Runs work while reading from the peer: EOF or an error there means the client left, and
  // then work is cancelled and the result is outcome::cancelled. Bytes the client sends
  // meanwhile (a pipelined request) are kept for the next read_request.
  asio::awaitable<outcome> unless_peer_leaves(asio::awaitable<outcome> work);

  // Closes with an RST (SO_LINGER 0) instead of a FIN.
  void abort();
  // A FIN, after a TLS close_notify on a TLS connection.
  asio::awaitable<void> close();

 private:
  asio::awaitable<void> watch_peer();
  asio::awaitable<error_code> write_out();

  peer_stream stream_;
  std::optional<tls_info> tls_;
  boost::beast::flat_buffer buffer_;
  asio::steady_timer timer_;
  std::string out_;
  bool chunked_ = true;
};

}  // namespace llmd::mock
