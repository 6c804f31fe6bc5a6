// Listening sockets: one per worker on the same address (SO_REUSEPORT lets the kernel spread
// connections across workers), each feeding its own worker's sessions.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <string>

#include "llmd/config/config.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"
#include "llmd/net/executor.hpp"

namespace llmd::http {

// Binds host:port with SO_REUSEPORT; port "0" picks a free port (read it from local_endpoint()).
tcp_acceptor open_acceptor(boost::asio::io_context& io, const std::string& host, const std::string& port,
                           boost::system::error_code& ec);

// Accepts until the acceptor is closed, running each connection as its own coroutine, over TLS
// when the handler has a TLS context.
awaitable<void> accept_loop(tcp_acceptor& acceptor, handler& h, traffic& t);

}  // namespace llmd::http
