#include "usage_reference.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "sse_events.hpp"

namespace llmd::fuzz {

namespace {

using json = nlohmann::json;

std::optional<std::uint64_t> count(const json& usage, const char* key) {
  const auto it = usage.find(key);
  if (it == usage.end() || !it->is_number_unsigned()) return std::nullopt;
  const auto n = it->get<std::uint64_t>();
  if (n > (std::uint64_t{1} << 53)) return std::nullopt;
  return n;
}

// A document's usage: nullopt when it cannot be judged, else its usage (empty when none).
// nlohmann/json's lexer takes a NUL byte for the end of its input, so text with one is not judged.
std::optional<proxy::token_usage> document_usage(std::string_view text) {
  if (text.find('\\') != std::string_view::npos || text.find('\0') != std::string_view::npos) return std::nullopt;
  int usage_keys = 0;
  int deepest = 0;
  const json::parser_callback_t watch = [&](int depth, json::parse_event_t event, json& parsed) {
    deepest = std::max(deepest, depth);
    if (event == json::parse_event_t::key && depth == 1 && parsed == "usage") ++usage_keys;
    return true;
  };
  const auto doc = json::parse(text, watch, false);
  if (doc.is_discarded() || usage_keys > 1 || deepest >= 127) return std::nullopt;
  proxy::token_usage found;
  if (!doc.is_object()) return found;
  const auto usage = doc.find("usage");
  if (usage == doc.end() || !usage->is_object()) return found;
  const proxy::token_usage counts{count(*usage, "prompt_tokens"), count(*usage, "completion_tokens")};
  if (counts.prompt_tokens || counts.completion_tokens) found = counts;
  return found;
}

}  // namespace

bool operator==(const proxy::token_usage& a, const proxy::token_usage& b) {
  return a.prompt_tokens == b.prompt_tokens && a.completion_tokens == b.completion_tokens;
}

std::optional<proxy::token_usage> reference_usage(std::string_view body, proxy::body_format format) {
  if (format == proxy::body_format::json) return document_usage(body);
  const auto reading = read_events(body);
  if (!reading.whole) return std::nullopt;
  proxy::token_usage last;
  for (const auto& data : reading.events) {
    if (data == "[DONE]") continue;
    const auto usage = document_usage(data);
    if (!usage) return std::nullopt;
    if (usage->prompt_tokens || usage->completion_tokens) last = *usage;
  }
  return last;
}

}  // namespace llmd::fuzz
