// Which endpoint answers a request, and the endpoints that need no I/O of their own.
#pragma once

#include "connection.hpp"
#include "context.hpp"

namespace llmd::mock {

// Answers one request; returns whether the connection may carry another.
asio::awaitable<bool> serve(connection& conn, const request& req, context& ctx);

}  // namespace llmd::mock
