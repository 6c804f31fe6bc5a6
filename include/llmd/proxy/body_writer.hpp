// The client side of the relay: body pieces go out as they arrive. For Server-Sent Events only
// whole events are sent and an incomplete trailing event is held back, so when the upstream
// breaks the client never sees half an event: it sees an error event on a clean boundary.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <string>
#include <string_view>

#include "llmd/config/config.hpp"
#include "llmd/http/openai_error.hpp"
#include "llmd/proxy/sse.hpp"

namespace llmd::proxy {

class body_writer {
 public:
  using response = boost::beast::http::response<boost::beast::http::buffer_body>;
  using serializer = boost::beast::http::response_serializer<boost::beast::http::buffer_body>;

  // `res` is the response whose header `out` already wrote.
  body_writer(boost::beast::tcp_stream& client, response& res, serializer& out, config::duration timeout, bool sse)
      : client_(client), res_(res), out_(out), timeout_(timeout), sse_(sse) {}

  // Sends what may go now of the next piece; false when the client is gone.
  boost::asio::awaitable<bool> put(std::string_view piece);
  // The upstream ended cleanly: anything held goes too, then the end of the body.
  boost::asio::awaitable<bool> finish();
  // The upstream failed mid-stream (SSE only): the held-back partial event is dropped and the
  // error goes as the last event, then the end of the body.
  boost::asio::awaitable<bool> fail(const http::openai_error& error);

 private:
  boost::asio::awaitable<bool> write(std::string_view data);

  boost::beast::tcp_stream& client_;
  response& res_;
  serializer& out_;
  config::duration timeout_;
  bool sse_;
  sse_boundary events_;
  std::string held_;          // the start of an event whose end has not arrived
  bool sent_on_boundary_ = true;  // what the client has seen ends between two events
};

}  // namespace llmd::proxy
