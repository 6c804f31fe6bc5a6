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

bool is_ipv6_literal(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return false;
  for (char c : host) {
    if (!is_hex_digit(c) && c != ':' && c != '.') return false;
  }
  return true;
}

bool is_host_name(std::string_view host) {
  for (char c : host) {
    if (!detail::is_name_char(c)) return false;
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

// Visible ASCII only: the path and query go into the request line as written.
bool is_printable(std::string_view text) {
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

void strip_suffix(std::string& path, std::string_view suffix) {
  if (path.ends_with(suffix)) path.resize(path.size() - suffix.size());
}

// The URL names the server's API root, optionally followed by one OpenAI operation; a client's
// /v1/OPERATION goes to root + /OPERATION, so one entry serves every operation of its server.
std::string api_root(std::string path) {
  strip_suffix(path, "/");
  constexpr std::array<std::string_view, 4> operations = {"/chat/completions", "/completions", "/embeddings",
                                                          "/models"};
  for (auto operation : operations) {
    if (path.ends_with(operation)) {
      strip_suffix(path, operation);
      break;
    }
  }
  return path.empty() ? "/v1" : path;
}

url_result url_error(std::string message) { return {.value = std::nullopt, .error = std::move(message)}; }

// In lower case; nullopt when llm-d does not speak it.
std::optional<std::string> known_scheme(std::string_view scheme) {
  if (detail::iequals(scheme, "http")) return "http";
  if (detail::iequals(scheme, "https")) return "https";
  return std::nullopt;
}

}  // namespace

url_result parse_endpoint(std::string_view endpoint) {
  const auto separator = endpoint.find("://");
  if (separator == std::string_view::npos) return url_error("must be a URL such as http://localhost:8001/v1");
  auto scheme = known_scheme(endpoint.substr(0, separator));
  if (!scheme) return url_error("scheme must be http or https");

  auto rest = endpoint.substr(separator + 3);
  if (rest.find('#') != std::string_view::npos) return url_error("must not have a fragment (#...)");
  const auto question = rest.find('?');
  const auto query = question == std::string_view::npos ? std::string_view{} : rest.substr(question + 1);
  rest = rest.substr(0, question);
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  const auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return url_error("must not contain user info (user@); use api_key or headers for credentials");
  }

  auto address = detail::parse_authority(authority, *scheme == "https" ? "443" : "80");
  if (!address.value) return url_error(std::move(address.error));
  if (!is_printable(path)) return url_error("path must contain only visible ASCII characters (no spaces)");
  if (path.find("//") != std::string_view::npos) return url_error("path must not contain an empty segment (//)");
  if (!is_printable(query)) return url_error("query must contain only visible ASCII characters (no spaces)");

  return {.value = upstream_url{.scheme = std::move(*scheme),
                                .host = std::move(address.value->host),
                                .port = std::move(address.value->port),
                                .root = api_root(std::string(path)),
                                .query = std::string(query)},
          .error = {}};
}

namespace detail {

bool is_host(std::string_view host) { return !host.empty() && (is_host_name(host) || is_ipv6_literal(host)); }

address_result parse_listen(std::string_view text) {
  auto split = split_host_port(text);
  if (!split.error.empty()) return {.value = std::nullopt, .error = std::move(split.error)};
  if (!split.port) return {.value = std::nullopt, .error = "must be HOST:PORT such as 0.0.0.0:8080 or \"[::1]:8080\""};
  auto port = parse_port(*split.port, 0);
  if (!port) return {.value = std::nullopt, .error = "port must be a number from 0 to 65535"};
  return {.value = address{.host = std::move(split.host), .port = std::move(*port)}, .error = {}};
}

address_result parse_authority(std::string_view text, std::string_view default_port) {
  auto split = split_host_port(text);
  if (!split.error.empty()) return {.value = std::nullopt, .error = std::move(split.error)};
  std::string port(default_port);
  if (split.port) {
    auto parsed = parse_port(*split.port, 1);
    if (!parsed) return {.value = std::nullopt, .error = "port must be a number from 1 to 65535"};
    port = std::move(*parsed);
  }
  return {.value = address{.host = std::move(split.host), .port = std::move(port)}, .error = {}};
}

}  // namespace detail

}  // namespace llmd::config
