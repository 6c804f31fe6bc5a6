// How config values appear in /admin/backends and in logs: never with a secret in them.
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

}  // namespace llmd::config
