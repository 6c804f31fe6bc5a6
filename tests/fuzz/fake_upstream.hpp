// The backend behind the front door target, in its io_context: every request llm-d forwards to it
// must be well-formed HTTP/1.1 whose body is a JSON object naming a model (the upstream model id
// where the entry rewrites it). It answers a chat completion: under /sse/ as an event stream,
// else as one JSON document.
#pragma once

#include <boost/asio/io_context.hpp>

#include "llmd/net/executor.hpp"

namespace llmd::fuzz {

class fake_upstream {
 public:
  // Requests to /v1/... must name this model.
  static constexpr std::string_view rewritten_model = "upstream-m";

  explicit fake_upstream(boost::asio::io_context& io);
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  tcp_acceptor acceptor_;
};

}  // namespace llmd::fuzz
