// One accepted connection: requests are read and answered in turn until either side closes.
#pragma once

#include "connection.hpp"
#include "context.hpp"

namespace llmd::mock {

asio::awaitable<void> run_session(tcp::socket socket, context& ctx);

}  // namespace llmd::mock
