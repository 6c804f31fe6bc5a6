// One request on a downstream (client) connection, as the session hands it to a handler.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "llmd/config/config.hpp"
#include "llmd/http/authorization.hpp"
#include "llmd/http/openai_error.hpp"
#include "llmd/http/request.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/net/timed_socket.hpp"

namespace llmd::http {

namespace beast = boost::beast;

using response = beast::http::response<beast::http::string_body>;

struct exchange {
  llmd::net::timed_socket& client;
  const boost::asio::ip::tcp::endpoint& peer;  // the client's address
  std::chrono::steady_clock::time_point received;  // the request's header was read
  beast::flat_buffer& client_buffer;  // bytes the client sent past this request stay here
  request& req;
  std::string request_id;
  config::duration write_timeout;
  // The digest of the client key the handler found in the head (screen), for it to find again
  // once the body is read; nullopt without one.
  std::optional<config::key_digest> client_key{};
  token_digests* digests = nullptr;  // the connection's
  std::string_view cors_origin{};    // the request's Origin, when cors allows it: every response names it
};

// Writes a whole response, adding x-request-id, Connection and, for an allowed origin,
// Access-Control-Allow-Origin; true when the connection may carry another request.
awaitable<bool> respond(exchange& ex, response res);

// An OpenAI-shaped JSON error response.
response error_response(beast::http::status status, const openai_error& e);

// The request's own x-request-id when it is sane (printable, at most 128 bytes), else a new one.
std::string request_id_for(const request& req);

}  // namespace llmd::http
