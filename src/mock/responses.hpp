// Whole (non-streamed) responses, each carrying x-mock-name and the request's keep-alive.
#pragma once

#include "connection.hpp"

#include <string>
#include <string_view>

namespace llmd::mock {

inline constexpr std::string_view name_header = "x-mock-name";

response make_response(const request& req, int status, std::string_view content_type, std::string body,
                       std::string_view name);
response make_json(const request& req, int status, std::string body, std::string_view name);
// An OpenAI-shaped error.
response make_error(const request& req, int status, std::string_view message, std::string_view name);

}  // namespace llmd::mock
