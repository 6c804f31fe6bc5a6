#include "oracle.hpp"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace llmd::fuzz {

void fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "\n== oracle failed: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) std::fprintf(stderr, "%.*s\n", static_cast<int>(detail.size()), detail.data());
  std::abort();
}

std::string_view openai_error_problem(std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return "not JSON";
  if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) return "no error object";
  const auto& error = doc["error"];
  if (!error.contains("message") || !error["message"].is_string()) return "no error.message string";
  if (!error.contains("type") || !error["type"].is_string()) return "no error.type string";
  return {};
}

}  // namespace llmd::fuzz
