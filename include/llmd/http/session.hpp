// The downstream connection loop: read a request (within limits), hand it to the handler,
// repeat while keep-alive holds. Malformed or oversized requests are answered here.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "llmd/config/config.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"
#include "llmd/net/executor.hpp"

namespace llmd::http {

awaitable<void> run_session(tcp_socket socket, config::limits limits, handler& h, traffic& t);

}  // namespace llmd::http
