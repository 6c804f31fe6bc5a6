#include "llmd/http/cors.hpp"

#include <boost/beast/http/field.hpp>
#include <chrono>
#include <string>

namespace llmd::http {

namespace {

namespace bhttp = boost::beast::http;

}  // namespace

std::string_view allowed_origin(const request& req, const config::cors_settings* cors) {
  if (!cors) return {};
  const auto origin = req.fields().find(bhttp::field::origin);
  return origin && cors->allows(*origin) ? *origin : std::string_view();
}

bool is_preflight(const request& req) {
  return req.method() == bhttp::verb::options && req.fields().find(bhttp::field::origin) &&
         req.fields().find(bhttp::field::access_control_request_method);
}

response preflight_response(const request& req, const config::cors_settings* cors) {
  const auto origin = allowed_origin(req, cors);
  if (origin.empty()) {
    return error_response(bhttp::status::forbidden, {"This origin may not call the API from a browser (cors)",
                                                     "invalid_request_error", "origin_not_allowed", ""});
  }
  response res{bhttp::status::no_content, 11};
  res.set(bhttp::field::access_control_allow_origin, origin);
  res.set(bhttp::field::access_control_allow_methods, "GET, POST, HEAD, OPTIONS");
  // What the client asks to send (Authorization, Content-Type, the SDKs' x-stainless-*): the
  // key, not the header list, is what guards the API.
  if (const auto asked = req.fields().find(bhttp::field::access_control_request_headers)) {
    res.set(bhttp::field::access_control_allow_headers, *asked);
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(cors->max_age).count();
  res.set(bhttp::field::access_control_max_age, std::to_string(seconds));
  res.set(bhttp::field::vary, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return res;
}

}  // namespace llmd::http
