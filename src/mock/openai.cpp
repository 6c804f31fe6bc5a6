#include "openai.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

namespace llmd::mock {

namespace {

using nlohmann::json;
// Responses keep OpenAI's field order.
using ojson = nlohmann::ordered_json;

struct error_kind {
  std::string_view type;
  std::string_view code;
};

error_kind kind_of(int status) {
  switch (status) {
    case 400: return {"invalid_request_error", "bad_request"};
    case 401: return {"authentication_error", "invalid_api_key"};
    case 403: return {"permission_error", "forbidden"};
    case 404: return {"invalid_request_error", "not_found"};
    case 405: return {"invalid_request_error", "method_not_allowed"};
    case 408: return {"timeout_error", "timeout"};
    case 413: return {"invalid_request_error", "request_too_large"};
    case 429: return {"rate_limit_error", "rate_limit_exceeded"};
    case 503: return {"server_error", "service_unavailable"};
    default: return {status < 500 ? "invalid_request_error" : "server_error", "mock_error"};
  }
}

void append_escaped(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::array<char, 7> buf{};
      std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(c));
      out += buf.data();
    } else {
      out += c;
    }
  }
  out += '"';
}

std::uint64_t count_words(std::string_view text) {
  std::uint64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

// Strings count their words; token arrays their length; arrays of either, the sum.
std::uint64_t count_tokens(const json& v) {
  if (v.is_string()) return count_words(v.get_ref<const std::string&>());
  if (v.is_number()) return 1;
  std::uint64_t n = 0;
  if (v.is_array())
    for (const auto& e : v) n += count_tokens(e);
  return n;
}

// Chat content is a string or an array of parts such as {"type":"text","text":...}.
std::uint64_t count_content_tokens(const json& content) {
  if (content.is_string()) return count_words(content.get_ref<const std::string&>());
  std::uint64_t n = 0;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object() && part.contains("text")) n += count_tokens(part["text"]);
  return n;
}

// One embedding per element of an array of strings or token arrays, else one for the whole input.
std::vector<std::string> embedding_inputs(const json& input) {
  if (input.is_string()) return {input.get<std::string>()};
  bool nested = std::any_of(input.begin(), input.end(), [](const json& e) { return !e.is_number(); });
  if (!nested) return {dump(input)};
  std::vector<std::string> out;
  for (const auto& e : input) out.push_back(e.is_string() ? e.get<std::string>() : dump(e));
  return out;
}

