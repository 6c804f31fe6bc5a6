#include "behavior.hpp"

#include <boost/beast/core/string.hpp>
#include <string_view>
#include <utility>

namespace llmd::mock {

namespace {

using nlohmann::json;

constexpr int max_seconds = 86'400;

constexpr std::pair<std::string_view, metric_names> metric_names_by_name[] = {
    {"vllm", metric_names::vllm}, {"vllm-v0", metric_names::vllm_v0}, {"sglang", metric_names::sglang}};

std::string_view name_of(metric_names names) {
  for (const auto& [name, n] : metric_names_by_name) {
    if (n == names) return name;
  }
  return "vllm";
}

// 1xx cannot be a final response; 0 means "no injected error".
bool valid_status(int s) { return s == 0 || (s >= 200 && s <= 599); }

nlohmann::ordered_json to_ms(duration d) {
  if (d.count() % 1000 == 0) return d.count() / 1000;
  return static_cast<double>(d.count()) / 1000.0;
}

std::optional<duration> ms_from_json(const json& v) {
  if (v.is_null()) return duration(0);
  if (v.is_string()) return parse_duration(v.get<std::string>());
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1e9) return std::nullopt;
  return duration(static_cast<duration::rep>(v.get<double>() * 1000.0 + 0.5));
}

std::optional<int> int_from_json(const json& v, int min, int max) {
  if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max) return std::nullopt;
  return v.get<int>();
}

std::optional<bool> bool_from_json(const json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<long long>() != 0;
  return std::nullopt;
}

// Applies one key; returns false when the value is invalid for it.
bool apply_key(behavior& b, const std::string& key, const json& v) {
  if (key == "tokens") {
    auto n = int_from_json(v, 0, max_tokens);
    if (n) b.tokens = *n;
    return n.has_value();
  }
  if (key == "token_interval_ms" || key == "delay_ms") {
    auto d = ms_from_json(v);
    if (d) (key == "delay_ms" ? b.delay : b.token_interval) = *d;
    return d.has_value();
  }
  if (key == "status") {
    auto s = v.is_null() ? std::optional<int>(0) : int_from_json(v, 0, 599);
    if (!s || !valid_status(*s)) return false;
    b.status = *s;
    return true;
  }
  if (key == "retry_after") {
    auto s = v.is_null() ? std::optional<int>(0) : int_from_json(v, 0, max_seconds);
    if (s) b.retry_after = *s;
    return s.has_value();
  }
  if (key == "hang" || key == "reset" || key == "break_after_done") {
    auto f = bool_from_json(v);
    if (f) (key == "hang" ? b.hang : key == "reset" ? b.reset : b.break_after_done) = *f;
    return f.has_value();
  }
  if (key == "break_after") {
    if (v.is_null() || (v.is_number_integer() && v.get<long long>() < 0)) {
      b.break_after.reset();
      return true;
    }
    auto n = int_from_json(v, 0, max_tokens);
    if (n) b.break_after = *n;
    return n.has_value();
  }
  if (key == "health_status") {
    auto s = int_from_json(v, 200, 599);
    if (s) b.health_status = *s;
    return s.has_value();
  }
  if (key == "metrics_names") {
    if (!v.is_string()) return false;
    for (const auto& [name, n] : metric_names_by_name) {
      if (v.get<std::string>() == name) {
        b.metrics_as = n;
        return true;
      }
    }
    return false;
  }
  if (key == "waiting") {
    auto n = int_from_json(v, 0, max_tokens);
    if (n) b.waiting = *n;
    return n.has_value();
  }
  if (key == "kv_usage") {
    if (v.is_null()) {
      b.kv_usage.reset();
      return true;
    }
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) return false;
    b.kv_usage = v.get<double>();
    return true;
  }
  if (key == "metrics_hang") {
    auto f = bool_from_json(v);
    if (f) b.metrics_hang = *f;
    return f.has_value();
  }
  if (key == "max_context") {
    auto n = v.is_null() ? std::optional<int>(0) : int_from_json(v, 0, max_tokens);
    if (n) b.max_context = *n;
    return n.has_value();
  }
  return false;
}

constexpr const char* config_keys[] = {"tokens",       "token_interval_ms", "status",      "retry_after",
                                       "delay_ms",     "hang",              "reset",       "break_after",
                                       "break_after_done",
                                       "health_status", "max_context",      "metrics_names", "waiting",
                                       "kv_usage",     "metrics_hang"};

