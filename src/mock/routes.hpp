// Which endpoint answers a request, and the endpoints that need no I/O of their own.
#pragma once

#include "connection.hpp"
#include "context.hpp"

namespace llmd::mock {

// Answers one request; returns whether the connection may carry another. `last`: the response
// says Connection: close whatever the request asked.
asio::awaitable<bool> serve(connection& conn, request req, context& ctx, bool last);

}  // namespace llmd::mock
