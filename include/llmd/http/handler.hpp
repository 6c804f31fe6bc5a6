// What a session calls for every request it reads: the application's routes.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "llmd/config/config.hpp"
#include "llmd/http/exchange.hpp"
#include "llmd/net/executor.hpp"

namespace boost::asio::ssl {
class context;
}

namespace llmd::http {

// A request the handler turns away from its head alone: `res` goes out and the connection
// closes, the body unread. `reason` is a fixed label, as for refused().
struct refusal {
  response res;
  std::string_view reason;
};

class handler {
 public:
  virtual ~handler() = default;
  // Sees the request's head before its body is read.
  virtual std::optional<refusal> screen(exchange& ex) = 0;
  // Answers the request; returns whether the connection may carry another request.
  virtual awaitable<bool> handle(exchange& ex) = 0;
  // The session refused the request itself and answered `status`: too large, malformed.
  // `reason` is a fixed label (body_too_large, header_too_large, bad_request).
  virtual void refused(const exchange& ex, unsigned status, std::string_view reason) = 0;
  // A connection was closed as it came: limits.max_connections were open.
  virtual void connection_refused() = 0;
  // The limits in effect now, read for each request (a reload may change them).
  virtual config::limits limits() = 0;
  // The front door's TLS context in effect now, for a new connection; null for plain HTTP.
  virtual std::shared_ptr<boost::asio::ssl::context> front_tls() = 0;
};

}  // namespace llmd::http
