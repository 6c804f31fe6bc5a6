// Writing a whole response (one llm-d makes, or a small upstream answer read whole) and noting
// in the request's record what went out and when.
#pragma once

#include "llmd/http/exchange.hpp"
#include "llmd/net/executor.hpp"
#include "llmd/proxy/request_record.hpp"

namespace llmd::proxy {

awaitable<bool> respond(http::exchange& ex, request_record& record, http::response res);

}  // namespace llmd::proxy
