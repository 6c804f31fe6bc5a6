// How an upstream attempt ended, classified once: retry, fallback, ejection, metrics and the
// client's error all read this one value.
#pragma once

#include <string_view>

namespace llmd::upstream {

enum class outcome {
  ok,                  // response headers with a status to pass through (2xx, 3xx, plain 4xx)
  connect_failed,      // refused, unreachable, DNS failure, connect timeout or no tunnel from the proxy
  tls_failed,          // the TLS handshake failed: a certificate refused, a reset or a timeout
  reset,               // the connection broke (refused connections are connect_failed)
  timeout_first_byte,  // no response headers within first_byte_timeout
  timeout_idle,        // silence between body chunks past idle_timeout
  status_5xx,          // 500, 502, 503, 504 and other 5xx
  status_429,
  status_408,
  malformed,           // not a valid HTTP/1.1 response
};

// An interim response (100 Continue, 103 Early Hints): the final one follows it (RFC 9110 15.2).
// 101 is no interim answer: it switches protocols, which llm-d never asks for.
constexpr bool is_interim(unsigned status) { return status >= 100 && status < 200 && status != 101; }

// The outcome of a final response header with this status. Below 200 there is none to pass on:
// a status below 100 is not HTTP (Beast reads "087" as 87), and a 101 switches protocols.
constexpr outcome classify_status(unsigned status) {
  if (status < 200) return outcome::malformed;
  if (status >= 500) return outcome::status_5xx;
  if (status == 429) return outcome::status_429;
  if (status == 408) return outcome::status_408;
  return outcome::ok;
}

// Whether the response's Retry-After is the server asking for time: on a 429, or a 503 (RFC 9110
// gives it no meaning on other failures).
constexpr bool honours_retry_after(outcome o, unsigned status) {
  return o == outcome::status_429 || (o == outcome::status_5xx && status == 503);
}

constexpr bool is_timeout(outcome o) { return o == outcome::timeout_first_byte || o == outcome::timeout_idle; }

// The outcome as a metric label and in the access log: a fixed set.
constexpr std::string_view label(outcome o) {
  switch (o) {
    case outcome::ok: return "";
    case outcome::connect_failed: return "connect";
    case outcome::tls_failed: return "tls";
    case outcome::reset: return "reset";
    case outcome::timeout_first_byte: return "first_byte_timeout";
    case outcome::timeout_idle: return "idle_timeout";
    case outcome::status_5xx: return "status_5xx";
    case outcome::status_429: return "status_429";
    case outcome::status_408: return "status_408";
    case outcome::malformed: return "malformed";
  }
  return "unknown";
}

constexpr std::string_view describe(outcome o) {
  switch (o) {
    case outcome::ok: return "ok";
    case outcome::connect_failed: return "connection failed";
    case outcome::tls_failed: return "TLS handshake failed";
    case outcome::reset: return "connection reset or closed";
    case outcome::timeout_first_byte: return "no response before first_byte_timeout";
    case outcome::timeout_idle: return "silent past idle_timeout";
    case outcome::status_5xx: return "server error status";
    case outcome::status_429: return "rate limited (429)";
    case outcome::status_408: return "request timeout (408)";
    case outcome::malformed: return "malformed response";
  }
  return "unknown";
}

}  // namespace llmd::upstream
