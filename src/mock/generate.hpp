// The /v1 POST endpoints: injected faults first, then a completion, a stream or embeddings.
#pragma once

#include "connection.hpp"
#include "context.hpp"
#include "openai.hpp"

namespace llmd::mock {

// Returns whether the connection may carry another request.
asio::awaitable<bool> generate(connection& conn, const request& req, context& ctx, api kind,
                               in_flight_request& scope);

}  // namespace llmd::mock
