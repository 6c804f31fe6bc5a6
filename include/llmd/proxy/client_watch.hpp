// Watches the client connection while its request is forwarded, so a client that leaves is
// noticed at once rather than at the next write: it closes the upstream connection in use and
// cancels any wait (backoff, queue, connect) of the request. Bytes the client sends meanwhile
// (pipelining) are kept for the session.
//
// It is a plain handler rather than a coroutine beside the request, so it costs no spawn.
#pragma once

#include <boost/system/error_code.hpp>
#include <cstddef>

#include "llmd/http/exchange.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/proxy/upstream_call.hpp"

namespace llmd::proxy {

class client_watch {
 public:
  client_watch(http::exchange& ex, cancel_state& cancel);
  client_watch(const client_watch&) = delete;
  client_watch& operator=(const client_watch&) = delete;

  // Ends the watch; the session may read the client again once this returns.
  awaitable<void> stop();

 private:
  void arm();
  void on_read(const boost::system::error_code& ec, std::size_t n);

  http::exchange& ex_;
  cancel_state& cancel_;
  bool pending_ = false;
  bool stopping_ = false;
};

}  // namespace llmd::proxy
