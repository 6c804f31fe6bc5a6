// What a session calls for every request it reads: the application's routes.
#pragma once


#include "llmd/http/exchange.hpp"
#include "llmd/net/executor.hpp"

namespace llmd::http {

class handler {
 public:
  virtual ~handler() = default;
  // Answers the request; returns whether the connection may carry another request.
  virtual awaitable<bool> handle(exchange& ex) = 0;
};

}  // namespace llmd::http
