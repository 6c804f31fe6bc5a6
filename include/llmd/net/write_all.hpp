// Writing to a connection without a trip through the event loop when it can be helped.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/system/error_code.hpp>

#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"

namespace llmd::net {

// Sends what the socket takes now, without waiting, and returns how much that was; `ec` is set
// on an error other than a full socket buffer.
template <class Socket, class ConstBuffers>
std::size_t send_now(Socket& socket, const ConstBuffers& buffers, boost::system::error_code& ec) {
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  const std::size_t n = ec ? 0 : socket.write_some(buffers, ec);
  if (ec == boost::asio::error::would_block) ec = {};
  return n;
}

// Writes all of `buffers`: on a plain connection with one non-blocking send when the socket takes
// them whole, the usual case, which then costs no completion handler and no extra poll of the
// reactor; what a full socket buffer leaves, and all of a TLS write, goes asynchronously, under
// the socket's deadline.
template <class ConstBuffers>
awaitable<boost::system::error_code> write_all(timed_socket& s, ConstBuffers buffers) {
  boost::system::error_code ec;
  const std::size_t n = s.tls() ? 0 : send_now(s.socket(), buffers, ec);
  if (ec || n == boost::asio::buffer_size(buffers)) co_return ec;
  boost::beast::buffers_suffix<ConstBuffers> rest(buffers);
  rest.consume(n);
  auto [wec, wn] = co_await boost::asio::async_write(s, rest, use_tuple);
  co_return wec;
}

}  // namespace llmd::net
