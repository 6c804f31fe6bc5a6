// The byte stream to one client: plain TCP, or TLS over it, chosen at run time so that one
// connection class (and Beast's reads and writes) serves both. An AsyncReadStream and
// AsyncWriteStream; the TLS handshake and shutdown are the caller's, through tls().
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <optional>
#include <utility>

namespace llmd::mock {

class peer_stream {
 public:
  using socket_type = boost::asio::ip::tcp::socket;
  using tls_stream = boost::asio::ssl::stream<socket_type&>;
  using executor_type = socket_type::executor_type;

  // `tls` null: plain TCP.
  peer_stream(socket_type socket, boost::asio::ssl::context* tls) : socket_(std::move(socket)) {
    if (tls) tls_.emplace(socket_, *tls);
  }
  // The TLS layer refers to socket_.
  peer_stream(const peer_stream&) = delete;
  peer_stream& operator=(const peer_stream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  socket_type& socket() { return socket_; }
  bool secure() const { return tls_.has_value(); }
  tls_stream* tls() { return tls_ ? &*tls_ : nullptr; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (tls_)
            tls_->async_read_some(b, std::move(handler));
          else
            socket_.async_read_some(b, std::move(handler));
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_)
            tls_->async_write_some(b, std::move(handler));
          else
            socket_.async_write_some(b, std::move(handler));
        },
        token, buffers);
  }

 private:
  socket_type socket_;
  std::optional<tls_stream> tls_;
};

}  // namespace llmd::mock
