// The downstream connection loop: read a request (within limits), hand it to the handler,
// repeat while keep-alive holds. Malformed or oversized requests are answered here.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "llmd/config/config.hpp"
#include "llmd/http/handler.hpp"
#include "llmd/http/traffic.hpp"

namespace llmd::http {

boost::asio::awaitable<void> run_session(boost::asio::ip::tcp::socket socket, config::limits limits,
                                         handler& h, traffic& t);

}  // namespace llmd::http
