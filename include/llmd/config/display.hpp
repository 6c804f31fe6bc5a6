// How config values appear in /admin/backends, in logs and in the requests llm-d sends: never
// with a secret in them.
#pragma once

#include <string>
#include <string_view>

#include "llmd/config/config.hpp"

namespace llmd::config {

// The endpoint as written with each query value replaced by REDACTED, but for parameters known
// to hold no secret (api-version): "https://h/d?api-version=2024-10-21&key=REDACTED". A parameter
// without a value may itself be a key, so it is shown as REDACTED too.
std::string displayed_endpoint(std::string_view endpoint);

// "http://HOST:PORT", without the credentials.
std::string displayed_proxy(const proxy_settings& proxy);

// Appends the value of the Host header for `url`: the host (an IPv6 address in brackets), and the
// port unless it is the scheme's default (80, 443).
void append_host(std::string& out, const upstream_url& url);

}  // namespace llmd::config