bool known_key(const std::string& key) {
  for (const char* k : config_keys)
    if (key == k) return true;
  return false;
}

nlohmann::ordered_json settings_json(const behavior& b) {
  return {{"tokens", b.tokens},
          {"token_interval_ms", to_ms(b.token_interval)},
          {"status", b.status},
          {"retry_after", b.retry_after},
          {"delay_ms", to_ms(b.delay)},
          {"hang", b.hang},
          {"reset", b.reset},
          {"break_after", b.break_after ? nlohmann::ordered_json(*b.break_after) : nullptr},
          {"break_after_done", b.break_after_done},
          {"health_status", b.health_status},
          {"max_context", b.max_context},
          {"metrics_names", name_of(b.metrics_as)},
          {"waiting", b.waiting},
          {"kv_usage", b.kv_usage ? nlohmann::ordered_json(*b.kv_usage) : nullptr},
          {"metrics_hang", b.metrics_hang}};
}

}  // namespace

std::optional<int> parse_status(std::string_view text) {
  auto s = parse_int(text, 0, 599);
  if (!s || !valid_status(*s)) return std::nullopt;
  return s;
}

std::optional<std::string> apply_headers(behavior& b, const boost::beast::http::fields& headers) {
  for (const auto& field : headers) {
    std::string_view name = field.name_string();
    if (name.size() < 7 || !boost::beast::iequals(name.substr(0, 7), "x-mock-")) continue;
    std::string_view key = name.substr(7);
    std::string_view value = field.value();
    auto is = [&](std::string_view k) { return boost::beast::iequals(key, k); };
    bool ok = true;
    if (is("status")) {
      if (auto s = parse_status(value)) b.status = *s;
      else ok = false;
    } else if (is("retry-after")) {
      if (auto s = parse_int(value, 0, max_seconds)) b.retry_after = *s;
      else ok = false;
    } else if (is("delay") || is("token-interval")) {
      if (auto d = parse_duration(value)) (is("delay") ? b.delay : b.token_interval) = *d;
      else ok = false;
    } else if (is("hang") || is("reset") || is("break-after-done")) {
      if (auto f = parse_bool(value)) (is("hang") ? b.hang : is("reset") ? b.reset : b.break_after_done) = *f;
      else ok = false;
    } else if (is("break-after")) {
      if (value == "none" || value == "off" || value == "-1") b.break_after.reset();
      else if (auto n = parse_int(value, 0, max_tokens)) b.break_after = *n;
      else ok = false;
    } else if (is("tokens")) {
      if (auto n = parse_int(value, 0, max_tokens)) b.tokens = *n;
      else ok = false;
    } else if (is("max-context")) {
      if (auto n = parse_int(value, 0, max_tokens)) b.max_context = *n;
      else ok = false;
    }
    if (!ok) return "invalid value '" + std::string(value) + "' for header " + std::string(name);
  }
  return std::nullopt;
}

std::optional<std::string> apply_json(behavior& b, const json& body) {
  if (!body.is_object()) return "the config body must be a JSON object";
  for (const auto& [key, value] : body.items()) {
    if (!known_key(key)) return "unknown config key '" + key + "'";
    if (!apply_key(b, key, value)) return "invalid value " + value.dump() + " for config key '" + key + "'";
  }
  return std::nullopt;
}

behavior runtime_config::get() const {
  std::lock_guard lock(mutex_);
  return override_left_ > 0 ? override_ : defaults_;
}

behavior runtime_config::take() {
  std::lock_guard lock(mutex_);
  if (override_left_ == 0) return defaults_;
  --override_left_;
  return override_;
}

std::optional<std::string> runtime_config::update(const json& body) {
  std::optional<int> times;
  json rest = body;
  if (body.is_object() && body.contains("times")) {
    times = int_from_json(body["times"], 1, max_tokens);
    if (!times) return "invalid value " + body["times"].dump() + " for config key 'times'";
    rest.erase("times");
  }
  std::lock_guard lock(mutex_);
  behavior next = defaults_;
  if (auto error = apply_json(next, rest)) return error;
  (times ? override_ : defaults_) = next;
  override_left_ = times.value_or(0);
  return std::nullopt;
}

nlohmann::ordered_json runtime_config::to_json() const {
  std::lock_guard lock(mutex_);
  auto out = settings_json(override_left_ > 0 ? override_ : defaults_);
  out["times"] = override_left_ > 0 ? nlohmann::ordered_json(override_left_) : nullptr;
  return out;
}

}  // namespace llmd::mock
