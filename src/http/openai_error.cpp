#include "llmd/http/openai_error.hpp"

#include <nlohmann/json.hpp>

namespace llmd::http {

std::string to_json(const openai_error& e) {
  auto or_null = [](std::string_view s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  nlohmann::json j = {{"error",
                       {{"message", e.message}, {"type", e.type}, {"code", or_null(e.code)}, {"param", or_null(e.param)}}}};
  // The message may quote the client (a path, a model name): bytes that are not UTF-8 become
  // U+FFFD rather than an exception that drops the connection.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace llmd::http
