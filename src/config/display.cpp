#include "llmd/config/display.hpp"

#include <algorithm>
#include <array>

namespace llmd::config {

namespace {

constexpr std::array<std::string_view, 1> shown_parameters = {"api-version"};

bool is_shown(std::string_view name) {
  return std::find(shown_parameters.begin(), shown_parameters.end(), name) != shown_parameters.end();
}

void append_parameter(std::string& out, std::string_view parameter) {
  const auto equals = parameter.find('=');
  const auto name = parameter.substr(0, equals);
  if (parameter.empty() || is_shown(name)) {
    out += parameter;
  } else if (equals == std::string_view::npos) {
    out += "REDACTED";
  } else {
    out += name;
    out += "=REDACTED";
  }
}

}  // namespace

std::string displayed_endpoint(std::string_view endpoint) {
  const auto question = endpoint.find('?');
  std::string out(endpoint.substr(0, question));
  if (question == std::string_view::npos) return out;
  out += '?';
  auto query = endpoint.substr(question + 1);
  for (;;) {
    const auto amp = query.find('&');
    append_parameter(out, query.substr(0, amp));
    if (amp == std::string_view::npos) break;
    out += '&';
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string displayed_proxy(const proxy_settings& proxy) {
  const bool ipv6 = proxy.host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + proxy.host + "]" : proxy.host) + ":" + proxy.port;
}

void append_host(std::string& out, const upstream_url& url) {
  const bool ipv6 = url.host.find(':') != std::string::npos;
  if (ipv6) out += '[';
  out += url.host;
  if (ipv6) out += ']';
  if (url.port != (url.tls() ? "443" : "80")) {
    out += ':';
    out += url.port;
  }
}

}  // namespace llmd::config
