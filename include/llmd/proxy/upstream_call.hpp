// The state of one upstream attempt, from connection to the last body byte.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <optional>
#include <string>

#include "llmd/upstream/connection_pool.hpp"
#include "llmd/upstream/outcome.hpp"

namespace llmd::proxy {

struct upstream_call {
  std::optional<upstream::connection> conn;
  boost::beast::flat_buffer buffer;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser;
  upstream::outcome result = upstream::outcome::connect_failed;
  unsigned status = 0;
};

// Shared by the request and the watch on its client: whoever learns first that the client is
// gone closes the upstream connection in use, which ends any pending upstream operation.
struct cancel_state {
  boost::beast::tcp_stream* upstream = nullptr;
  bool client_gone = false;
};

}  // namespace llmd::proxy
