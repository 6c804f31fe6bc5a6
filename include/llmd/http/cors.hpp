// CORS, for browsers that call the API from a page of another origin (cors.allow_origins): a
// preflight is answered without a key, and every response to an allowed origin names it, errors
// and streams included. Without `cors` there are no CORS headers and preflights get 403.
#pragma once

#include <string_view>

#include "llmd/config/config.hpp"
#include "llmd/http/exchange.hpp"
#include "llmd/http/request.hpp"

namespace llmd::http {

// The request's Origin when `cors` (null: none) allows it; "" otherwise.
std::string_view allowed_origin(const request& req, const config::cors_settings* cors);

// An OPTIONS request with Origin and Access-Control-Request-Method.
bool is_preflight(const request& req);

// 204 with the methods and headers the origin may use, or 403 when it may not.
response preflight_response(const request& req, const config::cors_settings* cors);

}  // namespace llmd::http
