// The downstream connection loop: read a request (within limits), hand it to the handler,
// repeat while keep-alive holds. Malformed or oversized requests are answered here. With a TLS
// context the connection first completes a TLS handshake, within client_header_timeout.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "llmd/config/config.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"
#include "llmd/net/executor.hpp"

namespace llmd::http {

// `t.connections` counts the connection already (accept_loop); the session gives it back.
awaitable<void> run_session(tcp_socket socket, handler& h, traffic& t);

}  // namespace llmd::http
