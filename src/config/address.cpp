// Network addresses in the config: the `listen` address and the entries' endpoint URLs.
#include <array>

#include "detail.hpp"

namespace llmd::config {

namespace {

struct host_port {
  std::string host;
  std::optional<std::string_view> port;  // the text after the host's ':', when there is one
  std::string error;
};

host_port failure(std::string message) { return {.host = {}, .port = std::nullopt, .error = std::move(message)}; }

host_port found(std::string_view host, std::optional<std::string_view> port = std::nullopt) {
  return {.host = std::string(host), .port = port, .error = {}};
}

bool is_hex_digit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_literal(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return false;
  for (char c : host) {
    if (!is_hex_digit(c) && c != ':' && c != '.') return false;
  }
  return true;
}

bool is_host_name(std::string_view host) {
  for (char c : host) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

host_port bracketed(std::string_view text) {
  const auto close = text.find(']');
  if (close == std::string_view::npos) return failure("has a [ without its ]");
  const auto host = text.substr(1, close - 1);
  if (!is_ipv6_literal(host)) return failure("has an invalid IPv6 address \"" + std::string(host) + "\"");
  const auto rest = text.substr(close + 1);
  if (rest.empty()) return found(host);
  if (rest[0] != ':') return failure("has unexpected text after ]");
  return found(host, rest.substr(1));
}

// "host", "host:port", "[v6]" or "[v6]:port".
host_port split_host_port(std::string_view text) {
  if (!text.empty() && text[0] == '[') return bracketed(text);
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
    return failure("IPv6 addresses must be in brackets, as in [::1]");
  }
  const auto host = text.substr(0, colon);
  if (host.empty()) return failure("has no host");
  if (!is_host_name(host)) return failure("has an invalid host \"" + std::string(host) + "\"");
  if (colon == std::string_view::npos) return found(host);
  return found(host, text.substr(colon + 1));
}

std::optional<std::string> parse_port(std::string_view text, int lowest) {
  const auto port = detail::parse_int(text);
  if (!port || *port < lowest || *port > 65535) return std::nullopt;
  return std::to_string(*port);
}

// Visible ASCII only: the path goes into the request line as written.
bool path_is_printable(std::string_view path) {
  for (char c : path) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

void strip_suffix(std::string& path, std::string_view suffix) {
  if (path.ends_with(suffix)) path.resize(path.size() - suffix.size());
}

// A client's target such as /v1/chat/completions is appended to what remains, so the URL may name
// the server, its /v1 root or any one OpenAI endpoint of it.
std::string path_prefix(std::string path) {
  strip_suffix(path, "/");
  constexpr std::array<std::string_view, 4> endpoints = {"/chat/completions", "/completions", "/embeddings", "/models"};
  for (auto endpoint : endpoints) {
    if (path.ends_with(endpoint)) {
      strip_suffix(path, endpoint);
      break;
    }
  }
  strip_suffix(path, "/v1");
  return path;
}

url_result url_error(std::string message) { return {.value = std::nullopt, .error = std::move(message)}; }

// nullopt when the endpoint starts with a usable scheme.
std::optional<std::string> scheme_error(std::string_view endpoint, std::size_t separator) {
  if (separator == std::string_view::npos) return "must be a URL such as http://localhost:8001/v1";
  const auto scheme = endpoint.substr(0, separator);
  if (detail::iequals(scheme, "https")) return "https endpoints are not supported yet";
  if (!detail::iequals(scheme, "http")) return "scheme must be http";
  return std::nullopt;
}

}  // namespace

url_result parse_endpoint(std::string_view endpoint) {
  const auto separator = endpoint.find("://");
  if (auto error = scheme_error(endpoint, separator)) return url_error(std::move(*error));

  const auto rest = endpoint.substr(separator + 3);
  if (rest.find('#') != std::string_view::npos) return url_error("must not have a fragment (#...)");
  if (rest.find('?') != std::string_view::npos) return url_error("must not have a query (?...)");
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  const auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return url_error("must not contain user info (user@); use api_key or headers for credentials");
  }

  auto split = split_host_port(authority);
  if (!split.error.empty()) return url_error(std::move(split.error));
  std::string port = "80";
  if (split.port) {
    auto parsed = parse_port(*split.port, 1);
    if (!parsed) return url_error("port must be a number from 1 to 65535");
    port = std::move(*parsed);
  }
  if (!path_is_printable(path)) return url_error("path must contain only visible ASCII characters (no spaces)");
  if (path.find("//") != std::string_view::npos) return url_error("path must not contain an empty segment (//)");

  return {.value = upstream_url{.scheme = "http",
                                .host = std::move(split.host),
                                .port = std::move(port),
                                .path_prefix = path_prefix(std::string(path))},
          .error = {}};
}

namespace detail {

listen_result parse_listen(std::string_view text) {
  auto split = split_host_port(text);
  if (!split.error.empty()) return {.value = std::nullopt, .error = std::move(split.error)};
  if (!split.port) return {.value = std::nullopt, .error = "must be HOST:PORT such as 0.0.0.0:8080 or \"[::1]:8080\""};
  auto port = parse_port(*split.port, 0);
  if (!port) return {.value = std::nullopt, .error = "port must be a number from 0 to 65535"};
  return {.value = listen_address{.host = std::move(split.host), .port = std::move(*port)}, .error = {}};
}

}  // namespace detail

}  // namespace llmd::config
