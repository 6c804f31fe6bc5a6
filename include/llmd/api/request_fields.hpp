// The two request-body fields the gateway routes on, `model` and `stream`, read in one forward
// pass over the bytes without building a DOM; the same pass validates the whole body as strict
// RFC 8259 JSON (UTF-8 is not checked) and, when asked, hands over the prompt's pieces. Runs on
// every request, bodies up to 16 MiB.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace llmd::api {

// Nesting deeper than this (the top-level object is level 1) is rejected.
inline constexpr std::size_t max_json_depth = 512;

struct request_fields {
  std::optional<std::string> model;  // top-level "model", unescaped; nullopt when absent
  std::size_t model_begin = 0;       // byte span of the model value token, quotes included
  std::size_t model_end = 0;
  bool stream = false;               // top-level "stream": true
  std::size_t stream_options_begin = 0;  // byte span of the top-level "stream_options" value;
  std::size_t stream_options_end = 0;    // empty when absent
  bool usage_added = false;  // llm-d asked for the stream's usage, which the client did not (ask_for_usage)
};

// `message` is shown to API clients as is; syntax errors end with "at byte <offset>".
struct scan_error {
  std::string message;
  std::size_t offset = 0;
};

// Receives the prompt as the body spells it, piece by piece in order: for chat, each message's
// `role` and `content` (a string, or the `text` of each part), for completions `prompt` (a
// string, or each string or token id of its arrays). Raw JSON text: escapes are not undone and a
// string comes without its quotes. A body that fails to scan may have sent some pieces already.
class prompt_sink {
 public:
  virtual void piece(std::string_view raw) = 0;

 protected:
  ~prompt_sink() = default;
};

// Syntax errors come first, then "request body must be a JSON object", then "'model' must be a
// string", then "'stream' must be a boolean" (null counts as absent). Duplicate keys: the last
// one wins, as in most parsers, and the model span points at the last one.
std::variant<request_fields, scan_error> scan_request(std::string_view body, prompt_sink* prompt = nullptr);

// `body` with the model value token replaced by `new_model` as a JSON string. `fields` must come
// from scan_request(body) with a model.
std::string rewrite_model(std::string_view body, const request_fields& fields, std::string_view new_model);

// For a stream whose usage llm-d must see: `body` with stream_options.include_usage set to true,
// every other option kept; nullopt when the client asked for it already, or when stream_options is
// neither an object nor null (the upstream refuses that itself). The model span of `fields` moves
// with the bytes, and `usage_added` is set.
std::optional<std::string> ask_for_usage(std::string_view body, request_fields& fields);

}  // namespace llmd::api
