// What the mock does with a /v1 POST: the defaults come from flags and POST /mock/config,
// and each request may override them with x-mock-* headers.
#pragma once

#include "parse.hpp"

#include <boost/beast/http/fields.hpp>
#include <nlohmann/json.hpp>

#include <mutex>
#include <optional>
#include <string>

namespace llmd::mock {

// Whose metric names GET /metrics uses.
enum class metric_names { vllm, vllm_v0, sglang };

struct behavior {
  int tokens = 16;
  duration token_interval = std::chrono::milliseconds(10);
  int status = 0;       // 0 or 2xx: answer normally; otherwise an OpenAI-shaped error with this status
  int retry_after = 0;  // seconds; 0: no Retry-After header on injected errors
  duration delay{0};    // before the response headers
  bool hang = false;
  bool reset = false;
  std::optional<int> break_after;  // abort after this many token events (streams) or half the body
  bool break_after_done = false;   // streams: abort after the [DONE] event, before the body's end
  int health_status = 200;
  int max_context = 0;  // prompt + completion tokens allowed; 0: unlimited. Past it: a 400 like vLLM's
  // What GET /metrics reports, as an engine would: its names, its queue, its KV-cache usage
  // (nullopt: from the requests in flight), or no answer at all.
  metric_names metrics_as = metric_names::vllm;
  int waiting = 0;
  std::optional<double> kv_usage;
  bool metrics_hang = false;

  bool injects_error() const { return status >= 300; }
};

inline constexpr int max_tokens = 1'000'000;

std::optional<int> parse_status(std::string_view text);

// Applies the x-mock-* request headers; returns an error message for a malformed value.
std::optional<std::string> apply_headers(behavior& b, const boost::beast::http::fields& headers);

// Applies a POST /mock/config body; null, 0 and false clear a fault. Returns an error message.
std::optional<std::string> apply_json(behavior& b, const nlohmann::json& body);

// The runtime defaults, shared by all connections (and threads), and a temporary override of
// them that lasts a set number of /v1 POSTs (the `times` key).
class runtime_config {
 public:
  explicit runtime_config(behavior initial) : defaults_(initial) {}

  // What applies now.
  behavior get() const;
  // What applies to this /v1 POST, which counts towards the override's `times`.
  behavior take();
  // Applies the update atomically: either all of it or, on error, none of it. With `times`, the
  // update is the override for that many requests; without, it changes the defaults and ends an
  // override.
  std::optional<std::string> update(const nlohmann::json& body);
  // GET /mock/config: the settings that apply now, and `times` left of an override (null: none).
  nlohmann::ordered_json to_json() const;

 private:
  mutable std::mutex mutex_;
  behavior defaults_;
  behavior override_;
  int override_left_ = 0;
};

}  // namespace llmd::mock
