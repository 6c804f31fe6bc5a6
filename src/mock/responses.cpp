#include "responses.hpp"

#include "openai.hpp"

namespace llmd::mock {

response make_response(const request& req, int status, std::string_view content_type, std::string body,
                       std::string_view name) {
  response res(static_cast<http::status>(status), req.version());
  res.set(http::field::content_type, content_type);
  res.set(name_header, name);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response make_json(const request& req, int status, std::string body, std::string_view name) {
  return make_response(req, status, "application/json", std::move(body), name);
}

response make_error(const request& req, int status, std::string_view message, std::string_view name) {
  return make_json(req, status, error_body(status, message), name);
}

}  // namespace llmd::mock
