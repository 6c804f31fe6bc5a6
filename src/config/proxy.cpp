#include "proxy.hpp"

#include <openssl/evp.h>

#include "detail.hpp"

namespace llmd::config::detail {

namespace {

struct proxy_result {
  std::optional<proxy_settings> value;
  std::string error;
};

proxy_result proxy_error(std::string message) { return {.value = std::nullopt, .error = std::move(message)}; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = high < 0 ? -1 : hex_value(text[i + 2]);
    if (low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                  static_cast<int>(bytes.size()));
  return out;
}

// "user:pass" as written in a URL -> "Basic base64(user:pass)", both halves percent-decoded.
std::optional<std::string> basic_authorization(std::string_view user_info) {
  const auto colon = user_info.find(':');
  const auto user = percent_decoded(user_info.substr(0, colon));
  const auto password = percent_decoded(colon == std::string_view::npos ? "" : user_info.substr(colon + 1));
  if (!user || !password) return std::nullopt;
  return "Basic " + base64(*user + ":" + *password);
}

// http://[USER[:PASS]@]HOST[:PORT][/]; 1080 by default, as curl.
proxy_result parse_proxy_url(std::string_view url) {
  const auto separator = url.find("://");
  if (separator == std::string_view::npos || !iequals(url.substr(0, separator), "http")) {
    return proxy_error("proxy must be an http:// URL");
  }
  const auto rest = url.substr(separator + 3);
  if (rest.find('#') != std::string_view::npos) return proxy_error("proxy must not have a fragment (#...)");
  if (rest.find('?') != std::string_view::npos) return proxy_error("proxy must not have a query (?...)");
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos && slash + 1 != rest.size()) return proxy_error("proxy must not have a path");
  const auto authority = rest.substr(0, slash);
  // The last '@': a password may hold one unencoded, as curl allows.
  const auto at = authority.rfind('@');
  const auto host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
  auto address = parse_authority(host_port, "1080");
  if (!address.value) return proxy_error("proxy " + address.error);
  proxy_settings out{
      .host = std::move(address.value->host), .port = std::move(address.value->port), .authorization = {}};
  if (at != std::string_view::npos && at != 0) {
    auto authorization = basic_authorization(authority.substr(0, at));
    if (!authorization) return proxy_error("proxy user info has an invalid percent-encoding (%XX)");
    out.authorization = std::move(*authorization);
  }
  return {.value = std::move(out), .error = {}};
}

bool is_ipv4(std::string_view host) {
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

bool is_ip(std::string_view host) { return is_ipv4(host) || host.find(':') != std::string_view::npos; }

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// "host:port", "[v6]:port" and "[v6]" -> the host; a bare IPv6 address has no port to drop.
std::string_view without_port(std::string_view item) {
  if (item.starts_with('[')) return item.substr(1, item.find(']') - 1);
  const auto colon = item.find(':');
  if (colon != std::string_view::npos && item.find(':', colon + 1) == std::string_view::npos) {
    return item.substr(0, colon);
  }
  return item;
}

// A name matches itself and its subdomains, an IP address only itself.
bool names_host(std::string_view item, std::string_view host) {
  if (is_ip(item) || is_ip(host)) return iequals(item, host);
  if (iequals(item, host)) return true;
  return host.size() > item.size() && host[host.size() - item.size() - 1] == '.' &&
         iequals(host.substr(host.size() - item.size()), item);
}

// no_proxy: comma-separated, "*" for every host, a leading '.' and any port ignored.
bool no_proxy_matches(std::string_view list, std::string_view host) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    auto item = trimmed(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (item == "*") return true;
    item = without_port(item);
    if (item.starts_with('.')) item.remove_prefix(1);
    if (!item.empty() && names_host(item, host)) return true;
  }
  return false;
}

}  // namespace

std::optional<proxy_settings> read_proxy(reader& r, const field& at) {
  const auto text = r.text(&at);
  if (!text || text->empty()) return std::nullopt;
  auto parsed = parse_proxy_url(*text);
  if (!parsed.value) r.report(at, std::move(parsed.error));
  return std::move(parsed.value);
}

std::optional<proxy_settings> environment_proxies::proxy_for(reader& r, const upstream_url& url) {
  if (url.host.empty()) return std::nullopt;  // an unusable endpoint, reported already
  if (const auto no_proxy = first_set("no_proxy", "NO_PROXY");
      no_proxy && no_proxy_matches(no_proxy->value, url.host)) {
    return std::nullopt;
  }
  auto& found = url.tls() ? https_ : http_;
  if (!found) found = url.tls() ? look_up(r, "https_proxy", "HTTPS_PROXY") : look_up(r, "http_proxy", "HTTP_PROXY");
  return *found;
}

// An empty variable counts as unset, as for curl.
std::optional<environment_proxies::variable> environment_proxies::first_set(std::string_view lower,
                                                                            std::string_view upper) const {
  for (auto name : {lower, upper}) {
    if (auto value = env_(std::string(name)); value && !value->empty()) {
      return variable{.name = std::string(name), .value = std::move(*value)};
    }
  }
  return std::nullopt;
}

std::optional<proxy_settings> environment_proxies::look_up(reader& r, std::string_view lower, std::string_view upper) {
  const auto set = first_set(lower, upper);
  if (!set) return std::nullopt;
  // curl and Go take a proxy without a scheme as http://.
  auto parsed = parse_proxy_url(set->value.find("://") == std::string::npos ? "http://" + set->value : set->value);
  if (!parsed.value) r.report("", 0, "environment variable " + set->name + ": " + parsed.error);
  return std::move(parsed.value);
}

}  // namespace llmd::config::detail
