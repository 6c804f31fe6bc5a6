// The OpenAI-compatible JSON the mock speaks: request checks, responses, stream events, errors.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmd::mock {

enum class api { chat, completions, embeddings };

struct token_usage {
  std::uint64_t prompt = 0;
  std::uint64_t completion = 0;
};

// The identity shared by a completion and all of its stream events.
struct completion_meta {
  std::string id;  // chatcmpl-mock-<n> or cmpl-mock-<n>
  std::int64_t created = 0;
  std::string model;
};

// Serialises without throwing on invalid UTF-8 (request bodies are echoed as received).
template <class Json>
std::string dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// {"error":{"message","type","code","param":null}} with the type and code OpenAI uses for the status.
std::string error_body(int status, std::string_view message);

// Checks the fields the mock reads; returns the message of a 400 otherwise.
std::optional<std::string> validate_request(api kind, const nlohmann::json& request);

completion_meta make_meta(api kind, std::uint64_t n, const nlohmann::json& request, const std::string& default_model);

// Whitespace-separated words of the prompt: deterministic, which is all a mock needs.
std::uint64_t count_prompt_tokens(api kind, const nlohmann::json& request);

// The text an engine would prefill: each chat message's role and text, one per line, or the
// completion's prompt. Token arrays and other shapes count as their JSON text.
std::string prompt_text(api kind, const nlohmann::json& request);

// "[NAME] t1 t2 ... tN"
std::string completion_text(std::string_view name, int tokens);

std::string completion_json(api kind, const completion_meta& meta, std::string_view text, token_usage usage);
std::string embeddings_json(const nlohmann::json& request, const std::string& model, std::uint64_t prompt_tokens);
std::string models_json(std::string_view model);

// The server-sent events of one streamed completion. Each call returns a whole
// "data: ...\n\n" event, valid until the next call.
class stream_events {
 public:
  static constexpr std::string_view done = "data: [DONE]\n\n";

  // With `include_usage` (stream_options.include_usage), every event but the usage one carries
  // "usage":null, as OpenAI's do.
  stream_events(api kind, const completion_meta& meta, bool include_usage);

  std::string_view role();  // chat only: the assistant role with empty content
  std::string_view content(std::string_view text);
  std::string_view finish();
  std::string_view usage(token_usage u);  // with include_usage only: "choices":[] and the usage

 private:
  void begin_event();
  // Ends the object with the "usage" member, if any, and the event.
  std::string_view close_event(std::string_view usage);

  api kind_;
  bool include_usage_;
  std::string head_;  // {"id":...,"object":...,"created":...,"model":...,
  std::string event_;
};

}  // namespace llmd::mock
