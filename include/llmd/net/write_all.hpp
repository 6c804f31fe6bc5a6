// Writing to a connection without a trip through the event loop when it can be helped.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/system/error_code.hpp>

#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"

namespace llmd::net {

// Writes all of `buffers`: with one non-blocking send when the socket takes them whole, the
// usual case, which then costs no completion handler and no extra poll of the reactor; what a
// full socket buffer leaves goes asynchronously, under the socket's deadline.
template <class ConstBuffers>
awaitable<boost::system::error_code> write_all(timed_socket& s, ConstBuffers buffers) {
  boost::system::error_code ec;
  if (!s.socket().non_blocking()) s.socket().non_blocking(true, ec);
  const std::size_t n = ec ? 0 : s.socket().write_some(buffers, ec);
  if (!ec && n == boost::asio::buffer_size(buffers)) co_return ec;
  if (ec && ec != boost::asio::error::would_block) co_return ec;
  boost::beast::buffers_suffix<ConstBuffers> rest(buffers);
  rest.consume(n);
  auto [wec, wn] = co_await boost::asio::async_write(s, rest, use_tuple);
  co_return wec;
}

}  // namespace llmd::net
