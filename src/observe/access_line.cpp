// The text of one access-log line.
#include <chrono>
#include <fmt/format.h>

#include "llmd/observe/access_log.hpp"

namespace llmd::observe {

namespace {

using proxy::record_clock;

double seconds(record_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Client text, quoted: printable ASCII as is, anything else (and quotes, backslashes) escaped, so
// a line is always one line of valid UTF-8 and valid JSON.
void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string client_of(const proxy::request_record& r) {
  const auto a = r.client.address();
  return a.is_v6() ? fmt::format("[{}]:{}", a.to_string(), r.client.port())
                   : fmt::format("{}:{}", a.to_string(), r.client.port());
}

std::string_view group_of(const router::backend_pool& pool, int group) {
  return group >= 0 ? std::string_view(pool.groups()[group].name) : std::string_view();
}

void text_time(std::string& out, std::string_view name, const std::optional<record_clock::time_point>& t,
               record_clock::time_point from) {
  if (t) {
    fmt::format_to(std::back_inserter(out), " {}={:.3f}", name, seconds(*t - from));
  } else {
    fmt::format_to(std::back_inserter(out), " {}=-", name);
  }
}

template <class T>
void text_optional(std::string& out, const std::optional<T>& v) {
  if (v) {
    fmt::format_to(std::back_inserter(out), "{}", *v);
  } else {
    out += '-';
  }
}

std::string text_line(const router::backend_pool& pool, const proxy::request_record& r) {
  std::string out = client_of(r);
  out += ' ';
  append_quoted(out, r.method + ' ' + r.path);
  fmt::format_to(std::back_inserter(out), " {} {:.3f}s model=", r.status, seconds(r.duration()));
  if (r.model) {
    append_quoted(out, *r.model);
  } else {
    out += '-';
  }
  const auto group = group_of(pool, r.group);
  fmt::format_to(std::back_inserter(out), " group={} backend={} attempts={} fallbacks={}", group.empty() ? "-" : group,
                 r.served ? std::string_view(r.served->id) : "-", r.attempts(), r.fallbacks());
  text_time(out, "ttfb", r.head_sent, r.received);
  text_time(out, "ttft", r.first_token, r.received);
  fmt::format_to(std::back_inserter(out), " queue={:.3f} overhead={:.6f} in={} out={} tokens=", seconds(r.queue_wait),
                 seconds(r.overhead()), r.bytes_in, r.bytes_out);
  text_optional(out, r.prompt_tokens);
  out += '/';
  text_optional(out, r.completion_tokens);
  fmt::format_to(std::back_inserter(out), " end={}", proxy::describe(r.end));
  if (!r.rejected.empty()) fmt::format_to(std::back_inserter(out), " rejected={}", r.rejected);
  out += " id=";
  append_quoted(out, r.request_id);
  return out;
}

void json_string_or_null(std::string& out, std::string_view name, std::string_view value) {
  fmt::format_to(std::back_inserter(out), ",\"{}\":", name);
  if (value.empty()) {
    out += "null";
  } else {
    append_quoted(out, value);
  }
}

void json_seconds(std::string& out, std::string_view name, const std::optional<record_clock::time_point>& t,
                  record_clock::time_point from) {
  if (t) {
    fmt::format_to(std::back_inserter(out), ",\"{}\":{:.6f}", name, seconds(*t - from));
  } else {
    fmt::format_to(std::back_inserter(out), ",\"{}\":null", name);
  }
}

template <class T>
void json_number_or_null(std::string& out, std::string_view name, const std::optional<T>& v) {
  if (v) {
    fmt::format_to(std::back_inserter(out), ",\"{}\":{}", name, *v);
  } else {
    fmt::format_to(std::back_inserter(out), ",\"{}\":null", name);
  }
}

// The members after "time" (the logger writes it and the braces).
std::string json_members(const router::backend_pool& pool, const proxy::request_record& r) {
  std::string out = ",\"request_id\":";
  append_quoted(out, r.request_id);
  out += ",\"client\":";
  append_quoted(out, client_of(r));
  out += ",\"method\":";
  append_quoted(out, r.method);
  out += ",\"path\":";
  append_quoted(out, r.path);
  fmt::format_to(std::back_inserter(out), ",\"status\":{}", r.status);
  json_string_or_null(out, "model", r.model ? std::string_view(*r.model) : std::string_view());
  json_string_or_null(out, "group", group_of(pool, r.group));
  json_string_or_null(out, "backend", r.served ? std::string_view(r.served->id) : std::string_view());
  out += ",\"attempts\":[";
  bool first = true;
  for (const auto& step : r.steps) {
    if (!first) out += ',';
    first = false;
    out += "{\"group\":";
    append_quoted(out, group_of(pool, step.group));
    json_string_or_null(out, "backend", step.backend ? std::string_view(step.backend->id) : std::string_view());
    json_string_or_null(out, "failure", step.reason);
    if (step.status) {
      fmt::format_to(std::back_inserter(out), ",\"status\":{}", step.status);
    } else {
      out += ",\"status\":null";
    }
    out += '}';
  }
  fmt::format_to(std::back_inserter(out), "],\"fallbacks\":{}", r.fallbacks());
  fmt::format_to(std::back_inserter(out), ",\"duration_s\":{:.6f}", seconds(r.duration()));
  json_seconds(out, "ttfb_s", r.head_sent, r.received);
  json_seconds(out, "ttft_s", r.first_token, r.received);
  fmt::format_to(std::back_inserter(out), ",\"queue_wait_s\":{:.6f},\"backoff_wait_s\":{:.6f},\"overhead_s\":{:.6f}",
                 seconds(r.queue_wait), seconds(r.backoff_wait), seconds(r.overhead()));
  fmt::format_to(std::back_inserter(out), ",\"bytes_in\":{},\"bytes_out\":{}", r.bytes_in, r.bytes_out);
  json_number_or_null(out, "prompt_tokens", r.prompt_tokens);
  json_number_or_null(out, "completion_tokens", r.completion_tokens);
  fmt::format_to(std::back_inserter(out), ",\"end\":\"{}\"", proxy::describe(r.end));
  json_string_or_null(out, "rejected", r.rejected);
  return out;
}

}  // namespace

std::string format_line(const router::backend_pool& pool, const proxy::request_record& r, log_format format) {
  return format == log_format::json ? json_members(pool, r) : text_line(pool, r);
}

}  // namespace llmd::observe