// Eight values in [-1, 1) from FNV-1a of the input, spread with splitmix64.
std::array<float, 8> embedding_of(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  std::array<float, 8> values;
  for (auto& v : values) {
    std::uint64_t z = (h += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    v = static_cast<float>(static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0);
  }
  return values;
}

// encoding_format "base64" (the default of OpenAI's JS client): little-endian float32s, base64.
std::string base64_of(const std::array<float, 8>& values) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  unsigned char bytes[sizeof values];
  std::memcpy(bytes, values.data(), sizeof bytes);  // x86 and arm64 are little-endian
  std::string out;
  for (std::size_t i = 0; i < sizeof bytes; i += 3) {
    const std::size_t n = std::min<std::size_t>(3, sizeof bytes - i);
    std::uint32_t group = bytes[i] << 16 | (n > 1 ? bytes[i + 1] << 8 : 0) | (n > 2 ? bytes[i + 2] : 0);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? alphabet[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

ojson embedding_json(std::string_view text, bool base64) {
  const auto values = embedding_of(text);
  if (base64) return base64_of(values);
  return ojson(std::vector<float>(values.begin(), values.end()));
}

ojson usage_json(token_usage u) {
  return {{"prompt_tokens", u.prompt}, {"completion_tokens", u.completion}, {"total_tokens", u.prompt + u.completion}};
}

}  // namespace

std::string error_body(int status, std::string_view message) {
  auto kind = kind_of(status);
  return dump(ojson{{"error", {{"message", message}, {"type", kind.type}, {"code", kind.code}, {"param", nullptr}}}});
}

std::optional<std::string> validate_request(api kind, const json& request) {
  if (!request.is_object()) return "the request body must be a JSON object";
  if (request.contains("model") && !request["model"].is_string()) return "'model' must be a string";
  switch (kind) {
    case api::chat:
      if (!request.contains("messages") || !request["messages"].is_array()) return "'messages' must be an array";
      break;
    case api::completions:
      if (request.contains("prompt") && !request["prompt"].is_string() && !request["prompt"].is_array())
        return "'prompt' must be a string or an array";
      break;
    case api::embeddings: {
      const json* input = request.contains("input") ? &request["input"] : nullptr;
      if (!input || !(input->is_string() || (input->is_array() && !input->empty())))
        return "'input' must be a string or a non-empty array";
      break;
    }
  }
  return std::nullopt;
}

completion_meta make_meta(api kind, std::uint64_t n, const json& request, const std::string& default_model) {
  auto model = request.contains("model") ? request["model"].get<std::string>() : default_model;
  auto id = (kind == api::chat ? "chatcmpl-mock-" : "cmpl-mock-") + std::to_string(n);
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return {std::move(id), std::chrono::duration_cast<std::chrono::seconds>(now).count(), std::move(model)};
}

std::uint64_t count_prompt_tokens(api kind, const json& request) {
  switch (kind) {
    case api::chat: {
      std::uint64_t n = 0;
      for (const auto& m : request["messages"])
        if (m.is_object() && m.contains("content")) n += count_content_tokens(m["content"]);
      return n;
    }
    case api::completions: return request.contains("prompt") ? count_tokens(request["prompt"]) : 0;
    case api::embeddings: return count_tokens(request["input"]);
  }
  return 0;
}

std::string prompt_text(api kind, const json& request) {
  auto text_of = [](const json& v) { return v.is_string() ? v.get<std::string>() : dump(v); };
  if (kind != api::chat) return request.contains("prompt") ? text_of(request["prompt"]) : "";
  std::string out;
  for (const auto& m : request["messages"]) {
    if (!m.is_object()) continue;
    out.append(m.contains("role") ? text_of(m["role"]) : "").append("\n");
    out.append(m.contains("content") ? text_of(m["content"]) : "").append("\n");
  }
  return out;
}

std::string completion_text(std::string_view name, int tokens) {
  std::string text = "[" + std::string(name) + "]";
  for (int k = 1; k <= tokens; ++k) text += " t" + std::to_string(k);
  return text;
}

std::string completion_json(api kind, const completion_meta& meta, std::string_view text, token_usage usage) {
  ojson choice = {{"index", 0}};
  if (kind == api::chat)
    choice["message"] = {{"role", "assistant"}, {"content", text}};
  else
    choice["text"] = text;
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = "stop";
  return dump(ojson{{"id", meta.id},
               {"object", kind == api::chat ? "chat.completion" : "text_completion"},
               {"created", meta.created},
               {"model", meta.model},
               {"choices", ojson::array({std::move(choice)})},
               {"usage", usage_json(usage)}});
}

std::string embeddings_json(const json& request, const std::string& model, std::uint64_t prompt_tokens) {
  auto data = ojson::array();
  int index = 0;
  const bool base64 = request.contains("encoding_format") && request["encoding_format"] == "base64";
  for (const auto& input : embedding_inputs(request["input"]))
    data.push_back({{"object", "embedding"}, {"index", index++}, {"embedding", embedding_json(input, base64)}});
  return dump(ojson{{"object", "list"},
               {"data", std::move(data)},
               {"model", request.contains("model") ? request["model"].get<std::string>() : model},
               {"usage", {{"prompt_tokens", prompt_tokens}, {"total_tokens", prompt_tokens}}}});
}

std::string models_json(std::string_view model) {
  ojson entry = {{"id", model}, {"object", "model"}, {"created", 0}, {"owned_by", "llm-d-mock"}};
  return dump(ojson{{"object", "list"}, {"data", ojson::array({std::move(entry)})}});
}

stream_events::stream_events(api kind, const completion_meta& meta, bool include_usage)
    : kind_(kind), include_usage_(include_usage) {
  head_ = "{\"id\":" + dump(ojson(meta.id)) + ",\"object\":\"" +
          (kind == api::chat ? "chat.completion.chunk" : "text_completion") +
          "\",\"created\":" + std::to_string(meta.created) + ",\"model\":" + dump(ojson(meta.model)) + ",";
}

std::string_view stream_events::role() {
  begin_event();
  event_ += R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},)";
  event_ += R"("logprobs":null,"finish_reason":null}])";
  return close_event("null");
}

std::string_view stream_events::content(std::string_view text) {
  begin_event();
  bool chat = kind_ == api::chat;
  event_ += chat ? R"("choices":[{"index":0,"delta":{"content":)" : R"("choices":[{"index":0,"text":)";
  append_escaped(event_, text);
  event_ += chat ? R"(},"logprobs":null,"finish_reason":null}])" : R"(,"logprobs":null,"finish_reason":null}])";
  return close_event("null");
}

std::string_view stream_events::finish() {
  begin_event();
  event_ += kind_ == api::chat ? R"("choices":[{"index":0,"delta":{},)" : R"("choices":[{"index":0,"text":"",)";
  event_ += R"("logprobs":null,"finish_reason":"stop"}])";
  return close_event("null");
}

std::string_view stream_events::usage(token_usage u) {
  begin_event();
  event_ += "\"choices\":[]";
  return close_event(dump(usage_json(u)));
}

void stream_events::begin_event() { event_.assign("data: ").append(head_); }

std::string_view stream_events::close_event(std::string_view usage) {
  if (include_usage_) event_.append(",\"usage\":").append(usage);
  event_ += "}\n\n";
  return event_;
}

}  // namespace llmd::mock
