// OpenAI-shaped error bodies: {"error": {"message", "type", "code", "param"}}, the one format
// every error of llm-d takes, whether a whole response or an SSE event after the commit point.
#pragma once

#include <string>
#include <string_view>

namespace llmd::http {

struct openai_error {
  std::string_view message;
  std::string_view type;   // "invalid_request_error", "api_error", "timeout_error", ...
  std::string_view code;   // empty: null
  std::string_view param;  // empty: null
};

std::string to_json(const openai_error& e);

}  // namespace llmd::http
